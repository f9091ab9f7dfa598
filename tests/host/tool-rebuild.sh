#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# A host tool rebuilt while another process runs it: the parallel host tests
# share build/tools/bhpack, and one test's `make` (sdcard.sh's `make sdcard`)
# rebuilds it when a source is newer, while dt-identity, bad-configs and
# bhpolicy run it. The link must put the new file in place whole (a rename),
# or a run that starts mid-link finds a half-written, not yet executable file
# ("Permission denied", exit 126: one dt-identity sum changed, once).
# Here: bhpack built into a scratch build folder and rebuilt three times
# (make -B) while a loop runs it; every run must end as bhpack ends (0, 1 or
# 2), none may fail to start.
# timeout: 240
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
W=$(mktemp -d); trap 'rm -rf "$W"' EXIT
T=$W/tools/bhpack
mk() { nice -n 10 make -s -C "$ROOT" BUILD="$W" SETUP=/dev/null "$@" "$T" >>"$W/make.log" 2>&1; }
mk || { cat "$W/make.log"; echo "FAIL: cannot build bhpack into $W"; exit 1; }
(for i in 1 2 3; do mk -B || { touch "$W/failed"; break; }; done; touch "$W/done") &
n=0 bad=0
while [ ! -e "$W/done" ]; do
	out=$("$T" --check-only 2>&1)
	rc=$?
	n=$((n + 1))
	case $rc in 0 | 1 | 2) ;; *) bad=$((bad + 1)); [ $bad -le 3 ] && echo "run $n: exit $rc: ${out//$W/W}" ;; esac
done
wait
[ -e "$W/failed" ] && { cat "$W/make.log"; echo "FAIL: a rebuild of bhpack failed"; exit 1; }
[ "$n" -ge 20 ] || { echo "FAIL: only $n runs of bhpack while it was rebuilt three times"; exit 1; }
[ "$bad" -eq 0 ] || { echo "FAIL: $bad of $n runs of bhpack could not start while it was rebuilt"; exit 1; }
echo "$n runs of bhpack while it was rebuilt three times: each started"
