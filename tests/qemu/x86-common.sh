# SPDX-License-Identifier: Apache-2.0
# Shared by the x86 port's QEMU tests (sourced): build the x86 image (the
# arm64 `make all` does not), boot it on qemu-system-x86_64 with AMD SVM and
# nested paging under TCG (docs/x86.md).
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
command -v qemu-system-x86_64 >/dev/null || { echo "qemu-system-x86_64 is not installed"; exit 77; }
X86_HYP=$ROOT/build/qemu-x86/hyp
# Two x86 tests may run at once: one builds, the other waits for it.
mkdir -p "$ROOT/build"
flock "$ROOT/build/.x86-build.lock" make -s -C "$ROOT" BOARD=qemu-x86 all >"$W/make.log" 2>&1 ||
	{ echo "building the x86 image failed:"; cat "$W/make.log"; exit 1; }

# x86_boot LOG TIMEOUT IMAGE [extra QEMU args...]: returns QEMU's exit status
# (isa-debug-exit: 1 = the hypervisor powered off cleanly, 3 = after a failure;
# with X86_NO_DEBUG_EXIT=1 there is no such device: ACPI S5 ends QEMU, 0).
x86_boot() {
	local log=$1 tmo=$2 img=$3; shift 3
	local exitdev=(-device isa-debug-exit,iobase=0xf4,iosize=4)
	[ -n "${X86_NO_DEBUG_EXIT:-}" ] && exitdev=()
	timeout "$tmo" qemu-system-x86_64 -M pc -cpu qemu64,+svm,+npt -m 512 -display none -monitor none \
		-serial stdio -nic none -no-reboot "${exitdev[@]}" -kernel "$img" "$@" </dev/null >"$log" 2>&1
	local rc=$?
	[ $rc -eq 124 ] && echo "  (QEMU timed out after ${tmo}s)"
	return $rc
}

# x86_config NAME DOMAINS [bhpack args...]: $W/NAME.img, the boot file of a
# config of the given domain nodes (DTS text inside /bulkhead), compiled by
# dtc and packed by bhpack as every config is (images from the test guest's
# build folder and from $W).
x86_config() {
	local name=$1 doms=$2; shift 2
	printf '/dts-v1/;\n/ {\n bulkhead {\n  compatible = "bulkhead,config-v1";\n%s\n };\n};\n' "$doms" >"$W/$name.dts"
	dtc -q -I dts -O dtb -o "$W/$name.dtb" "$W/$name.dts" || { echo "dtc failed on $name.dts"; exit 1; }
	local off
	off=$(nm "$X86_HYP/bulkhead.elf" | awk '/ __payload_start$/ { print "0x" $1 }')
	"$ROOT/build/tools/bhpack" -o "$W/$name.img" --hyp "$X86_HYP/bulkhead.bin" --config "$W/$name.dtb" \
		--payload-offset $((off - 0x100000)) -I "$ROOT/build/guests/x86" -I "$W" "$@" >"$W/$name.pack" 2>&1 ||
		{ echo "bhpack failed on $name:"; cat "$W/$name.pack"; exit 1; }
}
# x86_domain ID LABEL CPU [PROPS]: domain@ID running the test guest (4 MiB).
x86_domain() {
	printf '  domain@%s { label = "%s"; cpus = <%s>; memory-size = <0x0 0x400000>; kernel = "testguest-x86.bin"; %s };\n' \
		"$1" "$2" "$3" "${4:-}"
}

# expect_rc GOT WANT WHAT
expect_rc() {
	if [ "$1" -eq "$2" ]; then echo "  ok: $3 (QEMU exit status $1)"; else
		echo "  FAIL: $3: QEMU exit status $1, expected $2"; FAILS=$((FAILS + 1)); fi
}
