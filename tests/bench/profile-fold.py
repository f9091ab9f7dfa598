#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Fold a TCG profile (tests/bench/profile.c: "tb VADDR INSNS" lines) onto
the symbols of an ELF linked at 0 and run at BASE: one line per function,
most instructions first, with its share of the total.

usage: profile-fold.py PROFILE.txt ELF BASE [TOP]
"""
import bisect
import subprocess
import sys


def main():
    prof, elf, base = sys.argv[1], sys.argv[2], int(sys.argv[3], 0)
    top = int(sys.argv[4]) if len(sys.argv) > 4 else 25
    syms = []
    end = 0
    for line in subprocess.run(["aarch64-linux-gnu-nm", "-n", "-S", "--defined-only", elf],
                               capture_output=True, text=True, check=True).stdout.splitlines():
        parts = line.split()
        if len(parts) == 4 and parts[2] in "tTwW":
            syms.append((int(parts[0], 16), parts[3]))
            end = max(end, int(parts[0], 16) + int(parts[1], 16))
        elif len(parts) == 3 and parts[1] in "tTwW":
            syms.append((int(parts[0], 16), parts[2]))
    addrs = [a for a, _ in syms]
    per, total, outside = {}, 0, 0
    for line in open(prof):
        _, va, n = line.split()
        va, n = int(va, 16), int(n)
        total += n
        off = va - base
        i = bisect.bisect_right(addrs, off) - 1
        if off < 0 or i < 0 or off >= end:  # past our text: a guest's code
            outside += n
            continue
        per[syms[i][1]] = per.get(syms[i][1], 0) + n
    print("%12d instructions in all, %d outside the hypervisor (guest, firmware)" % (total, outside))
    for name, n in sorted(per.items(), key=lambda x: -x[1])[:top]:
        print("%12d %5.1f%%  %s" % (n, 100.0 * n / max(total, 1), name))


main()
