#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The hypervisor image does not grow past its guard (docs/BENCHMARKS.md,
# issue 10): bulkhead.bin for the default board, built here from the tree as
# `make hyp` builds it (into a scratch folder, so parallel tests never share
# objects), at most BH_SIZE_LIMIT bytes: 128 KiB (131072), the target
# `make bench` reports too (BENCHMARKS.md: the image per change). Over it,
# the test prints the size, the limit and the ten largest functions.
# timeout: 300
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
LIMIT=${BH_SIZE_LIMIT:-131072}
W=$(mktemp -d); trap 'rm -rf "$W"' EXIT
if ! out=$(nice -n 10 make --no-print-directory -C "$ROOT" hyp BUILD="$W" 2>&1); then
	echo "$out" | tail -20
	echo "FAIL the hypervisor does not build"; exit 1
fi
BIN=$W/qemu-virt/hyp/bulkhead.bin ELF=$W/qemu-virt/hyp/bulkhead.elf
[ -s "$BIN" ] && [ -s "$ELF" ] || { echo "FAIL no $BIN after make hyp"; exit 1; }
size=$(stat -c %s "$BIN")
# A cross-check that the binary is the image and not, say, an empty file: it
# holds every loaded section but the relocations, which tools/relr.py packs.
sections=$(aarch64-linux-gnu-size -A "$ELF" | awk '$1 ~ /^\.(text|rodata|data\.rel\.ro|got|data)$/ { s += $2 } END { print s + 0 }')
if [ "$sections" -lt 4096 ] || [ "$size" -le "$sections" ]; then
	echo "FAIL bulkhead.bin is $size bytes but its sections (relocations aside) sum to $sections"; exit 1
fi
if [ "$size" -le "$LIMIT" ]; then
	echo "ok   bulkhead.bin $size bytes <= limit $LIMIT ($((LIMIT - size)) to spare)"
	exit 0
fi
echo "the 10 largest functions (bytes, name):"
aarch64-linux-gnu-nm -S --size-sort "$ELF" | awk '$3 ~ /^[tT]$/' | tail -10 |
	while read -r _ sz _ name; do printf '   %6d %s\n' $((16#$sz)) "$name"; done | sort -rn
echo "FAIL bulkhead.bin is $size bytes, over the limit of $LIMIT by $((size - LIMIT))"
exit 1
