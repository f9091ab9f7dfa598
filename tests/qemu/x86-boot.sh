#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The x86 port boots: Multiboot entry (QEMU -kernel) into long mode, the
# banner on the 16550 (its CPU count from the ACPI MADT), power-off ending
# QEMU by itself (isa-debug-exit, else ACPI S5). A fault in the hypervisor (bhtest=pf: a read of an unmapped address) gives a decoded
# report (vector name, error code in words, CR2, registers) and a failure
# power-off, never a hang; so does a fault on a broken stack (bhtest=df,
# apdf: a push onto an unmapped stack pointer, on the boot CPU or on a
# secondary CPU as it starts), whose #DF each CPU takes on its own stack
# (its TSS's IST1), where it would otherwise reset the machine silently (a
# triple fault). A secondary CPU runs with its caches on (CR0.CD, NW clear:
# INIT sets them).
# timeout: 120
. "$(dirname "$0")/x86-common.sh"

x86_config one "$(x86_domain 0 solo 0)"
echo "case: plain boot"
x86_boot "$W/boot.log" 30 "$W/one.img"; rc=$?
expect_rc $rc 1 "the hypervisor powered off cleanly"
expect "$W/boot.log" "^Bulkhead [0-9]+\.[0-9]+\.[0-9]+: 1 CPUs, local APIC, [0-9]+ MiB RAM, 1 domain\s*$" "banner (common/boot.c's)"
expect "$W/boot.log" "^bulkhead: hypervisor at 0x100000-0x[0-9a-f]+, console 16550 at 0x3f8, ACPI MADT\s*$" "where it lies, its console (COM1, I/O port 0x3f8), the firmware tables it read"
expect "$W/boot.log" "^bulkhead: power off \(done\)" "power-off message"
expect_not "$W/boot.log" "\*\*\*" "no exception"

# The CPUs come from the ACPI MADT: enabled entries only (QEMU lists the
# CPUs it could hot-plug as disabled).
for m in "pc:3:3:3" "q35:4:4:4" "pc:2,maxcpus=4:2:2 of 4 possible"; do
	IFS=: read -r machine smp want what <<<"$m"
	echo "case: $machine, -smp $smp"
	x86_boot "$W/smp.log" 30 "$W/one.img" -M "$machine" -smp "$smp"; rc=$?
	expect_rc $rc 1 "clean power-off"
	expect "$W/smp.log" "^Bulkhead [0-9.]+: $want CPUs," "$what CPUs found in the MADT"
done

# Without QEMU's debug-exit device, as on hardware: ACPI S5 (the FADT's PM1
# control ports, the DSDT's \_S5 types) powers the machine off.
for machine in pc q35; do
	echo "case: $machine without isa-debug-exit"
	X86_NO_DEBUG_EXIT=1 x86_boot "$W/s5.log" 30 "$W/one.img" -M "$machine"; rc=$?
	expect_rc $rc 0 "QEMU ended by ACPI S5"
	expect "$W/s5.log" "^bulkhead: power off \(done\)" "clean power-off"
	expect_not "$W/s5.log" "halted" "no halt instead"
done

echo "case: the hypervisor alone, without bhpack's payload"
x86_boot "$W/nopayload.log" 30 "$X86_HYP/bulkhead.bin"; rc=$?
expect_rc $rc 3 "failure power-off"
expect "$W/nopayload.log" "^bulkhead: this image carries no payload \(config and guest images\): build it with tools/bhpack" \
	"the shared message (common/package.c)"

echo "case: a page fault in the hypervisor"
x86_boot "$W/pf.log" 30 "$W/one.img" -append "bhtest=pf"; rc=$?
expect_rc $rc 3 "failure power-off"
expect "$W/pf.log" "^\*\*\* hypervisor exception on the CPU of APIC ID 0: vector 14 #PF page fault, error code 0x0 \[not present, read, supervisor\]" "decoded #PF"
expect "$W/pf.log" "CR2 0x0000040000000000 " "CR2 names the address"
expect "$W/pf.log" "RIP 0x0000000000100[0-9a-f]{3} " "RIP inside the image"
expect "$W/pf.log" "RAX 0x[0-9a-f]{16} +RBX" "registers"

x86_config two "$(x86_domain 0 a 0)$(x86_domain 1 b 1)"
for t in df:0 apdf:1; do
	IFS=: read -r arg id <<<"$t"
	echo "case: a fault on a broken stack in the hypervisor, on the CPU of APIC ID $id"
	x86_boot "$W/$arg.log" 30 "$W/two.img" -smp 2 -append "bhtest=$arg"; rc=$?
	expect_rc $rc 3 "failure power-off (a reset, QEMU's 0 under -no-reboot, would be a triple fault)"
	expect "$W/$arg.log" "^\*\*\* hypervisor exception on the CPU of APIC ID $id: vector 8 #DF double fault, error code 0x0" \
		"the #DF reported, from its own stack"
	expect "$W/$arg.log" "RSP 0x0000040000000000\s*$" "the stack pointer it interrupted"
	cr0=$(sed -n 's/^ *CR0 0x\([0-9a-f]*\) .*/\1/p' "$W/$arg.log")
	if [ -n "$cr0" ] && (((0x$cr0 >> 29 & 3) == 0)); then echo "  ok: caches on (CR0 0x$cr0)"; else
		echo "  FAIL: CR0.CD or NW set, or no CR0 reported (CR0 0x$cr0)"; FAILS=$((FAILS + 1)); fi
done
finish
