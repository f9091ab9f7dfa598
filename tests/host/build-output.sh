#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Build output as Kbuild prints it: one short line per step ("  CC      path"),
# the full commands with V=1. Checked on a fresh build of the AArch32 test
# guest (small, built by the same rules file, tools/quiet.mk).
# timeout: 120
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
W=$(mktemp -d); trap 'rm -rf "$W"' EXIT
fail=0
out=$(make --no-print-directory -C "$ROOT/tests/guests/aarch32" O="$W/q" 2>&1) || { echo "build failed: $out"; exit 1; }
bad=$(grep -vE '^  (CC|LD|OBJCOPY) +[^ ]+$' <<<"$out")
n=$(grep -c '^  CC ' <<<"$out")
if [ -z "$bad" ] && [ "$n" -ge 3 ]; then echo "ok   quiet: $n CC lines, nothing else"
else echo "FAIL quiet build printed:"; sed 's/^/   | /' <<<"$bad$out" | head -10; fail=1; fi
out=$(make --no-print-directory -C "$ROOT/tests/guests/aarch32" O="$W/v" V=1 2>&1) || { echo "V=1 build failed"; exit 1; }
if grep -qE '^arm-none-eabi-gcc .* -c .*main\.c -o ' <<<"$out" && ! grep -q '^  CC ' <<<"$out"; then
	echo "ok   V=1: full compiler command lines"
else echo "FAIL V=1 printed:"; head -5 <<<"$out" | sed 's/^/   | /'; fail=1; fi
exit $fail
