#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# make sdcard BOARD=rpi4: the card image read back without mounting (mtools):
# an MBR whose bootable FAT32 partition 1 holds exactly Debian's U-Boot
# (u-boot-rpi, rpi_arm64), config.txt, boot.scr (and its source boot.cmd),
# bulkhead.img packed for configs/rpi4.dts and the board DTB, each the same
# bytes as built; boot.scr a U-Boot script that loads bulkhead.img and the
# DTB and booti's them; config.txt asking for 64-bit, U-Boot and the UART.
# timeout: 400
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BH_CACHE=${BH_CACHE:-$HOME/.cache/bulkhead}
ASSETS=${BH_ASSETS:-$BH_CACHE/guest-assets}
UBOOT=/usr/lib/u-boot/rpi_arm64/u-boot.bin
DTB=$ASSETS/dtbs-arm64/broadcom/bcm2711-rpi-4-b.dtb
[ -f "$DTB" ] || { echo "board DTBs not fetched ($DTB missing; make guest-assets)"; exit 77; }
[ -f "$UBOOT" ] || [ "$(id -u)" = 0 ] || { echo "u-boot-rpi:arm64 not installed and not root to install it ($UBOOT missing)"; exit 77; }
W=$(mktemp -d); trap 'rm -rf "$W"' EXIT
B=$ROOT/build/rpi4/rpi4
fail=0
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }

if ! out=$(cd "$ROOT" && nice make -s sdcard BOARD=rpi4 2>&1); then
	echo "$out" | tail -20; echo "FAIL: make sdcard BOARD=rpi4 failed"; exit 1
fi
CARD=$B/sdcard.img
[ -f "$CARD" ] || { echo "FAIL: make sdcard BOARD=rpi4 made no $CARD"; exit 1; }

# The MBR: partition 1 bootable (0x80), FAT32 LBA (0x0c), from sector 2048.
mbr=$(od -An -tx1 -j446 -N16 "$CARD" | tr -d ' \n')
sig=$(od -An -tx1 -j510 -N2 "$CARD" | tr -d ' \n')
[ "$sig" = 55aa ] || bad "no MBR signature (0x55aa) at byte 510: $sig"
[ "${mbr:0:2}" = 80 ] && [ "${mbr:8:2}" = 0c ] && [ "${mbr:16:8}" = 00080000 ] ||
	bad "partition 1 is not a bootable FAT32 (0x0c) partition at LBA 2048: $mbr"
export MTOOLS_SKIP_CHECK=1
M="$CARD@@$((2048 * 512))"
names=$(mdir -i "$M" -b ::/ 2>&1 | sed 's|^::/||' | sort | tr '\n' ' ')
want="bcm2711-rpi-4-b.dtb boot.cmd boot.scr bulkhead.img config.txt u-boot.bin "
[ "$names" = "$want" ] || bad "the FAT partition holds '$names', expected '$want'"

# Every file the same as built.
same() { # NAME SOURCE
	if ! mcopy -n -i "$M" "::/$1" "$W/$1" 2>"$W/err"; then bad "cannot read $1 back: $(cat "$W/err")"
	elif ! cmp -s "$W/$1" "$2"; then bad "$1 on the card differs from $2"
	else echo "ok   $1 ($(stat -c %s "$2") bytes) = $2"; fi
}
same bulkhead.img "$B/bulkhead.img"
same bcm2711-rpi-4-b.dtb "$DTB"
same config.txt "$ROOT/boards/rpi4/config.txt"
same u-boot.bin "$UBOOT"

# bulkhead.img: an arm64 Image ("ARM\x64" at 0x38) packed for rpi4's config.
[ "$(od -An -tx1 -j56 -N4 "$B/bulkhead.img" | tr -d ' \n')" = 41524d64 ] || bad "bulkhead.img is not an arm64 Image"
dtc -q -I dts -O dtb -o "$W/rpi4.dtb" "$ROOT/configs/rpi4.dts" &&
	grep -qaF "$(fdtget "$W/rpi4.dtb" /bulkhead/domain@1 devices)" "$B/bulkhead.img" ||
	bad "bulkhead.img does not carry configs/rpi4.dts (rt's device path not in it)"
# U-Boot: Debian's rpi_arm64 build.
grep -qa 'U-Boot 20' "$W/u-boot.bin" || bad "u-boot.bin has no U-Boot version string"
# config.txt: what the firmware needs to start U-Boot at EL2 with the UART.
for l in arm_64bit=1 kernel=u-boot.bin enable_uart=1 enable_gic=1 device_tree=bcm2711-rpi-4-b.dtb; do
	grep -qx "$l" "$W/config.txt" || bad "config.txt lacks the line $l"
done
# boot.scr: a U-Boot script image whose text is boot.cmd's, loading and
# booting the two files from the partition distro boot found it on.
if mcopy -n -i "$M" ::/boot.scr "$W/boot.scr" && mcopy -n -i "$M" ::/boot.cmd "$W/boot.cmd"; then
	mkimage -l "$W/boot.scr" | grep -q 'Script' || bad "boot.scr is not a U-Boot script image: $(mkimage -l "$W/boot.scr" 2>&1 | head -3)"
	len=$(od -An -tu4 --endian=big -j64 -N4 "$W/boot.scr" | tr -d ' ')
	tail -c +73 "$W/boot.scr" | head -c "$len" >"$W/script"
	cmp -s "$W/script" "$W/boot.cmd" || bad "boot.scr's script differs from boot.cmd"
	for re in '^load \$\{devtype\} \$\{devnum\}:\$\{distro_bootpart\} 0x08000000 bulkhead\.img$' \
		'^load \$\{devtype\} \$\{devnum\}:\$\{distro_bootpart\} \$\{fdt_addr_r\} bcm2711-rpi-4-b\.dtb$' \
		'^booti 0x08000000 - \$\{fdt_addr_r\}$'; do
		grep -qE "$re" "$W/script" || bad "boot.scr has no line matching $re; it is:$(sed 's/^/  | /' "$W/script")"
	done
	[ $fail -gt 0 ] || echo "ok   boot.scr: $(grep -c . "$W/script") lines, loads bulkhead.img at 0x08000000 and the DTB, booti"
else
	bad "cannot read boot.scr or boot.cmd back"
fi
# -p (boards whose boot ROM reads U-Boot from fixed sectors: RK3399 at 8 MiB,
# i.MX at 32 KiB): the partition starts there, the files are all in it.
if out=$(bash "$ROOT/tools/mk-sdcard.sh" -k "$B/bulkhead.img" -o "$W/p16.img" -d "$DTB" -p 16 2>&1); then
	start=$(od -An -tu4 --endian=little -j454 -N4 "$W/p16.img" | tr -d ' ')
	names=$(mdir -i "$W/p16.img@@$((16 << 20))" -b ::/ 2>&1 | sed 's|^::/||' | sort | tr '\n' ' ')
	mcopy -n -i "$W/p16.img@@$((16 << 20))" ::/bulkhead.img "$W/p16-bulkhead.img" 2>/dev/null
	if [ "$start" = 32768 ] && [ "$names" = "bcm2711-rpi-4-b.dtb boot.cmd boot.scr bulkhead.img " ] &&
		cmp -s "$W/p16-bulkhead.img" "$B/bulkhead.img"; then
		echo "ok   -p 16: partition 1 at sector 32768 (16 MiB) with the image, DTB and boot.scr"
	else
		bad "-p 16: partition 1 at sector $start (expected 32768), holding '$names', image the same: $(cmp "$W/p16-bulkhead.img" "$B/bulkhead.img" 2>&1 || true)"
	fi
else
	bad "mk-sdcard.sh -p 16 failed: $out"
fi
echo "$fail checks failed"
[ $fail -eq 0 ]
