#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The partitioner on real board DTBs from Debian's arm64 kernel package: each
# board split into dom0 (all CPUs but the last) and a one-CPU domain owning one
# device. Checks (tests/host/partition_check.py): no resource in two domains,
# dom0's DT survives a dtc round trip and keeps every node it should, interrupt
# lists match.
# timeout: 300
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BH_CACHE=${BH_CACHE:-$HOME/.cache/bulkhead}
DTBS=${BH_ASSETS:-$BH_CACHE/guest-assets}/dtbs-arm64
BHPACK=$ROOT/build/tools/bhpack
[ -x "$BHPACK" ] || { echo "bhpack not built (run make first)"; exit 1; }
[ -d "$DTBS" ] || { echo "board DTBs not fetched ($DTBS missing; make guest-assets)"; exit 77; }
W=$(mktemp -d); trap 'rm -rf "$W"' EXIT
head -c 4096 /dev/zero > "$W/guest.bin"
fail=0
# board DTB | device for the second domain | RAM the bootloader would describe (root's cells)
while read -r dtb device mem; do
	name=$(basename "$dtb" .dtb)
	cp "$DTBS/$dtb" "$W/b.dtb" || { echo "FAIL $name: $DTBS/$dtb missing"; fail=$((fail + 1)); continue; }
	# What U-Boot does before booting us: describe the RAM.
	node=$(fdtget -l "$W/b.dtb" / | grep -m1 -E '^memory(@|$)' || true)
	if [ -z "$node" ]; then node=memory@0; fdtput -c "$W/b.dtb" /$node; fi
	fdtput -t s "$W/b.dtb" /$node device_type memory
	fdtput -t x "$W/b.dtb" /$node reg $mem
	ncpu=$(fdtget -l "$W/b.dtb" /cpus | grep -c '^cpu@')
	last=$((ncpu - 1))
	dom0_cpus=$(seq -s ' ' 0 $((last - 1)))
	cat > "$W/c.dts" <<DTS
/dts-v1/;
/ { bulkhead {
	domain@0 { label = "dom0"; role = "control"; cpus = <$dom0_cpus>; memory-size = <0x0 0x10000000>; kernel = "guest.bin"; };
	domain@1 { label = "rt"; cpus = <$last>; memory-size = <0x0 0x800000>; kernel = "guest.bin"; devices = "$device"; };
}; };
DTS
	dtc -q -I dts -O dtb -o "$W/c.dtb" "$W/c.dts"
	if ! out=$("$BHPACK" --check-only --config "$W/c.dtb" --board "$W/b.dtb" -I "$W" \
		--dump-dt dom0="$W/dom0.dtb" --dump-dt rt="$W/rt.dtb" 2>&1); then
		echo "FAIL $name: $out"; fail=$((fail + 1)); continue
	fi
	if ! dtc -q -I dtb -O dts "$W/dom0.dtb" | dtc -q -I dts -O dtb -o "$W/rt2.dtb" - 2>"$W/err"; then
		echo "FAIL $name: dom0 DT does not survive a dtc round trip: $(head -2 "$W/err")"
		fail=$((fail + 1)); continue
	fi
	if r=$(python3 "$ROOT/tests/host/partition_check.py" "$W/b.dtb" "$W/dom0.dtb" "$W/rt.dtb" "$last" "$device"); then
		echo "ok   $name ($ncpu CPUs, rt owns $device): $(tail -1 <<<"$r")"
	else
		echo "FAIL $name:"; echo "$r"; fail=$((fail + 1))
	fi
done <<'BOARDS'
broadcom/bcm2711-rpi-4-b.dtb /soc/gpio@7e200000 0x0 0x0 0x40000000
xilinx/zynqmp-zcu102-rev1.0.dtb /axi/serial@ff010000 0x0 0x0 0x0 0x80000000
freescale/imx8mp-evk.dtb /soc@0/bus@30800000/serial@30860000 0x0 0x40000000 0x0 0xc0000000
rockchip/rk3399-rockpro64.dtb /serial@ff180000 0x0 0x0 0x0 0x80000000
ti/k3-am654-base-board.dtb /bus@100000/serial@2810000 0x0 0x80000000 0x0 0x80000000
BOARDS
# A device whose interrupt line is shared with one that stays in dom0 (the
# Raspberry Pi 4's PL011s all use SPI 153) must be refused, naming both. The
# Pi's DT disables uart2-5: dom0 does not take disabled devices, so the line
# is only split once one of them is enabled.
cp "$DTBS/broadcom/bcm2711-rpi-4-b.dtb" "$W/b.dtb"
fdtput -t x "$W/b.dtb" /memory@0 reg 0x0 0x0 0x40000000
printf '/dts-v1/;\n/ { bulkhead { domain@0 { label = "dom0"; role = "control"; cpus = <0 1 2>; memory-size = <0x0 0x10000000>; kernel = "guest.bin"; }; domain@1 { label = "rt"; cpus = <3>; memory-size = <0x0 0x800000>; kernel = "guest.bin"; devices = "/soc/serial@7e201000"; }; }; };\n' |
	dtc -q -I dts -O dtb -o "$W/c.dtb" -
if out=$("$BHPACK" --check-only --config "$W/c.dtb" --board "$W/b.dtb" -I "$W" 2>&1); then
	echo "ok   bcm2711-rpi-4-b: SPI 153 with uart2-5 disabled is not shared: $out"
else
	echo "FAIL bcm2711-rpi-4-b: refused although the other users of SPI 153 are disabled: $out"; fail=$((fail + 1))
fi
fdtput -t s "$W/b.dtb" /soc/serial@7e201400 status okay
out=$("$BHPACK" --check-only --config "$W/c.dtb" --board "$W/b.dtb" -I "$W" 2>&1)
want='interrupt 153 of "/soc/serial@7e201000" is shared with "/soc/serial@7e201400"'
if grep -qF "$want" <<<"$out"; then
	echo "ok   bcm2711-rpi-4-b: a shared interrupt line is refused: $out"
else
	echo "FAIL bcm2711-rpi-4-b shared line: expected \"$want\", got: $out"; fail=$((fail + 1))
fi
echo "$fail boards failed"
[ $fail -eq 0 ]
