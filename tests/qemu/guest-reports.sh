#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Reports a guest can trigger are rate-limited per domain and say how many
# were suppressed: 1000 refused 64-bit reads of an emulated register and 1000
# reads past RAM give a handful of report lines and one "N more reports
# suppressed" summary that accounts for every one of the 2000; a domain
# restarting itself 150 times gets the same treatment. And the
# log-once tables are per domain: a domain that floods unknown hypercalls
# does not silence its neighbour's first unknown call. SME is not offered to
# guests: an SME register access is an undefined instruction; RAS error
# records trap and the guest has none.
# timeout: 240
. "$(dirname "$0")/common.sh"

echo "case: test=report-flood, GICv3"
bh_image "$W/flood" CONFIG=qemu-virt-single GIC=3 SMP=1 BOOTARGS="test=report-flood"
log=$W/log-flood
t0=$SECONDS
bh_boot kernel "$W/flood" "$log" 120 3 cortex-a57 1
# The limit: a burst of 8, then 2 a second; the run's wall time bounds the
# guest's time (its counter follows the host clock), so a slow host passes.
max=$((8 + 2 * (SECONDS - t0 + 1)))
expect "$log" "^\[dom0\] TESTGUEST: PASS report-flood" "every bad access was refused with an abort"
n=$(grep -c "^bulkhead: domain dom0 vCPU 0 (CPU 0): " "$log")
s=$(sed -n 's/^bulkhead: domain dom0: \([0-9]*\) more reports suppressed.*/\1/p' "$log" | awk '{t += $1} END {if (NR) print t}')
echo "  $n reports printed, ${s:-no} suppressed-count summary"
if [ "$n" -ge 1 ] && [ "$n" -le $max ]; then echo "  ok: $n reports for 2000 bad accesses (at most $max)"
else echo "  FAIL: $n reports for 2000 bad accesses (want 1..$max)"; FAILS=$((FAILS + 1)); fi
if [ -n "$s" ] && [ $((n + s)) -eq 2000 ]; then echo "  ok: printed + suppressed = 2000"
else echo "  FAIL: printed ($n) + suppressed (${s:-none}) is not 2000"; FAILS=$((FAILS + 1)); fi
expect_not "$log" "TESTGUEST: FAIL|hypervisor exception" "no failure"

echo "case: test=reset-loop count=150, GICv3"
bh_image "$W/loop" CONFIG=qemu-virt-single GIC=3 SMP=1 BOOTARGS="test=reset-loop count=150"
log=$W/log-loop
t0=$SECONDS
bh_boot kernel "$W/loop" "$log" 120 3 cortex-a57 1
max=$((8 + 2 * (SECONDS - t0 + 1)))
expect "$log" "^\[dom0\] TESTGUEST: reset-loop: restarted 150 times" "the domain restarted itself 150 times"
n=$(grep -c "^bulkhead: domain dom0 restarting" "$log")
s=$(sed -n 's/^bulkhead: domain dom0: \([0-9]*\) more reports suppressed.*/\1/p' "$log" | awk '{t += $1} END {if (NR) print t}')
if [ "$n" -le $max ] && [ $((n + ${s:-0})) -eq 150 ]; then
	echo "  ok: $n restart lines (at most $max), ${s:-0} suppressed: every restart accounted for"
else
	echo "  FAIL: $n restart lines and ${s:-no} suppressed for 150 restarts (want at most $max, summing to 150)"
	FAILS=$((FAILS + 1))
fi

echo "case: a flooding domain beside a quiet one, GICv3"
cat >"$W/cfg.dts" <<'DTS'
/dts-v1/;
/ {
	bulkhead {
		compatible = "bulkhead,config-v1";
		domain@0 {
			label = "flood"; cpus = <0>; memory-size = <0x0 0x2000000>;
			kernel = "testguest.bin"; bootargs = "test=hvc-flood";
		};
		domain@1 {
			label = "quiet"; cpus = <1>; memory-size = <0x0 0x2000000>;
			kernel = "testguest.bin"; bootargs = "test=hvc-one";
		};
	};
};
DTS
bh_pack "$W/two" "$W/cfg.dts" 3 2
log=$W/log-two
bh_boot kernel "$W/two" "$log" 120 3 cortex-a57 2
expect "$log" "^\[flood\] TESTGUEST: PASS hvc-flood" "the flooding domain's calls all NOT_SUPPORTED"
expect "$log" "^\[quiet\] TESTGUEST: PASS hvc-one" "the quiet domain's call NOT_SUPPORTED"
expect "$log" "^bulkhead: domain quiet: unknown SMC/HVC function 0x8600face" \
	"the quiet domain's first unknown call is reported, whatever the flood filled"
expect_count "$log" "^bulkhead: domain flood: unknown SMC/HVC" 1 33 "report lines for the flood's 101000 calls"
expect_not "$log" "TESTGUEST: FAIL|hypervisor exception" "no failure"

# SME (QEMU's max CPU has it) is not offered to guests: CPTR_EL2.TSM traps it
# and the guest gets an undefined instruction, reported once.
echo "case: test=sme, -cpu max"
bh_image "$W/sme" CONFIG=qemu-virt-single GIC=3 SMP=1 BOOTARGS="test=sme"
log=$W/log-sme
bh_boot kernel "$W/sme" "$log" 120 3 max 1
expect "$log" "^\[dom0\] TESTGUEST: PASS sme" "reading SVCR is an undefined instruction for the guest"
expect "$log" "^bulkhead: domain dom0: SME instruction or register: SME is not offered to guests" \
	"the hypervisor says why, once"
expect_not "$log" "TESTGUEST: FAIL|hypervisor exception" "no failure"

# RAS error records (HCR_EL2.TERR, set where the CPU has RAS) are not the
# guest's: trapped, no records, read as zero.
echo "case: test=ras, -cpu max"
bh_image "$W/ras" CONFIG=qemu-virt-single GIC=3 SMP=1 BOOTARGS="test=ras"
log=$W/log-ras
bh_boot kernel "$W/ras" "$log" 120 3 max 1
expect "$log" "^\[dom0\] TESTGUEST: PASS ras" "no error records for the guest"
expect "$log" "^bulkhead: domain dom0: RAS error record access: guests have no records" \
	"the accesses trapped (HCR_EL2.TERR)"
finish
