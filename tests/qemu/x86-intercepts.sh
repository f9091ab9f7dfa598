#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# What the x86 port intercepts, each as docs/x86.md says, one domain per
# behaviour on its own CPU: an absent MSR gets #GP (reported once), an SVM
# instruction #UD (the guest's own handlers see them), an absent I/O port
# reads all-ones (reported once per port), string I/O stops the domain, HLT
# with nothing to wake the vCPU turns it off, the UART's control bytes never
# reach the console (no escape sequence over other domains' lines). The
# others run on; the machine powers off cleanly when all have ended.
# timeout: 120
. "$(dirname "$0")/x86-common.sh"

echo "case: six domains, one intercept each, in two machines of three CPUs"
# Three CPUs each: six emulated CPUs on a loaded two-core host starve the
# one holding the console long enough for the others' bounded waits to
# give up (the console then counts the lines as lost, not printed).
: >"$W/five.log"
for set in "msr vmrun port" "outs hlt esc"; do
	doms=""
	i=0
	for t in $set; do
		doms+=$(x86_domain $i "$t" $i "bootargs = \"test=$t\";")
		i=$((i + 1))
	done
	x86_config three "$doms"
	x86_boot "$W/three.log" 60 "$W/three.img" -smp 3; rc=$?
	expect_rc $rc 1 "clean power-off after $set"
	expect "$W/three.log" "^bulkhead: no domain left running: powering off" "$set: all ended"
	cat "$W/three.log" >>"$W/five.log"
done
expect "$W/five.log" "^bulkhead: domain msr: read of MSR 0x1b refused: #GP injected \(reported once\)" "MSR read reported"
expect "$W/five.log" "^\[msr\] TESTGUEST x86: caught vector 13" "the guest got #GP"
expect "$W/five.log" "^\[vmrun\] TESTGUEST x86: caught vector 6" "VMRUN: the guest got #UD"
expect "$W/five.log" "^bulkhead: domain port: read of I/O port 0x60: nothing there \(reported once\)" "absent port reported"
expect "$W/five.log" "^\[port\] TESTGUEST x86: port 0x60 reads 0xff, again 0xff, port 0x61 0xff" "absent ports read all-ones"
expect "$W/five.log" "^bulkhead: domain port: read of I/O port 0x61: nothing there \(reported once\)" "another port reported too"
expect_count "$W/five.log" "^bulkhead: domain port: read of I/O port 0x60" 1 1 "port 0x60 reported once"
expect "$W/five.log" "^\[port\] TESTGUEST x86: 32-bit IN from port 0x64 leaves RAX 0xffffffff[[:space:]]*$" \
	"a 32-bit IN zero-extends into RAX"
expect "$W/five.log" "^\[port\] TESTGUEST x86: done" "and the domain goes on"
expect "$W/five.log" "^bulkhead: domain outs stopped: string I/O \(INS/OUTS\) is not emulated" "string I/O stops the domain"
expect "$W/five.log" "^bulkhead: domain hlt: halted \(HLT\) with nothing to wake it: off" "HLT turns the vCPU off"
expect "$W/five.log" "^bulkhead: domain hlt powered off" "and with it the domain, its only vCPU"
expect_not "$W/five.log" "NOT CAUGHT|\*\*\*" "nothing got through, nothing crashed"
for t in msr vmrun port; do
	expect "$W/five.log" "^bulkhead: domain $t powered off" "$t powered off"
done
# The common console's filter (common/console.c): escape sequences dropped
# whole, control bytes and DEL dropped, valid UTF-8 kept.
expect "$W/five.log" "^\[esc\] TESTGUEST x86: cleared\? $(printf '\303\251')end[[:space:]]*$" "escape sequences and control bytes dropped, UTF-8 kept"
if grep -q $'\033\|\a' "$W/five.log"; then echo "  FAIL: an escape or bell byte reached the console"; FAILS=$((FAILS + 1)); else
	echo "  ok: no escape or bell byte on the console"; fi
finish
