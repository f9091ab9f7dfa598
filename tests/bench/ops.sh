#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The per-operation part of make bench alone (tests/bench/run.sh): the test
# guest's bench mode on one vCPU under Bulkhead, GICv3 and GICv2, EL2
# instructions per operation. Quick (about a minute): run it while changing a
# hot path. Then the latency rows, natively and under Bulkhead on each GIC
# version: virtual timer deadline to the guest's IRQ vector and to its
# handler (median and max of 10,000 ticks), an SGI to the other vCPU of two
# to its handler, and the whole round (1,000 rounds); virtual ns = instructions
# on all CPUs under -icount shift=0. They go to build/bench/latency.json too.
# Usage: tests/bench/ops.sh [3|2 ...]   (default: 3 2)
#        LAT_ONLY=1 tests/bench/ops.sh   (the latency rows only: make bench)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT=$ROOT/build/bench
mkdir -p "$OUT"
ICOUNT=(-icount shift=0,sleep=off -rtc base=2024-01-01T00:00:00,clock=vm)
make -s -C "$ROOT" all >/dev/null
GICS=${*:-3 2}
run() { # run LOG SMP VIRT KERNEL [APPEND]: one QEMU run of the test guest
	local virt=$3
	timeout 120 qemu-system-aarch64 -M "virt,gic-version=$g,dtb-randomness=off,virtualization=$virt" \
		-cpu cortex-a57 -smp "$2" -m 1024 -nographic -nic none "${ICOUNT[@]}" -kernel "$4" \
		${5:+-append "$5"} </dev/null >"$1" 2>&1 || true
}
for gic in $GICS; do
	for g in $gic; do
		[ -n "${LAT_ONLY:-}" ] && continue
		make -s -C "$ROOT" image CONFIG=qemu-virt-single SMP=1 GIC=$g BOOTARGS="test=bench" PMU_EL2=1 \
			OUT="$OUT/ops$g.img" >/dev/null
		timeout 120 qemu-system-aarch64 -M "virt,gic-version=$g,dtb-randomness=off,virtualization=on" \
			-cpu cortex-a57 -smp 1 -m 1024 -nographic -nic none "${ICOUNT[@]}" -kernel "$OUT/ops$g.img" \
			</dev/null >"$OUT/ops-gic$g.log" 2>&1 || true
		grep -q "TESTGUEST: PASS bench" "$OUT/ops-gic$g.log" || { echo "GICv$g: test guest did not finish"; exit 1; }
		echo "GICv$g (EL2 instructions per operation):"
		sed -n 's/\r$//; s/^\(\[dom0\] \)\{0,1\}TESTGUEST: bench \([a-z-]*\) el1=\([0-9]*\) el2=\([0-9]*\)$/  \2 \4/p' \
			"$OUT/ops-gic$g.log"
	done
done

# ---- latency rows: native (EL1, no hypervisor) and under Bulkhead
lat() { sed -n 's/\r$//; s/^\(\[dom0\] \)\{0,1\}TESTGUEST: bench-lat \([a-z-]*\) ns median=\([0-9]*\) max=\([0-9]*\)$/\2 \3 \4/p' "$1"; }
GUEST=$ROOT/build/guests/aarch64/testguest.bin
json=""
printf '\n%-20s %6s %16s %16s\n' "latency (ns)" "GIC" "native med/max" "Bulkhead med/max"
for g in $GICS; do
	if [ -n "${LAT_ONLY:-}" ]; then
		make -s -C "$ROOT" image CONFIG=qemu-virt-single SMP=1 GIC=$g BOOTARGS="test=bench" PMU_EL2=1 \
			OUT="$OUT/ops$g.img" >/dev/null
		run "$OUT/ops-gic$g.log" 1 on "$OUT/ops$g.img"
	fi
	make -s -C "$ROOT" image CONFIG=qemu-virt-single SMP=2 GIC=$g BOOTARGS="test=bench-ipi" \
		OUT="$OUT/ipi$g.img" >/dev/null
	run "$OUT/ipi-gic$g.log" 2 on "$OUT/ipi$g.img"
	run "$OUT/ops-native$g.log" 1 off "$GUEST" "test=bench native"
	run "$OUT/ipi-native$g.log" 2 off "$GUEST" "test=bench-ipi native"
	for l in ops-gic ipi-gic ops-native ipi-native; do
		grep -q "TESTGUEST: PASS bench" "$OUT/$l$g.log" || { echo "GICv$g: $l$g.log: test guest did not finish"; exit 1; }
	done
	{ lat "$OUT/ops-native$g.log"; lat "$OUT/ipi-native$g.log"; } | sed 's/^/n /' >"$OUT/lat$g"
	{ lat "$OUT/ops-gic$g.log"; lat "$OUT/ipi-gic$g.log"; } | sed 's/^/b /' >>"$OUT/lat$g"
	rows=$(awk '$1 == "n" { o[++k] = $2; nm[$2] = $3; nx[$2] = $4 } $1 == "b" { bm[$2] = $3; bx[$2] = $4 }
		END { for (i = 1; i <= k; i++) print o[i], nm[o[i]], nx[o[i]], bm[o[i]] + 0, bx[o[i]] + 0 }' "$OUT/lat$g")
	while read -r name nm nx bm bx; do
		printf '%-20s %6s %16s %16s\n' "$name" "v$g" "$nm/$nx" "$bm/$bx"
		json+="${json:+,}
    \"$name gicv$g\": { \"native_median_ns\": $nm, \"native_max_ns\": $nx, \"bulkhead_median_ns\": $bm, \"bulkhead_max_ns\": $bx }"
	done <<<"$rows"
done
printf '{%s\n}\n' "$json" >"$OUT/latency.json"
