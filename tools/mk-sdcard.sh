#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# mk-sdcard.sh: an SD-card image that U-Boot's distro boot starts Bulkhead
# from: MBR, one bootable FAT32 partition (at 1 MiB) holding bulkhead.img and
# a boot.scr that loads it and runs booti with the board's DT, and whatever
# else the board's boot ROM or firmware reads there (-x: U-Boot, config.txt).
# The image carries its guests, so there is no initrd. Made without root or mounting
# (truncate + mkfs.vfat + mtools). Write it to a card with dd, or boot it on
# QEMU: tools/run-qemu.sh -b sdcard OUT.img
#
# Usage: tools/mk-sdcard.sh -k bulkhead.img -o OUT.img [-d board.dtb] [-l ADDR]
#                           [-x FILE]... [-p MiB] [-a ARGS] [-s MiB]
#   -k  the Bulkhead image (any arm64 Image boots the same way)
#   -o  the card image to write
#   -d  a DT to copy (under its own name) and pass instead of U-Boot's own
#       (${fdtcontroladdr}); loaded at ${fdt_addr_r}
#   -l  where to load the image (default: U-Boot's ${kernel_addr_r})
#   -x  a file to copy into the partition as it is, under its own name
#   -p  where the partition starts, in MiB (default 1): room before it for
#       a bootloader the boot ROM reads from fixed sectors (Rockchip, i.MX)
#   -a  command line to set (/chosen/bootargs) before booti
#   -s  size in MiB (default: room for the files plus 16 MiB, at least 64)
# Needs: u-boot-tools (mkimage), dosfstools (mkfs.vfat), mtools (mcopy).
set -euo pipefail

usage() { # [STATUS]: 0 for -h (stdout), else 2 (stderr)
    if [ "${1:-2}" = 0 ]; then awk 'NR > 2 && !/^#/ { exit } NR > 2' "$0"; else awk 'NR > 2 && !/^#/ { exit } NR > 2' "$0" >&2; fi
    exit "${1:-2}"
}
KERNEL='' OUT='' DTB='' BOOTARGS='' SIZE='' LOADADDR='${kernel_addr_r}' EXTRA=() PSTART=1
while getopts "k:o:d:l:x:p:a:s:h" o; do
    case $o in
        k) KERNEL=$OPTARG ;; o) OUT=$OPTARG ;; d) DTB=$OPTARG ;; l) LOADADDR=$OPTARG ;;
        x) EXTRA+=("$OPTARG") ;; p) PSTART=$OPTARG ;; a) BOOTARGS=$OPTARG ;; s) SIZE=$OPTARG ;; h) usage 0 ;; *) usage ;;
    esac
done
shift $((OPTIND - 1))
[ $# -eq 0 ] && [ -n "$KERNEL" ] && [ -n "$OUT" ] || usage
err() { echo "[mk-sdcard] error: $*" >&2; exit 1; }
[ -f "$KERNEL" ] || err "$KERNEL: no such file"
[ -z "$DTB" ] || [ -f "$DTB" ] || err "$DTB: no such file"
[[ $PSTART =~ ^[1-9][0-9]{0,3}$ ]] || err "-p $PSTART: a partition start in MiB, 1 to 9999"
[[ $LOADADDR =~ ^(0x[0-9a-fA-F]+|\$\{kernel_addr_r\})$ ]] || err "-l $LOADADDR: not a hexadecimal address (0x...)"
names=" bulkhead.img boot.scr boot.cmd ${DTB:+$(basename "$DTB") }"
for f in ${EXTRA[@]+"${EXTRA[@]}"}; do
    [ -f "$f" ] || err "-x $f: no such file"
    case $names in *" $(basename "$f") "*) err "-x $f: a second file named $(basename "$f") on the card" ;; esac
    names+="$(basename "$f") "
done
case $BOOTARGS in *'"'*) err "-a: double quotes cannot be passed through boot.scr" ;; esac
for t in mkimage mkfs.vfat mcopy; do
    command -v $t >/dev/null || err "$t missing (make deps installs u-boot-tools, dosfstools, mtools)"
done

MIB=$((1024 * 1024))
bytes=$(stat -c %s "$KERNEL")
[ -z "$DTB" ] || bytes=$((bytes + $(stat -c %s "$DTB")))
for f in ${EXTRA[@]+"${EXTRA[@]}"}; do bytes=$((bytes + $(stat -c %s "$f"))); done
need=$(((bytes + MIB - 1) / MIB))
if [ -z "$SIZE" ]; then
    SIZE=$((need + 16 + need / 8))
    [ $SIZE -ge 64 ] || SIZE=64         # FAT32 wants ~65525 clusters or more
    SIZE=$((SIZE + PSTART - 1))
fi
[ "$SIZE" -gt $((need + PSTART + 1)) ] || err "-s $SIZE: too small for $need MiB of files from $PSTART MiB on"

mkdir -p "$(dirname "$OUT")"
W=$(mktemp -d)
CARD=$OUT.part$$        # next to OUT: the final mv is a rename
trap 'rm -rf "$W" "$CARD"' EXIT

# 1. boot.cmd -> boot.scr. distro_bootcmd sets ${devtype} ${devnum} and
# ${distro_bootpart}, so one script works from virtio, mmc (SD), usb, ...
# (single quotes on purpose: these are U-Boot variables, not shell ones).
# shellcheck disable=SC2016
{
    echo 'echo "BULKHEAD: boot.scr from ${devtype} ${devnum}:${distro_bootpart}"'
    [ -z "$BOOTARGS" ] || echo "setenv bootargs \"$BOOTARGS\""
    echo "load \${devtype} \${devnum}:\${distro_bootpart} $LOADADDR bulkhead.img"
    if [ -n "$DTB" ]; then
        echo "load \${devtype} \${devnum}:\${distro_bootpart} \${fdt_addr_r} $(basename "$DTB")"
        echo "booti $LOADADDR - \${fdt_addr_r}"
    else
        echo "booti $LOADADDR - \${fdtcontroladdr}"
    fi
    echo 'echo "BULKHEAD: booti failed"'
} > "$W/boot.cmd"
mkimage -A arm64 -O linux -T script -C none -n bulkhead -d "$W/boot.cmd" "$W/boot.scr" >/dev/null

# 2. Empty disk + MBR: partition 1 bootable, type 0x0c (FAT32 LBA), LBA 2048..end.
le32() {
    printf '\\x%02x\\x%02x\\x%02x\\x%02x' $(($1 & 255)) $(($1 >> 8 & 255)) \
        $(($1 >> 16 & 255)) $(($1 >> 24 & 255))
}
START=$((PSTART * 2048))
SECTORS=$((SIZE * 2048 - START))
truncate -s "${SIZE}M" "$CARD"
printf '%b' "\\x80\\xfe\\xff\\xff\\x0c\\xfe\\xff\\xff$(le32 $START)$(le32 $SECTORS)" |
    dd of="$CARD" bs=1 seek=446 conv=notrunc status=none
printf '\x55\xaa' | dd of="$CARD" bs=1 seek=510 conv=notrunc status=none

# 3. FAT32 inside the partition; files copied in with mtools.
mkfs.vfat -F 32 -n BULKHEAD --offset $START "$CARD" $((SECTORS / 2)) >/dev/null
M="$CARD@@$((START * 512))"
export MTOOLS_SKIP_CHECK=1
mcopy -i "$M" "$W/boot.cmd" "$W/boot.scr" ::/
mcopy -i "$M" "$KERNEL" ::/bulkhead.img
[ -z "$DTB" ] || mcopy -i "$M" "$DTB" "::/$(basename "$DTB")"
for f in ${EXTRA[@]+"${EXTRA[@]}"}; do mcopy -i "$M" "$f" "::/$(basename "$f")"; done
mv "$CARD" "$OUT"
echo "[mk-sdcard] $OUT ($SIZE MiB, FAT32 partition 1 from $PSTART MiB):"
mdir -i "$OUT@@$((START * 512))" -b ::/ | sed 's|^::/|  |'
