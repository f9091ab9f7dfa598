#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The bare-metal test guest's own checks under the hypervisor: PSCI CPU_ON /
# CPU_OFF / AFFINITY_INFO with their error codes (smp), set/way cache
# maintenance trapped and emulated (setway), the architecture's software
# step over a trapped load, set/way operation, HVC and (GICv3) SGI write:
# the step exception right after the stepped instruction (sstep), 100000 unknown hypercalls and
# 1000 unknown SMCs all NOT_SUPPORTED and each unknown ID logged at most once
# (hvc-flood), PSCI SYSTEM_RESET restarting only that domain (sysreset), and
# the virtual GIC cases hypervisors get wrong (gic: more pending than list
# registers, priority preemption, level re-assertion, ownership, ID
# registers, masked pending, the timer deadline after CNTVOFF, every timer
# expiry taken wherever it falls in the previous one's path, CPU_SUSPEND
# returning with an SGI or a tick already pending; sgi-all: an
# SGI to each vCPU and a broadcast, GICv2 sender IDs kept), and the rt mode's
# lost-tick detector catching a tick lost on purpose (lose=).
# timeout: 600
. "$(dirname "$0")/common.sh"
for gic in 3 2; do
	for mode in smp setway sstep hvc-flood sysreset gic sgi-all; do
		smp=4
		[ $mode = gic ] && smp=1
		echo "case: test=$mode, GICv$gic, $smp vCPUs"
		bh_image "$W/$mode$gic" CONFIG=qemu-virt-single GIC=$gic SMP=$smp BOOTARGS="test=$mode"
		log=$W/log-$mode$gic
		bh_boot kernel "$W/$mode$gic" "$log" 120 $gic cortex-a57 $smp
		expect "$log" "^\[dom0\] TESTGUEST: PASS $mode" "guest checks pass"
		expect_not "$log" "TESTGUEST: FAIL|hypervisor exception" "no failure"
		case $mode in
		smp) expect "$log" "^\[dom0\] TESTGUEST: cpu 0x3 up at EL1" "the last vCPU came up at EL1" ;;
		hvc-flood)
			expect_count "$log" "unknown SMC/HVC function" 1 33 "log lines for 101000 unknown calls" ;;
		sysreset) expect "$log" "^bulkhead: domain dom0 restarting \(restart 1\)" "SYSTEM_RESET restarts the domain" ;;
		gic) expect "$log" "^\[dom0\] TESTGUEST: gic: timer-level: ok" "a completed timer interrupt still asserted comes again"
			expect "$log" "^\[dom0\] TESTGUEST: gic: timer-race: ok" "every timer expiry is taken, wherever it falls"
			expect "$log" "^\[dom0\] TESTGUEST: gic: suspend-pending: ok" "CPU_SUSPEND returns with an interrupt already pending" ;;
		sgi-all) expect "$log" "3 secondary CPUs took their SGIs" "every vCPU took its SGI" ;;
		sstep) expect_count "$log" "TESTGUEST: sstep: .*: the step exception right after it" $((gic == 3 ? 5 : 4)) $((gic == 3 ? 5 : 4)) \
			"each stepped instruction: the step exception right after it" ;;
		esac
	done
	# The rt mode's lost-tick detector can fail: a tick disabled at the GIC
	# after period 100 (the self-test `lose=`) must be reported lost.
	echo "case: test=rt lose=100, GICv$gic"
	bh_image "$W/lose$gic" CONFIG=qemu-virt-single GIC=$gic SMP=1 BOOTARGS="test=rt periods=200 lose=100"
	bh_boot kernel "$W/lose$gic" "$W/log-lose$gic" 60 $gic cortex-a57 1
	expect "$W/log-lose$gic" "^\[dom0\] TESTGUEST: FAIL rt: period 101: .*the tick is lost" \
		"rt reports the lost tick"
done
finish
