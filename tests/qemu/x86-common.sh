# SPDX-License-Identifier: Apache-2.0
# Shared by the x86 port's QEMU tests (sourced): build the x86 image (the
# arm64 `make all` does not), boot it on qemu-system-x86_64 with AMD SVM and
# nested paging under TCG (docs/x86.md).
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
command -v qemu-system-x86_64 >/dev/null || { echo "qemu-system-x86_64 is not installed"; exit 77; }
X86_IMG=$ROOT/build/qemu-x86/hyp/bulkhead.bin
# Two x86 tests may run at once: one builds, the other waits for it.
mkdir -p "$ROOT/build"
flock "$ROOT/build/.x86-build.lock" make -s -C "$ROOT" BOARD=qemu-x86 all >"$W/make.log" 2>&1 ||
	{ echo "building the x86 image failed:"; cat "$W/make.log"; exit 1; }

# x86_boot LOG TIMEOUT [extra QEMU args...]: returns QEMU's exit status
# (isa-debug-exit: 1 = the hypervisor powered off cleanly, 3 = after a failure).
x86_boot() {
	local log=$1 tmo=$2; shift 2
	timeout "$tmo" qemu-system-x86_64 -M pc -cpu qemu64,+svm,+npt -m 512 -display none -monitor none \
		-serial stdio -nic none -no-reboot -device isa-debug-exit,iobase=0xf4,iosize=4 \
		-kernel "$X86_IMG" "$@" </dev/null >"$log" 2>&1
	local rc=$?
	[ $rc -eq 124 ] && echo "  (QEMU timed out after ${tmo}s)"
	return $rc
}

X86_GUEST=$ROOT/build/guests/x86/testguest-x86.bin
# x86_config NAME DOMAINS: $W/NAME.dtb, a config of the given domain nodes
# (DTS text inside /bulkhead), compiled by dtc as every config is.
x86_config() {
	printf '/dts-v1/;\n/ {\n bulkhead {\n  compatible = "bulkhead,config-v1";\n%s\n };\n};\n' "$2" >"$W/$1.dts"
	dtc -q -I dts -O dtb -o "$W/$1.dtb" "$W/$1.dts" || { echo "dtc failed on $1.dts"; exit 1; }
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
