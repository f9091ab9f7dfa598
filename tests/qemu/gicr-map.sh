#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# GICv3 redistributors: the hypervisor maps only as many redistributor frames
# as the board has CPUs (QEMU's DT gives a region for 123 CPUs), and the
# whole region when a board CPU's frame is not among them. QEMU virt with 4
# CPUs, GICv3, and a DT without cpu@1: the board's 3 CPUs have MPIDRs 0, 2
# and 3, the last one's redistributor is the fourth frame. A one-CPU domain
# on each runs the test guest's GIC checks (its own SGIs and PPIs, the
# virtual timer's interrupt): each must pass, the last one's included.
# timeout: 300
. "$(dirname "$0")/common.sh"
HYP=$ROOT/build/qemu-virt/hyp

timeout 60 qemu-system-aarch64 -M "virt,virtualization=on,gic-version=3,dumpdtb=$W/virt.dtb" \
	-cpu cortex-a57 -smp 4 -m 1024 -nographic -nic none >/dev/null 2>&1 ||
	{ echo "cannot dump QEMU's virt DT"; exit 1; }
fdtput -r "$W/virt.dtb" /cpus/cpu-map && fdtput -r "$W/virt.dtb" /cpus/cpu@1 ||
	{ echo "cannot edit QEMU's virt DT"; exit 1; }

{
	echo '/dts-v1/; / { bulkhead { compatible = "bulkhead,config-v1";'
	for n in 0 1 2; do
		echo "domain@$n { label = \"$([ $n = 0 ] && echo dom0 || echo d$n)\"; cpus = <$n>;"
		echo "  memory-size = <0x0 0x1000000>; kernel = \"testguest.bin\";"
		echo "  bootargs = \"test=gic\"; on-fault = \"stop\"; };"
	done
	echo '}; };'
} | dtc -q -I dts -O dtb -o "$W/cfg.dtb" - || { echo "cannot build the config"; exit 1; }

off=0x$(aarch64-linux-gnu-nm "$HYP/bulkhead.elf" | awk '/ __payload_start$/{print $1}')
"$ROOT/build/tools/bhpack" -o "$W/img" --hyp "$HYP/bulkhead.bin" --payload-offset "$off" \
	--config "$W/cfg.dtb" --board "$W/virt.dtb" -I "$ROOT/build/guests/aarch64" >"$W/pack.log" 2>&1 ||
	{ echo "bhpack failed:"; cat "$W/pack.log"; exit 1; }

log=$W/log
timeout 120 qemu-system-aarch64 -M virt,virtualization=on,gic-version=3 -cpu cortex-a57 -smp 4 \
	-m 1024 -nographic -nic none -no-reboot -dtb "$W/virt.dtb" -kernel "$W/img" </dev/null >"$log" 2>&1
[ $? -eq 124 ] && echo "  (QEMU timed out)"
expect "$log" "^Bulkhead [0-9.]+: 3 CPUs, GICv3, 1024 MiB RAM, 3 domains" "banner: the DT's 3 CPUs"
expect "$log" "bulkhead: 3 of 3 CPUs online" "the listed CPUs start"
for d in dom0 d1 d2; do expect "$log" "^\[$d\] TESTGUEST: PASS gic" "[$d] passes its GIC checks"; done
expect "$log" "no domain left running: powering off" "machine powers off"
expect_not "$log" "hypervisor exception|TESTGUEST: FAIL" "no crash, no failure"
finish
