#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# A hostile guest: 20000 random operations on the emulated GIC registers
# (any offset, size, alignment and value), random SGI register writes and
# random hypercalls and PSCI calls with random arguments, on 2 vCPUs, while
# a real-time domain keeps a 1 ms period beside it. The hypervisor must not
# fault, the fuzzing domain must still answer hypercalls afterwards, and the
# real-time domain must finish its periods; the hypervisor's reports about the
# fuzzing domain are rate-limited (a bounded number of lines, the rest counted
# as suppressed). GICv3 and GICv2, two seeds each.
# timeout: 300
. "$(dirname "$0")/common.sh"
for gic in 3 2; do
	for seed in 1 20261125; do
		echo "case: GICv$gic, seed $seed"
		cat >"$W/cfg.dts" <<DTS
/dts-v1/;
/ {
	bulkhead {
		compatible = "bulkhead,config-v1";
		domain@0 {
			label = "fuzz"; cpus = <0 1>; memory-size = <0x0 0x2000000>;
			kernel = "testguest.bin"; bootargs = "test=fuzz seed=$seed";
		};
		domain@1 {
			label = "rt"; cpus = <2>; memory-size = <0x0 0x800000>;
			kernel = "testguest.bin"; bootargs = "test=rt periods=1000";
		};
	};
};
DTS
		bh_pack "$W/img" "$W/cfg.dts" $gic 4
		log=$W/log-$gic-$seed
		t0=$SECONDS
		bh_boot kernel "$W/img" "$log" 120 $gic cortex-a57 4
		max=$((16 + 2 * (SECONDS - t0 + 1))) # 8 at once, 2 a second, a few lifecycle lines
		expect "$log" "^\[fuzz\] TESTGUEST: fuzz: [0-9]+ register accesses" "the fuzzing domain got through every operation"
		expect "$log" "^\[fuzz\] TESTGUEST: PASS fuzz" "and still answers hypercalls"
		expect "$log" "^\[rt\] TESTGUEST: PASS rt" "the real-time domain beside it finished its periods"
		expect "$log" "^bulkhead: no domain left running" "both powered off"
		expect_not "$log" "hypervisor exception|TESTGUEST: FAIL" "no hypervisor exception, no guest failure"
		grep -E "^\[fuzz\] TESTGUEST: fuzz: " "$log" | sed 's/^/  /'
		# Every refused access is a report: rate-limited, and the rest counted.
		n=$(grep -c "^bulkhead: domain fuzz[ :]" "$log")
		s=$(sed -n 's/^bulkhead: domain fuzz: \([0-9]*\) more reports suppressed.*/\1/p' "$log" |
			awk '{t += $1} END {print t + 0}')
		if [ "$n" -le $max ] && [ "$s" -gt 0 ]; then
			echo "  ok: $n hypervisor lines about the fuzzing domain (at most $max), $s reports suppressed"
		else
			echo "  FAIL: $n hypervisor lines about the fuzzing domain (want at most $max), $s suppressed"
			FAILS=$((FAILS + 1))
		fi
	done
done
finish
