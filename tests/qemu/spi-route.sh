#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# A domain's passed-through SPI stays on the domain's own CPUs whatever the
# guest writes to its routing registers. The "spi" domain (CPU 1) owns QEMU
# virt's PL061 and, 20 times, routes its interrupt to no vCPU (GICv3
# IROUTER: an affinity no vCPU has, IRM = 1; GICv2 ITARGETSR: no target or
# only absent CPUs), raises the PL061's line, then routes it back to itself
# and takes it. The hypervisor's per-CPU exit accounting, printed when a
# domain powers off, must show the device exits on CPU 1 only: CPU 0 runs
# another domain ("other") and must take no exit caused by "spi".
# A domain with a device sees its RAM at its physical address, and the test
# guest runs only at the start of RAM: so "spi" gets memory-base 0x40000000,
# and the hypervisor is booted through U-Boot (which loads it higher), with
# ACPI off so that QEMU keeps the PL061 (with firmware it uses GED instead).
# timeout: 240
. "$(dirname "$0")/common.sh"
cat >"$W/cfg.dts" <<'DTS'
/dts-v1/;
/ {
	bulkhead {
		compatible = "bulkhead,config-v1";
		/* First: a domain with a device has IPA = PA, and the test
		 * guest runs only at the start of RAM. */
		domain@0 {
			label = "spi"; cpus = <1>; memory-base = <0x0 0x40000000>; memory-size = <0x0 0x400000>;
			kernel = "testguest.bin"; bootargs = "test=spi-route";
			devices = "/pl061@9030000";
		};
		domain@1 {
			label = "other"; cpus = <0>; memory-size = <0x0 0x800000>;
			kernel = "testguest.bin"; bootargs = "test=rt periods=3000";
		};
	};
};
DTS
for gic in 3 2; do
	echo "case: GICv$gic"
	bh_pack "$W/img$gic" "$W/cfg.dts" $gic 2
	log=$W/log$gic
	bh_boot uboot "$W/img$gic" "$log" 90 $gic cortex-a57 2 -machine acpi=off
	expect "$log" "^\[spi\] TESTGUEST: PASS spi-route" "the guest took its SPI after each bogus route"
	expect "$log" "^\[other\] TESTGUEST: PASS rt" "the other domain finished"
	# The accounting printed when the last domain powered off.
	cpu0=$(grep "^  CPU 0 \[" "$log" | tail -1 | tr -d '\r')
	cpu1=$(grep "^  CPU 1 \[" "$log" | tail -1 | tr -d '\r')
	echo "  ${cpu0# }"
	echo "  ${cpu1# }"
	if grep -q "device spi=" <<<"$cpu1"; then echo "  ok: the SPI's exits are on spi's own CPU"
	else echo "  FAIL: no device exit for spi on CPU 1"; FAILS=$((FAILS + 1)); fi
	if [ -n "$cpu0" ] && ! grep -q "spi=" <<<"$cpu0"; then echo "  ok: CPU 0 took no exit caused by spi"
	else echo "  FAIL: CPU 0 took exits caused by spi: '$cpu0'"; FAILS=$((FAILS + 1)); fi
	expect_not "$log" "TESTGUEST: FAIL|hypervisor exception" "no failure"
done
finish
