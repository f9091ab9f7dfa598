#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# An interactive Linux shell on the console: typed input reaches the domain
# through the hypervisor's UART and the emulated PL011 (GICv2 and GICv3).
# timeout: 400
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
finish
