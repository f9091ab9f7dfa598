# SPDX-License-Identifier: Apache-2.0
# Shared by the QEMU integration tests (sourced): build an image for a case,
# boot it (QEMU -kernel, U-Boot, or an SD-card image), check the console log.
# Tests run in parallel: every output goes to the test's own $W directory.
set -u
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BH_CACHE=${BH_CACHE:-$HOME/.cache/bulkhead}
ASSETS=${BH_ASSETS:-$BH_CACHE/guest-assets}
W=$(mktemp -d)
# BH_KEEP=DIR keeps this test's work files (images, logs) in DIR for a look.
trap '[ -n "${BH_KEEP:-}" ] && mkdir -p "$BH_KEEP" && cp -r "$W"/. "$BH_KEEP"/; rm -rf "$W"' EXIT
UBOOT=/usr/lib/u-boot/qemu_arm64/u-boot.bin
FAILS=0

need_assets() {
	[ -f "$ASSETS/Image-arm64" ] && [ -f "$ASSETS/initramfs-arm64.cpio.gz" ] ||
		{ echo "guest assets missing in $ASSETS (make guest-assets)"; exit 77; }
}

# bh_image OUT [make variables...]: pack an image (everything is already built).
bh_image() {
	local out=$1; shift
	make -s -C "$ROOT" image OUT="$out" "$@" >"$W/make.log" 2>&1 ||
		{ echo "packing $out failed:"; cat "$W/make.log"; exit 1; }
}

# U-Boot's default environment with bootdelay=0, on the second flash bank.
uboot_env() {
	[ -f "$W/env.bin" ] && return
	tr '\0' '\n' < "$UBOOT" | awk -v RS= '/(^|\n)bootdelay=[0-9]+(\n|$)/' |
		grep -E '^[A-Za-z0-9_]+=' | sed 's/^bootdelay=.*/bootdelay=0/' > "$W/env.txt"
	mkenvimage -s 0x40000 -o "$W/env.bin" "$W/env.txt"
	truncate -s 64M "$W/env.bin"
}

# bh_boot MODE(kernel|uboot|sdcard) IMAGE LOG TIMEOUT GIC CPU SMP [extra QEMU args...]
bh_boot() {
	local mode=$1 img=$2 log=$3 tmo=$4 gic=$5 cpu=$6 smp=$7; shift 7
	# The serial port on plain stdio (no QEMU multiplexer, which would take
	# Ctrl-A as its own escape key): Bulkhead's console keys reach it.
	local args=(-M "virt,virtualization=on,gic-version=$gic" -cpu "$cpu" -smp "$smp" -m 1024
		-display none -monitor none -chardev stdio,id=con,signal=off -serial chardev:con
		-nic none -no-reboot)
	case $mode in
	kernel) args+=(-kernel "$img") ;;
	uboot) uboot_env; args+=(-bios "$UBOOT" -kernel "$img"
		-drive "if=pflash,format=raw,index=1,file=$W/env.bin") ;;
	sdcard) uboot_env; args+=(-bios "$UBOOT" -drive "if=virtio,format=raw,file=$img"
		-drive "if=pflash,format=raw,index=1,file=$W/env.bin") ;;
	esac
	timeout "$tmo" qemu-system-aarch64 "${args[@]}" "$@" <"${BH_IN:-/dev/null}" >"$log" 2>&1
	local rc=$?
	[ $rc -eq 124 ] && echo "  (QEMU timed out after ${tmo}s)"
	return $rc
}

# expect LOG REGEX WHAT / expect_not LOG REGEX WHAT: record a failure, keep going.
expect() {
	if grep -qE -- "$2" "$1"; then echo "  ok: $3"; else
		echo "  FAIL: $3 (no line matching /$2/ in $(basename "$1"))"; FAILS=$((FAILS + 1))
		tail -15 "$1" | sed 's/^/    | /'
	fi
}
expect_not() {
	if grep -qE -- "$2" "$1"; then
		echo "  FAIL: $3: $(grep -m1 -E -- "$2" "$1")"; FAILS=$((FAILS + 1))
	else echo "  ok: $3"; fi
}
# expect_count LOG REGEX MIN MAX WHAT: between MIN and MAX lines match
# (MAX empty: no upper bound).
expect_count() {
	local n
	n=$(grep -cE -- "$2" "$1")
	if [ "$n" -ge "$3" ] && { [ -z "$4" ] || [ "$n" -le "$4" ]; }; then echo "  ok: $5 ($n)"
	else
		echo "  FAIL: $5: $n lines matching /$2/ in $(basename "$1") (expected $3..${4:-})"
		FAILS=$((FAILS + 1))
	fi
}
# expect_at_most VALUE MAX WHAT OK_WHY FAIL_WHY: VALUE (empty: nothing
# measured) is a number at most MAX.
expect_at_most() {
	if [ -n "$1" ] && [ "$1" -le "$2" ]; then echo "  ok: $3: $1 (at most $2: $4)"
	else
		echo "  FAIL: $3: ${1:-?}, want at most $2 ($5)"; FAILS=$((FAILS + 1))
	fi
}
finish() {
	echo "$FAILS failed checks"
	[ "$FAILS" -eq 0 ]
}

# linux_initrd OUT [files-dir]: the assets' busybox initramfs with our test
# /init and /tests/*.sh overlaid (a second cpio archive appended: the kernel
# unpacks both, the later files win). Extra files (kernel modules) from $2.
linux_initrd() {
	local out=$1 extra=${2:-}
	rm -rf "$W/ov"; mkdir -p "$W/ov"
	cp -r "$ROOT/tests/qemu/initramfs/." "$W/ov/"
	chmod 755 "$W/ov/init"
	[ -n "$extra" ] && cp -r "$extra/." "$W/ov/"
	cp "$ASSETS/initramfs-arm64.cpio.gz" "$out"
	(cd "$W/ov" && find . | LC_ALL=C sort | cpio -o -H newc --owner=0:0 --quiet) | gzip -1 >> "$out"
}

# chat LOG TIMEOUT WAIT_REGEX INPUT [WAIT_REGEX INPUT]... -- COMMAND [ARGS...]:
# run COMMAND with its output in LOG and its input on a FIFO; whenever LOG
# shows WAIT_REGEX, type INPUT (printf format), waiting TIMEOUT seconds at
# most in all. A WAIT_REGEX of the form @N waits N seconds instead (e.g. while
# the console is stalled and nothing appears). COMMAND (a function or program)
# must bound its own run time (QEMU under timeout). Returns COMMAND's exit status.
chat() {
	local log=$1 tmo=$2; shift 2
	local script=()
	while [ $# -gt 0 ] && [ "$1" != -- ]; do script+=("$1"); shift; done
	shift
	mkfifo "$W/in"
	: >"$log"
	rm -f "$W/rc"
	("$@" <"$W/in" >"$log" 2>&1; echo $? >"$W/rc") &
	exec 3>"$W/in"
	local deadline=$((SECONDS + tmo)) i=0
	while [ $i -lt ${#script[@]} ]; do
		if [[ ${script[i]} =~ ^@[0-9]+$ ]]; then
			sleep "${script[i]#@}"
			(trap '' PIPE; printf "${script[i + 1]}" >&3) 2>/dev/null
			i=$((i + 2))
			continue
		fi
		until grep -qE -- "${script[i]}" "$log" 2>/dev/null || [ $SECONDS -ge $deadline ] || [ -f "$W/rc" ]; do
			sleep 0.2
		done
		if ! grep -qE -- "${script[i]}" "$log" 2>/dev/null; then
			echo "  (the run ended or timed out before /${script[i]}/ appeared; its last lines:)"
			tail -15 "$log" | sed 's/^/    | /'
			break
		fi
		sleep 0.5
		# The command may have ended already: no SIGPIPE for the test itself.
		(trap '' PIPE; printf "${script[i + 1]}" >&3) 2>/dev/null
		i=$((i + 2))
	done
	wait
	exec 3>&-
	rm -f "$W/in"
	local rc; rc=$(cat "$W/rc" 2>/dev/null)
	return "${rc:-1}"
}

# bh_boot_interactive MODE IMAGE LOG TIMEOUT GIC CPU SMP WAIT_REGEX INPUT [WAIT_REGEX INPUT]...
# bh_boot with chat's typed input.
bh_boot_interactive() {
	local mode=$1 img=$2 log=$3 tmo=$4 gic=$5 cpu=$6 smp=$7; shift 7
	BH_IN=/dev/stdin chat "$log" "$tmo" "$@" -- bh_boot "$mode" "$img" /dev/stdout "$tmo" "$gic" "$cpu" "$smp"
}

# bh_pack OUT CONFIG.dts GIC SMP [bhpack args...]: pack directly with the built
# hypervisor and bhpack (checked against QEMU's DT for that machine), so a test
# can override any config property with --set.
bh_pack() {
	local out=$1 cfg=$2 gic=$3 smp=$4; shift 4
	local board=$W/board-$gic-$smp.dtb
	[ -f "$board" ] || timeout 30 qemu-system-aarch64 -M "virt,virtualization=on,gic-version=$gic,dumpdtb=$board" \
		-cpu cortex-a57 -smp "$smp" -m 1024 -nographic -nic none >/dev/null 2>&1
	dtc -q -I dts -O dtb -o "$W/cfg.dtb" "$cfg" || exit 1
	local off
	off=0x$(aarch64-linux-gnu-nm "$ROOT/build/qemu-virt/hyp/bulkhead.elf" | awk '/ __payload_start$/{print $1}')
	"$ROOT/build/tools/bhpack" -o "$out" --hyp "$ROOT/build/qemu-virt/hyp/bulkhead.bin" \
		--payload-offset "$off" --config "$W/cfg.dtb" --board "$board" \
		-I "$ROOT/build/guests/aarch64" -I "$ROOT/build/guests/aarch32" -I "$ASSETS" "$@" >"$W/pack.log" 2>&1 ||
		{ echo "bhpack failed:"; cat "$W/pack.log"; exit 1; }
}

# bh_attack NAME OUT [STRING]: tests/attacks/NAME.S assembled into the raw
# binary OUT (position independent, linked at 0). With STRING, its 8-byte
# slot "TARGET!!" becomes the physical address of STRING in the hypervisor
# (QEMU -kernel loads it at 0x40200000): where the attack aims.
bh_attack() {
	local name=$1 out=$2 str=${3:-}
	aarch64-linux-gnu-gcc -nostdlib -static -Wl,-Ttext=0 -Wl,--build-id=none -o "$W/$name.elf" \
		"$ROOT/tests/attacks/$name.S" && aarch64-linux-gnu-objcopy -O binary "$W/$name.elf" "$out" ||
		{ echo "cannot build tests/attacks/$name.S"; exit 1; }
	[ -n "$str" ] || return 0
	python3 - "$ROOT/build/qemu-virt/hyp/bulkhead.bin" "$out" "$str" <<'PY' || exit 1
import struct, sys
hyp, atk = open(sys.argv[1], 'rb').read(), bytearray(open(sys.argv[2], 'rb').read())
off = hyp.find(sys.argv[3].encode())
assert off > 0, 'string not in the hypervisor: ' + sys.argv[3]
assert atk.count(b'TARGET!!') == 1, 'no TARGET!! slot in the attack'
i = atk.index(b'TARGET!!')
atk[i:i + 8] = struct.pack('<Q', 0x40200000 + off)
open(sys.argv[2], 'wb').write(atk)
PY
}
