#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Started at EL1 (QEMU virtualization=off), through QEMU -kernel and through
# U-Boot, the image says it needs EL2 and stops cleanly instead of crashing.
# timeout: 200
. "$(dirname "$0")/common.sh"
bh_image "$W/img" CONFIG=qemu-virt-single GIC=3 SMP=2 BOOTARGS="test=basic"
for mode in kernel uboot; do
	echo "case: $mode, virtualization=off"
	log=$W/log-$mode
	args=(-M virt,virtualization=off,gic-version=3 -cpu cortex-a57 -smp 2 -m 1024 -nographic -nic none)
	[ $mode = uboot ] && { uboot_env; args+=(-bios "$UBOOT" -drive "if=pflash,format=raw,index=1,file=$W/env.bin"); }
	timeout 60 qemu-system-aarch64 "${args[@]}" -kernel "$W/img" </dev/null >"$log" 2>&1
	rc=$?
	[ $rc -eq 0 ] && echo "  ok: QEMU exited by itself (the image powered the machine off)" ||
		{ echo "  FAIL: QEMU exit status $rc"; FAILS=$((FAILS + 1)); }
	expect "$log" "^Bulkhead needs to be started at EL2; it was started at EL1\. Stopping\." "EL2 message"
	expect_not "$log" "TESTGUEST|\*\*\*|Synchronous Abort" "nothing ran, nothing crashed"
done
finish
