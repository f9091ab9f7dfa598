#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# AArch32 guests: the bare-metal AArch32 test guest (tests/guests/aarch32), a
# zImage-style image, runs as a 2-vCPU AArch32 EL1 domain on GICv2 and GICv3:
# boot protocol (SVC, r0/r1/r2), PSCI and SMC32 hypercalls, CPU_ON of an
# AArch32 secondary, the virtual timer and a trapped ICC_SGI1R (MCRR), set/way
# CP15 traps, the EL1 physical timer (CP15 CNTP_*, CNTPCT, PPI 30), an
# access outside its RAM injected as an AArch32 data abort, the PMU's event filters through the CP15 trap (NSH,
# count at EL2, never sticks). Then an AArch64 and an AArch32 domain side by side.
# timeout: 300
. "$(dirname "$0")/common.sh"
G32=$ROOT/build/guests/aarch32/testguest32.bin
[ -f "$G32" ] || { echo "FAIL: $G32 not built"; exit 1; }
for gic in 2 3; do
	for cpu in cortex-a57 cortex-a53; do
		echo "case: AArch32 test guest, GICv$gic, $cpu, 2 vCPUs"
		bh_image "$W/img$gic" CONFIG=qemu-virt-single GIC=$gic CPU=$cpu SMP=2 KERNEL="$G32"
		log=$W/log-$gic-$cpu
		bh_boot kernel "$W/img$gic" "$log" 60 $gic $cpu 2
		expect "$log" "^bulkhead: domain dom0 .*kernel \"kernel\" \(32-bit\)" "the hypervisor saw a 32-bit image"
		expect "$log" "^\[dom0\] TESTGUEST32: boot: ok" "entered in SVC mode with the ARM boot protocol"
		expect "$log" "^\[dom0\] TESTGUEST32: hypercall: ok" "SMC32 hypercalls; SMC64 ones refused"
		expect "$log" "^\[dom0\] TESTGUEST32: smp: ok" "CPU_ON started an AArch32 secondary"
		expect "$log" "^\[dom0\] TESTGUEST32: ptimer: ok" "the EL1 physical timer's interrupt came (CP15 CNTP_*)"
		expect "$log" "^\[dom0\] TESTGUEST32: sgi: ok" "an SGI through the trapped ICC_SGI1R/GICD_SGIR"
		expect "$log" "^\[dom0\] TESTGUEST32: abort: ok" "an access outside its RAM came back as a data abort"
		expect "$log" "^\[dom0\] TESTGUEST32: pmu: ok" "PMU through CP15 (trapped on PMUv3): the NSH filter never sticks"
		expect "$log" "^\[dom0\] TESTGUEST32: PASS" "every check of the guest passed"
		expect_not "$log" "TESTGUEST32: FAIL|hypervisor exception" "no failure"
		expect "$log" "^bulkhead: domain dom0 powered off" "SYSTEM_OFF ended the domain"
	done
done

echo "case: AArch32 test guest on max (PAN), GICv3"
bh_image "$W/imgmax" CONFIG=qemu-virt-single GIC=3 CPU=max SMP=2 KERNEL="$G32"
bh_boot kernel "$W/imgmax" "$W/log-max" 60 3 max 2
expect "$W/log-max" "^\[dom0\] TESTGUEST32: abort: SCTLR.SPAN clear: CPSR.PAN set on entry" "an injected abort sets CPSR.PAN as the hardware's entries do"
expect "$W/log-max" "^\[dom0\] TESTGUEST32: abort: ok" "the abort itself as on the other CPUs"
expect_not "$W/log-max" "TESTGUEST32: FAIL|hypervisor exception" "no failure"

echo "case: an AArch64 and an AArch32 domain side by side (GICv3, 4 CPUs)"
cat >"$W/cfg.dts" <<'DTS'
/dts-v1/;
/ {
	bulkhead {
		compatible = "bulkhead,config-v1";
		domain@0 {
			label = "a64";
			cpus = <0 1>;
			memory-size = <0x0 0x4000000>;
			kernel = "testguest.bin";
			bootargs = "test=smp";
		};
		domain@1 {
			label = "a32";
			cpus = <2 3>;
			memory-size = <0x0 0x4000000>;
			kernel = "testguest32.bin";
		};
	};
};
DTS
bh_pack "$W/img" "$W/cfg.dts" 3 4
bh_boot kernel "$W/img" "$W/log-both" 60 3 cortex-a57 4
expect "$W/log-both" "^\[a64\] TESTGUEST: PASS smp" "the AArch64 domain passed"
expect "$W/log-both" "^\[a32\] TESTGUEST32: PASS" "the AArch32 domain passed"
expect "$W/log-both" "^bulkhead: no domain left running" "both powered off"
expect_not "$W/log-both" "TESTGUEST32: FAIL|TESTGUEST: FAIL|hypervisor exception" "no failure"
finish
