#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# `make BOARD=qemu-x86 run`, the command itself: the board's config
# (boards/qemu-x86/qemu-x86.dts) shows both guests' consoles, prefixed by
# their names, and make returns 0 once they have powered off (or stopped).
# timeout: 150
. "$(dirname "$0")/x86-common.sh"

echo "case: make BOARD=qemu-x86 run"
flock "$ROOT/build/.x86-build.lock" make -s -C "$ROOT" BOARD=qemu-x86 run RUN_TIMEOUT=60 </dev/null >"$W/run.log" 2>&1
rc=$?
[ $rc -eq 0 ] && echo "  ok: make run returned 0" || { echo "  FAIL: make run returned $rc"; FAILS=$((FAILS + 1)); }
for d in bad good; do
	expect "$W/run.log" "^\[$d\] TESTGUEST x86: hello from long mode" "$d's console, prefixed"
done
expect "$W/run.log" "^bulkhead: domain bad stopped: read at guest physical 0x30000000 outside its partition" \
	"bad stopped by its nested page fault"
expect "$W/run.log" "^bulkhead: domain good powered off" "good powered off"
expect "$W/run.log" "^bulkhead: power off \(done\)" "the machine powered off"
finish
