#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The board-DT reader on real boards' DTBs from Debian's arm64 kernel package
# (Raspberry Pi 4, ZCU102, i.MX8MP EVK, RK3399 RockPro64, AM654, J721E, and
# two boards whose console UART is unsupported): tests/unit/test_boards.c.
# Skips (77) when the DTBs have not been fetched (make guest-assets).
# timeout: 300
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BH_CACHE=${BH_CACHE:-$HOME/.cache/bulkhead}
DTBS=${BH_ASSETS:-$BH_CACHE/guest-assets}/dtbs-arm64
O=${BH_UNIT_O:-$ROOT/build/unit}

missing=
for tool in gcc make dtc; do
	command -v "$tool" >/dev/null 2>&1 || missing="$missing $tool"
done
if [ -n "$missing" ]; then
	echo "host toolchain incomplete, missing:$missing"
	exit 77
fi
if [ ! -d "$DTBS" ]; then
	echo "board DTBs not fetched: $DTBS is missing (make guest-assets)"
	exit 77
fi

mkdir -p "$O"
# One build and run at a time in $O (unit.sh shares it); released at exit.
exec 9>"$O/.lock"
flock 9 2>/dev/null || true
if ! out=$(make -s -C "$ROOT/tests/unit" O="$O" "$O/test_boards" 2>&1); then
	echo "$out" | tail -40
	echo "test_boards does not build"
	exit 1
fi
out=$(ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} "$O/test_boards" "$DTBS" 2>&1)
rc=$?
echo "$out"
# A crash (sanitizer report, abort) leaves no summary line, whatever its status.
grep -q '^test_boards: [0-9]* checks, ' <<<"$out" || { echo "test_boards: did not finish (exit status $rc)"; exit 1; }
exit $((rc == 0 ? 0 : 1))
