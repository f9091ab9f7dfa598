#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# A short run of every libFuzzer target (tests/fuzz/: image layout, payload
# table, partition config, board DT, on the fake architecture the vGIC, the
# vUART and hypercall decoding, and the virtio-net data path), 5 seconds each, from the committed
# corpus: none may crash, and each must report its executions. `make fuzz
# FUZZ_SECONDS=N` runs them longer.
# timeout: 300
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
if ! printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n){return 0;}\n' |
	clang -x c -fsanitize=fuzzer,address -o /dev/null - >/dev/null 2>&1; then
	echo "clang with libFuzzer missing (Debian: apt-get install clang libfuzzer-14-dev)"; exit 77
fi
O=${BH_FUZZ_O:-$ROOT/build/fuzz}
out=$(make --no-print-directory -C "$ROOT/tests/fuzz" O="$O" run FUZZ_SECONDS=5 2>&1)
rc=$?
echo "$out"
n=$(grep -cE '^fuzz_[a-z]+ +[0-9]+ executions in 5s, no crash' <<<"$out")
[ $rc -eq 0 ] && [ "$n" -eq 8 ]
