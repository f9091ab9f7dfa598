#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Scale: QEMU virt with 64 CPUs (GICv3) partitioned into 64 one-CPU domains,
# each running the bare-metal test guest to its PASS; and boot cost flat in
# the board's RAM: the instructions from reset to the first guest instruction
# (the domain's RAM scrub aside) on the largest board QEMU's virt takes here
# (16383 GiB with a cortex-a57's 44-bit addresses; a sparse file backs it)
# are those of a 1 GiB board, but for the few the console spends printing
# longer numbers.
# timeout: 240
. "$(dirname "$0")/common.sh"

echo "case: 64 CPUs, 64 one-CPU domains (GICv3)"
{
	echo '/dts-v1/;'
	echo '/ { bulkhead {'
	for i in $(seq 0 63); do
		printf '\tdomain@%d { label = "d%d"; cpus = <%d>; memory-size = <0x0 0x800000>; kernel = "testguest.bin"; };\n' \
			"$i" "$i" "$i"
	done
	echo '}; };'
} >"$W/cfg.dts"
bh_pack "$W/img" "$W/cfg.dts" 3 64
log=$W/log64
bh_boot kernel "$W/img" "$log" 200 3 cortex-a57 64
rc=$?
expect "$log" "^Bulkhead .*: 64 CPUs, GICv3, .*, 64 domains" "the hypervisor sees 64 CPUs and 64 domains"
expect "$log" "^bulkhead: 64 of 64 CPUs online" "every CPU came online"
expect_count "$log" '^\[d[0-9]+\] TESTGUEST: PASS basic' 64 64 "all 64 domains passed"
# The last line can be lost on a loaded host: 64 TCG CPUs idling in WFE
# (a yield under TCG) leave the one draining the console little time before
# the bounded console_sync() at power-off gives up. The machine powering off
# by itself (QEMU's exit 0, no fatal halt: checked below) says the same.
if grep -qaE "^bulkhead: no domain left running" "$log" || [ "$rc" -eq 0 ]; then
	echo "  ok: every domain powered off (the machine powered off by itself)"
else
	echo "  FAIL: every domain powered off (no power-off line, QEMU status $rc)"; FAILS=$((FAILS + 1))
fi
expect_not "$log" "hypervisor exception|halting the system|could not be built|boot stopped" "the hypervisor survived"

echo "case: boot cost on a 1 GiB board and on a 16383 GiB one"
gcc -shared -fPIC -O2 -Wall -o "$W/insncount.so" "$ROOT/tests/bench/insncount.c" || exit 1
make -s -C "$ROOT" image CONFIG=qemu-virt-single SMP=1 OUT="$W/one.img" >/dev/null || exit 1
ELF=$ROOT/build/qemu-virt/hyp/bulkhead.elf
read -r sa ss < <(aarch64-linux-gnu-nm -S "$ELF" | awk '$4 == "arch_scrub" { print $1, $2 }')
lo=$((0x40200000 + 0x$sa))
first() { # first RAM [qemu args]: instructions to the guest's first one, less the scrub
	local mem=$1
	shift
	timeout 60 qemu-system-aarch64 -M virt,gic-version=3,virtualization=on,dtb-randomness=off "$@" \
		-cpu cortex-a57 -smp 1 -m "$mem" -nographic -nic none -icount shift=0,sleep=off \
		-plugin "$W/insncount.so,lo=$lo,hi=$((lo + 0x$ss)),at=0x40080000,hit=1,stop=on" -d plugin \
		-kernel "$W/one.img" </dev/null 2>&1 | awk '/^at: / { print $2 - $3 }'
}
small=$(first 1024)
rm -f "$W/ram"
big=$(first 16383G -object "memory-backend-file,id=ram,size=16383G,mem-path=$W/ram,share=on" \
	-M memory-backend=ram)
rm -f "$W/ram"
echo "  1 GiB board: ${small:-none}, 16383 GiB board: ${big:-none} instructions"
if [ -n "$small" ] && [ -n "$big" ] && [ $((big - small)) -lt 2000 ] && [ $((small - big)) -lt 2000 ]; then
	echo "  ok: the same boot cost (within the console's printing of longer numbers)"
else
	echo "  FAIL: boot cost grows with the board's RAM"; FAILS=$((FAILS + 1))
fi
finish
