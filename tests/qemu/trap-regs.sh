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
# The FR read is served in the vectors' assembly in its common case
# (arch-arm64/vectors.S: guest_fr_fast), else in C. Each run also reads FR
# into every register right after an SGI to itself with IRQs masked (the
# entry flag word is then set: the C path). On GICv3 two more runs: with
# `rxkey` the guest reads FR with a typed key waiting (RXFE clear, into
# every register), then the key; with `frburst` it reads FR 2000 more times
# after its summary, each followed by an ICC_SGI1R_EL1 write naming nobody,
# and the hypervisor's statistics at its power-off must show exactly 4000
# more trap exits than the plain run's (each FR read and SGI write the
# vector serves is counted as C counts it). All of these would pass with
# every FR read taken in C, so one more GICv3 run, `frcost`, under -icount
# with the measurement-only insecure-pmu-el2 (make bench's PMU_EL2=1): the
# guest counts the EL2 instructions of 1000 FR reads with the console gone
# out, which must be at most FR_COST_MAX each (the vector: ~54; the C path
# it replaces: ~116, make bench's `mmio` row before it).
# Next to FR, loads of 0x14 and 0x1c (reserved: 0) and, in qemu/attacks,
# FR's offset on the page after the vUART (an abort) must not be served.
# A GICv3 SGI write is served in the vectors' assembly too (guest_sgi64):
# `sgicost` counts the EL2 instructions of 1000 ICC_SGI1R_EL1 writes naming
# no vCPU, at most SGI_COST_MAX each (the vector ~120, the full C path it
# replaces ~202); its stepping is qemu/guest-modes' sstep. `btype` (on
# max, with BTI) reaches the SGI write by BLR as the last word of an
# unguarded page, the next page guarded: the hypervisor must clear
# SPSR_EL2.BTYPE (GICv3: the vector's path; GICv2: sgir_fast's stepped64),
# else the instruction after it takes a Branch Target exception.
# timeout: 300
. "$(dirname "$0")/common.sh"
GUEST=$ROOT/build/guests/aarch64/testguest.bin
FR_COST_MAX=80 # EL2 instructions an FR read served at the vector may cost
SGI_COST_MAX_3=160 # the same, an ICC_SGI1R_EL1 write naming no vCPU (sgicost: the vector ~120, C ~202)
SGI_COST_MAX_2=190 # a GICD_SGIR store naming no vCPU (sgicost: ~153; the general path ~237)
DR_CHARS=0123456789abcdefghijklmnopqrstu # trapregs.c: what register n stores to DR
CR=$(printf '\r')
for gic in 3 2; do
	echo "case: test=trapregs, GICv$gic"
	bh_image "$W/img$gic" CONFIG=qemu-virt-single GIC=$gic SMP=1 BOOTARGS="test=trapregs"
	log=$W/log$gic
	bh_boot kernel "$W/img$gic" "$log" 60 $gic cortex-a57 1
	expect "$log" "^\[dom0\] TESTGUEST: trapregs: GICv$gic: [0-9]+ trapping instructions, .*: 0 wrong" \
		"every register as it should be after each trap"
	for op in strb strh str stlrb stlrh stlr; do
		expect "$log" "^\[dom0\] TESTGUEST: trapregs: DR $op $DR_CHARS$CR?\$" \
			"PL011 DR written by $op from x0-x30 (and XZR: a NUL, dropped): every byte, in order"
	done
	expect "$log" "^\[dom0\] TESTGUEST: PASS trapregs" "guest checks pass"
	expect_not "$log" "TESTGUEST: FAIL|hypervisor exception" "no failure"
	if [ "$gic" = 3 ]; then
		echo "case: test=trapregs rxkey, GICv3: FR with input waiting"
		bh_image "$W/imgrx" CONFIG=qemu-virt-single GIC=3 SMP=1 BOOTARGS="test=trapregs rxkey"
		bh_boot_interactive kernel "$W/imgrx" "$W/logrx" 60 3 cortex-a57 1 \
			"TESTGUEST: trapregs: type a key" "k" >/dev/null
		expect "$W/logrx" "^\[dom0\] TESTGUEST: trapregs: GICv3: [0-9]+ trapping instructions, .*: 0 wrong" \
			"every register as it should be, FR read with RXFE clear, the key read back"
		expect "$W/logrx" "^\[dom0\] TESTGUEST: PASS trapregs" "guest checks pass"
		echo "case: test=trapregs frburst, GICv3: each FR read and SGI write counted as an exit"
		bh_image "$W/imgfr" CONFIG=qemu-virt-single GIC=3 SMP=1 BOOTARGS="test=trapregs frburst"
		bh_boot kernel "$W/imgfr" "$W/logfr" 60 3 cortex-a57 1
		expect "$W/logfr" "^\[dom0\] TESTGUEST: PASS trapregs" "guest checks pass"
		traps() { sed -n 's/^  CPU 0 \[dom0\]: trap dom0=\([0-9]*\) .*/\1/p' "$1" | tail -1; }
		plain=$(traps "$log") burst=$(traps "$W/logfr")
		if [ -n "$plain" ] && [ -n "$burst" ] && [ $((burst - plain)) = 4000 ]; then
			echo "  ok: 2000 FR reads and 2000 SGI writes, 4000 more trap exits ($plain -> $burst)"
		else
			echo "  FAIL: 2000 FR reads and 2000 SGI writes, trap exits ${plain:-?} -> ${burst:-?} (want +4000)"
			FAILS=$((FAILS + 1))
		fi
		echo "case: test=trapregs frcost, GICv3, -icount: the FR read served at the vector"
		bh_image "$W/imgpc" CONFIG=qemu-virt-single GIC=3 SMP=1 BOOTARGS="test=trapregs frcost" PMU_EL2=1
		bh_boot kernel "$W/imgpc" "$W/logpc" 60 3 cortex-a57 1 -icount shift=0
		expect "$W/logpc" "^\[dom0\] TESTGUEST: PASS trapregs" "guest measured"
		cost=$(sed -n 's/^\[dom0\] TESTGUEST: trapregs: FR read: \([0-9]*\) EL2 instructions each.*/\1/p' "$W/logpc")
		expect_at_most "$cost" $FR_COST_MAX "EL2 instructions an FR read" "the vector's path" "taken in C?"
	fi
	echo "case: test=trapregs sgicost, GICv$gic, -icount: the SGI write served before the general path"
	bh_image "$W/imgsc$gic" CONFIG=qemu-virt-single GIC=$gic SMP=1 BOOTARGS="test=trapregs sgicost" PMU_EL2=1
	bh_boot kernel "$W/imgsc$gic" "$W/logsc$gic" 60 $gic cortex-a57 1 -icount shift=0
	expect "$W/logsc$gic" "^\[dom0\] TESTGUEST: PASS trapregs" "guest measured"
	max=$((gic == 3 ? SGI_COST_MAX_3 : SGI_COST_MAX_2))
	cost=$(sed -n 's/^\[dom0\] TESTGUEST: trapregs: SGI write: \([0-9]*\) EL2 instructions each.*/\1/p' "$W/logsc$gic")
	expect_at_most "$cost" $max "EL2 instructions an SGI write" "its fast path" "taken in C?"
	echo "case: test=trapregs btype, GICv$gic, max (BTI): the SGI write's SPSR.BTYPE cleared"
	bh_image "$W/imgbt$gic" CONFIG=qemu-virt-single GIC=$gic SMP=1 BOOTARGS="test=trapregs btype"
	bh_boot kernel "$W/imgbt$gic" "$W/logbt$gic" 60 $gic max 1
	expect "$W/logbt$gic" "^\[dom0\] TESTGUEST: trapregs: btype: SGI write reached by BLR, the guarded instruction after it ran" \
		"the guarded instruction after it runs: no Branch Target exception"
	expect "$W/logbt$gic" "^\[dom0\] TESTGUEST: PASS trapregs" "guest checks pass"
	echo "case: test=trapregs natively on QEMU's GICv$gic (no hypervisor)"
	timeout 60 qemu-system-aarch64 -M virt,gic-version=$gic -cpu cortex-a57 -smp 1 -m 1024 \
		-display none -monitor none -serial stdio -nic none -no-reboot -kernel "$GUEST" \
		-append "test=trapregs native" </dev/null >"$W/native$gic" 2>&1
	expect "$W/native$gic" "^TESTGUEST: PASS trapregs" "the mode passes on QEMU itself"
	expect "$W/native$gic" "^TESTGUEST: trapregs: DR str $DR_CHARS" "and prints the same on its PL011"
done
finish
