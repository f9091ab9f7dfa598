#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# tests/run.sh: the test runner behind `make test`.
#
# Usage: tests/run.sh [PATTERN...]
#   Runs every test (only those whose name matches one of the extended
#   regular expressions PATTERN, when given) and prints one line per test:
#     PASS name (12s)
#     FAIL name (12s): <last line of its log>   + the log's last 30 lines
#     SKIP name: <reason>
#   then exactly one final line: "N passed, N failed, N skipped".
#   Exit status 0 iff nothing failed and at least one test passed.
# A test is a bash script TESTS_DIR/host/*.sh or TESTS_DIR/qemu/*.sh whose
# first line is a #! line (files without one are helpers, sourced by tests);
# its name is e.g. "qemu/linux-smp". It runs from the repository root with
# stdin from /dev/null and exits 0 = pass, 77 = skip (reason: its last output
# line), anything else = fail. A "# timeout: N" line in it sets its time
# limit in seconds (default 300). Output: $TEST_LOGS/<name>.log.
# Env: JOBS (tests run in parallel, default 2), TESTS_DIR (default: this
#      folder), TEST_LOGS (default: build/test-logs), TIMEOUT (default limit).
# Tests see BH_ROOT, BH_BUILD, BH_CACHE and BH_ASSETS (and tests/lib.sh).
set -uo pipefail

BH_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TESTS_DIR=$(cd "${TESTS_DIR:-$BH_ROOT/tests}" && pwd) || exit 2
TEST_LOGS=${TEST_LOGS:-$BH_ROOT/build/test-logs}
JOBS=${JOBS:-2}
DEFAULT_TIMEOUT=${TIMEOUT:-300}
BH_BUILD=$BH_ROOT/build
BH_CACHE=${BH_CACHE:-${BULKHEAD_CACHE:-$HOME/.cache/bulkhead}}
BH_ASSETS=${BH_ASSETS:-$BH_CACHE/guest-assets}
export BH_ROOT BH_BUILD BH_CACHE BH_ASSETS
case $JOBS in '' | *[!0-9]* | 0) echo "JOBS=$JOBS: a number >= 1" >&2; exit 2 ;; esac

# ---- discover
names=()
for f in "$TESTS_DIR"/host/*.sh "$TESTS_DIR"/qemu/*.sh; do
    [ -f "$f" ] || continue
    head -c 2 "$f" | grep -q '^#!' || continue          # a sourced helper
    name=${f#"$TESTS_DIR"/}
    name=${name%.sh}
    if [ $# -gt 0 ]; then
        keep=''
        for p in "$@"; do [[ $name =~ $p ]] && keep=1; done
        [ -n "$keep" ] || continue
    fi
    names+=("$name")
done
if [ ${#names[@]} -eq 0 ]; then
    echo "no tests${1:+ matching $*} in $TESTS_DIR/{host,qemu}"
    echo "0 passed, 0 failed, 0 skipped"
    exit 1
fi
mkdir -p "$TEST_LOGS"

# Longest first (durations of the last run), so parallel runs end together.
DUR=$TEST_LOGS/.durations
order=$(for n in "${names[@]}"; do
    d=$(awk -v n="$n" '$1 == n { d = $2 } END { print d + 0 }' "$DUR" 2>/dev/null || echo 0)
    echo "$d $n"
done | sort -k1,1nr -k2 | awk '{ print $2 }')

timeout_of() { # the "# timeout: N" of a test script, else the default
    local t
    t=$(sed -n 's/^# *timeout: *\([0-9][0-9]*\).*/\1/p' "$1" | head -1)
    echo "${t:-$DEFAULT_TIMEOUT}"
}

# ---- run: each test in its own process group (timeout), output to its log
declare -A pid_name=() pid_start=()
pass=0 fail=0 skip=0
start_test() {
    local n=$1 f=$TESTS_DIR/$1.sh log=$TEST_LOGS/$1.log t
    t=$(timeout_of "$f")
    mkdir -p "$(dirname "$log")"
    (
        cd "$BH_ROOT" || exit 1
        echo "# $n: bash $f (timeout ${t}s), $(date -u +%Y-%m-%dT%H:%M:%SZ)"
        timeout -k 10 "$t" bash "$f" </dev/null 2>&1
        rc=$?
        [ $rc -ne 124 ] || echo "timed out after ${t}s"
        exit $rc
    ) >"$log" 2>&1 &
    pid_name[$!]=$n
    pid_start[$!]=$SECONDS
}
finish_test() {
    local rc=$2 n=${pid_name[$1]} secs log last
    secs=$((SECONDS - pid_start[$1]))
    log=$TEST_LOGS/$n.log
    last=$(tail -n +2 "$log" | grep -v '^[[:space:]]*$' | tail -1)   # line 1: our header
    case $rc in
        0) pass=$((pass + 1)); echo "PASS $n (${secs}s)" ;;
        77) skip=$((skip + 1)); echo "SKIP $n: ${last:-no reason given}" ;;
        *)
            fail=$((fail + 1))
            echo "FAIL $n (${secs}s): ${last:-exit status $rc, no output}"
            tail -30 "$log" | sed 's/^/    /'
            ;;
    esac
    echo "$n $secs" >>"$DUR.new"
    unset "pid_name[$1]" "pid_start[$1]"
}
# Ctrl-C / TERM: stop the running tests (their process groups via timeout).
cleanup() {
    local p
    # The timeout under each test's subshell first: it passes the signal on
    # to the test's whole process group (QEMU included).
    for p in "${!pid_name[@]}"; do pkill -TERM -P "$p" 2>/dev/null; done
    for p in "${!pid_name[@]}"; do kill -TERM "$p" 2>/dev/null; done
    wait
    exit 130
}
trap cleanup INT TERM

echo "running ${#names[@]} test(s), $JOBS at a time; logs in $TEST_LOGS"
: >"$DUR.new"
for n in $order; do
    while [ ${#pid_name[@]} -ge "$JOBS" ]; do
        wait -n -p done_pid
        finish_test "$done_pid" $?
    done
    start_test "$n"
done
while [ ${#pid_name[@]} -gt 0 ]; do
    wait -n -p done_pid
    finish_test "$done_pid" $?
done
# Keep the durations of tests that did not run this time.
if [ -f "$DUR" ]; then
    awk 'NR == FNR { seen[$1] = 1; print; next } !($1 in seen)' "$DUR.new" "$DUR" >"$DUR.tmp"
    mv "$DUR.tmp" "$DUR"
    rm -f "$DUR.new"
else
    mv "$DUR.new" "$DUR"
fi

echo "$pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ] && [ $pass -gt 0 ]
