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
COMMON=(-cpu cortex-a57 -smp 2 -m 1024 -nographic -nic none)
ARGS="console=ttyAMA0 nokaslr bhtest=report"

count() { sed -n 's/^insns: //p' "$1" | tail -1; }

echo "bench: Linux boot to its userspace marker, natively (EL1, no hypervisor)..."
timeout 600 qemu-system-aarch64 -M "$M,virtualization=off" "${COMMON[@]}" "${ICOUNT[@]}" \
	-kernel "$KERNEL" -initrd "$INITRD" -append "$ARGS" </dev/null >"$OUT/native.log" 2>&1 || true
grep -q "GUEST-DONE" "$OUT/native.log" || { echo "bench: native boot did not finish"; exit 1; }
native=$(count "$OUT/native.log")

echo "bench: the same boot as a 2-vCPU domain under Bulkhead..."
make -s -C "$ROOT" KERNEL="$KERNEL" INITRD="$INITRD" BOOTARGS="$ARGS" SMP=2 all >/dev/null
IMG=$ROOT/build/qemu-virt/qemu-virt-single/bulkhead.img
timeout 600 qemu-system-aarch64 -M "$M,virtualization=on" "${COMMON[@]}" "${ICOUNT[@]}" \
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
  "hypervisor_size_bytes": $size
}
JSON
echo; echo "bench: wrote $OUT/results.json"
