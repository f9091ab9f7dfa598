#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The guest kernel's log under Bulkhead shows no GIC, timer, PSCI or SMCCC
# warning that the same kernel does not print natively (same QEMU machine,
# no hypervisor, Linux at EL1): both boots dump their whole kernel log with
# levels (bhtest=klog), and the warnings of the two are compared. Both run
# under -icount: guest time then advances with executed instructions only, so
# a host that stalls QEMU's threads (a loaded CI machine) cannot make Linux
# report an "hrtimer: interrupt took N ns" that the hypervisor did not cause.
# timeout: 600
. "$(dirname "$0")/common.sh"
need_assets
linux_initrd "$W/initrd"
ARGS="console=ttyAMA0 earlycon nokaslr bhtest=klog"
ICOUNT="-icount shift=0,sleep=off"

# klog LOG: the dumped kernel log, one "<level>text" line each, timestamps
# and console prefixes removed.
klog() {
	sed -n 's/\r$//; s/^\[dom0\] //; s/^KLOG //p' "$1" | sed 's/\[ *[0-9]*\.[0-9]*\] //'
}
# warnings KLOG: lines at level warning or worse (<0>..<4>), and any line
# that reads like a problem whatever its level (WARN splats, firmware bugs).
warnings() {
	grep -aE '^<[0-4]>|WARNING:|BUG:|Oops|Call trace|Firmware Bug|FW_BUG|[Bb]roken|[Ff]ailed|[Uu]nable to' "$1" |
		sed -E 's/0x[0-9a-f]+/0x#/g; s/[0-9]+/#/g' | LC_ALL=C sort -u
}
# new_warnings NATIVE HYP: the GIC/timer/PSCI/SMCCC warnings only HYP has.
TOPIC='gic|its|irq|ipi|interrupt|timer|clock|psci|smccc|smc|hvc|cpu|WARNING:|BUG:|Oops|Call trace'
new_warnings() {
	warnings "$1" >"$W/wn"
	warnings "$2" >"$W/wh"
	LC_ALL=C comm -13 "$W/wn" "$W/wh" | grep -aiE "$TOPIC"
}

# The comparison itself must catch a warning: a native log, and the same log
# with one added GIC warning.
printf '<6>GICv3: 224 SPIs implemented\n<4>pci-host-generic: resource\n' >"$W/t-native"
printf '<6>GICv3: 224 SPIs implemented\n<4>GICv3: GICD_CTRL.DS=1, SCR_EL3.FIQ=0\n' >"$W/t-hyp"
if [ "$(new_warnings "$W/t-native" "$W/t-hyp")" = "<#>GICv#: GICD_CTRL.DS=#, SCR_EL#.FIQ=#" ] &&
	[ -z "$(new_warnings "$W/t-native" "$W/t-native")" ]; then
	echo "  ok: the comparison flags an added GIC warning and nothing else"
else
	echo "  FAIL: the comparison does not flag an added GIC warning"; FAILS=$((FAILS + 1))
fi

for cpu in cortex-a57 cortex-a53; do
	for gic in 3 2; do
		echo "case: $cpu, GICv$gic, 2 CPUs: native, then a 2-vCPU domain"
		nlog=$W/native-$cpu-$gic
		timeout 300 qemu-system-aarch64 -M "virt,gic-version=$gic" -cpu "$cpu" -smp 2 -m 256 $ICOUNT \
			-display none -monitor none -chardev stdio,id=con,signal=off -serial chardev:con \
			-nic none -no-reboot -kernel "$ASSETS/Image-arm64" -initrd "$W/initrd" \
			-append "$ARGS" </dev/null >"$nlog" 2>&1
		img=$W/linux-$cpu-$gic.img
		bh_image "$img" CONFIG=qemu-virt-single GIC=$gic CPU=$cpu SMP=2 \
			KERNEL="$ASSETS/Image-arm64" INITRD="$W/initrd" BOOTARGS="$ARGS"
		hlog=$W/log-$cpu-$gic
		bh_boot kernel "$img" "$hlog" 300 $gic $cpu 2 $ICOUNT
		expect "$nlog" "^KLOG-END" "native boot dumped its kernel log"
		expect "$hlog" "^\[dom0\] KLOG-END" "the domain dumped its kernel log"
		klog "$nlog" >"$W/kn"
		klog "$hlog" >"$W/kh"
		# Both logs must hold what the comparison is about.
		for f in native:kn domain:kh; do
			for what in "NR_IRQS" "arch_timer" "psci" "smp: Brought up 1 node, 2 CPUs"; do
				grep -qa "$what" "$W/${f#*:}" ||
					{ echo "  FAIL: no '$what' line in the ${f%:*} kernel log"; FAILS=$((FAILS + 1)); }
			done
		done
		new=$(new_warnings "$W/kn" "$W/kh")
		if [ -z "$new" ]; then
			echo "  ok: no GIC/timer/PSCI/SMCCC warning that the native boot does not print ($(warnings "$W/kh" | wc -l) warning lines in all)"
		else
			echo "  FAIL: warnings only under Bulkhead:"; echo "$new" | sed 's/^/    | /'; FAILS=$((FAILS + 1))
		fi
		other=$(LC_ALL=C comm -13 <(warnings "$W/kn") <(warnings "$W/kh") | grep -aivE "$TOPIC")
		[ -z "$other" ] || { echo "  note: other warnings only under Bulkhead:"; echo "$other" | sed 's/^/    | /'; }
		expect "$hlog" "^bulkhead: domain dom0 powered off" "the domain powered off"
	done
done
finish
