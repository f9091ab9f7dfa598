#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Every malformed config in tests/bad-configs/ must be refused at build time
# (tools/bhpack) with the message its "// expect-build:" line names.
# timeout: 120
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BHPACK=$ROOT/build/tools/bhpack
[ -x "$BHPACK" ] || { echo "bhpack not built (run make first)"; exit 1; }
W=$(mktemp -d); trap 'rm -rf "$W"' EXIT
# The board these configs are checked against: QEMU virt, 4 CPUs, 1 GiB, GICv3.
timeout 30 qemu-system-aarch64 -M virt,virtualization=on,gic-version=3,dumpdtb="$W/board.dtb" \
	-cpu cortex-a57 -smp 4 -m 1024 -nographic -nic none >/dev/null 2>&1
[ -s "$W/board.dtb" ] || { echo "could not dump QEMU's board DT"; exit 1; }
head -c 4096 /dev/zero > "$W/guest.bin"
fail=0 n=0
for dts in "$ROOT"/tests/bad-configs/*.dts; do
	name=$(basename "$dts" .dts)
	want=$(sed -n 's|^// expect-build: ||p' "$dts")
	n=$((n + 1))
	# "// dtc-flags: -f": a blob dtc refuses to write unforced (hand-built ones).
	if ! dtc -q $(sed -n 's|^// dtc-flags: ||p' "$dts") -I dts -O dtb -o "$W/$name.dtb" "$dts" \
		2>"$W/dtc.err"; then
		echo "FAIL $name: dtc refused it: $(head -1 "$W/dtc.err")"; fail=$((fail + 1)); continue
	fi
	out=$("$BHPACK" --check-only --config "$W/$name.dtb" --board "$W/board.dtb" -I "$W" 2>&1)
	rc=$?
	if [ $rc -eq 0 ]; then
		echo "FAIL $name: accepted (expected: $want)"; fail=$((fail + 1))
	elif ! grep -qF -- "$want" <<<"$out"; then
		echo "FAIL $name: wrong message"; echo "   expected: $want"; echo "   got:      $out"
		fail=$((fail + 1))
	else
		echo "ok   $name: $out"
	fi
done
# A good config must still pass (the check is not refusing everything).
printf '/dts-v1/;\n/ { bulkhead { domain@0 { label = "a"; cpus = <0>; memory-size = <0x0 0x800000>; kernel = "guest.bin"; }; }; };\n' |
	dtc -q -I dts -O dtb -o "$W/good.dtb" -
"$BHPACK" --check-only --config "$W/good.dtb" --board "$W/board.dtb" -I "$W" >/dev/null ||
	{ echo "FAIL good config refused"; fail=$((fail + 1)); }
# A board DT's names reach bhpack's messages: '?' for a byte outside
# printable ASCII (here an ESC in the name of a /psci without 'method').
fdtput -d "$W/board.dtb" /psci method
python3 -c 'import sys; p = sys.argv[1]; b = open(p, "rb").read(); open(p, "wb").write(b.replace(b"psci\0", b"ps\x1bi\0", 1))' "$W/board.dtb"
out=$("$BHPACK" --check-only --config "$W/good.dtb" --board "$W/board.dtb" -I "$W" 2>&1)
if [[ $out != *"DT: ps?i: 'method' missing"* ]] || [[ $out == *$'\e'* ]]; then
	echo "FAIL an ESC in a board DT name: $(cat -v <<<"$out")"; fail=$((fail + 1))
else
	echo "ok   an ESC in a board DT name shown as '?': $out"
fi
echo "$n malformed configs, $fail failures"
[ $n -ge 20 ] && [ $fail -eq 0 ]
