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
# run with half the rounds (the same boots, ARP exchange and ending) is
# subtracted, and what is left is divided by the frames forwarded in the
# other half (2 per round): the
# notify exit, the switch, the copy, the interrupt injection and the
# receiver's own exits for it, all included.
# Prints rows in run.sh's format; writes build/bench/net.json. The
# hypervisor's idle wait (cpu_idle_wait: a CPU with nothing to run, at boot
# and once its domain is done) is left out, as in run.sh: its turns depend on
# how the host schedules QEMU's round-robin between the two vCPUs, and it
# alone made repeats differ (up to ~100K instructions a run; every other
# function's count was identical over six runs). Every image still runs
# three times and a row says whether the three agreed.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT=$ROOT/build/bench
mkdir -p "$OUT"
ICOUNT=(-icount shift=0,sleep=off -rtc base=2024-01-01T00:00:00,clock=vm)
M="virt,gic-version=3,dtb-randomness=off,virtualization=on"
ELF=$ROOT/build/qemu-virt/hyp/bulkhead.elf
LOAD=0x40200000 # QEMU -kernel puts the hypervisor there
N=${BENCH_NET_ROUNDS:-2000}
[ "$OUT/insncount.so" -nt "$ROOT/tests/bench/insncount.c" ] || gcc -shared -fPIC -O2 -Wall -o "$OUT/insncount.so" "$ROOT/tests/bench/insncount.c"
TEXT=$(aarch64-linux-gnu-size -A "$ELF" | awk '$1 == ".text" { print $2 }')
read -r ia is < <(aarch64-linux-gnu-nm -S "$ELF" | awk '$4 == "cpu_idle_wait" { print $1, $2 }')
[ -n "${ia:-}" ] || { echo "bench: net: no cpu_idle_wait in $ELF" >&2; exit 1; }
PLUGIN="$OUT/insncount.so,lo=$LOAD,hi=$((LOAD + TEXT)),xlo=$((LOAD + 0x$ia)),xhi=$((LOAD + 0x$ia + 0x$is))"
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
	ping: domain@0 { label = "ping"; type = "ping_t"; cpus = <0>; memory-base = <0x0 0x50000000>; memory-size = <0x0 0x1000000>;
		kernel = "testguest-at-50080000.bin"; bootargs = "test=net-bench role=ping ip=10.0.0.1 peer=10.0.0.2 count=$1 size=$2"; };
	echo: domain@1 { label = "echo"; type = "echo_t"; cpus = <1>; memory-base = <0x0 0x52000000>; memory-size = <0x0 0x1000000>;
		kernel = "testguest-at-52080000.bin"; bootargs = "test=net-bench role=echo ip=10.0.0.2 peer=10.0.0.1 count=$1"; };
	network@0 { port@0 { domain = <&ping>; }; port@1 { domain = <&echo>; }; };
	policy { allow = "ping_t echo_t : net { send }", "echo_t ping_t : net { send }"; };
}; };
DTS
	dtc -q -I dts -O dtb -o "$OUT/$tag.dtb" "$OUT/$tag.dts"
	"$ROOT/build/tools/bhpack" -o "$OUT/$tag.img" --hyp "$ROOT/build/qemu-virt/hyp/bulkhead.bin" \
		--payload-offset "$OFF" --config "$OUT/$tag.dtb" --board "$BOARD" \
		-I "$ROOT/build/guests/aarch64" >/dev/null
}
# med3 COUNT SIZE -> the median of three runs of one image, and whether the
# three agreed ("yes"/"NO")
med3() {
	local a b c
	a=$(el2 "$1" "$2") b=$(el2 "$1" "$2" again) c=$(el2 "$1" "$2" again)
	echo "$(printf '%s\n' "$a" "$b" "$c" | sort -n | sed -n 2p) $([ "$a" = "$b" ] && [ "$b" = "$c" ] && echo yes || echo NO)"
}
H=$((N / 2))
read -r small0 s0same < <(med3 "$H" 18) # 60-byte frames (the Ethernet minimum, with padding)
read -r small s1same < <(med3 "$N" 18)
read -r big0 b0same < <(med3 "$H" 1472) # 1514-byte frames (1500-byte MTU)
read -r big b1same < <(med3 "$N" 1472)
per_small=$(((small - small0) / (2 * (N - H))))
per_big=$(((big - big0) / (2 * (N - H))))
same=$([ "$s0same$s1same$b0same$b1same" = yesyesyesyes ] && echo yes || echo NO)
per_kib=$(((per_big - per_small) * 1024 / (1514 - 60)))
row() { printf '%-58s %15s  %-22s %s\n' "$1" "$2" "$3" "${4:-}"; }
row "net: EL2 instructions per forwarded frame, 60 bytes" "$per_small" "reported" "$N - $H echo rounds, all costs"
row "net: EL2 instructions per forwarded frame, 1514 bytes" "$per_big" "reported"
row "net: EL2 instructions per KiB forwarded (the copy)" "$per_kib" "reported" "(1514-byte - 60-byte) / 1454 bytes"
row "  each of those runs three times, the median used" "" "identical" "$same"

# ---- dom0 -> guest TCP throughput, stock Linux on both ends ----
# dom0 (CPU 0) and guest (CPU 1), one vCPU each, on one network; the test
# initramfs with two scripts added: guest listens (busybox nc) and counts
# what arrives; dom0 waits for guest's answer to ping, then sends
# BENCH_NET_TCP_MIB MiB (zeros from its tmpfs) and times the connection by
# its /proc/uptime, i.e. in virtual seconds. BENCH_NET_TCP=0 skips it.
tcp_run() { # tcp_run LOG
	timeout 900 qemu-system-aarch64 -M "$M" -cpu cortex-a57 -smp 2 -m 1024 -nographic -nic none \
		"${ICOUNT[@]}" -kernel "$OUT/net-tcp.img" </dev/null >"$1" 2>&1 || true
	tr -d '\r' <"$1" | sed -n 's/^\[dom0\] NET-BENCH-TX \([0-9]*\) \([0-9.]*\) \([0-9.]*\)$/\1 \2 \3/p' | tail -1
}
tcp=""
if [ "${BENCH_NET_TCP:-1}" != 0 ]; then
	ASSETS=${BH_ASSETS:-${BH_CACHE:-$HOME/.cache/bulkhead}/guest-assets}
	MIB=${BENCH_NET_TCP_MIB:-16}
	rm -rf "$OUT/net-ov" && mkdir -p "$OUT/net-ov/tests"
	cat >"$OUT/net-ov/tests/netrx.sh" <<'SH'
echo "NET-BENCH-RX $(nc -l -p 5000 | wc -c)"
SH
	cat >"$OUT/net-ov/tests/nettx.sh" <<SH
until ping -c 1 -W 1 10.0.0.2 >/dev/null 2>&1; do :; done
dd if=/dev/zero of=/tmp/f bs=64k count=$((MIB * 16)) 2>/dev/null
while :; do
	t0=\$(cut -d' ' -f1 /proc/uptime)
	nc 10.0.0.2 5000 </tmp/f && break
	sleep 1
done
echo "NET-BENCH-TX \$(wc -c </tmp/f) \$t0 \$(cut -d' ' -f1 /proc/uptime)"
SH
	cp "$ASSETS/initramfs-arm64.cpio.gz" "$OUT/net-initrd.cpio.gz"
	(cd "$OUT/net-ov" && find . | LC_ALL=C sort | cpio -o -H newc --owner=0:0 --quiet) | gzip -1 \
		>>"$OUT/net-initrd.cpio.gz"
	cat >"$OUT/net-tcp.dts" <<DTS
/dts-v1/;
/ { bulkhead {
	dom0: domain@0 { label = "dom0"; role = "control"; type = "dom0_t"; cpus = <0>; memory-size = <0x0 0x10000000>;
		kernel = "Image-arm64"; initrd = "net-initrd.cpio.gz";
		bootargs = "console=ttyAMA0 nokaslr quiet bhtest=nettx bhnet=10.0.0.1/24"; };
	guest: domain@1 { label = "guest"; type = "guest_t"; cpus = <1>; memory-size = <0x0 0xc000000>;
		kernel = "Image-arm64"; initrd = "net-initrd.cpio.gz";
		bootargs = "console=ttyAMA0 nokaslr quiet bhtest=netrx bhnet=10.0.0.2/24"; };
	network@0 { port@0 { domain = <&dom0>; }; port@1 { domain = <&guest>; }; };
	policy { allow = "dom0_t guest_t : net { send }", "guest_t dom0_t : net { send }"; };
}; };
DTS
	dtc -q -I dts -O dtb -o "$OUT/net-tcp.dtb" "$OUT/net-tcp.dts"
	"$ROOT/build/tools/bhpack" -o "$OUT/net-tcp.img" --hyp "$ROOT/build/qemu-virt/hyp/bulkhead.bin" \
		--payload-offset "$OFF" --config "$OUT/net-tcp.dtb" --board "$BOARD" -I "$OUT" -I "$ASSETS" \
		>/dev/null
	read -r bytes t0 t1 < <(tcp_run "$OUT/net-tcp.log") ||
		{ echo "bench: net: the TCP run did not finish (see $OUT/net-tcp.log)" >&2; exit 1; }
	grep -q "^\[guest\] NET-BENCH-RX $bytes" <(tr -d '\r' <"$OUT/net-tcp.log") ||
		{ echo "bench: net: guest did not receive $bytes bytes (see $OUT/net-tcp.log)" >&2; exit 1; }
	tcp=$(awk -v b="$bytes" -v a="$t0" -v z="$t1" 'BEGIN { printf "%d", b / 1024 / (z - a) }')
	read -r _ u0 u1 < <(tcp_run "$OUT/net-tcp-again.log") || true
	tcp2=$(awk -v b="$bytes" -v a="${u0:-0}" -v z="${u1:-1}" 'BEGIN { printf "%d", b / 1024 / (z - a) }')
	row "net: dom0 -> guest TCP, KiB per virtual second" "$tcp" "reported" \
		"$MIB MiB, busybox nc, 1 vCPU each"
	row "  the same, second run" "$tcp2" "identical" "$([ "$tcp" = "$tcp2" ] && echo yes || echo NO)"
fi
cat >"$OUT/net.json" <<JSON
{
  "net_el2_insns_per_frame_60": $per_small,
  "net_el2_insns_per_frame_1514": $per_big,
  "net_el2_insns_per_kib": $per_kib,
  "net_identical_repeats": $([ "$same" = yes ] && echo true || echo false),
  "net_tcp_kib_per_virtual_s": ${tcp:-null}
}
JSON
