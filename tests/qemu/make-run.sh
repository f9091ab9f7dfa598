#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The README's first command, as a user types it: `make run` boots the default
# partition config (configs/qemu-virt-mixed.dts) through U-Boot, shows every
# domain's console with its prefix (dom0's Linux, the rt task, the guest's
# Linux reading its own virtio disk) and exits by itself once every domain
# has powered off.
# timeout: 400
. "$(dirname "$0")/common.sh"
need_assets
log=$W/make-run.log
timeout 300 make -s -C "$ROOT" run OUT="$W/run.img" </dev/null >"$log" 2>&1
rc=$?
if [ $rc -eq 0 ]; then echo "  ok: make run ended by itself (exit 0)"
else echo "  FAIL: make run exited with $rc"; tail -20 "$log" | sed 's/^/    | /'; FAILS=$((FAILS + 1)); fi
expect "$log" "^Starting kernel" "U-Boot started Bulkhead (booti)"
expect "$log" "^Bulkhead .*4 CPUs, GICv3, .*3 domains" "Bulkhead booted the default config"
expect "$log" "^\[dom0\] BULKHEAD-GUEST-DONE" "dom0's Linux reached userspace and finished"
expect "$log" "^\[rt\] TESTGUEST: PASS rt" "rt ran its periodic task"
expect "$log" "^\[guest\] disk-says: BULKHEAD-DISK-MARKER" "the guest's Linux read its own disk"
expect "$log" "^bulkhead: no domain left running: powering off" "the machine powered off when all were done"
expect_not "$log" "hypervisor exception|TESTGUEST: FAIL" "no exception, no failure"
finish
