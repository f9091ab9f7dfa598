#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The config reader and the DT writers may get faster, never different:
# every config (configs/, tests/bad-configs/, tests/unit/data/) checked by
# bhpack against each board DT of tests/unit/data/, with every domain's DT
# dumped, gives what tests/host/dt-identity.sums records: a SHA-256 of
# bhpack's exit code, its messages and each dumped DT, byte for byte.
# After a deliberate change of output: BH_DT_IDENTITY_UPDATE=1 rewrites the
# sums (and the commit says why the bytes changed).
# timeout: 120
set -u
# ls's order and [a-z] are the C locale's, whatever the user's (en_US.UTF-8
# sorts good.dts before good-minimal.dts: every sum the same, the diff red).
export LC_ALL=C
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BHPACK=$ROOT/build/tools/bhpack
SUMS=$ROOT/tests/host/dt-identity.sums
[ -x "$BHPACK" ] || { echo "bhpack not built (run make first)"; exit 1; }
W=$(mktemp -d); trap 'rm -rf "$W"' EXIT
D=$ROOT/tests/unit/data
# Every image name the configs use, a few bytes each (the DTs do not depend
# on an image's contents, only the initrd's size).
mkdir -p "$W/img"
for f in Image Image-arm64 initramfs-arm64.cpio.gz rootfs.cpio.gz app.bin k kernel rt.bin \
	testguest.bin u-boot.bin guest.bin; do
	printf '%s\n' "$f" >"$W/img/$f"
done
boards="board-4cpu qemu-virt-gicv3-el2 qemu-virt-gicv2-el2 passthrough/board"
for b in $boards; do
	dtc -q -I dts -O dtb -o "$W/${b//\//-}.dtb" "$D/$b.dts" || { echo "dtc refused $D/$b.dts"; exit 1; }
done
# And QEMU's own (the board tests/bad-configs/ are written for), its seeds off.
timeout 30 qemu-system-aarch64 -M virt,virtualization=on,gic-version=3,dtb-randomness=off,dumpdtb="$W/qemu.dtb" \
	-cpu cortex-a57 -smp 4 -m 1024 -nographic -nic none >/dev/null 2>&1
[ -s "$W/qemu.dtb" ] || { echo "could not dump QEMU's board DT"; exit 1; }
boards="$boards qemu"
cfgs=$(cd "$ROOT" && ls configs/*.dts tests/bad-configs/*.dts tests/unit/data/plan/*.dts \
	tests/unit/data/passthrough/config.dts)
n=0 nd=0
for c in $cfgs; do
	dtc -q -I dts -O dtb -o "$W/c.dtb" "$ROOT/$c" 2>/dev/null || continue # not all compile
	dumps=()
	for node in $(fdtget -l "$W/c.dtb" /bulkhead 2>/dev/null | grep '^domain'); do
		l=$(fdtget "$W/c.dtb" "/bulkhead/$node" label 2>/dev/null) || continue
		[[ $l =~ ^[a-z0-9_-]+$ ]] && dumps+=(--dump-dt "$l=$W/dump-$l.dtb")
	done
	for b in $boards; do
		rm -f "$W"/dump-*.dtb
		out=$("$BHPACK" --check-only --config "$W/c.dtb" --board "$W/${b//\//-}.dtb" -I "$W/img" \
			"${dumps[@]}" 2>&1)
		rc=$?
		{
			echo "rc $rc"
			echo "${out//$W/W}" # its messages name the work directory
			for f in "$W"/dump-*.dtb; do [ -f "$f" ] && { basename "$f"; cat "$f"; }; done
		} | sha256sum | { read -r s _; echo "$c $b $s"; } >>"$W/sums"
		n=$((n + 1)) nd=$((nd + $(ls "$W"/dump-*.dtb 2>/dev/null | wc -l)))
	done
done
if [ "${BH_DT_IDENTITY_UPDATE:-}" = 1 ]; then
	cp "$W/sums" "$SUMS"
	echo "wrote $SUMS ($n checks, $nd domain DTs)"
	exit 0
fi
if ! diff -u "$SUMS" "$W/sums"; then
	echo "FAIL: the output above differs from tests/host/dt-identity.sums (- recorded, + now)"
	exit 1
fi
echo "$n config x board checks ($nd domain DTs): messages and DTs byte-identical"
