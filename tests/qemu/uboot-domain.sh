#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# configs/qemu-virt-uboot.dts: a domain "fw" runs Debian's U-Boot (qemu_arm64
# build) in QEMU's firmware layout (its DT at the start of its RAM) beside a
# Linux dom0. U-Boot's distro boot finds extlinux/extlinux.conf on the
# domain's own virtio disk and boots the Linux kernel and initramfs there to
# userspace, every line under [fw]. Then the domain's OS is updated on its
# disk (a new extlinux.conf written into the disk image) and the next boot
# runs the new entry; Linux rebooting restarts the domain in the same layout:
# U-Boot again, which boots Linux again from the disk. GICv3 and GICv2.
# timeout: 600
. "$(dirname "$0")/common.sh"
need_assets
[ -f "$UBOOT" ] || { echo "SKIP: $UBOOT missing (u-boot-qemu)"; exit 77; }
CFG=$ROOT/configs/qemu-virt-uboot.dts
# The board's U-Boot loads the hypervisor above fw's RAM (the first 256 MiB)
# and boots it; fw's U-Boot reads the same flash environment, has no fw_cfg
# and runs its distro boot (the same line as `make run CONFIG=qemu-virt-uboot`).
uboot_env
sed -i 's/^bootcmd=.*/bootcmd=if qfw load 0x50000000 0x60000000; then booti 0x50000000 - ${fdtcontroladdr}; fi; run distro_bootcmd/' "$W/env.txt"
mkenvimage -s 0x40000 -o "$W/env.bin" "$W/env.txt" && truncate -s 64M "$W/env.bin"
bash "$ROOT/tools/mk-uboot-disk.sh" -k "$ASSETS/Image-arm64" -r "$ASSETS/initramfs-arm64.cpio.gz" \
	-a "console=ttyAMA0 nokaslr bhtest=report" -o "$W/disk.img" >/dev/null || exit 1
DISK=(-drive "if=none,file=$W/disk.img,format=raw,id=d0" -device virtio-blk-device,drive=d0)

for gic in 3 2; do
	echo "case: U-Boot in domain fw boots Linux from its disk, GICv$gic"
	bh_pack "$W/img" "$CFG" $gic 2 -I /usr/lib/u-boot/qemu_arm64 \
		--set "/bulkhead/domain@0:bootargs=console=ttyAMA0 nokaslr quiet bhtest=report"
	log=$W/log$gic
	bh_boot uboot "$W/img" "$log" 120 $gic cortex-a57 2 "${DISK[@]}"
	expect "$log" "^bulkhead: domain fw \(id 1\): .*256 MiB at 0x40000000 \(IPA 0x40000000\), kernel \"u-boot.bin\"" "fw's RAM at the board's RAM base"
	expect "$log" "^\[fw\] U-Boot 20[0-9.]+" "U-Boot's banner in fw"
	expect "$log" "^\[fw\] DRAM: +256 MiB" "U-Boot found its DT and its 256 MiB"
	expect "$log" "^\[fw\] Found /extlinux/extlinux.conf" "distro boot found extlinux.conf on fw's disk"
	expect "$log" "^\[fw\] Retrieving file: /Image" "and loaded the kernel from it"
	expect "$log" "^\[fw\] Starting kernel" "U-Boot started Linux"
	expect "$log" "^\[fw\] BULKHEAD-GUEST-UP" "Linux reached its userspace in fw"
	expect "$log" "^\[fw\] Linux .* aarch64" "fw's userspace ran uname"
	expect "$log" "^\[dom0\] BULKHEAD-GUEST-DONE" "dom0 ran beside it"
	expect "$log" "^bulkhead: no domain left running: powering off" "all ended, machine off"
	expect_not "$log" "hypervisor exception|external abort injected|No valid device tree" "no crash, no abort"
done

echo "case: fw's OS updated on its own disk boots the new entry"
cat > "$W/extlinux.conf" <<'CONF'
default updated
timeout 0
label updated
    kernel /Image
    initrd /initramfs.cpio.gz
    append console=ttyAMA0 nokaslr bhtest=virtio
CONF
MTOOLS_SKIP_CHECK=1 mcopy -o -i "$W/disk.img@@1048576" "$W/extlinux.conf" ::/extlinux/extlinux.conf || exit 1
log=$W/log-update
bh_boot uboot "$W/img" "$log" 120 2 cortex-a57 2 "${DISK[@]}"
expect "$log" "^\[fw\] 1:	updated" "U-Boot picked the updated entry"
expect "$log" "^\[fw\] virtio-device: virtio0" "the new entry ran: Linux drives fw's own disk"
expect "$log" "^\[fw\] disk-size: [0-9]+ sectors" "and reads it"

echo "case: Linux in fw reboots: the domain restarts into U-Boot, which boots Linux again"
sed -i 's/bhtest=virtio/bhtest=reboot/' "$W/extlinux.conf"
MTOOLS_SKIP_CHECK=1 mcopy -o -i "$W/disk.img@@1048576" "$W/extlinux.conf" ::/extlinux/extlinux.conf || exit 1
log=$W/log-reboot
bh_boot uboot "$W/img" "$log" 120 2 cortex-a57 2 "${DISK[@]}"
expect "$log" "^\[fw\] BULKHEAD-REBOOTING" "Linux asked for a reboot (PSCI SYSTEM_RESET)"
expect "$log" "^bulkhead: domain fw restarting \(restart 1\)" "the domain restarted"
expect_count "$log" "^\[fw\] Found /extlinux/extlinux.conf" 2 2 "U-Boot ran distro boot again after the restart"
expect "$log" "^\[fw\] restart count 1" "the restarted Linux saw its DT (restart count 1)"
expect "$log" "^bulkhead: domain fw powered off" "and powered off"
expect_not "$log" "hypervisor exception|external abort injected|No valid device tree" "no crash, no abort"
finish
