#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# `reboot` in a Linux domain restarts that domain: Linux boots a second time
# (seeing /chosen/bulkhead,restarts = 1) and then powers off.
# timeout: 400
. "$(dirname "$0")/common.sh"
need_assets
linux_initrd "$W/initrd"
for gic in 3 2; do
	echo "case: GICv$gic"
	bh_image "$W/img$gic" CONFIG=qemu-virt-single GIC=$gic SMP=2 KERNEL="$ASSETS/Image-arm64" \
		INITRD="$W/initrd" BOOTARGS="console=ttyAMA0 nokaslr bhtest=reboot"
	log=$W/log$gic
	bh_boot kernel "$W/img$gic" "$log" 300 $gic cortex-a57 2
	expect "$log" "^\[dom0\] restart count 0" "first boot"
	expect "$log" "^bulkhead: domain dom0 restarting \(restart 1\)" "the hypervisor restarts the domain"
	expect "$log" "^\[dom0\] restart count 1" "Linux boots a second time"
	ups=$(grep -c "^\[dom0\] BULKHEAD-GUEST-UP" "$log")
	[ "$ups" -eq 2 ] && echo "  ok: two boots" || { echo "  FAIL: $ups boots"; FAILS=$((FAILS + 1)); }
	expect "$log" "^bulkhead: domain dom0 powered off" "then powers off"
done
finish
