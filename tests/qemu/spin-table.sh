#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Spin-table bring-up: a stub firmware of our own (tests/firmware/spin-stub.S,
# QEMU -bios) parks the secondary CPUs on release addresses, as the Raspberry
# Pi's armstub does, and starts Bulkhead on CPU 0 with a DT whose CPUs say
# enable-method = "spin-table". Released CPUs arrive with garbage in x0..x3:
# each must find its own stack and per-CPU data by MPIDR. Four CPUs, four
# one-CPU domains (the test guest), each must reach PASS on its own CPU, on
# GICv2 and GICv3. Then firmware that releases every CPU with one write and a
# DT that lists only three of four: the fourth is parked, with a message.
# timeout: 600
. "$(dirname "$0")/common.sh"
MBOX=0x40100000
HYP=$ROOT/build/qemu-virt/hyp

stub() { # OUT [cpp flags]: the stub firmware, as a raw binary at 0
	local out=$1; shift
	aarch64-linux-gnu-gcc -nostdlib -static -Wl,-Ttext=0 -Wl,--build-id=none "$@" \
		-o "$W/stub.elf" "$ROOT/tests/firmware/spin-stub.S" &&
		aarch64-linux-gnu-objcopy -O binary "$W/stub.elf" "$out" ||
		{ echo "cannot build tests/firmware/spin-stub.S"; exit 1; }
}

# board_dt OUT GIC SMP LISTED SHARED: QEMU's own virt DT, its CPUs switched
# to spin-table (release address MBOX + 8 * n, or MBOX for all when SHARED),
# only the first LISTED CPUs kept, and the release addresses reserved.
board_dt() {
	local out=$1 gic=$2 smp=$3 listed=$4 shared=$5 n
	timeout 60 qemu-system-aarch64 -M "virt,virtualization=on,gic-version=$gic,dumpdtb=$W/virt.dtb" \
		-cpu cortex-a57 -smp "$smp" -m 1024 -nographic -nic none >/dev/null 2>&1 ||
		{ echo "cannot dump QEMU's virt DT"; exit 1; }
	for n in $(seq 0 $((smp - 1))); do
		if [ "$n" -ge "$listed" ]; then fdtput -r "$W/virt.dtb" "/cpus/cpu@$n"; continue; fi
		fdtput -t s "$W/virt.dtb" "/cpus/cpu@$n" enable-method spin-table
		fdtput -t x "$W/virt.dtb" "/cpus/cpu@$n" cpu-release-addr 0 \
			$(printf '%x' $((MBOX + (shared ? 0 : 8 * n))))
	done
	{ echo "/memreserve/ $MBOX 0x1000;"; dtc -q -I dtb -O dts "$W/virt.dtb" | grep -v '^/dts-v1/;'; } |
		sed '1i /dts-v1/;' | dtc -q -I dts -O dtb -o "$out" - || { echo "cannot build the board DT"; exit 1; }
}

# config OUT NCPUS: one test-guest domain per CPU.
config() {
	local out=$1 ncpus=$2 n
	{
		echo '/dts-v1/; / { bulkhead { compatible = "bulkhead,config-v1";'
		for n in $(seq 0 $((ncpus - 1))); do
			echo "domain@$n { label = \"$([ $n = 0 ] && echo dom0 || echo d$n)\"; cpus = <$n>;"
			echo "  memory-size = <0x0 0x1000000>; kernel = \"testguest.bin\";"
			echo "  bootargs = \"test=basic\"; on-fault = \"stop\"; };"
		done
		echo '}; };'
	} | dtc -q -I dts -O dtb -o "$out" - || { echo "cannot build the config"; exit 1; }
}

pack() { # OUT CONFIG BOARD
	local off
	off=0x$(aarch64-linux-gnu-nm "$HYP/bulkhead.elf" | awk '/ __payload_start$/{print $1}')
	"$ROOT/build/tools/bhpack" -o "$1" --hyp "$HYP/bulkhead.bin" --payload-offset "$off" \
		--config "$2" --board "$3" -I "$ROOT/build/guests/aarch64" >"$W/pack.log" 2>&1 ||
		{ echo "bhpack failed:"; cat "$W/pack.log"; exit 1; }
}

boot() { # IMG BOARD STUB LOG GIC SMP
	timeout 120 qemu-system-aarch64 -M "virt,virtualization=on,gic-version=$5" -cpu cortex-a57 \
		-smp "$6" -m 1024 -display none -monitor none -chardev stdio,id=con,signal=off \
		-serial chardev:con -nic none -no-reboot -bios "$3" -dtb "$2" \
		-device "loader,file=$1,addr=0x40200000,force-raw=on" </dev/null >"$4" 2>&1
	[ $? -eq 124 ] && echo "  (QEMU timed out)"
}

stub "$W/stub.bin"
config "$W/cfg4.dtb" 4
for gic in 2 3; do
	echo "case: GICv$gic, 4 CPUs, a release address each"
	board_dt "$W/board.dtb" $gic 4 4 0
	pack "$W/img" "$W/cfg4.dtb" "$W/board.dtb"
	log=$W/log$gic
	boot "$W/img" "$W/board.dtb" "$W/stub.bin" "$log" $gic 4
	expect "$log" "^Bulkhead [0-9.]+: 4 CPUs, GICv$gic, 1024 MiB RAM, 4 domains" "banner"
	expect "$log" "bulkhead: 4 of 4 CPUs online" "every CPU started by spin-table"
	for d in dom0 d1 d2 d3; do
		n=${d#d}; [ $d = dom0 ] && n=0
		expect "$log" "^\[$d\] TESTGUEST: domain $n vcpu 0/1" "[$d] runs"
		expect "$log" "^\[$d\] TESTGUEST: PASS basic" "[$d] passes"
	done
	expect "$log" "no domain left running: powering off" "machine powers off"
	expect_not "$log" "hypervisor exception|TESTGUEST: FAIL" "no crash, no failure"
done

echo "case: one release address for all, the DT lists 3 of 4 CPUs"
stub "$W/stub-shared.bin" -DSHARED_MBOX
config "$W/cfg3.dtb" 3
board_dt "$W/board3.dtb" 3 4 3 1
pack "$W/img3" "$W/cfg3.dtb" "$W/board3.dtb"
log=$W/log-stray
boot "$W/img3" "$W/board3.dtb" "$W/stub-shared.bin" "$log" 3 4
expect "$log" "bulkhead: 3 of 3 CPUs online" "the listed CPUs start"
expect "$log" "CPU with MPIDR 0x3 is not in the DT's /cpus: parked" "the unlisted one is parked, and says so"
for d in dom0 d1 d2; do expect "$log" "^\[$d\] TESTGUEST: PASS basic" "[$d] passes"; done
expect "$log" "no domain left running: powering off" "machine powers off"
expect_not "$log" "hypervisor exception|TESTGUEST: FAIL" "no crash, no failure"
finish
