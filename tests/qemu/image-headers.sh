#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Guest image headers are untrusted: an arm64 Image whose text_offset or
# image_size places it outside its domain's memory (below it, past it, into
# the DT slot or the initrd, or wrapping around 2^64) is refused by the
# build (bhpack) and, packed past that check, by the hypervisor at boot, with
# the domain and the image named and nothing written. The first case is the
# attack found in review: a 136-byte Image whose negative text_offset made
# the loader overwrite a hypervisor format string (the log then printed
# "ATTACK: ..."). Images that fit exactly are accepted and run.
# timeout: 300
. "$(dirname "$0")/common.sh"
HYP=$ROOT/build/qemu-virt/hyp/bulkhead.bin
BASE=0x60000000 MEM=0x800000 # the domain's fixed RAM: 8 MiB, DT slot in the top 2 MiB

# mkimage NAME TEXT_OFFSET IMAGE_SIZE [SIZE]: an Image whose code powers the
# domain off with PSCI SYSTEM_OFF; SIZE bytes long (default 136).
mkimage() {
	python3 - "$W/$1" "$2" "$3" "${4:-136}" <<'EOF'
import struct, sys
path, to, isz, size = sys.argv[1], int(sys.argv[2], 0), int(sys.argv[3], 0), int(sys.argv[4], 0)
hdr = struct.pack('<IIQQQQQQII', 0x14000010, 0, to % 2**64, isz % 2**64, 0xa, 0, 0, 0, 0x644d5241, 0)
code = struct.pack('<IIII', 0x52800100, 0x72b08000, 0xd4000002, 0x14000000)  # x0 = SYSTEM_OFF; hvc #0; b .
open(path, 'wb').write((hdr + code).ljust(size, b'\0'))
EOF
}

# The attack: the Image's bytes past its header, a format string, land on the
# hypervisor's "domain %s stopped" format string when the header is obeyed.
python3 - "$HYP" "$W/attack.bin" "$BASE" <<'EOF'
import struct, sys
hyp = open(sys.argv[1], 'rb').read()
off = hyp.find(b'domain %s stopped: %s (other domains keep running)')
assert off > 0, 'format string not found in the hypervisor'
target = 0x40200000 + off - 64          # QEMU -kernel loads the hypervisor at 0x40200000
to = (target - int(sys.argv[3], 0)) % 2**64
hdr = struct.pack('<IIQQQQQQII', 0x14000000, 0, to, 0, 0xa, 0, 0, 0, 0x644d5241, 0)
open(sys.argv[2], 'wb').write((hdr + b'ATTACK: image header wrote hypervisor memory (%s)\0').ljust(136, b'\0'))
EOF
mkimage below.bin -0x1000 0
mkimage past.bin $MEM 0
mkimage dtslot.bin 0x600000 0
mkimage wrap-size.bin 0x80000 -0x40000
mkimage over-by-8.bin $((0x600000 - 0x1000 + 8)) 0x1000 0x1000
mkimage fits.bin $((0x600000 - 0x1000)) 0x1000 0x1000
mkimage big.bin 0x80000 0x400000
head -c $((3 << 20)) /dev/zero >"$W/initrd.bin"

# case NAME IMAGE [INITRD] -- EXPECTED: build and boot refuse with EXPECTED
refused() {
	local name=$1 img=$2 initrd=${3:-} want=$4
	echo "case: $name"
	local cfg=$W/$name.dts
	printf '/dts-v1/;\n/ { bulkhead { domain@0 { label = "a"; cpus = <0>; memory-size = <0x0 %s>; memory-base = <0x0 %s>; kernel = "%s"; %s }; }; };\n' \
		"$MEM" "$BASE" "$img" "${initrd:+initrd = \"$initrd\";}" >"$cfg"
	dtc -q -I dts -O dtb -o "$W/c.dtb" "$cfg" || exit 1
	local out
	out=$("$ROOT/build/tools/bhpack" --check-only --config "$W/c.dtb" --board "$W/board.dtb" -I "$W" 2>&1)
	if [ $? -ne 0 ] && grep -qF -- "domain@0 (a): $want" <<<"$out"; then echo "  ok: build refuses: $out"
	else echo "  FAIL: build: want \"$want\", got: $out"; FAILS=$((FAILS + 1)); fi
	bh_pack "$W/$name.img" "$cfg" 3 1 --no-check -I "$W"
	bh_boot kernel "$W/$name.img" "$W/$name.log" 30 3 cortex-a57 1
	expect "$W/$name.log" "^bulkhead: domain a: $(sed 's/[][().*+?^$|\\]/\\&/g' <<<"$want")" "boot refuses, naming domain and image"
	expect "$W/$name.log" "boot stopped: no domain was started" "no domain starts"
	expect_not "$W/$name.log" "ATTACK|^\[a\]|powered off" "nothing of the image was written or run"
}
timeout 30 qemu-system-aarch64 -M virt,virtualization=on,gic-version=3,dumpdtb="$W/board.dtb" \
	-cpu cortex-a57 -smp 1 -m 1024 -nographic -nic none >/dev/null 2>&1

refused attack attack.bin "" "kernel \"attack.bin\": its header places it at +0xffffffffe0"
refused below below.bin "" 'kernel "below.bin": its header places it at +0xfffffffffffff000 (text_offset), outside the domain'"'"'s memory (memory-size 0x800000)'
refused past past.bin "" 'kernel "past.bin": its header places it at +0x800000 (text_offset), outside'
refused dtslot dtslot.bin "" 'kernel "dtslot.bin": its header places it at +0x600000 (text_offset), outside'
refused wrap-size wrap-size.bin "" 'kernel "wrap-size.bin" (18014398509481728 KiB at +0x80000) and its DT (2 MiB) do not fit in memory-size 0x800000'
refused over-by-8 over-by-8.bin "" 'kernel "over-by-8.bin" (4 KiB at +0x5ff008) and its DT (2 MiB) do not fit'
refused under-initrd big.bin initrd.bin 'kernel "big.bin" (4096 KiB at +0x80000) + initrd "initrd.bin" and its DT (2 MiB) do not fit'

echo "case: an Image that fits exactly below the DT slot is loaded there and runs"
printf '/dts-v1/;\n/ { bulkhead { domain@0 { label = "a"; cpus = <0>; memory-size = <0x0 %s>; memory-base = <0x0 %s>; kernel = "fits.bin"; }; }; };\n' \
	"$MEM" "$BASE" >"$W/fits.dts"
bh_pack "$W/fits.img" "$W/fits.dts" 3 1 -I "$W"
bh_boot kernel "$W/fits.img" "$W/fits.log" 30 3 cortex-a57 1
expect "$W/fits.log" "^bulkhead: domain a powered off" "its code ran (PSCI SYSTEM_OFF from the image)"
finish
