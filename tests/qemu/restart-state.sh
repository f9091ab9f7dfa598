#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# A restarted domain is indistinguishable from its first boot, and no domain
# sees what the loader or an earlier life left in its RAM. Three bare-metal
# domains, booted through U-Boot (which leaves its DT at the start of RAM):
# - a (4 MiB at 0x40000000, the PL031 RTC passed through) and b (64 MiB)
#   run test=restart-state: each boot checks its RAM is zero outside its
#   image and DT, FP/SIMD and ELR/SPSR_EL1 are zero at entry, nothing is
#   active in its GIC, and (a) the RTC's SPI comes; then it marks RAM, FP,
#   PMU, debug, timer, pointer-auth and other EL1 registers, leaves the RTC's
#   SPI and an SGI active (never completed) and another SGI pending, sets
#   every SPI of the distributor, its own and not (group, enable, pending,
#   active, priority, trigger, route), and resets. The registers each boot
#   prints (and a digest of every SPI's state) must equal the first boot's.
# - c (2 vCPUs) runs test=cpuon-reset: 100 times PSCI CPU_ON of vCPU 1 and
#   SYSTEM_RESET at once; every restart must come.
# GICv3 and GICv2 on cortex-a57; GICv3 on max (pointer authentication, SVE).
# timeout: 240
. "$(dirname "$0")/common.sh"
cat >"$W/cfg.dts" <<'DTS'
/dts-v1/;
/ {
	bulkhead {
		compatible = "bulkhead,config-v1";
		domain@0 {
			label = "a"; cpus = <0>; memory-base = <0x0 0x40000000>;
			memory-size = <0x0 0x400000>; kernel = "testguest.bin";
			devices = "/pl031@9010000"; bootargs = "test=restart-state rounds=3";
		};
		domain@1 {
			label = "b"; cpus = <1>; memory-size = <0x0 0x4000000>;
			kernel = "testguest.bin"; bootargs = "test=restart-state rounds=3";
		};
		domain@2 {
			label = "c"; cpus = <2 3>; memory-size = <0x0 0x800000>;
			kernel = "testguest.bin"; bootargs = "test=cpuon-reset rounds=100";
		};
	};
};
DTS
for c in 3:cortex-a57 2:cortex-a57 3:max; do
	gic=${c%%:*} cpu=${c#*:}
	echo "case: GICv$gic, $cpu, 3 domains restarting"
	bh_pack "$W/img$gic" "$W/cfg.dts" $gic 4
	log=$W/log$gic-$cpu
	t0=$SECONDS
	bh_boot uboot "$W/img$gic" "$log" 90 $gic $cpu 4
	echo "  (run took $((SECONDS - t0)) s)"
	for d in a b; do
		expect "$log" "^\[$d\] TESTGUEST: restart-state: reached restart 3" \
			"$d: 4 boots, each with zeroed RAM, fresh registers and GIC"
		expect "$log" "^\[$d\] TESTGUEST: PASS restart-state" "$d: passes"
		# Each register's value at every boot, from whole lines (one the console
		# cut short, to interleave another domain's, is repeated whole later).
		tr -d '\r' <"$log" | grep -E "^\[$d\] TESTGUEST: restart-state: regs .* end$" | tr ' ' '\n' |
			grep -E '^[A-Za-z0-9_]+=0x[0-9a-f]+$' | sort | uniq -c >"$W/regs-$d"
		names=$(sed 's/=.*//' "$W/regs-$d" | awk '{print $2}' | sort | uniq -d)
		if [ -z "$names" ] && [ "$(wc -l <"$W/regs-$d")" -ge 25 ] &&
			! awk '$1 < 4 { bad = 1 } END { exit !bad }' "$W/regs-$d"; then
			echo "  ok: $d: $(wc -l <"$W/regs-$d") registers, at each of 4 boots equal to the first boot's"
		else
			echo "  FAIL: $d: registers differ between boots:"
			for n in $names; do grep -E " $n=" "$W/regs-$d"; done | head -12 | sed 's/^/    | /'
			FAILS=$((FAILS + 1))
		fi
	done
	expect "$log" "^\[a\] TESTGUEST: restart-state: passed-through RTC interrupt [0-9]+ taken" "a: the RTC's interrupt comes"
	# Distinct boots: the console may show a cut line twice (docs/console.md).
	n=$(grep -o "^\[a\] TESTGUEST: restart-state: passed-through RTC interrupt [0-9]* taken at boot [0-9]*" "$log" | sort -u | wc -l)
	[ "$n" -eq 4 ] && echo "  ok: a: the RTC's interrupt, left active, comes at each of 4 boots" ||
		{ echo "  FAIL: a: the RTC's interrupt came at $n of 4 boots"; FAILS=$((FAILS + 1)); }
	expect "$log" "^\[c\] TESTGUEST: cpuon-reset: 100 restarts" "c: 100 CPU_ON + SYSTEM_RESET, every restart came"
	expect_not "$log" "TESTGUEST: FAIL|hypervisor exception" "no failure"
done
finish
