#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The virtual network's rows of make bench (tests/bench/run.sh calls this;
# it also runs alone): EL2 instructions per forwarded frame and per KiB,
# exact under QEMU -icount. Two bare-metal test guests on one network,
# 1:1 at 0x50000000 and 0x52000000 (so no guest code runs at the
# hypervisor's addresses): "ping" (CPU 0) sends `count` ICMP echo requests
# to "echo" (CPU 1), one at a time, each after the previous reply; both
# sleep in WFI between frames and no timer runs, so nothing but the frames
# differs between runs. The
# plugin counts every instruction in the hypervisor's text on all CPUs; a
# run with count=0 (the same boots, the same ARP exchange) is subtracted,
# and what is left is divided by the frames forwarded (2 per round): the
# notify exit, the switch, the copy, the interrupt injection and the
# receiver's own exits for it, all included.
# Prints rows in run.sh's format; writes build/bench/net.json. Not always
# identical on a second run: QEMU 7.2's round-robin of two vCPUs that sleep
# in WFI under -icount was seen to differ once in three runs (by about 5 %
# per frame), so the last row says whether this run's repeat matched.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT=$ROOT/build/bench
mkdir -p "$OUT"
ICOUNT=(-icount shift=0,sleep=off -rtc base=2024-01-01T00:00:00,clock=vm)
M="virt,gic-version=3,dtb-randomness=off,virtualization=on"
ELF=$ROOT/build/qemu-virt/hyp/bulkhead.elf
LOAD=0x40200000 # QEMU -kernel puts the hypervisor there
N=${BENCH_NET_ROUNDS:-200}
[ -f "$OUT/insncount.so" ] || gcc -shared -fPIC -O2 -Wall -o "$OUT/insncount.so" "$ROOT/tests/bench/insncount.c"
TEXT=$(aarch64-linux-gnu-size -A "$ELF" | awk '$1 == ".text" { print $2 }')
PLUGIN="$OUT/insncount.so,lo=$LOAD,hi=$((LOAD + TEXT))"
BOARD=$OUT/board-net.dtb
timeout 30 qemu-system-aarch64 -M "$M,dumpdtb=$BOARD" -cpu cortex-a57 -smp 2 -m 1024 -nographic \
	-nic none >/dev/null 2>&1
OFF=0x$(aarch64-linux-gnu-nm "$ELF" | awk '/ __payload_start$/{print $1}')

# el2 COUNT SIZE [AGAIN] -> EL2 instructions of the whole run; with AGAIN,
# the image just packed is run again, unchanged.
el2() {
	local tag=net-$1-$2 log=$OUT/net-$1-$2${3:+-again}.log
	[ -n "${3:-}" ] || pack "$tag" "$1" "$2"
	timeout 300 qemu-system-aarch64 -M "$M" -cpu cortex-a57 -smp 2 -m 1024 -nographic -nic none \
		"${ICOUNT[@]}" -plugin "$PLUGIN" -d plugin -kernel "$OUT/$tag.img" </dev/null >"$log" 2>&1 || true
	grep -q "TESTGUEST: PASS net-bench" "$log" && grep -q "\[ping\] TESTGUEST: PASS" "$log" ||
		{ echo "bench: net: the $tag run did not finish (see $log)" >&2; exit 1; }
	sed -n 's/^in range: //p' "$log" | tail -1
}
pack() { # pack TAG COUNT SIZE
	local tag=$1
	set -- "$2" "$3"
	cat >"$OUT/$tag.dts" <<DTS
/dts-v1/;
/ { bulkhead {
	ping: domain@0 { label = "ping"; cpus = <0>; memory-base = <0x0 0x50000000>; memory-size = <0x0 0x1000000>;
		kernel = "testguest-at-50080000.bin"; bootargs = "test=net-bench role=ping ip=10.0.0.1 peer=10.0.0.2 count=$1 size=$2"; };
	echo: domain@1 { label = "echo"; cpus = <1>; memory-base = <0x0 0x52000000>; memory-size = <0x0 0x1000000>;
		kernel = "testguest-at-52080000.bin"; bootargs = "test=net-bench role=echo ip=10.0.0.2 peer=10.0.0.1 count=$1"; };
	network@0 { port@0 { domain = <&ping>; }; port@1 { domain = <&echo>; }; };
}; };
DTS
	dtc -q -I dts -O dtb -o "$OUT/$tag.dtb" "$OUT/$tag.dts"
	"$ROOT/build/tools/bhpack" -o "$OUT/$tag.img" --hyp "$ROOT/build/qemu-virt/hyp/bulkhead.bin" \
		--payload-offset "$OFF" --config "$OUT/$tag.dtb" --board "$BOARD" \
		-I "$ROOT/build/guests/aarch64" >/dev/null
}
base=$(el2 0 18)
small=$(el2 "$N" 18)   # 60-byte frames (the Ethernet minimum, with padding)
big=$(el2 "$N" 1472)   # 1514-byte frames (1500-byte MTU)
big2=$(el2 "$N" 1472 again)
per_small=$(((small - base) / (2 * N)))
per_big=$(((big - base) / (2 * N)))
per_kib=$(((per_big - per_small) * 1024 / (1514 - 60)))
row() { printf '%-58s %15s  %-22s %s\n' "$1" "$2" "$3" "${4:-}"; }
row "net: EL2 instructions per forwarded frame, 60 bytes" "$per_small" "reported" "$N echo rounds, all costs"
row "net: EL2 instructions per forwarded frame, 1514 bytes" "$per_big" "reported"
row "net: EL2 instructions per KiB forwarded (the copy)" "$per_kib" "reported" "(1514-byte - 60-byte) / 1454 bytes"
row "  the 1514-byte run, second time" "$(((big2 - base) / (2 * N)))" "identical" \
	"$([ "$big" = "$big2" ] && echo yes || echo NO)"
cat >"$OUT/net.json" <<JSON
{
  "net_el2_insns_per_frame_60": $per_small,
  "net_el2_insns_per_frame_1514": $per_big,
  "net_el2_insns_per_kib": $per_kib,
  "net_identical_second_run": $([ "$big" = "$big2" ] && echo true || echo false)
}
JSON
