#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# A domain's UART output is composed once a line (common/console.c), but a
# prompt a guest then waits at, with no newline and no further access to its
# UART, must still show: EL2's own timer (CNTHP) pumps held output within
# 10 ms (arch_console_later). The test guest's `prompt` mode prints
# "TESTGUEST-PROMPT> " and sleeps in WFI with no timer of its own; on GICv3
# and GICv2 its prompt must appear while it sleeps (QEMU is stopped by the
# timeout: nothing else would flush it).
# timeout: 120
. "$(dirname "$0")/common.sh"
for gic in 3 2; do
	echo "case: GICv$gic"
	bh_image "$W/img$gic" CONFIG=qemu-virt-single GIC=$gic SMP=1 BOOTARGS="test=prompt"
	log=$W/log$gic
	bh_boot kernel "$W/img$gic" "$log" 15 $gic cortex-a57 1
	expect "$log" "^\[dom0\] TESTGUEST-PROMPT> " "the prompt showed with no newline after it"
	expect_not "$log" "hypervisor exception|unexpected interrupt" "no crash, no stray interrupt"
done
finish
