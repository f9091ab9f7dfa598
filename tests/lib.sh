# SPDX-License-Identifier: Apache-2.0
# tests/lib.sh: helpers for test scripts run by tests/run.sh. Source it:
#     . "$(dirname "$0")/../lib.sh"
#
# Variables: BH_ROOT (repository), BH_BUILD (= $BH_ROOT/build), BH_CACHE
#   (downloads: ~/.cache/bulkhead), BH_ASSETS (= $BH_CACHE/guest-assets:
#   Image-arm64, initramfs-arm64.cpio.gz, dtbs-arm64/, modules-arm64/),
#   BH_TMP (this test's scratch folder, removed when it exits; a test that
#   sets its own EXIT trap calls bh_cleanup from it).
# Outcome:  skip "reason" (exit 77)   fail "reason" (exit 1)
#           bh_done: exit 0 if every expect_* passed, else 1
#           bh_need_assets / bh_need_file FILE "how to make it"
# QEMU:     bh_qemu [tools/run-qemu.sh options] IMAGE [-- QEMU args] -- LOG
#             boots; console and [run-qemu] lines go to LOG; returns QEMU's
#             exit status (124: timed out). Input: /dev/null, or what
#             bh_chat arranged for this one run.
#           bh_chat WAIT SEND [WAIT SEND]...: for the next bh_qemu, type
#             SEND (printf format: 'ls\n') once LOG has a line matching
#             the extended regex WAIT, in order. Input typed before the
#             guest reads its console may be lost (Linux's PL011 driver
#             drains the FIFO when the port opens): wait for a prompt.
# Checks:   expect_line LOG REGEX [WHAT] / expect_no_line LOG REGEX [WHAT]
#             (extended regex; on failure: the log's tail, then what was
#             expected; returns 1 and counts it for bh_done)
#           expect_cmd WHAT COMMAND...: COMMAND must exit 0.

BH_ROOT=${BH_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
BH_BUILD=${BH_BUILD:-$BH_ROOT/build}
BH_CACHE=${BH_CACHE:-${BULKHEAD_CACHE:-$HOME/.cache/bulkhead}}
BH_ASSETS=${BH_ASSETS:-$BH_CACHE/guest-assets}
export BH_ROOT BH_BUILD BH_CACHE BH_ASSETS
BH_TMP=$(mktemp -d "${TMPDIR:-/tmp}/bh-test.XXXXXX")
BH_FAILS=0
BH_CHECKS=0
BH_FIRST_FAIL=''
BH_CHAT=()

bh_cleanup() { rm -rf "$BH_TMP"; }
trap bh_cleanup EXIT

skip() { echo "${1:-skipped}"; exit 77; }
fail() { echo "FAIL: ${1:-failed}"; exit 1; }

bh_need_file() { # FILE HINT: fail (not skip) when a build output is missing
    [ -e "$1" ] || fail "$1 missing${2:+ ($2)}"
}
bh_need_assets() {
    [ -f "$BH_ASSETS/Image-arm64" ] && [ -f "$BH_ASSETS/initramfs-arm64.cpio.gz" ] ||
        skip "guest assets missing in $BH_ASSETS (make guest-assets)"
}

_bh_failed() {
    BH_FAILS=$((BH_FAILS + 1))
    [ -n "$BH_FIRST_FAIL" ] || BH_FIRST_FAIL=$1
    echo "  FAIL: $1"
}

expect_line() { # LOG REGEX [WHAT]
    local log=$1 re=$2 what=${3:-a line matching /$2/}
    BH_CHECKS=$((BH_CHECKS + 1))
    if grep -aqE -- "$re" "$log" 2>/dev/null; then
        echo "  ok: $what"
        return 0
    fi
    echo "  --- last lines of $(basename "$log"):"
    tail -15 "$log" 2>/dev/null | sed 's/^/    | /'
    _bh_failed "$what: no line matching /$re/ in $(basename "$log")"
    return 1
}

expect_no_line() { # LOG REGEX [WHAT]
    local log=$1 re=$2 what=${3:-no line matching /$2/} hit
    BH_CHECKS=$((BH_CHECKS + 1))
    hit=$(grep -aE -m1 -- "$re" "$log" 2>/dev/null)
    if [ -z "$hit" ]; then
        echo "  ok: $what"
        return 0
    fi
    _bh_failed "$what: found \"$hit\" in $(basename "$log")"
    return 1
}

expect_cmd() { # WHAT COMMAND...: the command must succeed
    local what=$1
    shift
    BH_CHECKS=$((BH_CHECKS + 1))
    if "$@"; then
        echo "  ok: $what"
        return 0
    fi
    _bh_failed "$what"
    return 1
}

bh_done() {
    if [ "$BH_FAILS" -eq 0 ]; then
        echo "all $BH_CHECKS checks passed"
        exit 0
    fi
    echo "$BH_FAILS of $BH_CHECKS checks failed; first: $BH_FIRST_FAIL"
    exit 1
}

bh_chat() {
    [ $(($# % 2)) -eq 0 ] || fail "bh_chat: WAIT SEND pairs expected"
    BH_CHAT=("$@")
}

bh_qemu() { # [run-qemu.sh args...] -- LOG
    [ $# -ge 3 ] && [ "${*: -2:1}" = -- ] || fail "usage: bh_qemu [run-qemu.sh args] IMAGE -- LOG"
    local log=${*: -1} args=("${@:1:$#-2}") rc=0
    local chat=("${BH_CHAT[@]}")
    BH_CHAT=()
    : >"$log"
    if [ ${#chat[@]} -eq 0 ]; then
        bash "$BH_ROOT/tools/run-qemu.sh" "${args[@]}" </dev/null >>"$log" 2>&1 || rc=$?
    else
        local fifo qpid fd i
        fifo=$(mktemp -u "$BH_TMP/console-in.XXXXXX")
        mkfifo "$fifo"
        bash "$BH_ROOT/tools/run-qemu.sh" "${args[@]}" <"$fifo" >>"$log" 2>&1 &
        qpid=$!
        exec {fd}>"$fifo"
        for ((i = 0; i < ${#chat[@]}; i += 2)); do
            until grep -aqE -- "${chat[i]}" "$log"; do
                kill -0 "$qpid" 2>/dev/null || break 2
                sleep 0.2
            done
            sleep 0.3       # let the guest get back to reading its console
            # shellcheck disable=SC2059
            printf "${chat[i + 1]}" >&"$fd"
        done
        wait "$qpid" || rc=$?
        exec {fd}>&-
        rm -f "$fifo"
    fi
    [ $rc -ne 124 ] || echo "  (QEMU timed out: see $(basename "$log"))"
    return $rc
}
