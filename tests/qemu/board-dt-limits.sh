#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# A board DT over the index's limits (dt/board.c: 2048 nodes, 64 levels,
# 128 KiB of structure) is refused, and the refusal is seen: the console is
# found without the index (dt/board_fallback.c), the line names the limit,
# and the machine is powered off through the DT's /psci. Each case is QEMU
# virt's own DT grown past one limit, booted as a loader would hand it over
# (bhpack --board would have refused it at build time). Until the fallback,
# each stopped silently: no line, QEMU still running at the timeout. The
# console is also named by an alias, behind a bus whose 'ranges' moves it
# (0x1010000 on the bus is 0x9000000). The last case starts a DT over the
# node limit at EL1: boot_wrong_el says so, then powers off.
# timeout: 200
. "$(dirname "$0")/common.sh"
bh_image "$W/img" CONFIG=qemu-virt-single GIC=3 SMP=1 BOOTARGS="test=basic"
timeout 30 qemu-system-aarch64 -M virt,virtualization=on,gic-version=3,dumpdtb="$W/virt.dtb" \
	-cpu cortex-a57 -smp 1 -m 1024 -nographic -nic none >/dev/null 2>&1
dtc -q -I dtb -O dts -o "$W/virt.dts" "$W/virt.dtb" || { echo "dtc failed"; exit 1; }
head -c $((132 << 10)) /dev/zero >"$W/zero.bin"

# grow NAME: virt.dts and one more root block (dtc merges them) over a limit
grow() {
	python3 - "$1" >"$W/$1-extra.dts" <<'EOF'
import sys
case = sys.argv[1]
if case == "nodes":   # QEMU's ~56 nodes and 2048 more
    print("/ { many {", " ".join("n%d { };" % i for i in range(2048)), "}; };")
elif case == "depth": # 66 levels under the root
    print("/ {", "d { " * 66, "}; " * 66, "};")
elif case == "size":  # a 132 KiB property: the structure block over 128 KiB
    print('/ { big { blob = /incbin/("zero.bin"); }; };')
else:                 # 2048 more nodes; the console named by an alias, behind a bus
    print("/ { many {", " ".join("n%d { };" % i for i in range(2048)), "};")
    print('  bus@8000000 { compatible = "simple-bus"; #address-cells = <1>; #size-cells = <1>;')
    print('    ranges = <0x10000 0x0 0x8000000 0x2000000>;')
    print('    serial@1010000 { compatible = "arm,pl011"; reg = <0x1010000 0x1000>; }; };')
    print('  aliases { serial0 = "/bus@8000000/serial@1010000"; };')
    print('  chosen { stdout-path = "serial0:115200n8"; }; };')
EOF
	cat "$W/virt.dts" "$W/$1-extra.dts" >"$W/$1.dts"
	dtc -q -i "$W" -I dts -O dtb -o "$W/$1.dtb" "$W/$1.dts" || { echo "dtc $1 failed"; exit 1; }
}

# boot NAME EL2|EL1 REGEX WHAT: the line, and QEMU powered off (exit 0), in time
boot() {
	local log=$W/$1-$2.log virt=on
	[ "$2" = EL1 ] && virt=off
	timeout 30 qemu-system-aarch64 -M virt,virtualization=$virt,gic-version=3 -cpu cortex-a57 \
		-smp 1 -m 1024 -nographic -nic none -no-reboot -kernel "$W/img" -dtb "$W/$1.dtb" \
		</dev/null >"$log" 2>&1
	local rc=$?
	expect "$log" "$3" "$4"
	if [ $rc -eq 0 ]; then echo "  ok: powered off (QEMU exited by itself)"; else
		echo "  FAIL: QEMU exit status $rc$([ $rc -eq 124 ] && echo ': still running at the timeout')"
		FAILS=$((FAILS + 1))
	fi
	expect_not "$log" "TESTGUEST|Synchronous|\*\*\*" "nothing ran, nothing crashed"
}

echo "case: 2048 nodes more than QEMU's"
grow nodes
boot nodes EL2 "^bulkhead: DT: more than 2048 nodes" "the line names the node limit"
echo "case: 66 levels of nodes"
grow depth
boot depth EL2 "^bulkhead: DT: more than 64 levels of nodes" "the line names the depth limit"
echo "case: a structure block of 132 KiB"
grow size
boot size EL2 "^bulkhead: DT: more than 128 KiB of structure" \
	"the line names the size limit"
echo "case: 2048 nodes more, the console by an alias, behind a bus with ranges"
grow alias
boot alias EL2 "^bulkhead: DT: more than 2048 nodes" "the line, on 0x9000000 through the bus's ranges"
echo "case: the DT of 2048 more nodes, started at EL1"
boot nodes EL1 "^Bulkhead needs to be started at EL2; it was started at EL1\. Stopping\." \
	"the EL2 line, on the console found without the index"
finish
