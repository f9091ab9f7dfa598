#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The x86 port reads the same config format as arm64 (a DTB from dtc) and
# checks it at boot with the same code (dt/plan.c) against the board it
# built from firmware (Multiboot memory map, ACPI MADT): a malformed config is refused
# with the shared message naming the node and property, before any guest
# runs. What the port cannot do yet is refused by name; a missing image is
# named; on-fault = "halt" halts the system when its domain faults (the
# other CPU kicked out of its guest, not waited on for a second), and
# on-fault = "restart" restarts it through the common domain code
# (common/domain.c: its RAM scrubbed, its image and command line reloaded),
# which also answers its hypercalls (common/hypercall.c: its own state and
# restarts; another domain's refused, no policy granting it), and enters it
# with the segments its VMCB holds (FS, GS, TR: VMLOAD), whatever the CPU
# held: neither its earlier life's TR nor the hypervisor's, and the
# hypervisor gets its own TR back at each exit (bhtest=restartdf: its #DF
# at the restart, after the guest's LTR, reported from its own IST
# stack). A domain the
# policy lets restart another does so while that one spins in its guest
# without an exit: the kick (an IPI) ends its run on its CPU.
# timeout: 150
. "$(dirname "$0")/x86-common.sh"

# refused NAME REGEX WHAT DOMAINS: the config is refused with that message
# at boot (packed with --no-check: the hypervisor's own check is tested).
refused() {
	echo "case: $1"
	x86_config "$1" "$4" --no-check
	x86_boot "$W/$1.log" 30 "$W/$1.img" -smp 2; rc=$?
	expect_rc $rc 3 "failure power-off"
	expect "$W/$1.log" "$2" "$3"
	expect "$W/$1.log" "^bulkhead: boot stopped: no domain was started" "nothing started"
	expect_not "$W/$1.log" "TESTGUEST|\*\*\*" "no guest ran, nothing crashed"
}

refused cpu-absent "^bulkhead: config /bulkhead/domain@0: 'cpus' names CPU 2 but the board has 2 CPUs \\(0-1\\)" \
	"a CPU the MADT does not list (shared check)" "$(x86_domain 0 a 2)"
refused unknown-prop "^bulkhead: config /bulkhead/domain@0: unknown property 'colour'" \
	"an unknown property (shared check)" "$(x86_domain 0 a 0 'colour = "red";')"
refused same-cpu "^bulkhead: config /bulkhead/domain@1: .*CPU 0" \
	"two domains on one CPU (shared check)" "$(x86_domain 0 a 0)$(x86_domain 1 b 0)"
refused devices "^bulkhead: config: domain a: 'devices': passthrough is not supported on x86 yet" \
	"passthrough refused by name" "$(x86_domain 0 a 0 'devices = "/serial";')"
refused no-kernel "^bulkhead: domain a: image \"other.bin\" is not in the boot image" \
	"a kernel the payload lacks" \
	'  domain@0 { label = "a"; cpus = <0>; memory-size = <0x0 0x400000>; kernel = "other.bin"; };'
# The domains' RAM comes from the common free memory (common/boot.c's
# boot_memory: the memory map's RAM less the hypervisor and its heap):
# 2 x 256 MiB cannot fit in QEMU's 512 MiB, and the second is named.
refused no-room "^bulkhead: domain b: cannot allocate 256 MiB of memory \\([0-9]+ MiB free\\)" \
	"RAM the board lacks, named" \
	'  domain@0 { label = "a"; cpus = <0>; memory-size = <0x0 0x10000000>; kernel = "testguest-x86.bin"; };
  domain@1 { label = "b"; cpus = <1>; memory-size = <0x0 0x10000000>; kernel = "testguest-x86.bin"; };'
echo "case: an image larger than its domain's memory above 1 MiB"
head -c 1536K /dev/zero >"$W/big.bin"
x86_config small '  domain@0 { label = "a"; cpus = <0>; memory-size = <0x0 0x200000>; kernel = "big.bin"; };' --no-check
x86_boot "$W/small.log" 30 "$W/small.img"; rc=$?
expect_rc $rc 3 "failure power-off"
expect "$W/small.log" "^bulkhead: domain a: image \"big.bin\" does not fit its memory-size above 1 MiB" "named"
expect "$W/small.log" "^bulkhead: boot stopped: no domain was started" "nothing started"

# on-fault = "halt" while the other domain spins in its guest (no exit:
# only the kick ends its run) or exits for ever (the kick may be taken
# after one of those exits, as GIF is set, and end no run: svm_exit parks
# it at any exit).
for other in spin exits; do
	echo "case: on-fault = \"halt\", the other domain test=$other"
	x86_config halt "$(x86_domain 0 a 0 'bootargs = "test=npf"; on-fault = "halt";')$(x86_domain 1 b 1 "bootargs = \"test=$other\";")"
	x86_boot "$W/halt.log" 30 "$W/halt.img" -smp 2; rc=$?
	expect_rc $rc 3 "failure power-off"
	expect "$W/halt.log" "^bulkhead: domain a: read at guest physical 0x30000000 outside its partition .*; on-fault = \"halt\": halting the system" "the system halts"
	expect_not "$W/halt.log" "no domain left running|power off \(done\)" "the system did not go on to a clean end"
	expect_not "$W/halt.log" "did not stop within a second" \
		"b's CPU stopped at once (kicked, parked at its next exit): no second's wait"
done

echo "case: on-fault = \"restart\""
x86_config restart "$(x86_domain 0 a 0 'bootargs = "test=restart"; on-fault = "restart";')$(x86_domain 1 b 1)"
x86_boot "$W/restart.log" 60 "$W/restart.img" -smp 2; rc=$?
expect_rc $rc 1 "clean power-off after both"
L="^\[a\] TESTGUEST x86:"
expect "$W/restart.log" "$L domain id 0, vCPU 0 of 1, state 0, restarts 0; query of domain 1: -3" \
	"first life: its id, state and restart count from the core; the peer's state denied"
expect "$W/restart.log" "$L marker from an earlier life: 0x0" "first life: the marker word is zero"
expect "$W/restart.log" "^bulkhead: domain a: read at guest physical 0x30000000 outside its partition .*; on-fault = \"restart\"" \
	"the fault reported with the on-fault action"
expect "$W/restart.log" "^bulkhead: domain a restarting \(restart 1\)" "the domain restarts"
expect "$W/restart.log" "$L domain id 0, vCPU 0 of 1, state 0, restarts 1; query of domain 1: -3" "second life: restarts 1"
expect_count "$W/restart.log" "$L marker from an earlier life: 0x0" 2 2 "second life: the marker is zero again (RAM scrubbed)"
expect_count "$W/restart.log" "$L entered with FS 0x10, GS 0x10; TR 0x0[[:space:]]*$" 2 2 \
	"both lives entered with the VMCB's flat FS and GS, and no TR (VMLOAD), not what the CPU held"
expect "$W/restart.log" "$L loaded TR 0x18, FS 0x0" "first life: its own TSS loaded (LTR), a null FS"
expect "$W/restart.log" "$L after its exits: TR 0x18, FS 0x0[[:space:]]*$" \
	"first life: both still its own after exits (VMSAVE after each run), not its VMCB's first ones"
expect "$W/restart.log" "$L done" "second life: runs to its end"
expect "$W/restart.log" "^bulkhead: domain a powered off" "and powers off"
expect "$W/restart.log" "^\[b\] TESTGUEST x86: done" "the other domain ran on"
expect_not "$W/restart.log" "restart 2|NOT CAUGHT|\*\*\*" "one restart only, nothing crashed"

echo "case: a #DF in the hypervisor after a guest loaded its own TSS"
x86_boot "$W/restartdf.log" 60 "$W/restart.img" -smp 2 -append "bhtest=restartdf"; rc=$?
expect_rc $rc 3 "failure power-off (a reset, QEMU's 0, would be a triple fault on the guest's TSS)"
expect "$W/restartdf.log" "$L loaded TR 0x18" "first life: its own TSS loaded (LTR)"
expect "$W/restartdf.log" "^\*\*\* hypervisor exception on the CPU of APIC ID 0: vector 8 #DF double fault" \
	"the #DF reported from the host's own IST stack: its TR restored at each exit (VMLOAD)"
expect "$W/restartdf.log" "RSP 0x0000040000000000\s*$" "the stack pointer it interrupted"

echo "case: a peer's restart of a domain spinning in its guest"
x86_config kick "$(x86_domain 0 k 0 'type = "k_t"; bootargs = "test=kick";')$(x86_domain 1 s 1 'type = "s_t"; bootargs = "test=spin";')
  policy { allow = \"k_t s_t : domain { restart }\"; };"
x86_boot "$W/kick.log" 60 "$W/kick.img" -smp 2; rc=$?
expect_rc $rc 1 "clean power-off after both"
expect "$W/kick.log" "^\[s\] TESTGUEST x86: spinning without an exit" "s spins in its guest"
expect "$W/kick.log" "^bulkhead: domain k restarts domain s \(policy: k_t s_t : domain \{ restart \}\)" \
	"the restart, checked by the policy"
expect "$W/kick.log" "^\[k\] TESTGUEST x86: restart of domain 1: 0[[:space:]]*$" "k's hypercall answered OK"
expect "$W/kick.log" "^\[s\] TESTGUEST x86: restarted by a peer \(restarts 1\)" "s left its spin and restarted"
expect "$W/kick.log" "^\[s\] TESTGUEST x86: done" "s's second life ran to its end"
finish
