#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The guest's PMU does not see the hypervisor: with PMEVTYPER.NSH set (count
# EL2 too), an INST_RETIRED counter over 200 hypercalls must count exactly
# what the NSH = 0 counter counts (EL1 only), under -icount where the PMU
# counts exactly. QEMU's max CPU has PMUv3p1 (MDCR_EL2.HPMD); cortex-a57 has
# PMUv3 only, where every guest PMU access traps and is filtered (vpmu.c).
# The measurement-only config property insecure-pmu-el2 (make bench) opens
# EL2 counting again: there the same guest must see the EL2 instructions,
# which shows the check can fail.
# timeout: 180
. "$(dirname "$0")/common.sh"
for cpu in max cortex-a57; do
	echo "case: $cpu, default config"
	bh_image "$W/img" CONFIG=qemu-virt-single GIC=3 SMP=1 BOOTARGS="test=pmu-el2"
	log=$W/log-$cpu
	bh_boot kernel "$W/img" "$log" 120 3 $cpu 1 -icount shift=0
	grep "pmu-el2:" "$log" | sed 's/^/  /'
	expect "$log" "^\[dom0\] TESTGUEST: PASS pmu-el2" "the NSH counter counts no EL2 instruction"
	expect_not "$log" "TESTGUEST: FAIL|hypervisor exception" "no failure"

	echo "case: $cpu, insecure-pmu-el2 (measurement configs only)"
	bh_image "$W/img-m" CONFIG=qemu-virt-single GIC=3 SMP=1 BOOTARGS="test=pmu-el2" PMU_EL2=1
	log=$W/log-m-$cpu
	bh_boot kernel "$W/img-m" "$log" 120 3 $cpu 1 -icount shift=0
	grep "pmu-el2:" "$log" | sed 's/^/  /'
	expect "$log" "^\[dom0\] TESTGUEST: FAIL pmu-el2: the NSH counter saw [1-9][0-9]* instructions outside EL1" \
		"the guest sees the EL2 instructions: measurement possible, and the check can fail"
	expect "$log" "^bulkhead: .*insecure-pmu-el2" "the hypervisor warns that EL2 is visible"
done
finish
