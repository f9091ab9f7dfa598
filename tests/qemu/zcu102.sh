#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The ZCU102 in emulation (QEMU xlnx-zcu102: 4x Cortex-A53, GIC-400, Cadence
# UART), started by tools/run-qemu.sh as `make run BOARD=xlnx-zcu102` does,
# with configs/xlnx-zcu102.dts and Debian's zynqmp-zcu102-rev1.0.dtb (4 GiB:
# DDR at 0 and at 32 GiB): the hypervisor's console on the Cadence UART,
# consoles prefixed; Linux dom0 (3 CPUs, its RAM above 4 GiB) reaches its
# userspace and a shell that takes typed input through the Cadence UART's
# receive interrupt; Ctrl-A three times moves input to rt and back while rt
# (the bare-metal test guest, CPU 3) runs its periodic task, which passes;
# dom0 powers off and the run ends by itself.
# timeout: 600
. "$(dirname "$0")/common.sh"
need_assets
DTB_SRC=$ASSETS/dtbs-arm64/xilinx/zynqmp-zcu102-rev1.0.dtb
[ -f "$DTB_SRC" ] || { echo "$DTB_SRC missing (make guest-assets)"; exit 77; }
HYP=$ROOT/build/qemu-virt/hyp
bash "$ROOT/boards/xlnx-zcu102/mkdtb.sh" "$DTB_SRC" 4096 "$W/board.dtb" || exit 1
linux_initrd "$W/initrd"
dtc -q -I dts -O dtb -o "$W/cfg.dtb" "$ROOT/configs/xlnx-zcu102.dts" || exit 1
off=0x$(aarch64-linux-gnu-nm "$HYP/bulkhead.elf" | awk '/ __payload_start$/{print $1}')
"$ROOT/build/tools/bhpack" -o "$W/img" --hyp "$HYP/bulkhead.bin" --payload-offset "$off" \
	--config "$W/cfg.dtb" --board "$W/board.dtb" -I "$ROOT/build/guests/aarch64" -I "$ASSETS" \
	--image initramfs-arm64.cpio.gz="$W/initrd" \
	--set "/bulkhead/domain@0:bootargs=console=ttyAMA0 nokaslr quiet bhtest=shell" \
	--set "/bulkhead/domain@1:bootargs=test=rt periods=20000" >"$W/pack.log" 2>&1 ||
	{ echo "bhpack failed:"; cat "$W/pack.log"; exit 1; }

run() { bash "$ROOT/tools/run-qemu.sh" -M xlnx-zcu102 -D "$W/board.dtb" -m 4096 -t 400 "$W/img"; }
A='\001\001\001'
log=$W/log
# rt's task (20000 ms) is still running while the focus goes round; dom0's
# shell comes later (a minute or more under TCG). Short lines: the emulated
# UART's receive FIFO holds 64 characters, as a real one overruns.
chat "$log" 450 \
	"\[rt\] TESTGUEST: rt: period" "$A" \
	"input now goes to domain rt" "$A" \
	"input now goes to domain dom0" '' \
	"\[dom0\] BULKHEAD-SHELL-READY" '' \
	"^\[dom0\] .*# " 'grep -c ^processor /proc/cpuinfo\n' \
	"^\[dom0\] 3" 'grep "System RAM" /proc/iomem\n' \
	"System RAM" 'echo in-dom0-$((1+1))\n' \
	"\[dom0\] in-dom0-2" 'poweroff -f\n' -- run
rc=$?
expect "$log" "^Bulkhead [0-9.]+: 4 CPUs, GICv2, 4096 MiB RAM, 2 domains" "banner: 4 CPUs, GICv2 (GIC-400), 4 GiB"
expect "$log" "console Cadence at 0xff000000" "the hypervisor's console is the Cadence UART"
expect "$log" "bulkhead: 4 of 4 CPUs online" "every CPU online"
expect "$log" "domain dom0 .* at 0x800000000 \(IPA 0x800000000\)" "dom0's RAM is in the bank at 32 GiB"
expect "$log" "^\[dom0\] BULKHEAD-GUEST-UP" "dom0 reaches its userspace (console: emulated PL011)"
expect "$log" "^\[dom0\] 3[[:space:]]*$" "dom0 sees its 3 CPUs"
expect "$log" "^\[dom0\] +800000000-81fffffff : System RAM" "dom0 sees its RAM above 4 GiB"
expect "$log" "^\[dom0\] in-dom0-2" "typed input reached dom0 (Cadence receive interrupt)"
expect "$log" "^bulkhead: console input now goes to domain rt" "Ctrl-A x3 moves input to rt"
expect "$log" "^bulkhead: console input now goes to domain dom0" "and back to dom0"
expect "$log" "^\[rt\] TESTGUEST: GICv2: GICD 0xf9010000, GICC 0xf9020000" "rt finds the GIC-400 in its DT"
expect "$log" "^\[rt\] TESTGUEST: PASS rt" "rt's periodic task passes"
expect "$log" "^bulkhead: domain dom0 powered off" "dom0 ends"
expect "$log" "^bulkhead: no domain left running: powering off" "the run ends by itself"
expect_not "$log" "hypervisor exception|TESTGUEST: FAIL|timed out" "no crash, failure or time-out"
[ "$rc" -eq 0 ] && echo "  ok: QEMU exited 0" || { echo "  FAIL: QEMU exited $rc"; FAILS=$((FAILS + 1)); }
finish
