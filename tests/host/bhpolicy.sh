#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# tools/bhpolicy answers sesearch-like questions on a compiled config (the
# default one), and bhpack warns about a network and a channel no rule
# allows (docs/config.md, "policy").
# timeout: 60
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BHPOLICY=$ROOT/build/tools/bhpolicy
BHPACK=$ROOT/build/tools/bhpack
[ -x "$BHPOLICY" ] && [ -x "$BHPACK" ] || { echo "bhpolicy/bhpack not built (run make first)"; exit 1; }
W=$(mktemp -d); trap 'rm -rf "$W"' EXIT
fail=0
check() { # check WHAT EXPECTED-RC EXPECTED-OUTPUT -- COMMAND...
	local what=$1 rc=$2 want=$3; shift 4
	local out; out=$("$@" 2>&1); local got=$?
	if [ "$got" -eq "$rc" ] && [ "$out" = "$want" ]; then echo "ok   $what"
	else echo "FAIL $what: exit $got, output:"; echo "$out" | sed 's/^/    | /'
		echo "  expected exit $rc:"; echo "$want" | sed 's/^/    | /'; fail=$((fail + 1)); fi
}
dtc -q -I dts -O dtb -o "$W/mixed.dtb" "$ROOT/configs/qemu-virt-mixed.dts"
check "who may restart rt?" 0 "allow dom0_t rt_t : domain { restart }  (dom0 -> rt)" -- \
	"$BHPOLICY" "$W/mixed.dtb" -t rt -p restart
check "which types can send to guest_t?" 0 "allow dom0_t guest_t : net { send }  (dom0 -> guest)
allow rt_t guest_t : net { send }  (rt -> guest)" -- "$BHPOLICY" "$W/mixed.dtb" -t guest_t -c net -p send
check "may guest restart anything? (no)" 1 "no rule grants that (default: denied)" -- \
	"$BHPOLICY" "$W/mixed.dtb" -s guest -p restart
check "an unknown type" 2 "bhpolicy: \"nobody_t\" is no domain's name or type" -- \
	"$BHPOLICY" "$W/mixed.dtb" -s nobody_t
check "an unknown permission" 2 "bhpolicy: \"fly\" is no permission" -- \
	"$BHPOLICY" "$W/mixed.dtb" -p fly

# bhpack: a network and a channel that no rule allows are warned about.
head -c 4096 /dev/zero > "$W/guest.bin"
timeout 30 qemu-system-aarch64 -M virt,virtualization=on,gic-version=3,dumpdtb="$W/board.dtb" \
	-cpu cortex-a57 -smp 4 -m 1024 -nographic -nic none >/dev/null 2>&1
cat > "$W/lint.dts" <<'DTS'
/dts-v1/;
/ { bulkhead {
	a: domain@0 { label = "a"; type = "a_t"; cpus = <0>; memory-size = <0x0 0x800000>; kernel = "guest.bin"; };
	b: domain@1 { label = "b"; type = "b_t"; cpus = <1>; memory-size = <0x0 0x800000>; kernel = "guest.bin"; };
	c: domain@2 { label = "c"; type = "c_t"; cpus = <2>; memory-size = <0x0 0x800000>; kernel = "guest.bin"; };
	channel@0 { between = <&a &b>; size = <0x1000>; };
	network@0 { port@0 { domain = <&a>; }; port@1 { domain = <&b>; }; port@2 { domain = <&c>; }; };
	policy { allow = "a_t b_t : net { send }", "c_t b_t : net { send }"; };
}; };
DTS
dtc -q -I dts -O dtb -o "$W/lint.dtb" "$W/lint.dts"
out=$("$BHPACK" --check-only --config "$W/lint.dtb" --board "$W/board.dtb" -I "$W" 2>&1)
rc=$?
want="network@0: no 'net { send }' rule between a (a_t) and c (c_t): they exchange no frame"
want2="channel@0: no 'channel { notify }' rule between a (a_t) and b (b_t): neither end can ring the other"
if [ $rc -eq 0 ] && grep -qF "warning: $want" <<<"$out" && grep -qF "warning: $want2" <<<"$out" &&
	[ "$(grep -c warning <<<"$out")" -eq 2 ]; then echo "ok   bhpack warns: the unjoined pair, the silent channel"
else echo "FAIL bhpack's warnings (exit $rc):"; echo "$out" | sed 's/^/    | /'; fail=$((fail + 1)); fi
echo "$fail failures"
[ $fail -eq 0 ]
