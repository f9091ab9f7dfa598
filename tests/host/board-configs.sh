#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The configs for boards users flash (configs/<board>.dts, boards/<board>/)
# checked against Debian's DTB for each board with the RAM its bootloader
# describes (boards/board-dtb.sh, as `make BOARD=...` does), by the checker
# the hypervisor runs at boot (bhpack --check-only), and the partition by an
# independent reading (partition_check.py): dom0 keeps every node it should,
# nothing of rt's in dom0, memory apart. Also what board.mk says of the board
# (CPUs, console UART), the rt domain on the last CPU, the console in dom0's
# and rt's DTs an emulated PL011 Linux can identify, and every device dom0
# names present in its DT with the board's interrupts.
# timeout: 300
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BH_CACHE=${BH_CACHE:-$HOME/.cache/bulkhead}
ASSETS=${BH_ASSETS:-$BH_CACHE/guest-assets}
BHPACK=$ROOT/build/tools/bhpack
GUESTS=$ROOT/build/guests/aarch64
[ -x "$BHPACK" ] && [ -f "$GUESTS/testguest.bin" ] || { echo "bhpack or the test guest not built (run make first)"; exit 1; }
[ -d "$ASSETS/dtbs-arm64" ] || { echo "board DTBs not fetched ($ASSETS/dtbs-arm64 missing; make guest-assets)"; exit 77; }
W=$(mktemp -d); trap 'rm -rf "$W"' EXIT
fail=0
bad() { echo "FAIL $b: $*"; fail=$((fail + 1)); }

# board.mk's variables, as make reads them.
board_vars() {
	printf 'print:\n\t@printf "%%s\\n" "$(BOARD_DEBIAN_DTB)" "$(BOARD_RAM)" "$(BOARD_UART)" "$(BOARD_CPUS)" "$(BOARD_DEFAULT_CONFIG)"\n' >"$W/print.mk"
	make -s --no-print-directory -C "$ROOT" -f "boards/$1/board.mk" -f "$W/print.mk" print
}

check_board() { # BOARD: 0 if every check passed
	local b=$1 v dtb ram uart ncpu cfg
	mapfile -t v < <(board_vars "$b") || true
	dtb=${v[0]:-} ram=${v[1]:-} uart=${v[2]:-} ncpu=${v[3]:-} cfg=${v[4]:-}
	[ -n "$dtb" ] && [ -n "$ram" ] && [ -n "$uart" ] && [ -n "$ncpu" ] ||
		{ bad "boards/$b/board.mk lacks BOARD_DEBIAN_DTB, BOARD_RAM, BOARD_UART or BOARD_CPUS"; return 1; }
	[ "$cfg" = "$b" ] || { bad "BOARD_DEFAULT_CONFIG is '$cfg', expected configs/$b.dts"; return 1; }
	out=$(bash "$ROOT/boards/board-dtb.sh" "$ASSETS/dtbs-arm64" "$dtb" "$ram" "$W/b.dtb" 2>&1) ||
		{ bad "$out"; return 1; }
	# The board as board.mk describes it: its CPUs and console UART.
	local cpus path
	cpus=$(fdtget -l "$W/b.dtb" /cpus | grep -c '^cpu@')
	[ "$cpus" = "$ncpu" ] || { bad "$dtb has $cpus CPUs, board.mk says $ncpu"; return 1; }
	path=$(fdtget "$W/b.dtb" /chosen stdout-path); path=${path%%:*}
	[ "${path:0:1}" = / ] || path=$(fdtget "$W/b.dtb" /aliases "$path")
	[ "$path" = "$uart" ] || { bad "$dtb's console UART is $path, board.mk says $uart"; return 1; }
	# The config, as make and the hypervisor at boot check it.
	dtc -q -I dts -O dtb -o "$W/c.dtb" "$ROOT/configs/$b.dts" || { bad "configs/$b.dts does not compile"; return 1; }
	out=$("$BHPACK" --check-only --config "$W/c.dtb" --board "$W/b.dtb" -I "$GUESTS" -I "$ASSETS" \
		--dump-dt dom0="$W/dom0.dtb" --dump-dt rt="$W/rt.dtb" 2>&1) ||
		{ bad "bhpack refuses configs/$b.dts on $dtb: $out"; return 1; }
	local rtcpu rtdev last=$((ncpu - 1))
	rtcpu=$(fdtget "$W/c.dtb" /bulkhead/domain@1 cpus) rtdev=$(fdtget "$W/c.dtb" /bulkhead/domain@1 devices)
	[ "$(fdtget "$W/c.dtb" /bulkhead/domain@1 label)" = rt ] && [ "$rtcpu" = "$last" ] ||
		{ bad "domain@1 must be \"rt\" on the last CPU ($last), it has CPUs '$rtcpu'"; return 1; }
	[ "$(wc -w <<<"$rtdev")" -le 1 ] || { bad "rt owns more than one device: $rtdev"; return 1; }
	if ! r=$(python3 "$ROOT/tests/host/partition_check.py" "$W/b.dtb" "$W/dom0.dtb" "$W/rt.dtb" "$last" "$rtdev"); then
		bad "the partition is wrong:"; echo "$r"; return 1
	fi
	# The console in dom0's and rt's DTs: the emulated PL011, its ID given
	# (Linux's AMBA bus would read it from the last 32 bytes of 'reg', the
	# board UART's size: no PL011 ID there, and no console).
	local pl
	pl=$(fdtget "$W/rt.dtb" /chosen stdout-path)
	for x in "dom0.dtb $uart" "rt.dtb ${pl%%:*}"; do
		set -- $x
		[ "$(fdtget "$W/$1" "$2" compatible 2>&1 | cut -d' ' -f1)" = arm,pl011 ] &&
			[ "$(fdtget -t x "$W/$1" "$2" arm,primecell-periphid 2>&1)" = 341011 ] &&
			! fdtget "$W/$1" "$2" dmas >/dev/null 2>&1 ||
			{ bad "${1%.dtb}'s console $2 is not an emulated PL011 with arm,primecell-periphid 0x341011 and no DMA: $(fdtget -p "$W/$1" "$2" 2>&1 | tr '\n' ' ')"; return 1; }
	done
	# dom0's own devices (DMA masters it names): there, with their interrupts.
	local d n=0
	while IFS= read -r d; do
		[ -n "$d" ] || continue
		fdtget "$W/dom0.dtb" "$d" compatible >/dev/null 2>&1 || { bad "dom0 names $d but its DT lacks it"; return 1; }
		[ "$(fdtget -t x "$W/dom0.dtb" "$d" interrupts 2>&1)" = "$(fdtget -t x "$W/b.dtb" "$d" interrupts 2>&1)" ] ||
			{ bad "dom0's $d has other interrupts than the board's"; return 1; }
		n=$((n + 1))
	done < <(fdtget "$W/c.dtb" /bulkhead/domain@0 devices | tr ' ' '\n')
	echo "ok   $b ($dtb, $ncpu CPUs, console $uart): $out; dom0 owns $n DMA masters, rt ${rtdev:-nothing} on CPU $last; $(tail -1 <<<"$r")"
}

for b in ${BOARDS:-rpi4 imx8mp-evk rk3399 zcu102}; do
	[ -f "$ROOT/boards/$b/board.mk" ] || { bad "boards/$b/board.mk missing"; continue; }
	check_board "$b"
done
echo "$fail board configs failed"
[ $fail -eq 0 ]
