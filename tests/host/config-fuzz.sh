#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Malformed DTBs never crash the config checker: the partition configs and
# QEMU's board DT, mutated at random (bytes flipped, 32-bit words replaced,
# header fields and lengths corrupted, the file cut short), go through the
# checker built with AddressSanitizer and UBSan (the same dt/ code the
# hypervisor runs at boot). Each run must end with exit status 0, or 1 and
# an "error:" line naming the problem; never a sanitizer report, a signal or
# a hang.
# timeout: 600
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
W=$(mktemp -d); trap 'rm -rf "$W"' EXIT
make -s -C "$ROOT" tools-asan SETUP=/dev/null >"$W/make.log" 2>&1 || { cat "$W/make.log"; exit 1; }
BH=$ROOT/build/tools/bhpack-asan
timeout 30 qemu-system-aarch64 -M virt,virtualization=on,gic-version=3,dumpdtb="$W/board.dtb" \
	-cpu cortex-a57 -smp 4 -m 1024 -nographic -nic none >/dev/null 2>&1
[ -s "$W/board.dtb" ] || { echo "could not dump QEMU's board DT"; exit 1; }
for c in "$ROOT"/configs/*.dts "$ROOT"/tests/qemu/channels.sh; do
	case $c in
	*.dts) dtc -q -I dts -O dtb -o "$W/$(basename "$c" .dts).dtb" "$c" ;;
	*) sed -n '/<<.DTS.$/,/^DTS$/p' "$c" | sed '1d;$d' | dtc -q -I dts -O dtb -o "$W/channels.dtb" - ;;
	esac
done
head -c 4096 /dev/zero >"$W/img"
ARGS=(-I "$W" --image Image-arm64="$W/img" --image initramfs-arm64.cpio.gz="$W/img"
	--image testguest.bin="$W/img" --image kernel="$W/img")
N=${FUZZ_RUNS:-400}
export ASAN_OPTIONS=detect_leaks=0:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1

# The seeds must pass as they are (or the fuzzing proves nothing).
for cfg in "$W"/qemu-virt-mixed.dtb "$W"/channels.dtb; do
	"$BH" --check-only --config "$cfg" --board "$W/board.dtb" "${ARGS[@]}" >/dev/null 2>&1 ||
		{ echo "FAIL: the unmutated $(basename "$cfg") is refused"; exit 1; }
done

python3 - "$W" "$N" <<'PY'
import random, struct, sys, os
w, n = sys.argv[1], int(sys.argv[2])
rng = random.Random(20261125)
seeds = {"cfg": [open(os.path.join(w, f), "rb").read() for f in ("qemu-virt-mixed.dtb", "channels.dtb", "qemu-virt-single.dtb")],
         "board": [open(os.path.join(w, "board.dtb"), "rb").read()]}
def mutate(b):
    b = bytearray(b)
    for _ in range(rng.choice([1, 1, 2, 4, 8])):
        if len(b) < 48:
            break
        k = rng.randrange(6)
        if k == 0:      # flip a byte
            i = rng.randrange(len(b)); b[i] ^= 1 << rng.randrange(8)
        elif k == 1:    # a 32-bit word: 0, ~0, huge, small
            i = rng.randrange(len(b) // 4) * 4
            b[i:i+4] = struct.pack(">I", rng.choice([0, 0xffffffff, 0x7fffffff, 0x80000000, rng.randrange(1 << 32), rng.randrange(64)]))
        elif k == 2:    # a header field (magic, totalsize, offsets, sizes, version)
            i = rng.randrange(10) * 4
            b[i:i+4] = struct.pack(">I", rng.choice([0, 0xffffffff, len(b) + rng.randrange(4096), rng.randrange(len(b) + 1)]))
        elif k == 3:    # cut it short
            b = b[:rng.randrange(1, len(b))]
        elif k == 4:    # a string NUL removed / inserted
            i = rng.randrange(len(b)); b[i] = 0 if b[i] else 0x41
        else:           # a duplicated chunk
            i = rng.randrange(len(b)); j = min(len(b), i + rng.randrange(1, 64)); b[i:i] = b[i:j]
    return bytes(b)
for r in range(n):
    kind = "board" if r % 4 == 3 else "cfg"
    data = mutate(rng.choice(seeds[kind]))
    open(os.path.join(w, "m%04d-%s.dtb" % (r, kind)), "wb").write(data)
PY

bad=0 refused=0 accepted=0
N=$(ls "$W"/m*.dtb | wc -l)
for m in "$W"/m*.dtb; do
	name=$(basename "$m" .dtb)
	if [ "${name##*-}" = board ]; then
		a=(--config "$W/qemu-virt-mixed.dtb" --board "$m")
	else
		a=(--config "$m" --board "$W/board.dtb")
	fi
	timeout 20 "$BH" --check-only "${a[@]}" "${ARGS[@]}" >"$W/out" 2>&1
	rc=$?
	if grep -qE 'AddressSanitizer|runtime error|LeakSanitizer' "$W/out" || [ $rc -gt 1 ] ||
		{ [ $rc -eq 1 ] && ! grep -q 'error:' "$W/out"; }; then
		bad=$((bad + 1))
		if [ $bad -le 3 ]; then
			echo "FAIL $name: exit $rc"; head -25 "$W/out" | sed 's/^/    | /'
			cp "$m" "$ROOT/build/fuzz-$name.dtb" 2>/dev/null && echo "    (kept as build/fuzz-$name.dtb)"
		fi
	elif [ $rc -eq 0 ]; then
		accepted=$((accepted + 1))
	else
		refused=$((refused + 1))
	fi
done
echo "$N mutated DTBs: $refused refused with an error, $accepted still valid, $bad crashes or bad exits"
[ $bad -eq 0 ] && [ $refused -gt 0 ]
