#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Restart hygiene: after 100 restarts of each kind, a domain's RAM at entry
# equals a first boot's, its virtual GIC, timer and UART are fresh, the
# hypervisor's free memory is unchanged and no other domain stopped.
# Five bare-metal domains (test guest, test=hygiene unless said), 4 MiB each (an image and its 2 MiB DT slot):
# - reboot: 100 PSCI SYSTEM_RESETs of its own;
# - fault: 100 reads outside its RAM with no vectors (on-fault = "restart");
# - victim: restarted 100 times by boss (BH_HC_DOMAIN_RESTART, allowed by
#   the policy), each time once it has said on their channel it is ready;
# - boss: the restarter; then waits until reboot, fault and victim are off
#   (BH_HC_DOMAIN_QUERY) and tells rt, on their channel, to stop;
# - rt (test=rt): a 1 ms periodic task on its own CPU all along.
# At every boot reboot, fault and victim check, before touching anything:
# RAM sampled zero outside image and DT, FP/SIMD and exception registers
# zero, the vGIC (nothing enabled, pending or active, priorities 0, CPU
# interface idle), CNTV_CTL, CNTP_CTL and CNTP_CVAL 0, the counter near 0,
# the emulated PL011's registers at reset values; and print a digest of all those registers,
# which must be the same at all 101 boots. Then they dirty all of it (RAM
# marks, EL1 registers, every interrupt enabled and pending at priority
# 0xa0, an SGI left active, PMR/BPR, the timer asserting, every PL011
# register) and restart. The hypervisor's "memory:" line (at boot and with
# the exit statistics of every power-off) must never change, and on rt's
# CPU every exit must be rt's own. GICv3 and GICv2 (HYGIENE_GICS picks).
# timeout: 150
. "$(dirname "$0")/common.sh"
cat >"$W/cfg.dts" <<'DTS'
/dts-v1/;
/ {
	bulkhead {
		compatible = "bulkhead,config-v1";
		domain@0 {
			label = "reboot"; type = "reboot_t"; cpus = <0>; memory-size = <0x0 0x400000>;
			kernel = "testguest.bin"; bootargs = "test=hygiene role=reboot rounds=100";
		};
		domain@1 {
			label = "fault"; type = "fault_t"; cpus = <1>; memory-size = <0x0 0x400000>;
			kernel = "testguest.bin"; on-fault = "restart";
			bootargs = "test=hygiene role=fault rounds=100";
		};
		domain@2 {
			label = "victim"; type = "victim_t"; cpus = <2>; memory-size = <0x0 0x400000>;
			kernel = "testguest.bin"; bootargs = "test=hygiene role=victim peer=boss rounds=100";
		};
		domain@3 {
			label = "boss"; type = "boss_t"; cpus = <3>; memory-size = <0x0 0x400000>;
			kernel = "testguest.bin";
			bootargs = "test=hygiene role=restarter peer=victim target=2 until=rt rounds=100";
		};
		domain@4 {
			label = "rt"; type = "rt_t"; cpus = <4>; memory-size = <0x0 0x400000>;
			kernel = "testguest.bin"; bootargs = "test=rt periods=0 until=boss";
		};
		channel@0 { between = "victim", "boss"; size = <0x1000>; };
		channel@1 { between = "boss", "rt"; size = <0x1000>; };
		policy {
			allow = "boss_t victim_t : domain { query restart }",
				"boss_t reboot_t : domain { query }", "boss_t fault_t : domain { query }";
		};
	};
};
DTS
for gic in ${HYGIENE_GICS:-3 2}; do
	echo "case: GICv$gic, 100 restarts of each kind"
	bh_pack "$W/img$gic" "$W/cfg.dts" $gic 5
	log=$W/log$gic
	t0=$SECONDS
	bh_boot kernel "$W/img$gic" "$log" 120 $gic cortex-a57 5
	echo "  (run took $((SECONDS - t0)) s)"
	tr -d '\r' <"$log" >"$log.txt"
	[ -n "${HYGIENE_KEEP:-}" ] && cp "$log.txt" "$HYGIENE_KEEP.gic$gic"
	for d in reboot fault victim; do
		expect "$log.txt" "^\[$d\] TESTGUEST: hygiene: $d: 100 restarts, every boot fresh" \
			"$d: 100 restarts, every boot fresh"
		expect "$log.txt" "^\[$d\] TESTGUEST: PASS hygiene" "$d: passes"
		# Whole lines only: one the console cut short is repeated whole later.
		grep -E "^\[$d\] TESTGUEST: hygiene: $d boot [0-9]+: .* problems$" "$log.txt" >"$W/boots-$d"
		boots=$(grep -oE "boot [0-9]+:" "$W/boots-$d" | sort -u | wc -l)
		states=$(grep -oE "state 0x[0-9a-f]+" "$W/boots-$d" | sort | uniq -c)
		if [ "$boots" -eq 101 ] && [ "$(wc -l <<<"$states")" -eq 1 ]; then
			echo "  ok: $d: all 101 boots with the same vGIC/timer/UART/register state (${states##* })"
		else
			echo "  FAIL: $d: $boots boots seen, their states:"; sed 's/^/    | /' <<<"$states" | head
			FAILS=$((FAILS + 1))
		fi
		slow=$(grep -oE "counter [0-9]+ us" "$W/boots-$d" | awk '{print $2}' | sort -n | tail -1)
		echo "  $d: the counter read at most ${slow:-?} us at entry"
	done
	expect "$log.txt" "^\[boss\] TESTGUEST: hygiene: restarted victim 100 times" "boss restarted victim 100 times"
	for id in 0 1 2; do
		expect "$log.txt" "^\[boss\] TESTGUEST: hygiene: domain $id: state 2, 100 restarts" \
			"domain $id off after 100 restarts (BH_HC_DOMAIN_QUERY)"
	done
	expect "$log.txt" "^bulkhead: domain boss restarts domain victim \(policy: boss_t victim_t" \
		"the peer restart is logged with its rule"
	expect "$log.txt" "^\[boss\] TESTGUEST: PASS hygiene" "boss passes"
	# The hypervisor's memory figure: at boot, then at every power-off (the
	# last two may be at once: the machine may halt before the last is out).
	mem=$(grep -E "^bulkhead: memory: " "$log.txt" | sort | uniq -c)
	nmem=$(grep -cE "^bulkhead: memory: " "$log.txt")
	if [ "$nmem" -ge 4 ] && [ "$(wc -l <<<"$mem")" -eq 1 ]; then
		echo "  ok: free memory at boot and after $((nmem - 1)) power-offs the same:${mem#*bulkhead: memory:}"
	else
		echo "  FAIL: the hypervisor's memory figure changed or is missing ($nmem lines):"
		sed 's/^/    | /' <<<"$mem"; FAILS=$((FAILS + 1))
	fi
	# rt ran all along: it stopped when told, after the three were done.
	expect "$log.txt" "^\[rt\] TESTGUEST: rt: boss said stop" "rt ran until boss said stop"
	expect "$log.txt" "^\[rt\] TESTGUEST: PASS rt" "rt ends cleanly"
	last=$(grep -nE "^\[(reboot|fault|victim)\] TESTGUEST: PASS hygiene" "$log.txt" | tail -1 | cut -d: -f1)
	rtend=$(grep -nE "^\[rt\] TESTGUEST: rt: done" "$log.txt" | cut -d: -f1)
	[ -n "$last" ] && [ -n "$rtend" ] && [ "$rtend" -gt "$last" ] &&
		echo "  ok: rt's task ended after the last restarting domain's (line $rtend > $last)" ||
		{ echo "  FAIL: rt ended (line ${rtend:-none}) before the restarts did (${last:-none})"; FAILS=$((FAILS + 1)); }
	n=$(grep -cE "^\[rt\] TESTGUEST: rt: [0-9]+ periods" "$log.txt")
	echo "  rt: $n progress reports, $(grep -oE "rt: done [0-9]+ periods, worst lateness [0-9]+ us" "$log.txt")"
	line=$(grep -E "^  CPU 4 \[rt\]:" "$log.txt" | tail -1)
	causes=$(tr ' ' '\n' <<<"$line" | grep '=' | cut -d= -f1 | sort -u | tr '\n' ' ')
	if [ -n "$line" ] && [ "$causes" = "rt " ] && grep -q "timer rt=" <<<"$line"; then
		echo "  ok: every exit on rt's CPU was rt's own:${line#*:}"
	else
		echo "  FAIL: exits on rt's CPU caused by: '$causes' ($line)"; FAILS=$((FAILS + 1))
	fi
	expect_not "$log.txt" "TESTGUEST: FAIL|UNEXPECTED|hypervisor exception|stopped:" \
		"no failed check, no domain stopped"
done
finish
