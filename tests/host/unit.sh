#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Host unit tests (tests/unit/): page tables, physical memory, board DT,
# partition plan, guest DT, the guest-report rate limit, the policy, the
# virtio-net data path, and on the fake architecture (tests/fake/) the vGIC,
# the console, passthrough and hypercalls, built with the host's gcc and
# libfdt under AddressSanitizer/UBSan. Prints each test binary's summary line (and every
# failed check); fails if any check fails. Skips only when the host
# toolchain itself is missing.
# timeout: 300
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
O=${BH_UNIT_O:-$ROOT/build/unit}

# The toolchain: gcc with its sanitizer runtimes, make, dtc, libfdt (libfdt-dev).
missing=
for tool in gcc make dtc; do
	command -v "$tool" >/dev/null 2>&1 || missing="$missing $tool"
done
if [ -z "$missing" ]; then
	probe=$(mktemp -d)
	printf '#include <libfdt.h>\nint main(void) { return fdt_check_header(0) == 0; }\n' >"$probe/p.c"
	gcc -fsanitize=address,undefined -o "$probe/p" "$probe/p.c" -lfdt >/dev/null 2>&1 ||
		missing=" libfdt-dev or gcc's sanitizer runtimes (libasan, libubsan)"
	rm -rf "$probe"
fi
if [ -n "$missing" ]; then
	echo "host toolchain incomplete, missing:$missing (Debian: apt-get install gcc make device-tree-compiler libfdt-dev)"
	exit 77
fi

mkdir -p "$O"
# One build and run at a time in $O (board-dtbs.sh shares it); released at exit.
exec 9>"$O/.lock"
flock 9 2>/dev/null || true
if ! out=$(make -s -C "$ROOT/tests/unit" O="$O" -j"$(nproc 2>/dev/null || echo 2)" all 2>&1); then
	echo "$out" | tail -40
	echo "the unit tests do not build"
	exit 1
fi
# (make's own "*** [run] Error 1" line adds nothing to the failed checks above it)
out=$(make -s --no-print-directory -C "$ROOT/tests/unit" O="$O" run 2>&1)
rc=$?
grep -v '^make: \*\*\*' <<<"$out"
[ "$rc" -eq 0 ] && exit 0
# The runner shows the last line: say which tests failed, and how.
failed=$(awk '/^test_[a-z_]+: [0-9]+ checks, [1-9]/ {
		sub(/:$/, "", $1); s = $1 " " $4 " failed"; if ($6 ~ /^\(/) s = s " (" substr($6, 2) " known bugs)"
		printf "%s%s", n++ ? ", " : "", s }
	/^test_[a-z_]+: did not finish/ { sub(/:$/, "", $1); printf "%s%s crashed", n++ ? ", " : "", $1 }' <<<"$out")
echo "unit tests failed: ${failed:-see above}"
exit 1
