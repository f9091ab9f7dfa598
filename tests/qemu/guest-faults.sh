#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# A guest access outside its memory: a decoded report naming the domain and
# the address. A guest with no exception vectors is stopped (only that domain:
# the hypervisor keeps running and powers off cleanly); a guest with vectors
# receives a synchronous external abort with the right fault status, as on
# hardware, and carries on. Aborts for accesses made at the guest's EL0
# (AArch64 and AArch32) are lower-EL aborts at that state's vector, and on a
# CPU with PAN (max) set PSTATE.PAN when SCTLR_EL1.SPAN is clear. On GICv2
# the AArch32 EL0's 16-bit GICD_SGIR store is stepped by 2 (C's path).
# timeout: 300
. "$(dirname "$0")/common.sh"
for gic in 3 2; do
	echo "case: oob (no vectors), GICv$gic"
	bh_image "$W/oob$gic" CONFIG=qemu-virt-single GIC=$gic SMP=2 BOOTARGS="test=oob"
	log=$W/oob-log$gic
	bh_boot kernel "$W/oob$gic" "$log" 60 $gic cortex-a57 2
	expect "$log" "^\[dom0\] TESTGUEST: reading 0x50001000" "the guest reads past its 256 MiB"
	expect "$log" "^bulkhead: domain dom0 vCPU 0 \(CPU 0\): read at IPA 0x50001000 outside its memory and devices" "decoded report names domain and address"
	expect "$log" "class 0x24 Data Abort \(lower EL\); ESR 0x[0-9a-f]+ FAR 0x0*50001000" "report decodes the exception class, ESR and FAR"
	expect "$log" "^bulkhead: domain dom0 stopped: .*\(other domains keep running\)" "only that domain stops"
	expect "$log" "^bulkhead: no domain left running: powering off" "the hypervisor keeps running and ends cleanly"
	expect_not "$log" "TESTGUEST: FAIL|hypervisor exception" "no guest-visible success, no hypervisor crash"

	echo "case: oob-catch (vectors installed), GICv$gic"
	bh_image "$W/catch$gic" CONFIG=qemu-virt-single GIC=$gic SMP=2 BOOTARGS="test=oob-catch"
	log=$W/catch-log$gic
	bh_boot kernel "$W/catch$gic" "$log" 60 $gic cortex-a57 2
	expect "$log" "external abort injected" "the report says the abort was injected"
	expect "$log" "^\[dom0\] TESTGUEST: caught abort ESR=0x96000010 FAR=0x50001000" "guest sees EC 0x25, DFSC 0x10 (synchronous external abort) at the address"
	expect "$log" "^\[dom0\] TESTGUEST: PASS oob-catch" "the guest handles it and carries on"
done

echo "case: el0abort (aborts injected for EL0 accesses), GICv3"
bh_image "$W/el0" CONFIG=qemu-virt-single GIC=3 SMP=2 BOOTARGS="test=el0abort"
log=$W/el0-log
bh_boot kernel "$W/el0" "$log" 60 3 cortex-a57 2
expect "$log" "read at IPA 0x50001000 outside its memory and devices: external abort injected" "the EL0 read outside the domain is reported"
expect "$log" "access to an emulated device with an instruction that cannot be emulated" "the EL0 pair access to the PL011 is reported"
expect "$log" "^\[dom0\] TESTGUEST: el0abort: AArch64 EL0: both aborts at vector 0x400, EC 0x24; undefined instruction there, EC 0" "AArch64 EL0: lower-EL data aborts at VBAR + 0x400"
expect "$log" "^\[dom0\] TESTGUEST: el0abort: AArch32 EL0: both aborts at vector 0x600, EC 0x24; undefined instruction there, EC 0" "AArch32 EL0 (T32): lower-EL data aborts at VBAR + 0x600"
expect "$log" "^\[dom0\] TESTGUEST: PASS el0abort" "the guest checked vector, ESR, FAR, ELR and SPSR of each"

echo "case: el0abort, GICv2: an AArch32 EL0's 16-bit GICD_SGIR store stepped by 2"
bh_image "$W/el0v2" CONFIG=qemu-virt-single GIC=2 SMP=2 BOOTARGS="test=el0abort"
log=$W/el0-log2
bh_boot kernel "$W/el0v2" "$log" 60 2 cortex-a57 2
expect "$log" "^\[dom0\] TESTGUEST: el0abort: AArch32 EL0: a 16-bit GICD_SGIR store stepped by 2" "traps.c's sgir_fast leaves an AArch32 EL0 to C"
expect "$log" "^\[dom0\] TESTGUEST: PASS el0abort" "the guest checked each entry (GICv2)"

echo "case: el0abort on a CPU with PAN (max), GICv3"
log=$W/el0-max-log
bh_boot kernel "$W/el0" "$log" 120 3 max 2
expect "$log" "^\[dom0\] TESTGUEST: el0abort: AArch32 EL0: both aborts at vector 0x600" "AArch32 EL0 under max too"
expect "$log" "^\[dom0\] TESTGUEST: el0abort: SCTLR_EL1.SPAN clear: PSTATE.PAN set at every injected entry" "injected entries set PSTATE.PAN as the architecture does"
expect "$log" "^\[dom0\] TESTGUEST: PASS el0abort" "the guest checked each entry"
expect_not "$log" "TESTGUEST: FAIL|hypervisor exception" "no failure, no hypervisor crash"
finish
