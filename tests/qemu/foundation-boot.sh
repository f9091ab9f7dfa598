#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The image boots the bare-metal test guest at EL1 under the hypervisor on
# cortex-a53 and cortex-a57, GICv2 and GICv3, 1 and 4 CPUs, through QEMU
# -kernel, through U-Boot (booti), and from an SD-card image (U-Boot distro
# boot running boot.scr), with every physical CPU online.
# timeout: 900
. "$(dirname "$0")/common.sh"
n=0
for cpu in cortex-a53 cortex-a57; do
	for gic in 2 3; do
		for smp in 1 4; do
			for mode in kernel uboot sdcard; do
				# SD card: one CPU model is enough for the disk path.
				[ $mode = sdcard ] && [ $cpu = cortex-a53 ] && continue
				n=$((n + 1))
				echo "case $n: $mode, $cpu, GICv$gic, $smp CPU(s)"
				img=$W/bh-$cpu-$gic-$smp.img
				[ -f "$img" ] || bh_image "$img" CONFIG=qemu-virt-single GIC=$gic CPU=$cpu \
					SMP=$smp BOOTARGS="test=basic"
				boot=$img
				if [ $mode = sdcard ]; then
					bash "$ROOT/tools/mk-sdcard.sh" -k "$img" -o "$W/sd.img" >/dev/null ||
						{ echo "  FAIL: mk-sdcard"; FAILS=$((FAILS + 1)); continue; }
					boot=$W/sd.img
				fi
				log=$W/log-$n
				bh_boot $mode "$boot" "$log" 120 $gic $cpu $smp
				expect "$log" "^Bulkhead [0-9.]+: $smp CPUs, GICv$gic, 1024 MiB RAM, 1 domain" "banner"
				expect "$log" "bulkhead: $smp of $smp CPUs online" "all $smp physical CPUs online"
				expect "$log" "^\[dom0\] TESTGUEST: hello from EL1" "guest runs at EL1"
				expect "$log" "^\[dom0\] TESTGUEST: domain 0 vcpu 0/$smp" "guest is under Bulkhead (BH_HC_SELF)"
				expect "$log" "^\[dom0\] TESTGUEST: PASS basic" "guest's own checks pass"
				expect "$log" "no domain left running: powering off" "machine powers off"
				[ $mode = sdcard ] && expect "$log" "boot.scr" "U-Boot ran boot.scr from the disk"
			done
		done
	done
done
echo "$n boots"
finish
