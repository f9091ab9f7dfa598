#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# configs/qemu-virt-mixed.dts: dom0 (Linux, CPUs 0-1), rt (bare metal, CPU 2)
# and guest (Linux, CPU 3) run concurrently with prefixed consoles. dom0's DT
# lacks the other domains' memory, CPUs and devices; the guest's DT holds only
# its own; the passed-through virtio-mmio disk works in the guest (Linux reads
# the marker on it) and is absent from dom0. Ctrl-A three times moves console
# input from dom0 to rt to guest (scripted stdin).
# timeout: 600
. "$(dirname "$0")/common.sh"
need_assets
linux_initrd "$W/initrd"
head -c 16M /dev/zero > "$W/disk.img"
printf 'BULKHEAD-DISK-MARKER-%s' 4242 | dd of="$W/disk.img" conv=notrunc status=none
DISK=(-drive "if=none,file=$W/disk.img,format=raw,id=d0" -device virtio-blk-device,drive=d0)
CFG=$ROOT/configs/qemu-virt-mixed.dts
for gic in 3 2; do
	echo "case: DT contents and the disk, GICv$gic"
	bh_pack "$W/img" "$CFG" $gic 4 --image initramfs-arm64.cpio.gz="$W/initrd" \
		--set "/bulkhead/domain@0:bootargs=console=ttyAMA0 nokaslr bhtest=dt" \
		--set "/bulkhead/domain@1:bootargs=test=rt periods=500" \
		--set "/bulkhead/domain@2:bootargs=console=ttyAMA0 nokaslr bhtest=virtio"
	log=$W/log$gic
	bh_boot kernel "$W/img" "$log" 300 $gic cortex-a57 4 "${DISK[@]}"
	expect "$log" "^Bulkhead [0-9.]+: 4 CPUs, GICv$gic, 1024 MiB RAM, 3 domains" "banner: 3 domains"
	for d in dom0 rt guest; do expect "$log" "^\[$d\] " "[$d] console visible"; done
	expect "$log" "^\[dom0\] dt-cpus: 2" "dom0 sees its 2 CPUs only"
	expect_count "$log" "^\[dom0\] dt-memory:" 1 1 "dom0 has one memory node (its own)"
	expect_not "$log" "^\[dom0\] dt-node: virtio_mmio@a003e00" "the guest's disk is not in dom0's DT"
	expect "$log" "^\[dom0\] dt-node: pl031@9010000" "dom0 keeps the devices no one else owns"
	expect "$log" "^\[guest\] virtio-device: virtio0" "virtio-mmio transport found in the guest"
	expect "$log" "^\[guest\] disk-says: BULKHEAD-DISK-MARKER-4242" "the guest reads its disk"
	expect "$log" "^\[rt\] TESTGUEST: rt: done 500 periods" "rt ran its periodic task"
	expect "$log" "^bulkhead: domain guest powered off" "guest ended"
	expect "$log" "^bulkhead: domain dom0 powered off" "dom0 ended"
	expect "$log" "^bulkhead: no domain left running: powering off" "all ended, machine off"
	expect_not "$log" "hypervisor exception|TESTGUEST: FAIL" "no crash, no failure"
done

echo "case: the guest's own DT"
bh_pack "$W/img" "$CFG" 3 4 --image initramfs-arm64.cpio.gz="$W/initrd" \
	--set "/bulkhead/domain@0:bootargs=console=ttyAMA0 nokaslr" \
	--set "/bulkhead/domain@1:bootargs=test=rt periods=200" \
	--set "/bulkhead/domain@2:bootargs=console=ttyAMA0 nokaslr bhtest=dt"
log=$W/log-dt
bh_boot kernel "$W/img" "$log" 300 3 cortex-a57 4 "${DISK[@]}"
expect "$log" "^\[guest\] dt-cpus: 1" "the guest sees 1 CPU"
expect "$log" "^\[guest\] dt-node: virtio_mmio@a003e00" "the guest has its disk"
expect_not "$log" "^\[guest\] dt-node: (pl031|pl061|fw-cfg|flash)" "and none of dom0's devices"

echo "case: console focus switching (Ctrl-A three times)"
bh_pack "$W/img" "$CFG" 3 4 --image initramfs-arm64.cpio.gz="$W/initrd" \
	--set "/bulkhead/domain@0:bootargs=console=ttyAMA0 nokaslr bhtest=shell" \
	--set "/bulkhead/domain@1:bootargs=test=rt periods=0" \
	--set "/bulkhead/domain@2:bootargs=console=ttyAMA0 nokaslr bhtest=shell"
log=$W/log-sw
A='\001\001\001'
bh_boot_interactive kernel "$W/img" "$log" 120 3 cortex-a57 4 \
	"\[guest\] BULKHEAD-SHELL-READY" '' \
	"^\[dom0\] [^ ]* # " 'echo in-dom0-$((1+1))\n' \
	"\[dom0\] in-dom0-2" "$A" \
	"input now goes to domain rt" "$A" \
	"input now goes to domain guest" 'echo in-guest-$((2+2))\n' \
	"\[guest\] in-guest-4" 'poweroff -f\n' \
	"domain guest powered off" "$A" \
	"input now goes to domain dom0" 'echo back-in-dom0\n' \
	"\[dom0\] back-in-dom0" "$A" \
	"\[dom0\] back-in-dom0" "$A" \
	"\[dom0\] back-in-dom0" 'poweroff -f\n' \
	"domain dom0 powered off" '\001q'
expect "$log" "^\[dom0\] in-dom0-2" "typed input reached dom0 first"
expect "$log" "^bulkhead: console input now goes to domain rt" "Ctrl-A x3 moves focus to rt"
expect "$log" "^\[guest\] in-guest-4" "then to guest: typed input reached the guest"
expect_not "$log" "^\[dom0\] in-guest-4|^\[guest\] in-dom0-2" "input went only to the focused domain"
expect "$log" "^bulkhead: domain dom0 powered off" "rt, then past the powered-off guest back to dom0: it powers off"
expect_count "$log" "input now goes to domain guest" 1 1 "focus went to guest once, then skipped it powered off"
expect "$log" "powering off at the console's request" "Ctrl-A q ends the run (rt runs forever)"
finish
