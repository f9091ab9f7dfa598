#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# mkdtb.sh SRC.dtb MEM_MIB OUT.dtb: the ZCU102 board DT as U-Boot hands it
# over: Debian's DT with /memory for MEM_MIB of DDR (QEMU xlnx-zcu102 and the
# board: the first 2 GiB at 0, the rest at 0x800000000).
set -euo pipefail
src=$1 mem=$2 out=$3
[ -f "$src" ] || { echo "mkdtb.sh: $src missing (make guest-assets)" >&2; exit 1; }
case $mem in '' | *[!0-9]*) echo "mkdtb.sh: MEM=$mem: MiB" >&2; exit 1 ;; esac
[ "$mem" -ge 256 ] || { echo "mkdtb.sh: MEM=$mem: at least 256 MiB" >&2; exit 1; }
lo=$((mem < 2048 ? mem : 2048)) hi=$((mem > 2048 ? mem - 2048 : 0))
cp "$src" "$out.tmp$$"
reg="0 0 0 $(printf '%x' $((lo << 20)))"
[ "$hi" -eq 0 ] || reg+=" 8 0 $(printf '%x %x' $(((hi << 20) >> 32)) $(((hi << 20) & 0xffffffff)))"
fdtput -t x "$out.tmp$$" /memory@0 reg $reg
mv "$out.tmp$$" "$out"
