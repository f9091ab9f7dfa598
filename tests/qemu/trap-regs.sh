#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The trap entry's register handling (arch-arm64/vectors.S saves only x0-x18
# and x30 for an AArch64 guest's synchronous trap; traps.c handles the
# hottest ones on that lean frame): the test guest's `trapregs` mode traps
# once per transfer register x0-x30 and XZR an SGI write (GICv3
# ICC_SGI1R_EL1, GICv2 GICD_SGIR: to itself, and one missing it), DC CISW
# and DC CSW, a 32-bit store and load of an emulated GIC register, the
# emulated PL011's DR stores (8, 16, 32 bits; plain and store-release) and
# FR loads (16, 32 bits; plain, load-acquire, sign-extending into x), which
# traps.c serves on its fast path, an FR store and a DR load, which it must
# leave to the general path (ignored; 0, nothing typed), and HVCs (a Bulkhead call,
# PSCI_VERSION, an unknown ID) with x1-x7 as arguments.
# After each, every register is compared: only the named one may change,
# the SGI that arrives, the value read back and the characters on the
# console (register n stores the n-th of DR_CHARS, one line per size, in
# order) show the operand was taken from the named register. GICv3 and
# GICv2; natively on QEMU (no hypervisor) as well, so the mode itself is
# known right.
# timeout: 240
. "$(dirname "$0")/common.sh"
GUEST=$ROOT/build/guests/aarch64/testguest.bin
DR_CHARS=0123456789abcdefghijklmnopqrstu # trapregs.c: what register n stores to DR
CR=$(printf '\r')
for gic in 3 2; do
	echo "case: test=trapregs, GICv$gic"
	bh_image "$W/img$gic" CONFIG=qemu-virt-single GIC=$gic SMP=1 BOOTARGS="test=trapregs"
	log=$W/log$gic
	bh_boot kernel "$W/img$gic" "$log" 60 $gic cortex-a57 1
	expect "$log" "^\[dom0\] TESTGUEST: trapregs: GICv$gic: 64[0-9] trapping instructions, .*: 0 wrong" \
		"every register as it should be after each trap"
	for op in strb strh str stlrb stlrh stlr; do
		expect "$log" "^\[dom0\] TESTGUEST: trapregs: DR $op $DR_CHARS$CR?\$" \
			"PL011 DR written by $op from x0-x30 (and XZR: a NUL, dropped): every byte, in order"
	done
	expect "$log" "^\[dom0\] TESTGUEST: PASS trapregs" "guest checks pass"
	expect_not "$log" "TESTGUEST: FAIL|hypervisor exception" "no failure"
	echo "case: test=trapregs natively on QEMU's GICv$gic (no hypervisor)"
	timeout 60 qemu-system-aarch64 -M virt,gic-version=$gic -cpu cortex-a57 -smp 1 -m 1024 \
		-display none -monitor none -serial stdio -nic none -no-reboot -kernel "$GUEST" \
		-append "test=trapregs native" </dev/null >"$W/native$gic" 2>&1
	expect "$W/native$gic" "^TESTGUEST: PASS trapregs" "the mode passes on QEMU itself"
	expect "$W/native$gic" "^TESTGUEST: trapregs: DR str $DR_CHARS" "and prints the same on its PL011"
done
finish
