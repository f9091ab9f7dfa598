#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# run-qemu.sh: boot a Bulkhead image (or any arm64 Image) on QEMU's AArch64
# 'virt' machine, entered at EL2, the way a board would: directly, through
# U-Boot, or from an SD-card image; or on QEMU's xlnx-zcu102 (-M).
#
# Usage: tools/run-qemu.sh [options] IMAGE [-- extra QEMU args]
#   -b MODE    kernel: QEMU -kernel IMAGE (QEMU's own boot stub; default)
#              uboot:  U-Boot (-bios) finds IMAGE on fw_cfg and runs booti
#              sdcard: IMAGE is a disk image (tools/mk-sdcard.sh) on
#                      virtio-pci; U-Boot's distro boot runs its boot.scr
#   -g GIC     2 | 3 | 4 | max (default 3)
#   -c CPU     CPU model (default cortex-a57)
#   -s SMP     number of CPUs (default 2)
#   -m MiB     RAM (default 1024)
#   -t SECS    timeout (default 120; 0 = none, for interactive use)
#   -V on|off  virtualization (EL2), default on
#   -d DISK    extra raw disk image, as virtio-blk on virtio-mmio (the first
#              one lands on the last transport, /virtio_mmio@a003e00)
#   -M BOARD   virt (default) or xlnx-zcu102: the ZCU102 (4x Cortex-A53,
#              GIC-400; -g/-c/-s/-d do not apply), started as U-Boot would:
#              the image at 0x200000, the DT (-D) at 0x100000, CPU 0 entering
#              boards/xlnx-zcu102/boot.S (QEMU's generic loader)
#   -D DTB     the board DT (-M xlnx-zcu102 only: make run builds it)
#   -i         deterministic: -icount shift=0,sleep=off, a fixed RTC, and no
#              random DT nodes (one instruction = 1 ns; exact PMU counts)
#   -r INITRD  initrd (kernel and uboot modes)
#   -a ARGS    kernel command line (kernel and uboot modes)
#   -e VAR=VAL set VAR in U-Boot's environment (uboot and sdcard modes)
# Env: QEMU (default qemu-system-aarch64), UBOOT (default
#      /usr/lib/u-boot/qemu_arm64/u-boot.bin).
# The console is this terminal: the serial port on plain stdio, with no QEMU
# multiplexer, so every key (Ctrl-A included) reaches Bulkhead, whose Ctrl-A q
# powers the machine off; Ctrl-C is passed on too. No network. U-Boot boots with bootdelay=0 (its default
# environment, rewritten, on the second flash bank). Exit status: QEMU's;
# 124 when the timeout fired.
set -euo pipefail

QEMU=${QEMU:-qemu-system-aarch64}
UBOOT=${UBOOT:-/usr/lib/u-boot/qemu_arm64/u-boot.bin}
MODE=kernel GIC=3 CPU=cortex-a57 SMP=2 MEM=1024 TMO=120 VIRT=on ICOUNT='' INITRD='' APPEND=''
BOARD=virt DTB=''
DISKS=() ENVS=()
usage() { # [STATUS]: 0 for -h (stdout), else 2 (stderr)
    if [ "${1:-2}" = 0 ]; then awk 'NR > 2 && !/^#/ { exit } NR > 2' "$0"; else awk 'NR > 2 && !/^#/ { exit } NR > 2' "$0" >&2; fi
    exit "${1:-2}"
}
while getopts "b:g:c:s:m:t:V:d:ir:a:e:M:D:h" o; do
    case $o in
        b) MODE=$OPTARG ;; g) GIC=$OPTARG ;; c) CPU=$OPTARG ;; s) SMP=$OPTARG ;;
        m) MEM=$OPTARG ;; t) TMO=$OPTARG ;; V) VIRT=$OPTARG ;; d) DISKS+=("$OPTARG") ;;
        i) ICOUNT=1 ;; r) INITRD=$OPTARG ;; a) APPEND=$OPTARG ;; e) ENVS+=("$OPTARG") ;;
        M) BOARD=$OPTARG ;; D) DTB=$OPTARG ;;
        h) usage 0 ;; *) usage ;;
    esac
done
shift $((OPTIND - 1))
[ $# -ge 1 ] || usage
IMAGE=$1
shift
[ "${1:-}" != -- ] || shift         # the rest goes to QEMU verbatim
err() { echo "[run-qemu] error: $*" >&2; exit 2; }
case $MODE in kernel | uboot | sdcard) ;; *) err "-b $MODE: kernel, uboot or sdcard" ;; esac
case $VIRT in on | off) ;; *) err "-V $VIRT: on or off" ;; esac
case $TMO in '' | *[!0-9]*) err "-t $TMO: seconds" ;; esac
[ -f "$IMAGE" ] || err "$IMAGE: no such file"
[ -z "$INITRD" ] || [ -f "$INITRD" ] || err "$INITRD: no such file"
for d in "${DISKS[@]}"; do [ -f "$d" ] || err "$d: no such file"; done
[ "$MODE" = kernel ] || [ -f "$UBOOT" ] || err "$UBOOT missing (make deps installs u-boot-qemu)"
case $BOARD in
    virt) [ -z "$DTB" ] || err "-D is for -M xlnx-zcu102 (virt: QEMU makes the DT)" ;;
    xlnx-zcu102)
        [ "$MODE" = kernel ] || err "-M xlnx-zcu102: -b kernel only (no U-Boot for it in Debian)"
        [ -n "$DTB" ] && [ -f "$DTB" ] || err "-M xlnx-zcu102 needs -D DTB (the board DT)"
        [ -z "$INITRD$APPEND$ICOUNT" ] && [ ${#DISKS[@]} -eq 0 ] ||
            err "-M xlnx-zcu102: -r, -a, -i and -d do not apply" ;;
    *) err "-M $BOARD: virt or xlnx-zcu102" ;;
esac
if [ "$MODE" = sdcard ] && { [ -n "$INITRD" ] || [ -n "$APPEND" ]; }; then
    err "-r/-a do not apply to -b sdcard (the card's boot.scr decides)"
fi

MACHINE="virt,virtualization=$VIRT,gic-version=$GIC"
args=(-cpu "$CPU" -smp "$SMP" -m "$MEM" -display none -monitor none
      -chardev stdio,id=con,signal=off -serial chardev:con -nic none -no-reboot)
if [ -n "$ICOUNT" ]; then
    # Random DT nodes (kaslr-seed, rng-seed) would change every run.
    if "$QEMU" -M virt,help 2>/dev/null | grep -q 'dtb-randomness='; then
        MACHINE+=",dtb-randomness=off"
    elif "$QEMU" -M virt,help 2>/dev/null | grep -q 'dtb-kaslr-seed='; then
        MACHINE+=",dtb-kaslr-seed=off"
    fi
    args+=(-icount shift=0,sleep=off -rtc base=2024-01-01T00:00:00,clock=vm)
fi

TMPD=''
cleanup() { [ -z "$TMPD" ] || rm -rf "$TMPD"; }
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
if [ "$BOARD" = xlnx-zcu102 ]; then
    TMPD=$(mktemp -d "${TMPDIR:-/tmp}/run-qemu.XXXXXX")
    aarch64-linux-gnu-gcc -nostdlib -static -Wl,-Ttext=0x1000 -Wl,--build-id=none \
        -o "$TMPD/boot.elf" "$ROOT/boards/xlnx-zcu102/boot.S" || err "cannot build boards/xlnx-zcu102/boot.S"
    MACHINE="xlnx-zcu102,virtualization=$VIRT"
    export QEMU_AUDIO_DRV=none # its DisplayPort has audio: no host sound card here
    args=(-m "$MEM" -display none -monitor none -chardev stdio,id=con,signal=off -serial chardev:con
          -nic none -no-reboot -device "loader,file=$IMAGE,addr=0x200000,force-raw=on"
          -device "loader,file=$DTB,addr=0x100000,force-raw=on" -device "loader,file=$TMPD/boot.elf,cpu-num=0")
fi
case $BOARD-$MODE in
    xlnx-zcu102-*) ;;
    *-kernel) args+=(-kernel "$IMAGE") ;;
    *-uboot) args+=(-bios "$UBOOT" -kernel "$IMAGE") ;;
    *-sdcard) args+=(-bios "$UBOOT" -drive "if=virtio,format=raw,file=$IMAGE") ;;
esac
if [ "$MODE" != kernel ]; then
    # U-Boot (qemu_arm64) reads its environment from the start of the second
    # flash bank (0x04000000, 256 KiB). Put its own default environment there
    # with bootdelay=0: everything else (distro boot, qfw) stays as shipped.
    TMPD=$(mktemp -d "${TMPDIR:-/tmp}/run-qemu.XXXXXX")
    tr '\0' '\n' < "$UBOOT" | awk -v RS= '/(^|\n)bootdelay=[0-9]+(\n|$)/' |
        grep -E '^[A-Za-z0-9_]+=' | sed 's/^bootdelay=.*/bootdelay=0/' > "$TMPD/env.txt"
    grep -q '^bootcmd=' "$TMPD/env.txt" || err "cannot find U-Boot's default environment in $UBOOT"
    for e in "${ENVS[@]}"; do
        [[ $e =~ ^[A-Za-z0-9_]+= ]] || err "-e $e: VAR=VALUE"
        grep -v "^${e%%=*}=" "$TMPD/env.txt" > "$TMPD/env.new" || true
        echo "$e" >> "$TMPD/env.new" && mv "$TMPD/env.new" "$TMPD/env.txt"
    done
    mkenvimage -s 0x40000 -o "$TMPD/env.bin" "$TMPD/env.txt"
    truncate -s 64M "$TMPD/env.bin"
    args+=(-drive "if=pflash,format=raw,index=1,file=$TMPD/env.bin")
fi
[ -z "$INITRD" ] || args+=(-initrd "$INITRD")
[ -z "$APPEND" ] || args+=(-append "$APPEND")
n=0
for d in "${DISKS[@]}"; do
    args+=(-drive "if=none,id=bhdisk$n,format=raw,file=$d" -device "virtio-blk-device,drive=bhdisk$n")
    n=$((n + 1))
done
args=(-M "$MACHINE" "${args[@]}" "$@")

# The command line, quoted only where a shell needs it (copy-paste ready).
shq() {
    local a out=()
    for a; do
        if [[ $a =~ ^[A-Za-z0-9_./=:,+@%-]+$ ]]; then out+=("$a"); else out+=("'${a//\'/\'\\\'\'}'"); fi
    done
    echo "${out[*]}"
}
echo "[run-qemu] $(shq "$QEMU" "${args[@]}")" >&2
# --foreground: QEMU keeps the terminal (interactive input, Ctrl-A x); a
# timeout of 0 means none.
rc=0
timeout --foreground -k 10 "$TMO" "$QEMU" "${args[@]}" || rc=$?
[ $rc -ne 124 ] || echo "[run-qemu] timed out after $TMO s" >&2
exit $rc
