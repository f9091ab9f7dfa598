#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Packs the hypervisor's relocations: bulkhead.bin from the linker's output.

usage: relr.py bulkhead.elf raw.bin bulkhead.bin

The image is a static PIE linked at 0 (arch-arm64/image.ld), self-relocated
by head.S. Its relocations are all R_AARCH64_RELATIVE (the Makefile checks):
"add the load address to the word at OFFSET, whose link-time value is
ADDEND", 24 bytes each in .rela.dyn. Here each ADDEND is written into its
word and the list becomes the RELR encoding (as in the ELF gABI's DT_RELR):
an even 64-bit entry is the offset of a word to adjust; an odd one is a
bitmap whose bits 1-63 mark which of the 63 words after the last adjusted
position also need it; a zero ends the list. image.ld puts .rela.dyn last
of what is loaded, so the binary ends right after the packed list.
"""
import struct
import sys

R_AARCH64_RELATIVE = 1027


def die(msg):
    sys.exit("relr.py: " + msg)


def sections(elf):
    shoff, = struct.unpack_from("<Q", elf, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", elf, 0x3A)
    heads = [struct.unpack_from("<IIQQQQ", elf, shoff + i * shentsize) for i in range(shnum)]
    strtab = heads[shstrndx][4]
    for name, typ, flags, addr, off, size in heads:
        end = elf.index(b"\0", strtab + name)
        yield elf[strtab + name:end].decode(), addr, off, size


def pack(offsets):
    words, i = [], 0
    while i < len(offsets):
        words.append(offsets[i])
        nxt, i = offsets[i] + 8, i + 1
        while i < len(offsets) and offsets[i] - nxt < 63 * 8:
            bits = 1
            while i < len(offsets) and offsets[i] - nxt < 63 * 8:
                bits |= 1 << ((offsets[i] - nxt) // 8 + 1)
                i += 1
            words.append(bits)
            nxt += 63 * 8
    return words + [0]


def main():
    if len(sys.argv) != 4:
        die("usage: relr.py bulkhead.elf raw.bin bulkhead.bin")
    elf = open(sys.argv[1], "rb").read()
    img = bytearray(open(sys.argv[2], "rb").read())
    if elf[:4] != b"\x7fELF" or elf[4] != 2 or elf[5] != 1:
        die(sys.argv[1] + ": not a 64-bit little-endian ELF file")
    rela = [s for s in sections(elf) if s[0] == ".rela.dyn"]
    if not rela:
        die(sys.argv[1] + ": no .rela.dyn section")
    _, addr, off, size = rela[0]
    if addr + size != len(img):
        die("%s: .rela.dyn (0x%x-0x%x) is not the end of the binary (%d bytes): see image.ld"
            % (sys.argv[1], addr, addr + size, len(img)))
    offsets = []
    for k in range(0, size, 24):
        where, info, addend = struct.unpack_from("<QQq", elf, off + k)
        if info != R_AARCH64_RELATIVE:
            die("relocation %d at 0x%x is of type %d, not R_AARCH64_RELATIVE" % (k // 24, where, info))
        if where % 8 or where + 8 > addr:
            die("relocation at 0x%x: not an aligned word before .rela.dyn" % where)
        struct.pack_into("<q", img, where, addend)
        offsets.append(where)
    packed = b"".join(struct.pack("<Q", w) for w in pack(sorted(offsets)))
    if len(packed) > max(size, 8):  # an empty list is its 0 alone, over .bss (zeroed later)
        die("the packed list (%d bytes) does not fit in .rela.dyn (%d)" % (len(packed), size))
    open(sys.argv[3], "wb").write(bytes(img[:addr]) + packed)


main()
