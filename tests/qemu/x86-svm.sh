#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The x86 port runs guests under AMD SVM with nested paging: the config's
# two domains of the bare-metal test guest (tests/guests/x86/), each
# entering long mode on its own, printing through its emulated 16550 (lines
# prefixed by the domain's name), seeing the hypervisor in CPUID and making
# a VMMCALL hypercall (BH_HC_VERSION). The first reads outside its
# partition: the nested page fault is reported with the domain and the
# address and only that domain stops; the second still runs to its
# power-off. A CPU without SVM or without nested paging is refused by name.
# timeout: 120
. "$(dirname "$0")/x86-common.sh"

echo "case: two domains, the first reaching outside its partition"
x86_config two "$(x86_domain 0 bad 0 'bootargs = "test=npf";')$(x86_domain 1 good 1)"
x86_boot "$W/svm.log" 60 -smp 2 -initrd "$W/two.dtb,$X86_GUEST"; rc=$?
expect_rc $rc 1 "the hypervisor powered off cleanly after both domains"
expect "$W/svm.log" "^bulkhead: AMD SVM revision [0-9]+, [0-9]+ ASIDs, nested paging" "SVM and NPT found"
for d in bad good; do
	expect "$W/svm.log" "^\[$d\] TESTGUEST x86: hello from long mode" "$d: output through its emulated 16550, prefixed"
	expect "$W/svm.log" "^\[$d\] TESTGUEST x86: hypervisor bit 1, signature \"Bulkhead-HYP\"" "$d: CPUID shows the hypervisor"
	expect "$W/svm.log" "^\[$d\] TESTGUEST x86: hypercall BH_HC_VERSION = 0x1[[:space:]]*$" "$d: VMMCALL hypercall answered"
done
expect "$W/svm.log" "^\[bad\] TESTGUEST x86: hello from long mode, command line \"test=npf\"" "bootargs from the config"
expect "$W/svm.log" "^bulkhead: domain bad: read at guest physical 0x30000000 outside its partition: stopped" \
	"the access outside the partition is caught, with domain and address"
expect_not "$W/svm.log" "NOT CAUGHT|\[bad\] TESTGUEST x86: done" "the faulting domain ran no further"
expect "$W/svm.log" "^\[good\] TESTGUEST x86: done" "the other domain ran on"
expect "$W/svm.log" "^bulkhead: domain good powered off" "the other domain powered off"
expect_not "$W/svm.log" "\*\*\*" "no hypervisor exception"

x86_config one "$(x86_domain 0 solo 0)"
for c in "svm:-svm:SVM" "npt:+svm,-npt:nested paging \\(NPT\\)"; do
	IFS=: read -r name flags what <<<"$c"
	echo "case: a CPU without $name (qemu64,$flags)"
	x86_boot "$W/no$name.log" 30 -cpu "qemu64,$flags" -initrd "$W/one.dtb,$X86_GUEST"; rc=$?
	expect_rc $rc 3 "failure power-off"
	expect "$W/no$name.log" "^bulkhead: this CPU has no $what: the x86 port needs AMD SVM with nested paging" "clear error"
	expect_not "$W/no$name.log" "TESTGUEST" "no guest ran"
done
finish
