#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The hypervisor re-checks its config at boot against the live DT: every
# malformed config in tests/bad-configs/, packed without the build-time check,
# must stop the boot with its expected message before any domain starts.
# timeout: 600
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BHPACK=$ROOT/build/tools/bhpack
HYP=$ROOT/build/qemu-virt/hyp/bulkhead.bin
ELF=$ROOT/build/qemu-virt/hyp/bulkhead.elf
[ -x "$BHPACK" ] && [ -f "$HYP" ] || { echo "not built (run make first)"; exit 1; }
W=$(mktemp -d); trap 'rm -rf "$W"' EXIT
OFF=0x$(aarch64-linux-gnu-nm "$ELF" | awk '/ __payload_start$/{print $1}')
head -c 4096 /dev/zero > "$W/guest.bin"
fail=0 n=0
for dts in "$ROOT"/tests/bad-configs/*.dts; do
	name=$(basename "$dts" .dts)
	want=$(sed -n 's|^// expect-boot: ||p' "$dts")
	[ -n "$want" ] || want=$(sed -n 's|^// expect-build: ||p' "$dts")
	n=$((n + 1))
	dtc -q $(sed -n 's|^// dtc-flags: ||p' "$dts") -I dts -O dtb -o "$W/c.dtb" "$dts" 2>/dev/null || { echo "FAIL $name: dtc"; fail=$((fail + 1)); continue; }
	"$BHPACK" --no-check -o "$W/img" --hyp "$HYP" --payload-offset "$OFF" --config "$W/c.dtb" \
		-I "$W" >/dev/null 2>&1 || { echo "FAIL $name: could not pack"; fail=$((fail + 1)); continue; }
	timeout 30 qemu-system-aarch64 -M virt,virtualization=on,gic-version=3 -cpu cortex-a57 \
		-smp 4 -m 1024 -nographic -nic none -kernel "$W/img" </dev/null >"$W/log" 2>&1
	rc=$?
	if [ $rc -eq 124 ]; then
		echo "FAIL $name: hung (no power-off within 30 s)"; tail -3 "$W/log"; fail=$((fail + 1))
	elif ! grep -qF -- "$want" "$W/log"; then
		echo "FAIL $name: expected \"$want\""; sed 's/^/   /' "$W/log" | tail -5; fail=$((fail + 1))
	elif ! grep -q "boot stopped: no domain was started" "$W/log" || grep -q '^\[' "$W/log"; then
		echo "FAIL $name: a domain started or the boot did not stop cleanly"; fail=$((fail + 1))
	else
		echo "ok   $name: $(grep -F -- "$want" "$W/log" | head -1)"
	fi
done
echo "$n malformed configs booted, $fail failures"
[ $n -ge 20 ] && [ $fail -eq 0 ]
