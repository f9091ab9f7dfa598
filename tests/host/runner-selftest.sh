#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The test runner itself (tests/run.sh) on fake tests: one passes, one fails,
# one skips, one hangs past its "# timeout:", and a helper without #! is not
# run. Checks the per-test lines, the final counts line, exit statuses and
# the name filter; and tests/lib.sh's expect_line / expect_no_line / bh_done.
# timeout: 60
. "$(dirname "$0")/../lib.sh"

T=$BH_TMP/tests
mkdir -p "$T/host" "$T/qemu"
printf '#!/usr/bin/env bash\necho working\nexit 0\n' >"$T/host/good.sh"
printf '#!/usr/bin/env bash\necho step 1\necho "the widget broke"\nexit 1\n' >"$T/host/bad.sh"
printf '#!/usr/bin/env bash\necho "no frobnicator here"\nexit 77\n' >"$T/qemu/maybe.sh"
printf '# a helper, sourced by tests: never run\nexit 1\n' >"$T/qemu/common.sh"

run() { # LOGNAME ARGS...: the runner on $T; output in $BH_TMP/LOGNAME, status in $rc
    local out=$BH_TMP/$1
    shift
    rc=0
    TESTS_DIR=$T TEST_LOGS=$BH_TMP/logs JOBS=2 bash "$BH_ROOT/tests/run.sh" "$@" >"$out" 2>&1 || rc=$?
    sed 's/^/    > /' "$out"
}

echo "case: one pass, one fail, one skip"
run out1
expect_line "$BH_TMP/out1" '^PASS host/good \([0-9]+s\)$' "PASS line"
expect_line "$BH_TMP/out1" '^FAIL host/bad \([0-9]+s\): the widget broke$' "FAIL line with the log's last line"
expect_line "$BH_TMP/out1" '^    step 1$' "the failed test's log, indented"
expect_line "$BH_TMP/out1" '^SKIP qemu/maybe: no frobnicator here$' "SKIP line with the reason"
expect_no_line "$BH_TMP/out1" 'common' "a file without #! is not a test"
expect_cmd "final line is exactly '1 passed, 1 failed, 1 skipped'" \
    [ "$(tail -1 "$BH_TMP/out1")" = "1 passed, 1 failed, 1 skipped" ]
expect_cmd "exit status non-zero with a failure (got $rc)" [ $rc -ne 0 ]
expect_line "$BH_TMP/logs/host/bad.log" 'the widget broke' "log saved as logs/host/bad.log"

echo "case: filter"
run out2 good maybe
expect_cmd "PATTERN selects tests: '1 passed, 0 failed, 1 skipped'" \
    [ "$(tail -1 "$BH_TMP/out2")" = "1 passed, 0 failed, 1 skipped" ]
expect_cmd "exit status 0 without failures (got $rc)" [ $rc -eq 0 ]

echo "case: timeout"
printf '#!/usr/bin/env bash\n# timeout: 2\necho started\nsleep 30\n' >"$T/host/slow.sh"
SECONDS=0
run out3 slow
took=$SECONDS
expect_line "$BH_TMP/out3" '^FAIL host/slow \([0-9]+s\): timed out after 2s$' "a hung test fails at its own timeout"
expect_cmd "and is stopped then (took ${took}s)" [ $took -lt 20 ]

echo "case: only skips"
run out4 maybe
expect_cmd "only skips: '0 passed, 0 failed, 1 skipped'" \
    [ "$(tail -1 "$BH_TMP/out4")" = "0 passed, 0 failed, 1 skipped" ]
expect_cmd "nothing passed: exit status non-zero (got $rc)" [ $rc -ne 0 ]

echo "case: lib.sh checks"
L=$BH_TMP/l.log
printf 'hello world\n' >"$L"
(
    . "$BH_ROOT/tests/lib.sh"    # a fresh copy: its own counters
    expect_line "$L" '^hello' >/dev/null
    expect_line "$L" '^absent' >/dev/null
    expect_no_line "$L" 'world' >/dev/null
    bh_done
) >"$BH_TMP/l.out"
r=$?
expect_cmd "bh_done exits 1 after failed checks (got $r)" [ $r -eq 1 ]
expect_line "$BH_TMP/l.out" '^2 of 3 checks failed; first: a line matching /\^absent/: no line matching' \
    "expect_line/expect_no_line count failures; bh_done names the first"

bh_done
