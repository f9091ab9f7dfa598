#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# make bench: deterministic costs under QEMU -icount (one instruction = one ns
# of virtual time; instruction counts are exact and repeatable). Prints a table
# and writes build/bench/results.json. Never a pass/fail test.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BH_CACHE=${BH_CACHE:-$HOME/.cache/bulkhead}
ASSETS=${BH_ASSETS:-$BH_CACHE/guest-assets}
OUT=$ROOT/build/bench
mkdir -p "$OUT"
KERNEL=$ASSETS/Image-arm64
INITRD=$ASSETS/initramfs-arm64.cpio.gz
[ -f "$KERNEL" ] && [ -f "$INITRD" ] || { echo "bench: guest assets missing (make guest-assets)"; exit 1; }

gcc -shared -fPIC -O2 -Wall -o "$OUT/insncount.so" "$ROOT/tests/bench/insncount.c"
ICOUNT=(-icount shift=0,sleep=off -rtc base=2024-01-01T00:00:00,clock=vm -plugin "$OUT/insncount.so" -d plugin)
M="virt,gic-version=3,dtb-randomness=off"
# Like with like: the native run gets exactly the RAM the domain gets (the
# single config's memory-size), the same CPU count and command line. (The
# machine under Bulkhead has 1024 MiB; its domain sees only its own.)
GUEST_MIB=$(( $(sed -n 's/.*memory-size = <0x0 \(0x[0-9a-fA-F]*\)>.*/\1/p' "$ROOT/configs/qemu-virt-single.dts") >> 20 ))
[ "$GUEST_MIB" -gt 0 ] || { echo "bench: cannot read the single config's memory-size"; exit 1; }
COMMON=(-cpu cortex-a57 -smp 2 -nographic -nic none)
ARGS="console=ttyAMA0 nokaslr bhtest=report"

count() { sed -n 's/^insns: //p' "$1" | tail -1; }

echo "bench: Linux boot to its userspace marker, natively (EL1, no hypervisor, ${GUEST_MIB} MiB)..."
timeout 600 qemu-system-aarch64 -M "$M,virtualization=off" "${COMMON[@]}" -m "$GUEST_MIB" "${ICOUNT[@]}" \
	-kernel "$KERNEL" -initrd "$INITRD" -append "$ARGS" </dev/null >"$OUT/native.log" 2>&1 || true
grep -q "GUEST-DONE" "$OUT/native.log" || { echo "bench: native boot did not finish"; exit 1; }
native=$(count "$OUT/native.log")

echo "bench: the same boot as a 2-vCPU domain under Bulkhead..."
make -s -C "$ROOT" KERNEL="$KERNEL" INITRD="$INITRD" BOOTARGS="$ARGS" SMP=2 all >/dev/null
IMG=$ROOT/build/qemu-virt/qemu-virt-single/bulkhead.img
timeout 600 qemu-system-aarch64 -M "$M,virtualization=on" "${COMMON[@]}" -m 1024 "${ICOUNT[@]}" \
	-kernel "$IMG" </dev/null >"$OUT/bulkhead.log" 2>&1 || true
grep -q "GUEST-DONE" "$OUT/bulkhead.log" || { echo "bench: boot under Bulkhead did not finish"; exit 1; }
hyp=$(count "$OUT/bulkhead.log")

exits() { # sum of one cause over all CPUs in the last statistics table
	awk -v k="$1" '/exits per CPU/{delete s} /^  CPU [0-9]+ \[/{
		for (i = 1; i <= NF; i++) if ($i == k) for (j = i + 1; j <= NF && $j ~ /=/; j++) {
			split($j, a, "="); s[NR] += a[2] } }
		END { t = 0; for (x in s) t += s[x]; print t }' "$OUT/bulkhead.log"
}
traps=$(exits trap) timers=$(exits timer) ipis=$(exits ipi)
size=$(aarch64-linux-gnu-size -A "$ROOT/build/qemu-virt/hyp/bulkhead.elf" |
	awk '$1 ~ /^\.(text|rodata|data|rela\.dyn|data\.rel\.ro|got)$/ {s += $2} END {print s}')
ratio=$(awk -v a="$hyp" -v b="$native" 'BEGIN { printf "%.4f", a / b }')
overhead=$((hyp - native))

# Per-operation costs: the bare-metal test guest's bench mode counts retired
# instructions with the PMU (counter 0: EL1 only; counter 1: EL1 + EL2), one
# vCPU, natively and under Bulkhead on each GIC version. Those images set the
# config property insecure-pmu-el2 (PMU_EL2=1): normally a guest's PMU never
# counts EL2 (MDCR_EL2.HPMD where the CPU has PMUv3p1).
echo "bench: per-operation costs (test guest, PMU under -icount)..."
ops() { sed -n 's/\r$//; s/^\(\[dom0\] \)\{0,1\}TESTGUEST: bench \([a-z-]*\) el1=\([0-9]*\) el2=\([0-9]*\)$/\2 \3 \4/p' "$1"; }
timeout 120 qemu-system-aarch64 -M "$M,virtualization=off" -cpu cortex-a57 -smp 1 -m 1024 -nographic -nic none \
	"${ICOUNT[@]:0:4}" -kernel "$ROOT/build/guests/aarch64/testguest.bin" -append "test=bench native" \
	</dev/null >"$OUT/ops-native.log" 2>&1 || true
grep -q "TESTGUEST: PASS bench" "$OUT/ops-native.log" || { echo "bench: native test guest did not finish"; exit 1; }
for gic in 3 2; do
	make -s -C "$ROOT" image CONFIG=qemu-virt-single SMP=1 GIC=$gic BOOTARGS="test=bench" PMU_EL2=1 \
		OUT="$OUT/ops$gic.img" >/dev/null
	timeout 120 qemu-system-aarch64 -M "virt,gic-version=$gic,dtb-randomness=off,virtualization=on" -cpu cortex-a57 \
		-smp 1 -m 1024 -nographic -nic none "${ICOUNT[@]:0:4}" -kernel "$OUT/ops$gic.img" \
		</dev/null >"$OUT/ops-gic$gic.log" 2>&1 || true
	grep -q "TESTGUEST: PASS bench" "$OUT/ops-gic$gic.log" || { echo "bench: test guest under Bulkhead (GICv$gic) did not finish"; exit 1; }
done
# One row per operation, in the guest's order: name, native EL1, v3 EL1, v3 EL2, v2 EL1, v2 EL2.
{ ops "$OUT/ops-native.log" | sed 's/^/n /'; ops "$OUT/ops-gic3.log" | sed 's/^/a /'; ops "$OUT/ops-gic2.log" | sed 's/^/b /'; } |
	awk '$1 == "n" { order[++n] = $2; ne[$2] = $3 } $1 == "a" { a1[$2] = $3; a2[$2] = $4 } $1 == "b" { b1[$2] = $3; b2[$2] = $4 }
	END { for (i = 1; i <= n; i++) { k = order[i]; print k, ne[k], a1[k] + 0, a2[k] + 0, b1[k] + 0, b2[k] + 0 } }' >"$OUT/ops"
opsjson=$(awk '{ printf "%s\n    \"%s\": { \"native_el1\": %s, \"gicv3_el1\": %s, \"gicv3_el2\": %s, \"gicv2_el1\": %s, \"gicv2_el2\": %s }", (NR > 1 ? "," : ""), $1, $2, $3, $4, $5, $6 }' "$OUT/ops")

printf '\n%-14s %12s %12s %12s %12s %12s\n' "per operation" "native EL1" "GICv3 EL1" "GICv3 EL2" "GICv2 EL1" "GICv2 EL2"
awk '{ printf "%-14s %12s %12s %12s %12s %12s\n", $1, $2, $3, $4, $5, $6 }' "$OUT/ops"
echo "(instructions per operation, test guest on 1 vCPU; EL2 = Bulkhead's share)"
LAT_ONLY=1 bash "$ROOT/tests/bench/ops.sh" # latency rows: timer, IPI (build/bench/latency.json)

printf '\n%-46s %15s\n' "measure (QEMU -icount, cortex-a57, 2 CPUs)" "value"
printf '%-46s %15s\n' "Linux boot to marker, native (instructions)" "$native"
printf '%-46s %15s\n' "Linux boot to marker, under Bulkhead" "$hyp"
printf '%-46s %15s\n' "ratio Bulkhead / native" "$ratio"
printf '%-46s %15s\n' "extra instructions (hypervisor + its boot)" "$overhead"
printf '%-46s %15s\n' "exits during that boot: traps" "$traps"
printf '%-46s %15s\n' "exits during that boot: timer interrupts" "$timers"
printf '%-46s %15s\n' "exits during that boot: IPIs" "$ipis"
printf '%-46s %15s\n' "hypervisor size (text+data bytes)" "$size"
cat >"$OUT/results.json" <<JSON
{
  "machine": "qemu virt, cortex-a57, 2 CPUs, GICv3, -icount shift=0",
  "linux_boot_native_insns": $native,
  "linux_boot_bulkhead_insns": $hyp,
  "linux_boot_ratio": $ratio,
  "linux_boot_extra_insns": $overhead,
  "linux_boot_exits_trap": $traps,
  "linux_boot_exits_timer": $timers,
  "linux_boot_exits_ipi": $ipis,
  "hypervisor_size_bytes": $size,
  "per_operation_insns": {$opsjson
  }
}
JSON
echo; echo "bench: wrote $OUT/results.json"
