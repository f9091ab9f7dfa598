#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The virtual GIC's distributor against the GIC architecture: the test
# guest's `gicregs` mode checks every GICD register (GICv2; on GICv3 the GICD
# and each vCPU's GICR) for its reset value, the bits a write changes (the
# same implemented priority bits in every IPRIORITYR byte, ITARGETSR keeping
# the bits of existing vCPUs, byte writes touching one interrupt), registers
# beyond ITLinesNumber and reserved ones RAZ/WI, and the access sizes each
# takes (a wrong one: a data abort). A domain owning the vUART's SPI and two
# passed-through devices' (PL031, PL061), 2 vCPUs, GICv2 and GICv3; and a
# 1-vCPU domain on GICv2 (ITARGETSR with one CPU interface).
# timeout: 240
. "$(dirname "$0")/common.sh"
cat >"$W/cfg.dts" <<'DTS'
/dts-v1/;
/ {
	bulkhead {
		compatible = "bulkhead,config-v1";
		domain@0 {
			label = "regs"; cpus = <0 1>; memory-base = <0x0 0x50000000>;
			memory-size = <0x0 0x4000000>; kernel = "testguest-at-50080000.bin";
			devices = "/pl031@9010000", "/pl061@9030000"; bootargs = "test=gicregs";
		};
	};
};
DTS
for gic in 2 3; do
	echo "case: GICv$gic, 2 vCPUs, 3 SPIs owned"
	bh_pack "$W/img$gic" "$W/cfg.dts" $gic 2
	log=$W/log$gic
	bh_boot kernel "$W/img$gic" "$log" 60 $gic cortex-a57 2
	expect "$log" "^\[regs\] TESTGUEST: gicregs: GICv$gic, [0-9]+ INTIDs, 3 SPIs implemented, priority bits 0xf8: [0-9]+ checks, 0 failed" \
		"every distributor register as the architecture says"
	expect "$log" "^\[regs\] TESTGUEST: PASS gicregs" "guest checks pass"
	expect_not "$log" "TESTGUEST: FAIL|hypervisor exception" "no failure"
done
echo "case: GICv2, 1 vCPU"
bh_image "$W/one" CONFIG=qemu-virt-single GIC=2 SMP=1 BOOTARGS="test=gicregs"
bh_boot kernel "$W/one" "$W/log-one" 60 2 cortex-a57 1
expect "$W/log-one" "^\[dom0\] TESTGUEST: PASS gicregs" "guest checks pass"
expect_not "$W/log-one" "TESTGUEST: FAIL|hypervisor exception" "no failure"
finish
