#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The x86 port's nested page tables (arch-x86/npt.c), built on the host and
# walked by tests/host/x86_npt_test.c: every page maps where it should,
# nothing around it does, 1 GiB / 2 MiB / 4 KiB pages are chosen by
# alignment, and every entry has the U bit nested walks need.
# timeout: 60
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
[ "$(uname -m)" = x86_64 ] || { echo "needs an x86-64 host (arch-x86/x86.h's instructions)"; exit 77; }
O=$(mktemp -d)
trap 'rm -rf "$O"' EXIT
gcc -std=c11 -O1 -g -Wall -Wextra -Werror -D_DEFAULT_SOURCE -I"$ROOT" -fsanitize=address,undefined \
	-o "$O/t" "$ROOT/tests/host/x86_npt_test.c" "$ROOT/arch-x86/npt.c" || { echo "does not build"; exit 1; }
"$O/t"
