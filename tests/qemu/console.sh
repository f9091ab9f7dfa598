#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The console multiplexer under hostile or stuck conditions.
# stall: a domain floods the console while rt runs its 1 ms periodic task;
#   Ctrl-A u makes the console UART stop draining (test hook) for 4 s: rt
#   keeps its periods (no lateness near the stall) and loses none of its few
#   lines (its own buffer holds them), the flooding domain keeps running, and
#   once the UART drains again output resumes and flood's loss is reported.
# timeout: 300
. "$(dirname "$0")/common.sh"

# stall_run LOG IMAGE: boot; once rt has run 1000 periods, Ctrl-A u (the UART
# stalls), 4 s later Ctrl-A u (it drains again); Ctrl-A q when rt is done.
wait_for() { # LOG REGEX SECONDS
	local end=$((SECONDS + $3))
	until grep -aqE -- "$2" "$1" 2>/dev/null; do
		[ $SECONDS -ge $end ] && return 1
		sleep 0.2
	done
}
type_keys() { (trap '' PIPE; printf "$1" >&4) 2>/dev/null; }
stall_run() {
	local log=$1 img=$2
	rm -f "$W/in"; mkfifo "$W/in"
	BH_IN=$W/in bh_boot kernel "$img" "$log" 120 3 cortex-a57 2 &
	local pid=$!
	exec 4>"$W/in"
	if wait_for "$log" "^\[rt\] TESTGUEST: rt: 1000 periods" 60; then
		type_keys '\001u'
		sleep 4
		STALL_END=$(grep -ac "" "$log")
		type_keys '\001u'
		wait_for "$log" "TESTGUEST: (PASS|FAIL) rt" 60 ||
			echo "  (rt did not end within 60 s of the UART draining again)"
	else
		echo "  (rt did not reach 1000 periods)"
	fi
	type_keys '\001q'
	wait $pid
	exec 4>&-
}

cat > "$W/stall.dts" <<'DTS'
/dts-v1/;
/ { bulkhead {
	domain@0 { label = "flood"; cpus = <0>; memory-size = <0x0 0x800000>;
		kernel = "testguest.bin"; bootargs = "test=flood"; };
	domain@1 { label = "rt"; cpus = <1>; memory-size = <0x0 0x800000>;
		kernel = "testguest.bin"; bootargs = "test=rt periods=7000"; };
}; };
DTS
echo "case: stall (the UART stops draining for 4 s while flood floods and rt runs)"
bh_pack "$W/img" "$W/stall.dts" 3 2
log=$W/stall.log
STALL_END=0
stall_run "$log" "$W/img"
expect "$log" "^\[rt\] TESTGUEST: rt: done 7000 periods" "rt ran all its periods"
expect "$log" "^\[rt\] TESTGUEST: PASS rt" "rt passed (no tick lost, none early)"
worst=$(grep -aoE "rt: done [0-9]+ periods, worst lateness [0-9]+ us" "$log" | grep -oE "[0-9]+ us" | cut -d' ' -f1)
if [ -n "$worst" ] && [ "$worst" -lt 1000000 ]; then
	echo "  ok: rt's worst lateness ${worst} us: it never waited for the stalled UART (4 s)"
else
	echo "  FAIL: rt's worst lateness ${worst:-unknown} us"; FAILS=$((FAILS + 1))
fi
expect "$log" "^bulkhead: console UART stalled on purpose" "Ctrl-A u stalls the UART"
expect "$log" "^bulkhead: console UART drains again" "and the second Ctrl-A u ends the stall"
# rt printed little during the stall: its own buffer kept every line of it.
for n in 2000 3000 4000 5000 6000; do
	expect "$log" "^\[rt\] TESTGUEST: rt: $n periods" "rt's report at $n periods is on the console"
done
expect "$log" "^bulkhead: domain flood: [0-9]+ bytes of console output lost" "flood's loss is reported"
expect_not "$log" "^bulkhead: domain rt: [0-9]+ bytes of console output lost" "rt lost nothing"
# flood ran on through the stall: its line numbers jump across it.
before=$(head -n "$STALL_END" "$log" | grep -aoE "^\[flood\] TESTGUEST: flood: line [0-9]+" | tail -1 | grep -oE "[0-9]+$")
after=$(tail -n +"$((STALL_END + 1))" "$log" | grep -aoE "^\[flood\] TESTGUEST: flood: line [0-9]+" | tail -1 | grep -oE "[0-9]+$")
if [ -n "$before" ] && [ -n "$after" ] && [ "$after" -gt "$before" ]; then
	echo "  ok: flood printed on after the stall (line $before before, $after at the end)"
else
	echo "  FAIL: flood's lines before/after the stall: '${before:-none}' '${after:-none}'"; FAILS=$((FAILS + 1))
fi
expect "$log" "powering off at the console's request" "the console still takes keys: Ctrl-A q"
expect_not "$log" "hypervisor exception|TESTGUEST: FAIL" "no crash, no failure"
finish
