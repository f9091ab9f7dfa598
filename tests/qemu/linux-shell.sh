#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# An interactive Linux shell on the console: typed input reaches the domain
# through the hypervisor's UART and the emulated PL011 (GICv2 and GICv3);
# and the README's `make run KERNEL=... INITRD=... SMP=2 GIC=2|3` with the
# guest assets gives one, through U-Boot.
# timeout: 900
. "$(dirname "$0")/common.sh"
need_assets
linux_initrd "$W/initrd"
for gic in 3 2; do
	echo "case: GICv$gic"
	bh_image "$W/img$gic" CONFIG=qemu-virt-single GIC=$gic SMP=2 KERNEL="$ASSETS/Image-arm64" \
		INITRD="$W/initrd" BOOTARGS="console=ttyAMA0 nokaslr bhtest=shell"
	log=$W/log$gic
	bh_boot_interactive kernel "$W/img$gic" "$log" 300 $gic cortex-a57 2 \
		"BULKHEAD-SHELL-READY" 'echo typed-$((6*7))\n' \
		"typed-42" 'poweroff -f\n'
	expect "$log" "^\[dom0\] typed-42" "the shell ran what was typed"
	expect "$log" "^bulkhead: domain dom0 powered off" "the typed poweroff ended the domain"
done
for gic in 2 3; do
	echo "case: make run KERNEL=<Debian Image> INITRD=<initramfs> SMP=2 GIC=$gic"
	log=$W/run$gic
	chat "$log" 150 "bh# " 'echo typed-$((6*7)) on $(cat /sys/devices/system/cpu/online)\n' \
		"typed-42" 'poweroff\n' -- \
		timeout 150 make -s -C "$ROOT" run OUT="$W/run$gic.img" \
		KERNEL="$ASSETS/Image-arm64" INITRD="$ASSETS/initramfs-arm64.cpio.gz" SMP=2 GIC=$gic
	expect "$log" "^Starting kernel" "booted through U-Boot"
	expect "$log" "^Bulkhead .*2 CPUs, GICv$gic" "Bulkhead on GICv$gic"
	expect "$log" "^\[dom0\] typed-42 on 0-1" "the shell ran what was typed, both vCPUs online"
	expect "$log" "^bulkhead: domain dom0 powered off" "poweroff ended the domain"
	expect "$log" "^bulkhead: no domain left running: powering off" "then the machine"
done
finish
