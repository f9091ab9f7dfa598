#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# No page holding a device the hypervisor uses is mapped into a domain. The
# board DT here is QEMU virt's with its PL011 console described as 0x800
# bytes and another device in the rest of the same 4 KiB page, as the
# Raspberry Pi 4's mini-UART shares its page with aux/spi1/spi2. dom0 gets
# that device by default; at e493c49 that mapped the console's page into
# dom0, and tests/attacks/uart-page.S printed an unprefixed, forged line
# straight to the UART. Now the page is trapped: writes to the UART's
# registers reach dom0's emulated UART ("[dom0] ..."), and the neighbour's
# registers are forwarded, nothing else.
# timeout: 120
. "$(dirname "$0")/common.sh"
bh_attack uart-page "$W/uart-page.bin"
for gic in 3 2; do
	echo "case: GICv$gic"
	timeout 30 qemu-system-aarch64 -M virt,virtualization=on,gic-version=$gic,dumpdtb="$W/b.dtb" \
		-cpu cortex-a57 -smp 1 -m 1024 -nographic -nic none >/dev/null 2>&1
	fdtput -t x "$W/b.dtb" /pl011@9000000 reg 0 0x9000000 0 0x800
	fdtput -c "$W/b.dtb" /aux@9000800
	fdtput -t s "$W/b.dtb" /aux@9000800 compatible "test,aux"
	fdtput -t x "$W/b.dtb" /aux@9000800 reg 0 0x9000800 0 0x100
	cat >"$W/c.dts" <<'DTS'
/dts-v1/;
/ { bulkhead { domain@0 { label = "dom0"; role = "control"; cpus = <0>; memory-size = <0x0 0x800000>;
	kernel = "uart-page.bin"; }; }; };
DTS
	dtc -q -I dts -O dtb -o "$W/c.dtb" "$W/c.dts"
	off=0x$(aarch64-linux-gnu-nm "$ROOT/build/qemu-virt/hyp/bulkhead.elf" | awk '/ __payload_start$/{print $1}')
	"$ROOT/build/tools/bhpack" -o "$W/img" --hyp "$ROOT/build/qemu-virt/hyp/bulkhead.bin" --payload-offset "$off" \
		--config "$W/c.dtb" --board "$W/b.dtb" -I "$W" --dump-dt dom0="$W/dom0.dtb" >"$W/pack.log" 2>&1 ||
		{ echo "bhpack failed:"; cat "$W/pack.log"; exit 1; }
	if dtc -q -I dtb -O dts "$W/dom0.dtb" | grep -q 'aux@9000800'; then echo "  ok: dom0 has the device that shares the console's page"
	else echo "  FAIL: dom0 did not get aux@9000800 (the test would prove nothing)"; FAILS=$((FAILS + 1)); fi
	bh_boot kernel "$W/img" "$W/log$gic" 30 $gic cortex-a57 1 -dtb "$W/b.dtb"
	expect_not "$W/log$gic" "^FORGED" "no unprefixed line from dom0 on the console"
	expect "$W/log$gic" "^\[dom0\] FORGED-BY-DOM0" "dom0's writes reached its emulated UART"
	expect "$W/log$gic" "^bulkhead: domain dom0 powered off" "the hypervisor's console still works"
done
finish
