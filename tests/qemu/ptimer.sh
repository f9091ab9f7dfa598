#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The EL1 physical timer is a guest's own (docs/design/guest-timers.md): the
# test guest's `ptimer` mode, a 1 ms periodic task on CNTP_CVAL/TVAL/CTL_EL0
# and CNTPCT_EL0 alone (PPI 30), takes 200 ticks, none early, spanning at
# least 199 periods of the counter; then resets (PSCI SYSTEM_RESET) with its
# timer asserted and PPI 30 pending, and after the restart finds the timer
# off and the PPI quiet, and takes 200 ticks again. GICv3 and GICv2; and
# natively on QEMU (no hypervisor) once, so the mode itself is known right.
# Then beside a domain using the virtual timer: no effect on it.
# timeout: 300
. "$(dirname "$0")/common.sh"
GUEST=$ROOT/build/guests/aarch64/testguest.bin
for gic in 3 2; do
	echo "case: test=ptimer, GICv$gic, before and after a restart"
	bh_image "$W/img$gic" CONFIG=qemu-virt-single GIC=$gic SMP=1 BOOTARGS="test=ptimer"
	log=$W/log$gic
	bh_boot kernel "$W/img$gic" "$log" 60 $gic cortex-a57 1
	expect "$log" "^\[dom0\] TESTGUEST: ptimer: boot 0: [0-9]+ ticks on PPI 30" "200 physical timer ticks at the first boot"
	expect "$log" "^\[dom0\] TESTGUEST: ptimer: resetting with the timer asserted" "reset with the timer asserted"
	expect "$log" "^bulkhead: domain dom0 restarting \(restart 1\)" "the domain restarted"
	expect "$log" "^\[dom0\] TESTGUEST: ptimer: boot 1: [0-9]+ ticks on PPI 30" "200 ticks again after the restart (timer and PPI fresh)"
	expect "$log" "^\[dom0\] TESTGUEST: PASS ptimer" "guest checks pass"
	expect_not "$log" "TESTGUEST: FAIL|hypervisor exception" "no failure"
	echo "case: test=ptimer natively on QEMU's GICv$gic (no hypervisor)"
	timeout 60 qemu-system-aarch64 -M virt,gic-version=$gic -cpu cortex-a57 -smp 1 -m 1024 \
		-display none -monitor none -serial stdio -nic none -no-reboot -kernel "$GUEST" \
		-append "test=ptimer native" </dev/null >"$W/native$gic" 2>&1
	expect "$W/native$gic" "^TESTGUEST: PASS ptimer" "the mode passes on QEMU's own timer and GIC"
done
# Beside another domain: pt (physical timer, restarting once) on CPU 0 and
# rt (virtual timer, 1 ms task) on CPU 1. Neither timer reaches the other's
# CPU: rt's CPU shows only exits rt caused.
cat >"$W/two.dts" <<'DTS'
/dts-v1/;
/ {
	bulkhead {
		compatible = "bulkhead,config-v1";
		domain@0 { label = "pt"; cpus = <0>; memory-size = <0x0 0x800000>;
			kernel = "testguest.bin"; bootargs = "test=ptimer"; };
		domain@1 { label = "rt"; cpus = <1>; memory-size = <0x0 0x800000>;
			kernel = "testguest.bin"; bootargs = "test=rt periods=1500"; };
	};
};
DTS
for gic in 3 2; do
	echo "case: pt (physical timer) beside rt (virtual timer), GICv$gic"
	bh_pack "$W/two$gic" "$W/two.dts" $gic 2
	log=$W/two-log$gic
	bh_boot kernel "$W/two$gic" "$log" 90 $gic cortex-a57 2
	expect "$log" "^\[pt\] TESTGUEST: ptimer: boot 1: [0-9]+ ticks on PPI 30" "pt: ticks before and after its restart"
	expect "$log" "^\[pt\] TESTGUEST: PASS ptimer" "pt passes"
	expect "$log" "^\[rt\] TESTGUEST: PASS rt" "rt lost no tick"
	line=$(grep -a "^  CPU 1 \[rt\]:" "$log" | tail -1 | tr -d '\r')
	causes=$(tr ' ' '\n' <<<"$line" | grep '=' | cut -d= -f1 | sort -u | tr '\n' ' ')
	if [ -n "$line" ] && [ "$causes" = "rt " ]; then
		echo "  ok: every exit on rt's CPU was caused by rt itself"
	else
		echo "  FAIL: exits on rt's CPU caused by: '$causes' (${line:-no exit line})"; FAILS=$((FAILS + 1))
	fi
	expect_not "$log" "TESTGUEST: FAIL|hypervisor exception" "no failure"
done
finish
