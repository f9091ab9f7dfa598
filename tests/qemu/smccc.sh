#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# SMCCC_ARCH_FEATURES for the CPU-vulnerability workarounds (ARCH_WORKAROUND_1,
# _2, _3) answers honestly: what the board's firmware offers, or, where the
# firmware offers nothing, 1 ("not required on this PE") only when the CPU's
# ID registers say it is not affected (WORKAROUND_1: CSV2 >= 1; _3: CSV2 = 3
# or ECBHB), else NOT_SUPPORTED (-1). QEMU's own PSCI has no SMCCC 1.1, which
# the same guest run natively shows; each offered workaround is called once.
# timeout: 120
. "$(dirname "$0")/common.sh"
bh_image "$W/img" CONFIG=qemu-virt-single GIC=3 SMP=1 BOOTARGS="test=smccc"
for cpu in cortex-a57 max; do
	echo "case: $cpu"
	nat=$W/native-$cpu
	timeout 30 qemu-system-aarch64 -M virt,gic-version=3 -cpu $cpu -m 256 -nographic -nic none \
		-kernel "$ROOT/build/guests/aarch64/testguest.bin" -append "test=smccc native" >"$nat" 2>&1
	log=$W/log-$cpu
	bh_boot kernel "$W/img" "$log" 60 3 $cpu 1
	grep -h "smccc:" "$nat" | sed 's/^/  native: /'
	grep -h "smccc:" "$log" | sed 's/^/  /'
	expect "$log" "^\[dom0\] TESTGUEST: PASS smccc" "the queries answer and offered workarounds return"
	ids=$(sed -n 's/.*CSV2 \([0-9]*\), ID_AA64MMFR1_EL1.ECBHB \([0-9]*\).*/\1 \2/p' "$log")
	csv2=${ids% *} ecbhb=${ids#* }
	if grep -q "no SMCCC 1.1" "$nat"; then
		want1=-1 want3=-1
		[ "${csv2:-0}" -ge 1 ] && want1=1
		{ [ "${csv2:-0}" -ge 3 ] || [ "${ecbhb:-0}" -ge 1 ]; } && want3=1
		want="WORKAROUND_1 $want1, WORKAROUND_2 -1, WORKAROUND_3 $want3"
	else
		want=$(sed -n 's/.*ARCH_FEATURES \(WORKAROUND.*\)/\1/p' "$nat" | tr -d '\r')
	fi
	expect "$log" "^\[dom0\] TESTGUEST: smccc: ARCH_FEATURES $want[^0-9]*$" "answers: $want"
done
finish
