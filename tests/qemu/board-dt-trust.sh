#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# What a board DT hands to domains is checked, not trusted. Each case boots
# QEMU virt with a DT that has one extra node and a control domain that
# stores to the hypervisor's memory (tests/attacks/poke.S). At e493c49 dom0
# received every such node and the store rewrote a hypervisor string:
# - a device whose 'reg' lies in RAM (here: on the hypervisor) is refused, at
#   build time and at boot;
# - a /chosen subnode (a boot framebuffer) and a disabled node are not dom0's:
#   not mapped, not in its DT; the store is caught and only dom0 stops;
# - /reserved-memory over the hypervisor stops the boot;
# - a device sharing the hypervisor console's interrupt is refused for a
#   domain that names it;
# - a console or GIC window in RAM is refused (bhpack and boot), and a
#   console that is memory is not written to.
# timeout: 300
. "$(dirname "$0")/common.sh"
HYP=$ROOT/build/qemu-virt/hyp/bulkhead.bin
OFF=0x$(aarch64-linux-gnu-nm "$ROOT/build/qemu-virt/hyp/bulkhead.elf" | awk '/ __payload_start$/{print $1}')
bh_attack poke "$W/poke.bin" "domain %s powered off"
printf '/dts-v1/;\n/ { bulkhead { domain@0 { label = "dom0"; role = "control"; cpus = <0>; memory-size = <0x0 0x800000>; kernel = "poke.bin"; }; }; };\n' >"$W/dom0.dts"
dtc -q -I dts -O dtb -o "$W/dom0.dtb" "$W/dom0.dts"

# board NAME SHELL-COMMANDS: QEMU virt's DT, then the commands (fdtput on $B)
board() {
	B=$W/$1.dtb
	timeout 30 qemu-system-aarch64 -M virt,virtualization=on,gic-version=3,dumpdtb="$B" \
		-cpu cortex-a57 -smp 1 -m 1024 -nographic -nic none >/dev/null 2>&1
	eval "$2"
}
# run NAME CONFIG.dtb: pack unchecked against the case's board, boot with it
run() {
	"$ROOT/build/tools/bhpack" --no-check -o "$W/$1.img" --hyp "$HYP" --payload-offset "$OFF" \
		--config "$2" -I "$W" >"$W/pack.log" 2>&1 || { echo "pack failed"; cat "$W/pack.log"; exit 1; }
	bh_boot kernel "$W/$1.img" "$W/$1.log" 30 3 cortex-a57 1 -dtb "$W/$1.dtb"
	BOOT_RC=$?
	expect_not "$W/$1.log" "PWNED" "the hypervisor's memory was not written"
}
check() { # check NAME CONFIG.dtb: bhpack's verdict against the case's board
	"$ROOT/build/tools/bhpack" --check-only --config "$2" --board "$W/$1.dtb" -I "$W" 2>&1
}

echo "case: a device node whose registers are the hypervisor's memory"
board ram-device 'fdtput -c $B /evil@40200000; fdtput -t s $B /evil@40200000 compatible test,evil; fdtput -t x $B /evil@40200000 reg 0 0x40200000 0 0x200000'
want='device "/evil@40200000": '"'"'reg'"'"' 0x40200000-0x403fffff lies in RAM'
out=$(check ram-device "$W/dom0.dtb")
if grep -qF "$want" <<<"$out"; then echo "  ok: build refuses: $out"; else echo "  FAIL: build: $out"; FAILS=$((FAILS + 1)); fi
run ram-device "$W/dom0.dtb"
expect "$W/ram-device.log" "board DT, for the control domain: device \"/evil@40200000\": 'reg' 0x40200000-0x403fffff lies in RAM" "boot refuses, naming the node"
expect "$W/ram-device.log" "boot stopped: no domain was started" "no domain starts"

for c in chosen disabled; do
	echo "case: a $c node over the hypervisor's memory is not dom0's"
	case $c in
	chosen) board chosen 'fdtput -c $B /chosen/framebuffer@40200000; fdtput -t s $B /chosen/framebuffer@40200000 compatible simple-framebuffer; fdtput -t x $B /chosen reg 0; fdtput -t x $B /chosen/framebuffer@40200000 reg 0 0x40200000 0 0x200000; fdtput -t x $B /chosen "#address-cells" 2; fdtput -t x $B /chosen "#size-cells" 2; fdtput -d $B /chosen reg; fdtput -t x $B /chosen ranges' ;;
	disabled) board disabled 'fdtput -c $B /evil@40200000; fdtput -t s $B /evil@40200000 compatible test,evil; fdtput -t x $B /evil@40200000 reg 0 0x40200000 0 0x200000; fdtput -t s $B /evil@40200000 status disabled' ;;
	esac
	out=$(check $c "$W/dom0.dtb")
	if grep -q "config OK" <<<"$out"; then echo "  ok: the config is fine: $out"; else echo "  FAIL: build: $out"; FAILS=$((FAILS + 1)); fi
	run $c "$W/dom0.dtb"
	expect "$W/$c.log" "^bulkhead: domain dom0 vCPU 0 \(CPU 0\): .*IPA 0x402[0-9a-f]+ outside its memory and devices" "dom0's store is caught"
	expect "$W/$c.log" "^bulkhead: domain dom0 stopped" "only dom0 stops"
done

echo "case: /reserved-memory over the hypervisor"
board resv 'fdtput -c $B /reserved-memory; fdtput -t x $B /reserved-memory "#address-cells" 2; fdtput -t x $B /reserved-memory "#size-cells" 2; fdtput -t x $B /reserved-memory ranges; fdtput -c $B /reserved-memory/evil@40200000; fdtput -t x $B /reserved-memory/evil@40200000 reg 0 0x40200000 0 0x200000'
run resv "$W/dom0.dtb"
expect "$W/resv.log" "the board DT reserves 0x40200000-0x403fffff, where the hypervisor was loaded" "boot refuses"
expect "$W/resv.log" "boot stopped: no domain was started" "no domain starts"

echo "case: a device sharing the console's interrupt, named for a domain"
board irq 'fdtput -c $B /gpio2@9040000; fdtput -t s $B /gpio2@9040000 compatible test,gpio; fdtput -t x $B /gpio2@9040000 reg 0 0x9040000 0 0x1000; fdtput -t x $B /gpio2@9040000 interrupts 0 1 4'
printf '/dts-v1/;\n/ { bulkhead { domain@0 { label = "a"; cpus = <0>; memory-size = <0x0 0x800000>; kernel = "poke.bin"; devices = "/gpio2@9040000"; }; }; };\n' |
	dtc -q -I dts -O dtb -o "$W/irq-cfg.dtb" -
want='device "/gpio2@9040000": interrupt 33 is the hypervisor console'"'"'s (/pl011@9000000)'
out=$(check irq "$W/irq-cfg.dtb")
if grep -qF "$want" <<<"$out"; then echo "  ok: build refuses: $out"; else echo "  FAIL: build: $out"; FAILS=$((FAILS + 1)); fi
run irq "$W/irq-cfg.dtb"
expect "$W/irq.log" "interrupt 33 is the hypervisor console's" "boot refuses too"
echo "case: dom0 keeps such a device, but not the console's line"
run irq "$W/dom0.dtb"
expect "$W/irq.log" "^bulkhead: domain dom0 vCPU 0 \(CPU 0\): .*outside its memory and devices" "dom0 boots (its store is caught)"
echo "case: the GIC distributor's 'reg' in RAM"
board gic-ram 'fdtput -t x $B /intc@8000000 reg 0 0x48000000 0 0x10000 0 0x80a0000 0 0xf60000'
want="DT: intc@8000000: 'reg' 0x48000000 is RAM, not a device"
out=$(check gic-ram "$W/dom0.dtb")
if grep -qF "$want" <<<"$out"; then echo "  ok: build refuses: $out"; else echo "  FAIL: build: $out"; FAILS=$((FAILS + 1)); fi
run gic-ram "$W/dom0.dtb"
expect "$W/gic-ram.log" "$want" "boot refuses, naming the node"
expect_not "$W/gic-ram.log" "domain dom0" "no domain starts"

# At 5e98045 the hypervisor took the console for a device and the page for
# RAM it could hand out, and printed its whole boot through it.
# Named other than memory@: QEMU replaces those with its own at boot.
echo "case: the console's 'reg' in RAM (a memory node over it)"
board con-ram 'fdtput -c $B /ram@9000000; fdtput -t s $B /ram@9000000 device_type memory; fdtput -t x $B /ram@9000000 reg 0 0x9000000 0 0x1000'
want="DT: /pl011@9000000: 'reg' 0x9000000 is RAM, not a device"
out=$(check con-ram "$W/dom0.dtb")
if grep -qF "$want" <<<"$out"; then echo "  ok: build refuses: $out"; else echo "  FAIL: build: $out"; FAILS=$((FAILS + 1)); fi
run con-ram "$W/dom0.dtb"
if [ "$BOOT_RC" -eq 0 ]; then echo "  ok: powered off"; else echo "  FAIL: QEMU exit status $BOOT_RC"; FAILS=$((FAILS + 1)); fi
expect_not "$W/con-ram.log" "." "boot refuses, writing nothing to a console that is memory"
finish
