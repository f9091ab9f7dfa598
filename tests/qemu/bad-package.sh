#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The boot image's payload (tools/bhpack's package: a table of named entries)
# is checked before anything is read from it: an entry whose offset + size
# wraps around or leaves the package, an entry inside the table itself, a
# package larger than the Image header reserves, too many entries, or a
# header whose payload offset does not match the hypervisor each stop the
# boot with a message; nothing hangs, no domain starts. At e493c49 the
# wrapping entry was accepted (offset + size was not checked for overflow).
# timeout: 120
. "$(dirname "$0")/common.sh"
bh_image "$W/good.img" CONFIG=qemu-virt-single GIC=3 SMP=1 KERNEL="$ROOT/build/guests/aarch64/testguest.bin" BOOTARGS=test=basic
OFF=0x$(aarch64-linux-gnu-nm "$ROOT/build/qemu-virt/hyp/bulkhead.elf" | awk '/ __payload_start$/{print $1}')

# patch NAME PYTHON: a copy of the good image with the package header changed
# (h: payload offset; fields: count @+8, total_size @+16, entry i @+24+64i:
# name[48], offset, size).
patch() {
	python3 - "$W/good.img" "$W/$1.img" "$OFF" "$2" <<'PY'
import struct, sys
img = bytearray(open(sys.argv[1], 'rb').read()); h = int(sys.argv[3], 0)
def put(off, fmt, v): struct.pack_into(fmt, img, off, v % (1 << (8 * struct.calcsize(fmt))))
def entry(i): return h + 24 + 64 * i
exec(sys.argv[4])
open(sys.argv[2], 'wb').write(img)
PY
}
# case NAME PYTHON EXPECTED
case_() {
	echo "case: $1"
	patch "$1" "$2" || exit 1
	bh_boot kernel "$W/$1.img" "$W/$1.log" 30 3 cortex-a57 1
	local rc=$?
	[ $rc -eq 124 ] && { echo "  FAIL: hung"; FAILS=$((FAILS + 1)); }
	expect "$W/$1.log" "$3" "refused: $3"
	expect "$W/$1.log" "boot stopped: no domain was started" "no domain starts"
	expect_not "$W/$1.log" "hypervisor exception|^\[dom0\]" "no crash, nothing of the payload ran"
}
case_ wrapping-entry "o = struct.unpack_from('<Q', img, entry(1) + 48)[0]; put(entry(1) + 56, '<Q', -o + 0x1000)" \
	"payload is malformed: entry 1 \(.* bytes at \+0x[0-9a-f]+\) lies outside"
case_ entry-past-end "put(entry(1) + 56, '<Q', struct.unpack_from('<Q', img, h + 16)[0])" \
	"payload is malformed: entry 1 .* lies outside"
case_ entry-in-table "put(entry(1) + 48, '<Q', 0)" "payload is malformed: entry 1 .* lies outside"
case_ name-unterminated "img[entry(1):entry(1) + 48] = b'k' * 48" "payload is malformed: entry 1"
case_ too-many-entries "put(h + 8, '<I', 17)" "payload is malformed: 17 entries"
case_ oversized "put(h + 16, '<Q', 1 << 40)" "payload claims 1099511627776 bytes, more than the [0-9]+ its image header reserves"
case_ payload-offset "put(0x20, '<Q', h + 0x1000)" "header does not match its hypervisor \(payload offset\)"
echo "case: the hypervisor alone, no payload"
bh_boot kernel "$ROOT/build/qemu-virt/hyp/bulkhead.bin" "$W/bare.log" 30 3 cortex-a57 1
expect "$W/bare.log" "this image carries no payload \(config and guest images\): build it with tools/bhpack" "says what is missing"
expect "$W/bare.log" "boot stopped: no domain was started" "no domain starts"
echo "case: the unpatched image boots"
bh_boot kernel "$W/good.img" "$W/good.log" 30 3 cortex-a57 1
expect "$W/good.log" "TESTGUEST: PASS basic" "the test guest runs"
finish
