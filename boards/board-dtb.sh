#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# board-dtb.sh: the DT a board's bootloader hands Bulkhead, made from Debian's
# board DTB: its RAM described as U-Boot describes it (root's address and size
# cells), everything else as Debian ships it. `make` checks configs against
# it (boards/debian-dtb.mk); tests/host/board-configs.sh does the same.
#
# Usage: boards/board-dtb.sh DTBS_DIR DEBIAN_DTB 'RAM CELLS' OUT
#   e.g. boards/board-dtb.sh ~/.cache/bulkhead/guest-assets/dtbs-arm64 \
#        broadcom/bcm2711-rpi-4-b.dtb '0x0 0x0 0x0 0x3b400000' board.dtb
set -euo pipefail
[ $# -eq 4 ] || { sed -n '9,11p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
DTBS=$1 DTB=$2 RAM=$3 OUT=$4
err() { echo "[board-dtb] error: $*" >&2; exit 1; }
[ -f "$DTBS/$DTB" ] || err "$DTBS/$DTB missing: Debian's board DTBs come with the guest assets (make guest-assets)"
ac=$(fdtget -t u "$DTBS/$DTB" / '#address-cells' 2>/dev/null || echo 2)
sc=$(fdtget -t u "$DTBS/$DTB" / '#size-cells' 2>/dev/null || echo 1)
n=$(wc -w <<<"$RAM")
[ "$n" -gt 0 ] && [ $((n % (ac + sc))) -eq 0 ] ||
    err "RAM '$RAM': $n cells, not (address + size) pairs of $ac + $sc cells as $DTB's root says"
T=$OUT.tmp$$
trap 'rm -f "$T"' EXIT
cp "$DTBS/$DTB" "$T"
node=$(fdtget -l "$T" / | grep -m1 -E '^memory(@|$)' || true)
if [ -z "$node" ]; then node=memory@0; fdtput -c "$T" "/$node"; fi
fdtput -t s "$T" "/$node" device_type memory
# shellcheck disable=SC2086
fdtput -t x "$T" "/$node" reg $RAM
mv "$T" "$OUT"
