#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Devices of two domains in one 4 KiB register page: every access traps and is
# forwarded only if it lies wholly inside the domain's own range. The board DT
# (QEMU's own, passed back with -dtb) gains small "devices" carved out of real
# registers: a owns the PL061's GPIODIR (4 bytes at 0x9030400), b its GPIOIS
# right after it. a's 8-byte read and write at its register would reach b's:
# both must be refused with an abort, and b's register must keep its value.
# a also owns fw-cfg (its forwarded accesses work: the "QEMU" signature), and
# b a range in fw-cfg's page where QEMU decodes nothing: the forwarded read
# takes an external abort at EL2, which must become an abort in b, not a
# hypervisor halt; a carries on.
# Domains that own devices see their RAM at its physical address, so they run
# copies of the test guest linked there.
# timeout: 120
. "$(dirname "$0")/common.sh"
board=$W/board-3-2.dtb # bh_pack checks the config against this one
timeout 30 qemu-system-aarch64 -M "virt,virtualization=on,gic-version=3,dumpdtb=$W/qemu.dtb" \
	-cpu cortex-a57 -smp 2 -m 1024 -nographic -nic none >/dev/null 2>&1
{ dtc -q -I dtb -O dts "$W/qemu.dtb"; cat <<'DTS'
/ {
	bhtest-a@9030400 { compatible = "bulkhead,test-register"; reg = <0x0 0x9030400 0x0 0x4>; };
	bhtest-b@9030404 { compatible = "bulkhead,test-register"; reg = <0x0 0x9030404 0x0 0x4>; };
	bhtest-hole@9020100 { compatible = "bulkhead,test-register"; reg = <0x0 0x9020100 0x0 0x100>; };
};
DTS
} | dtc -q -I dts -O dtb -o "$board" - || { echo "could not build the test board DT"; exit 1; }
cat >"$W/cfg.dts" <<'DTS'
/dts-v1/;
/ { bulkhead {
	a: domain@0 { label = "a"; cpus = <0>; memory-base = <0x0 0x50000000>; memory-size = <0x0 0x2000000>;
		kernel = "testguest-at-50080000.bin";
		bootargs = "test=shared-page role=a"; devices = "/bhtest-a@9030400", "/fw-cfg@9020000";
		dma-trusted; /* fw-cfg masters DMA */ };
	b: domain@1 { label = "b"; cpus = <1>; memory-base = <0x0 0x52000000>; memory-size = <0x0 0x2000000>;
		kernel = "testguest-at-52080000.bin";
		bootargs = "test=shared-page role=b"; devices = "/bhtest-b@9030404", "/bhtest-hole@9020100"; };
	channel@0 { between = <&a &b>; size = <0x1000>; };
}; };
DTS
echo "case: GICv3, a and b share the PL061's and fw-cfg's pages"
bh_pack "$W/img" "$W/cfg.dts" 3 2
log=$W/log
bh_boot kernel "$W/img" "$log" 60 3 cortex-a57 2 -dtb "$board"
expect "$log" '^\[a\] TESTGUEST: a: fw-cfg signature "QEMU"' "a's own forwarded device works"
expect "$log" "^\[a\] TESTGUEST: a: 8-byte read at its 4-byte register: abort" "a's 8-byte read past its range is refused"
expect "$log" "^\[a\] TESTGUEST: a: 8-byte write at its 4-byte register: abort" "a's 8-byte write past its range is refused"
expect "$log" "^\[b\] TESTGUEST: b: its register reads 0x5a " "b's register kept its value"
expect "$log" "^bulkhead: domain a: 8-byte read at 0x9030400 .* reaches past the end of its device's registers" "the hypervisor says why a was refused"
expect "$log" "^bulkhead: domain b: 4-byte read at 0x9020100 .* took an external abort from the device" "and that b's access aborted at the device"
expect "$log" "^\[b\] TESTGUEST: b: caught abort ESR=0x96000010 FAR=0x9020100" "the device's abort became b's synchronous external abort"
expect "$log" "^\[b\] TESTGUEST: PASS shared-page" "b passes"
expect "$log" "^\[a\] TESTGUEST: PASS shared-page" "a passes (b's abort did not touch it)"
expect "$log" "^bulkhead: no domain left running" "both powered off"
expect_not "$log" "hypervisor exception|halting the system" "the hypervisor survived"
finish
