#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The per-operation part of make bench alone (tests/bench/run.sh): the test
# guest's bench mode on one vCPU under Bulkhead, GICv3 and GICv2, EL2
# instructions per operation. Quick (about a minute): run it while changing a
# hot path. Usage: tests/bench/ops.sh [3|2 ...]   (default: 3 2)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT=$ROOT/build/bench
mkdir -p "$OUT"
ICOUNT=(-icount shift=0,sleep=off -rtc base=2024-01-01T00:00:00,clock=vm)
make -s -C "$ROOT" all >/dev/null
for gic in "${@:-3 2}"; do
	for g in $gic; do
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
