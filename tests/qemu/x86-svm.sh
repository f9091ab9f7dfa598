#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The x86 port runs guests under AMD SVM with nested paging: the config's
# two domains of the bare-metal test guest (tests/guests/x86/), each
# entering long mode on its own, printing through its emulated 16550 (lines
# prefixed by the domain's name), seeing the hypervisor in CPUID and making
# a VMMCALL hypercall (BH_HC_VERSION). The first reads outside its
# partition: the nested page fault is reported with the domain and the
# address and only that domain stops; the second still runs to its
# power-off. The domains run at once, each on the CPU the config pins it to
# (the others started with INIT-SIPI-SIPI); each one's exits are counted.
# A CPU without SVM or without nested paging is refused by name.
# timeout: 120
. "$(dirname "$0")/x86-common.sh"

echo "case: two domains, the first reaching outside its partition"
x86_config two "$(x86_domain 0 bad 0 'bootargs = "test=npf";')$(x86_domain 1 good 1)"
x86_boot "$W/svm.log" 60 "$W/two.img" -smp 2; rc=$?
expect_rc $rc 1 "the hypervisor powered off cleanly after both domains"
expect "$W/svm.log" "^bulkhead: AMD SVM revision [0-9]+, [0-9]+ ASIDs, nested paging" "SVM and NPT found"
for d in bad good; do
	expect "$W/svm.log" "^\[$d\] TESTGUEST x86: hello from long mode" "$d: output through its emulated 16550, prefixed"
	expect "$W/svm.log" "^\[$d\] TESTGUEST x86: hypervisor bit 1, signature \"Bulkhead-HYP\"" "$d: CPUID shows the hypervisor"
	expect "$W/svm.log" "^\[$d\] TESTGUEST x86: hypercall BH_HC_VERSION = 0x1[[:space:]]*$" "$d: VMMCALL hypercall answered"
done
expect "$W/svm.log" "^\[bad\] TESTGUEST x86: hello from long mode, command line \"test=npf\"" "bootargs from the config"
expect "$W/svm.log" "^bulkhead: CPU 1 \(APIC ID 1\) started" "the second CPU started (INIT-SIPI-SIPI)"
expect "$W/svm.log" "^\[bad\] TESTGUEST x86: .*, APIC ID 0[[:space:]]*$" "bad runs on CPU 0, as pinned"
expect "$W/svm.log" "^\[good\] TESTGUEST x86: .*, APIC ID 1[[:space:]]*$" "good runs on CPU 1, as pinned"
expect "$W/svm.log" "^bulkhead: domain bad stopped: read at guest physical 0x30000000 outside its partition \(RIP 0x10[0-9a-f]{4}\) \(other domains keep running\)" \
	"the access outside the partition is caught, with domain and address (common/domain.c: domain_fault)"
expect_not "$W/svm.log" "NOT CAUGHT|\[bad\] TESTGUEST x86: done" "the faulting domain ran no further"
expect "$W/svm.log" "^\[good\] TESTGUEST x86: done" "the other domain ran on"
expect "$W/svm.log" "^bulkhead: domain good powered off" "the other domain powered off"
expect_not "$W/svm.log" "\*\*\*" "no hypervisor exception"
# Exit accounting (common/stats.c, printed at each power-off and at the
# machine's end): each guest's exits counted on its own CPU, charged to its
# domain (bad stops, so only the end's print may show its count).
expect "$W/svm.log" "^  CPU 0 \[bad\]: trap bad=[0-9]+ timer - ipi - maint - device - console -" \
	"bad's exits counted"
expect "$W/svm.log" "^  CPU 1 \[good\]: trap good=[0-9]+ timer - ipi - maint - device - console -" \
	"good's exits counted"

echo "case: three domains on CPUs 2, 0, 1 of three"
x86_config three "$(x86_domain 0 c2 2)$(x86_domain 1 c0 0)$(x86_domain 2 c1 1)"
x86_boot "$W/three.log" 60 "$W/three.img" -smp 3; rc=$?
expect_rc $rc 1 "clean power-off after all three"
for c in 0 1 2; do
	expect "$W/three.log" "^\[c$c\] TESTGUEST x86: .*, APIC ID $c[[:space:]]*$" "c$c runs on CPU $c"
	expect "$W/three.log" "^bulkhead: domain c$c powered off" "c$c powered off"
done

echo "case: the same two domains on -cpu EPYC (1 GiB pages, the other CPU model the port targets)"
x86_boot "$W/epyc.log" 60 "$W/two.img" -smp 2 -cpu EPYC; rc=$?
expect_rc $rc 1 "clean power-off"
expect "$W/epyc.log" "^bulkhead: domain bad stopped: read at guest physical 0x30000000 outside its partition" "NPF caught"
expect "$W/epyc.log" "^\[good\] TESTGUEST x86: done" "the other domain ran on"

x86_config one "$(x86_domain 0 solo 0)"
for c in "svm:-svm:SVM" "npt:+svm,-npt:nested paging \\(NPT\\)"; do
	IFS=: read -r name flags what <<<"$c"
	echo "case: a CPU without $name (qemu64,$flags)"
	x86_boot "$W/no$name.log" 30 "$W/one.img" -cpu "qemu64,$flags"; rc=$?
	expect_rc $rc 3 "failure power-off"
	expect "$W/no$name.log" "^bulkhead: this CPU has no $what: the x86 port needs AMD SVM with nested paging" "clear error"
	expect_not "$W/no$name.log" "TESTGUEST" "no guest ran"
done
finish
