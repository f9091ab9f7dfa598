#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# mk-uboot-disk.sh: the disk of a domain that runs U-Boot (configs/qemu-virt-uboot.dts):
# an MBR with one FAT32 partition holding extlinux/extlinux.conf, a Linux
# kernel and an initramfs, which U-Boot's distro boot finds and boots. The
# domain's OS lives on this disk: updating it is rewriting these files.
#
# Usage: tools/mk-uboot-disk.sh -k IMAGE -r INITRD -a BOOTARGS -o OUT
set -euo pipefail
KERNEL='' INITRD='' ARGS='' OUT=''
while getopts "k:r:a:o:" o; do
    case $o in
        k) KERNEL=$OPTARG ;; r) INITRD=$OPTARG ;; a) ARGS=$OPTARG ;; o) OUT=$OPTARG ;;
        *) echo "usage: $0 -k IMAGE -r INITRD -a BOOTARGS -o OUT" >&2; exit 2 ;;
    esac
done
err() { echo "[mk-uboot-disk] error: $*" >&2; exit 1; }
[ -n "$KERNEL" ] && [ -n "$INITRD" ] && [ -n "$OUT" ] || err "-k, -r and -o are required"
for f in "$KERNEL" "$INITRD"; do [ -f "$f" ] || err "$f: no such file (make guest-assets)"; done
for t in mkfs.vfat mcopy mmd; do
    command -v $t >/dev/null || err "$t missing (make deps installs dosfstools, mtools)"
done

MIB=$((1024 * 1024))
need=$((($(stat -c %s "$KERNEL") + $(stat -c %s "$INITRD") + MIB - 1) / MIB))
SIZE=$((need + 16))
[ $SIZE -ge 64 ] || SIZE=64             # FAT32 wants ~65525 clusters or more
START=2048
SECTORS=$((SIZE * 2048 - START))
W=$(mktemp -d)
DISK=$OUT.part$$
trap 'rm -rf "$W" "$DISK"' EXIT
mkdir -p "$(dirname "$OUT")"

le32() {
    printf '\\x%02x\\x%02x\\x%02x\\x%02x' $(($1 & 255)) $(($1 >> 8 & 255)) \
        $(($1 >> 16 & 255)) $(($1 >> 24 & 255))
}
truncate -s "${SIZE}M" "$DISK"
# One bootable FAT32 (LBA) partition: distro boot scans bootable partitions.
printf '%b' "\\x80\\xfe\\xff\\xff\\x0c\\xfe\\xff\\xff$(le32 $START)$(le32 $SECTORS)" |
    dd of="$DISK" bs=1 seek=446 conv=notrunc status=none
printf '\x55\xaa' | dd of="$DISK" bs=1 seek=510 conv=notrunc status=none
mkfs.vfat -F 32 -n DOMAINOS --offset $START "$DISK" $((SECTORS / 2)) >/dev/null

cat > "$W/extlinux.conf" <<CONF
# Written by tools/mk-uboot-disk.sh: U-Boot's distro boot reads this.
default linux
timeout 0
label linux
    kernel /Image
    initrd /initramfs.cpio.gz
    append $ARGS
CONF
M="$DISK@@$((START * 512))"
export MTOOLS_SKIP_CHECK=1
mmd -i "$M" ::/extlinux
mcopy -i "$M" "$W/extlinux.conf" ::/extlinux/extlinux.conf
mcopy -i "$M" "$KERNEL" ::/Image
mcopy -i "$M" "$INITRD" ::/initramfs.cpio.gz
mv "$DISK" "$OUT"
echo "[mk-uboot-disk] $OUT ($SIZE MiB, FAT32 partition 1: extlinux/extlinux.conf, Image, initramfs.cpio.gz)"
