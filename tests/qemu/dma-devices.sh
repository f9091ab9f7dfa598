#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# DMA masters reach a domain only when its config names them and marks it
# dma-trusted (without an IOMMU such a device reaches all memory); nothing
# that can DMA is handed to dom0 by default.
# - The attack found in review: a control domain given QEMU's fw-cfg by
#   default used its DMA interface to copy "QEMU" over the hypervisor's
#   "domain %s powered off" string (tests/attacks/fwcfg-dma.S). Now fw-cfg
#   is not mapped: the access is reported and only that domain stops.
# - dom0's DT (the default config) has no fw-cfg and no unused virtio-mmio
#   transports; a guest naming a DMA master without dma-trusted is refused,
#   at build time and at boot; naming one with dma-trusted works, for dom0 too.
# timeout: 300
. "$(dirname "$0")/common.sh"

echo "case: attack: fw-cfg DMA from a control domain onto the hypervisor"
bh_attack fwcfg-dma "$W/fwcfg-dma.bin" "domain %s powered off"
cat >"$W/attack.dts" <<'EOF'
/dts-v1/;
/ { bulkhead { domain@0 { label = "dom0"; role = "control"; cpus = <0>; memory-size = <0x0 0x800000>;
	kernel = "fwcfg-dma.bin"; on-fault = "stop"; }; }; };
EOF
bh_pack "$W/attack.img" "$W/attack.dts" 3 1 -I "$W"
bh_boot kernel "$W/attack.img" "$W/attack.log" 30 3 cortex-a57 1
expect_not "$W/attack.log" "QEMUin" "the hypervisor's memory was not written by fw-cfg DMA"
expect "$W/attack.log" "^bulkhead: domain dom0 vCPU 0 \(CPU 0\): .* IPA 0x9020010 outside its memory and devices" \
	"fw-cfg is not dom0's: the access is reported"
expect "$W/attack.log" "^bulkhead: domain dom0 stopped" "only that domain stops"

echo "case: dom0's DT in the default config has no DMA master it did not ask for"
bh_pack "$W/mixed.img" "$ROOT/configs/qemu-virt-mixed.dts" 3 4 --dump-dt dom0="$W/dom0.dtb" --dump-dt guest="$W/guest.dtb"
nodes=$(dtc -q -I dtb -O dts "$W/dom0.dtb" | grep -E '^\s[a-z].*\{$' | sed 's/^\s*//; s/ {$//')
if grep -qE '^(fw-cfg|virtio_mmio)@' <<<"$nodes"; then
	echo "  FAIL: dom0 still gets: $(grep -E '^(fw-cfg|virtio_mmio)@' <<<"$nodes" | head -3 | tr '\n' ' ')"; FAILS=$((FAILS + 1))
else echo "  ok: no fw-cfg, no virtio-mmio in dom0's DT ($(wc -l <<<"$nodes") nodes kept)"; fi
if grep -qE '^(pl061|pl031)@' <<<"$nodes"; then echo "  ok: devices that cannot DMA (GPIO, RTC) stay with dom0"
else echo "  FAIL: dom0 lost its GPIO/RTC"; FAILS=$((FAILS + 1)); fi
if dtc -q -I dtb -O dts "$W/guest.dtb" | grep -q 'virtio_mmio@a003e00'; then echo "  ok: the dma-trusted guest has its virtio disk"
else echo "  FAIL: the guest lost its virtio disk"; FAILS=$((FAILS + 1)); fi

echo "case: a DMA master needs dma-trusted (build time and boot)"
timeout 30 qemu-system-aarch64 -M virt,virtualization=on,gic-version=3,dumpdtb="$W/board.dtb" \
	-cpu cortex-a57 -smp 2 -m 1024 -nographic -nic none >/dev/null 2>&1
head -c 4096 /dev/zero >"$W/guest.bin"
for dev in /fw-cfg@9020000 /virtio_mmio@a000000; do
	printf '/dts-v1/;\n/ { bulkhead { domain@0 { label = "a"; cpus = <0>; memory-size = <0x0 0x800000>; kernel = "guest.bin"; devices = "%s"; }; }; };\n' "$dev" >"$W/u.dts"
	dtc -q -I dts -O dtb -o "$W/u.dtb" "$W/u.dts"
	want="\"$dev\" masters DMA"
	out=$("$ROOT/build/tools/bhpack" --check-only --config "$W/u.dtb" --board "$W/board.dtb" -I "$W" 2>&1)
	if [ $? -ne 0 ] && grep -qF "$want" <<<"$out"; then echo "  ok: build refuses $dev: $out"
	else echo "  FAIL: build accepted $dev or said something else: $out"; FAILS=$((FAILS + 1)); fi
	bh_pack "$W/u.img" "$W/u.dts" 3 2 --no-check -I "$W"
	bh_boot kernel "$W/u.img" "$W/u.log" 30 3 cortex-a57 2
	expect "$W/u.log" "$want .*add dma-trusted" "boot refuses $dev too"
	expect "$W/u.log" "boot stopped: no domain was started" "no domain starts"
done
printf '/dts-v1/;\n/ { bulkhead { domain@0 { label = "dom0"; role = "control"; cpus = <0>; memory-size = <0x0 0x800000>; kernel = "guest.bin"; devices = "/fw-cfg@9020000"; dma-trusted; }; }; };\n' >"$W/t.dts"
bh_pack "$W/t.img" "$W/t.dts" 3 2 -I "$W" --dump-dt dom0="$W/t.dtb"
if dtc -q -I dtb -O dts "$W/t.dtb" | grep -q 'fw-cfg@9020000'; then echo "  ok: a dma-trusted dom0 that names fw-cfg gets it"
else echo "  FAIL: a dma-trusted dom0 naming fw-cfg did not get it"; FAILS=$((FAILS + 1)); fi
finish
