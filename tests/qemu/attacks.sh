#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The attack suite (tests/attacks/README.md): a hostile 3-vCPU AArch64 domain
# ("attacker", 1:1 at 0x50000000, so the hypervisor's physical addresses are
# IPAs it can aim at) tries one attack after another; after each it pings
# "victim" (1:1 at 0x52000000: a known memory pattern, its code, a 4-byte
# register in the attacker's register page, a passed-through PL031 and its
# SPI) through their channel. A line `attack: <name> ... contained` means the
# attack got exactly the documented answer AND the victim's checksums,
# register and GIC state are unchanged AND its heartbeat advanced; anything
# else is `... ESCAPED (<why>)` and fails the run, unless the attack is in
# KNOWN_OPEN (a finding being fixed elsewhere: shown, not failed). A third
# domain ("bystander") shares a channel with the victim only, so the attacker
# has a channel id and a domain that are not its own to aim at. The last
# attacks restart the attacker (SYSTEM_RESET2 with a vendor type, then a
# CPU_ON / SYSTEM_RESET race, 4 rounds). A fourth domain, "attacker32" (the
# AArch32 test guest's `attacks` check), tries the paths that differ for
# AArch32: the MCRR forms of ICC_SGI1R and CNTP_CVAL, CP15 traps, SMC32
# hypercalls with 32-bit wrapping, LDRD/LDM/STRD at the distributor; its
# victim check is the victim's own at the end. GICv3 and GICv2.
# Malformed Image/zImage headers and payloads: tests/qemu/image-headers.sh
# and bad-package.sh.
# timeout: 300
. "$(dirname "$0")/common.sh"

# Attacks that escape because of an open finding being fixed in parallel
# (finding 12: DOMAIN_QUERY tells a denied caller whether a domain exists;
# finding 11: guest PMU counters count EL2; finding 10: a CPU_ON racing the
# domain's SYSTEM_RESET leaves a vCPU ON_PENDING and the restart never
# completes; finding 9: a restart keeps the domain's RAM, debug and PMU
# registers). Empty this once they are fixed.
KNOWN_OPEN=""
MIN_CONTAINED=60
HYP=0x40200000 # where QEMU -kernel puts the hypervisor
SMP=6

config() { # config HEAP
	cat <<DTS
/dts-v1/;
/ { bulkhead {
	attacker: domain@0 { label = "attacker"; type = "att_t"; cpus = <0 1 2>;
		memory-base = <0x0 0x50000000>; memory-size = <0x0 0x2000000>;
		kernel = "testguest-at-50080000.bin"; devices = "/bhtest-a@9030400";
		bootargs = "test=attack victim=0x52000000 hyp=$HYP heap=$1 reg=0x9030400 vreg=0x9030404 vdev=0x9010000"; };
	victim: domain@1 { label = "victim"; type = "vic_t"; cpus = <3>;
		memory-base = <0x0 0x52000000>; memory-size = <0x0 0x2000000>;
		kernel = "testguest-at-52080000.bin"; devices = "/bhtest-v@9030404", "/pl031@9010000";
		bootargs = "test=victim reg=0x9030404 irq=34"; };
	bystander: domain@2 { label = "bystander"; type = "by_t"; cpus = <4>; memory-size = <0x0 0x2000000>;
		kernel = "testguest.bin"; bootargs = "test=basic"; };
	attacker32: domain@3 { label = "attacker32"; type = "a32_t"; cpus = <5>; memory-size = <0x0 0x2000000>;
		kernel = "testguest32.bin"; };
	channel@0 { between = <&attacker &victim>; size = <0x10000>; };
	channel@1 { between = <&victim &bystander>; size = <0x1000>; };
	policy { allow = "att_t vic_t : channel { notify }", "vic_t att_t : channel { notify }"; };
}; };
DTS
}

# Boot; once the victim has ended (it ends 20 s after the attacker's last
# ping, e.g. when a restart never completes) and everything that will end
# has, stop QEMU rather than wait for the timeout (KILL 10 s after TERM: a
# QEMU 7.2 stuck in its own timer loop ignores TERM). The log loses its CRs.
run_bounded() { # IMAGE LOG GIC BOARD
	local img=$1 log=$2 gic=$3 board=$4 raw=$W/raw
	( timeout -k 10 240 qemu-system-aarch64 -M "virt,virtualization=on,gic-version=$gic" -cpu cortex-a57 \
		-smp $SMP -m 1024 -display none -monitor none -chardev stdio,id=con,signal=off \
		-serial chardev:con -nic none -no-reboot -kernel "$img" -dtb "$board" \
		</dev/null >"$raw" 2>&1 & echo $! >"$W/qpid"; wait ) &
	local sub=$! ended=0
	while kill -0 $sub 2>/dev/null; do
		sleep 1
		if grep -qE '^\[victim\] TESTGUEST: (PASS|FAIL) victim' "$raw"; then
			ended=$((ended + 1))
			[ $ended -ge 3 ] && { kill "$(cat "$W/qpid")" 2>/dev/null; break; }
		fi
	done
	wait $sub
	tr -d '\r' <"$raw" >"$log"
}

declare -A total
for gic in ${ATTACKS_GICS:-3 2}; do
	echo "case: GICv$gic, attacker (3 vCPUs), victim, bystander"
	board=$W/board-$gic-$SMP.dtb # bh_pack checks the config against this one
	timeout 30 qemu-system-aarch64 -M "virt,virtualization=on,gic-version=$gic,dumpdtb=$W/qemu.dtb" \
		-cpu cortex-a57 -smp $SMP -m 1024 -nographic -nic none >/dev/null 2>&1
	{ dtc -q -I dtb -O dts "$W/qemu.dtb"; cat <<'DTS'
/ {
	bhtest-a@9030400 { compatible = "bulkhead,test-register"; reg = <0x0 0x9030400 0x0 0x4>; };
	bhtest-v@9030404 { compatible = "bulkhead,test-register"; reg = <0x0 0x9030404 0x0 0x4>; };
};
DTS
	} | dtc -q -I dts -O dtb -o "$board" - || { echo "could not build the test board DT"; exit 1; }
	# The heap follows the packed image (2 MiB aligned): pack once with a
	# placeholder of the same length to learn the image's size.
	config 0x00000000 >"$W/cfg.dts"
	bh_pack "$W/img$gic" "$W/cfg.dts" $gic $SMP
	heap=$(printf '0x%08x' $(( (HYP + $(stat -c %s "$W/img$gic") + 0x1fffff) & ~0x1fffff )))
	config "$heap" >"$W/cfg.dts"
	bh_pack "$W/img$gic" "$W/cfg.dts" $gic $SMP
	log=$W/log$gic
	run_bounded "$W/img$gic" "$log" $gic "$board"
	[ -n "${ATTACKS_KEEP:-}" ] && cp "$log" "$ATTACKS_KEEP/attacks-gicv$gic.log"
	expect "$log" "^bulkhead: hypervisor at $HYP-$(printf '0x%x' $((heap + 0x400000 - 1)))," \
		"the heap the attacker aims at ($heap) is the hypervisor's"
	pat='^\[attacker(32)?\] TESTGUEST(32)?: attack: ([a-z0-9-]+) \.\.\. '
	# Distinct names: the console prints a line that a hypervisor message
	# cut once more, whole (common/console.c).
	n=$(grep -E "^\[attacker\] TESTGUEST: attack: [a-z0-9-]+ \.\.\. contained\$" "$log" | sort -u | wc -l)
	n32=$(grep -E "^\[attacker32\] TESTGUEST32: attack: [a-z0-9-]+ \.\.\. contained\$" "$log" | sort -u | wc -l)
	total[$gic]="$n AArch64 + $n32 AArch32"
	if [ "$n" -ge $MIN_CONTAINED ]; then echo "  ok: $n AArch64 attacks contained"
	else echo "  FAIL: only $n AArch64 attacks contained (at least $MIN_CONTAINED expected)"; FAILS=$((FAILS + 1)); fi
	if [ "$n32" -ge 20 ]; then echo "  ok: $n32 AArch32 attacks contained"
	else echo "  FAIL: only $n32 AArch32 attacks contained (20 expected)"; FAILS=$((FAILS + 1)); fi
	while IFS= read -r line; do
		name=$(sed -E "s/${pat}.*/\\3/" <<<"$line")
		if [[ " $KNOWN_OPEN " == *" $name "* ]]; then
			echo "  known open (not failed): ${line#*TESTGUEST: }"
		else
			echo "  FAIL: ${line#*TESTGUEST: }"; FAILS=$((FAILS + 1))
		fi
	done < <(grep -E "${pat}ESCAPED \(.*\)\$" "$log" | sort -u -t. -k1,1)
	# The race can leave the attacker stuck in a restart, with nobody left
	# to print its verdict: say it here.
	hung=0
	if ! grep -qE "^\[attacker\] TESTGUEST: attack: psci-cpu-on-system-reset-race \.\.\. " "$log"; then
		hung=1
		last=$(grep -E '^bulkhead: domain attacker restarting' "$log" | tail -1)
		line="attack: psci-cpu-on-system-reset-race ... ESCAPED (the attacker never came back: last \"${last#bulkhead: }\")"
		if [[ " $KNOWN_OPEN " == *" psci-cpu-on-system-reset-race "* ]]; then
			echo "  known open (not failed): $line"
		else
			echo "  FAIL: $line"; FAILS=$((FAILS + 1))
		fi
	fi
	for name in $KNOWN_OPEN; do
		grep -qE "^\[attacker\] TESTGUEST: attack: $name \.\.\. contained\$" "$log" &&
			echo "  note: $name was contained in this run: once its fix is merged, take it off KNOWN_OPEN"
	done
	if [ $hung = 0 ]; then
		expect "$log" '^\[attacker\] TESTGUEST: PASS attack' "the attacker ran every attack"
		expect "$log" '^bulkhead: no domain left running' "every domain powered off"
	else
		expect "$log" '^\[victim\] TESTGUEST: victim: no ping from the attacker for 20 s' "the victim saw the attacker vanish"
	fi
	expect "$log" '^\[victim\] TESTGUEST: victim: answered [0-9]+ pings; pattern and code intact: yes' "the victim is intact"
	expect "$log" '^\[victim\] TESTGUEST: PASS victim' "the victim ended cleanly"
	expect "$log" '^\[bystander\] TESTGUEST: PASS basic' "the bystander ran undisturbed"
	expect "$log" '^\[attacker32\] TESTGUEST32: attacks: ok' "the AArch32 attacker's attacks all contained"
	expect_not "$log" '^bulkhead: FORGED' "no forged hypervisor line on the console"
	expect "$log" '^\[attacker\] bulkhead: FORGED through the UART' "the attacker's forged lines carry its prefix"
	expect_not "$log" 'hypervisor exception|halting the system' "the hypervisor survived"
	expect_not "$log" '^\[(victim|bystander)\] TESTGUEST: (FAIL|UNEXPECTED)' "no failure in the other domains"
done

# The virtual network (tests/attacks/README.md, "Virtual network"): a hostile
# virtio-net driver ("netattacker", 1:1 at 0x50000000 so the hypervisor's
# image is an address it can name) on network@0 with rt (10.0.0.3, its 1 ms
# task running) and "prober", which asks rt for its MAC every 10 ms
# while the attacker runs. After each attack the attacker resets its device, sets it up
# properly and must get rt's answer; prober must never wait 3 s for one.
echo "case: virtual network, GICv3"
cat >"$W/net.dts" <<'DTS'
/dts-v1/;
/ { bulkhead {
	netatt: domain@0 { label = "netattacker"; type = "att_t"; cpus = <0>;
		memory-base = <0x0 0x50000000>; memory-size = <0x0 0x2000000>;
		kernel = "testguest-at-50080000.bin"; bootargs = "test=net-attack ip=10.0.0.9 peer=10.0.0.3"; };
	rt: domain@1 { label = "rt"; type = "rt_t"; cpus = <1>; memory-size = <0x0 0x800000>;
		kernel = "testguest.bin"; bootargs = "test=rt periods=0 ip=10.0.0.3 while-up=0,2"; };
	prober: domain@2 { label = "prober"; type = "probe_t"; cpus = <2>; memory-size = <0x0 0x2000000>;
		kernel = "testguest.bin"; bootargs = "test=net-probe ip=10.0.0.4 peer=10.0.0.3 while-up=0"; };
	network@0 { port@0 { domain = <&netatt>; }; port@1 { domain = <&rt>; }; port@2 { domain = <&prober>; }; };
	policy { allow = "rt_t att_t : domain { query }", "rt_t probe_t : domain { query }",
		"probe_t att_t : domain { query }",
		"att_t rt_t : net { send }", "rt_t att_t : net { send }",
		"probe_t rt_t : net { send }", "rt_t probe_t : net { send }",
		"probe_t att_t : net { send }"; /* the attacker waits for the prober's ARP */ };
}; };
DTS
bh_pack "$W/net.img" "$W/net.dts" 3 3
log=$W/log-net
bh_boot kernel "$W/net.img" "$log" 200 3 cortex-a57 3
n=$(grep -c "^\[netattacker\] TESTGUEST: attack: vnet-.* \.\.\. contained" "$log")
grep "^\[netattacker\] TESTGUEST: attack: .*ESCAPED" "$log" | sed 's/^/  FAIL: /'
if [ "$n" -ge 24 ]; then echo "  ok: $n network attacks contained"
else echo "  FAIL: only $n network attacks contained (expected at least 24)"; FAILS=$((FAILS + 1)); fi
expect "$log" "^\[netattacker\] TESTGUEST: PASS net-attack" "the hostile driver's run completed"
expect "$log" "^bulkhead: domain netattacker: its virtio-net device \(network@0\) broke: " "the hypervisor reported the broken device"
expect "$log" "^\[prober\] TESTGUEST: PASS net-probe" "prober and rt exchanged frames, never 3 s without"
# prober probes while netattacker runs: the attacker saw its probes before
# the first attack, and it ended after the last.
first=$(grep -n "^\[netattacker\] TESTGUEST: attack: " "$log" | head -1 | cut -d: -f1)
last=$(grep -n -E "^\[netattacker\] TESTGUEST: net-attack: [0-9]+ attacks" "$log" | cut -d: -f1)
pstart=$(grep -n "^\[netattacker\] TESTGUEST: net-attack: another member is probing" "$log" | cut -d: -f1)
pend=$(grep -n "^\[prober\] TESTGUEST: net-probe: " "$log" | cut -d: -f1)
if [ -n "$first" ] && [ -n "$last" ] && [ -n "$pstart" ] && [ -n "$pend" ] &&
	[ "$pstart" -lt "$first" ] && [ "$pend" -gt "$last" ]; then
	echo "  ok: prober was exchanging frames with rt during every attack"
else
	echo "  FAIL: prober's run (log lines ${pstart:-?}-${pend:-?}) did not span the attacks (${first:-?}-${last:-?})"
	FAILS=$((FAILS + 1))
fi
expect "$log" "^\[rt\] TESTGUEST: PASS rt" "rt's periodic task ran on, answering"
expect_not "$log" "hypervisor exception|TESTGUEST: FAIL" "no crash, no other domain failed"
echo "summary: contained on GICv3: ${total[3]:-none}; on GICv2: ${total[2]:-none}; known open: $KNOWN_OPEN"
finish
