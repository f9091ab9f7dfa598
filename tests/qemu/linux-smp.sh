#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The unmodified Debian arm64 kernel boots as a 2-vCPU domain through U-Boot
# on GICv2 and GICv3, cortex-a57 and cortex-a53: both CPUs online, timer
# interrupts and rescheduling IPIs counted, poweroff ends the domain cleanly.
# timeout: 900
. "$(dirname "$0")/common.sh"
need_assets
linux_initrd "$W/initrd"
for cpu in cortex-a57 cortex-a53; do
	for gic in 3 2; do
		echo "case: U-Boot, $cpu, GICv$gic, 2 vCPUs"
		img=$W/linux-$cpu-$gic.img
		bh_image "$img" CONFIG=qemu-virt-single GIC=$gic CPU=$cpu SMP=2 \
			KERNEL="$ASSETS/Image-arm64" INITRD="$W/initrd" \
			BOOTARGS="console=ttyAMA0 earlycon nokaslr bhtest=smp"
		log=$W/log-$cpu-$gic
		bh_boot uboot "$img" "$log" 300 $gic $cpu 2
		expect "$log" "^\[dom0\] \[ +0\.0+\] Booting Linux" "Linux's earlycon prints from its first line"
		expect "$log" "^\[dom0\] BULKHEAD-GUEST-UP" "userspace reached"
		expect "$log" "^\[dom0\] cpus online: 0-1" "both vCPUs online"
		t1=$(sed -n 's/^\[dom0\] sample1 timer=\([0-9]*\) resched=\([0-9]*\).*/\1 \2/p' "$log")
		t2=$(sed -n 's/^\[dom0\] sample2 timer=\([0-9]*\) resched=\([0-9]*\).*/\1 \2/p' "$log")
		if [ -n "$t1" ] && [ -n "$t2" ] && [ "${t2% *}" -gt "${t1% *}" ] && [ "${t2#* }" -gt "${t1#* }" ]; then
			echo "  ok: timer interrupts (${t1% *} -> ${t2% *}) and rescheduling IPIs (${t1#* } -> ${t2#* }) increase"
		else
			echo "  FAIL: timer/IPI counts did not both increase: '$t1' -> '$t2'"; FAILS=$((FAILS + 1))
		fi
		expect "$log" "^\[dom0\] init: poweroff: stopping all processes" "a plain poweroff takes init's clean path"
		expect "$log" "^\[dom0\] \[ *[0-9.]+\] reboot: Power down" "Linux powers down"
		expect "$log" "^bulkhead: domain dom0 powered off" "poweroff ends the domain, the hypervisor says so"
		expect_not "$log" "\*\*\* hypervisor exception" "no hypervisor exception"
	done
done
finish
