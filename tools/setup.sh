#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# setup.sh: install what building, running and testing Bulkhead needs, on
# Debian 12 (run by `make deps`, which make, make run and make test depend
# on). Does nothing but print one line when everything is present.
#
# Usage: tools/setup.sh [--guest-assets] [--u-boot-rpi]
#   (no option)     host packages (apt-get, as root) and the arm64 libfdt
#                   (libfdt-dev:arm64 conflicts with the host's libfdt-dev, so
#                   its .deb is downloaded and unpacked into the cache instead)
#   --guest-assets  also the Linux guests: Debian's arm64 kernel, board DTBs,
#                   virtio modules and a busybox initramfs, and Debian's armhf
#                   (32-bit) kernel and busybox (armhf as a second foreign
#                   architecture)
#                   (tools/fetch-guest-assets.sh, into $CACHE/guest-assets)
#   --u-boot-rpi    also Debian's U-Boot for the Raspberry Pi (u-boot-rpi:arm64,
#                   $UBOOT_RPI), which make sdcard BOARD=rpi4 puts on the card
# Cache: ${BH_CACHE:-${BULKHEAD_CACHE:-~/.cache/bulkhead}} (the Makefile passes BH_CACHE)
#   libfdt-arm64/usr/lib/aarch64-linux-gnu/libfdt.a (+ usr/include/)
#   guest-assets/
# Idempotent; an interrupted run leaves nothing half-made (temporary names,
# then mv). Concurrent runs wait for each other (flock).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
CACHE=${BH_CACHE:-${BULKHEAD_CACHE:-${HOME:-/root}/.cache/bulkhead}}
ASSETS='' URPI=''
for a in "$@"; do
    case $a in
        --guest-assets) ASSETS=1 ;;
        --u-boot-rpi) URPI=1 ;;
        -h | --help) awk 'NR > 2 && !/^#/ { exit } NR > 2' "$0"; exit 0 ;;
        *) echo "usage: tools/setup.sh [--guest-assets] [--u-boot-rpi]" >&2; exit 2 ;;
    esac
done
UBOOT_RPI=/usr/lib/u-boot/rpi_arm64/u-boot.bin
say() { echo "[setup] $*"; }
arch_why() { # why a foreign architecture is needed
    case $1 in arm64) echo "the arm64 libfdt and guest kernel" ;; *) echo "the 32-bit guest kernel and busybox" ;; esac
}
die() { echo "[setup] error: $*" >&2; exit 1; }

# Package and why we need it (shown when it is installed).
PKGS=(
    "make:the build (make run, make test)"
    "gcc:host tools (image packer, config checker) and host unit tests"
    "libc6-dev:C library headers for the host tools"
    "gcc-aarch64-linux-gnu:cross compiler for the EL2 hypervisor and the AArch64 test guests"
    "gcc-arm-none-eabi:compiler for the AArch32 test guests"
    "qemu-system-arm:QEMU virt (qemu-system-aarch64), where make run and make test boot"
    "qemu-system-x86:QEMU for the x86 (AMD SVM) port"
    "u-boot-qemu:U-Boot for QEMU virt: make run boots through it, like a board"
    "u-boot-tools:mkimage and mkenvimage (boot.scr, U-Boot environment)"
    "device-tree-compiler:dtc for the partition configs, fdtget/fdtput in tests"
    "libfdt-dev:libfdt for the host tools (config checker, image packer)"
    "mtools:writes the FAT partition of make sdcard without mounting"
    "dosfstools:mkfs.vfat for make sdcard"
    "cpio:packs the guest initramfs"
    "python3:test helpers"
    "clang:second compiler (warnings, static analysis) and the fuzzers (make fuzz)"
    "libfuzzer-14-dev:libFuzzer for clang: the fuzzers over the hypervisor's parsers (make fuzz)"
    "cppcheck:static analysis"
    "gzip:compressed initramfs"
)
LIBFDT_A=$CACHE/libfdt-arm64/usr/lib/aarch64-linux-gnu/libfdt.a

# ---- fast check: is anything missing at all? (no apt, no network)
names=()
for p in "${PKGS[@]}"; do names+=("${p%%:*}"); done
# Installed for the host's own architecture (or arch-independent); an arm64
# libfdt-dev in place of the host's does not count.
installed=$(dpkg-query -W -f='${Package} ${Architecture} ${db:Status-Abbrev}\n' "${names[@]}" 2>/dev/null |
    awk -v host="$(dpkg --print-architecture)" '($2 == host || $2 == "all") && $3 == "ii" { print $1 }' || true)
missing=()
for p in "${PKGS[@]}"; do
    grep -qx "${p%%:*}" <<<"$installed" || missing+=("$p")
done
need_arch=''     # the foreign architectures to add: arm64, and armhf for the guest assets
foreign=$(dpkg --print-foreign-architectures) # not piped into grep -q: SIGPIPE under pipefail
for a in arm64 ${ASSETS:+armhf}; do
    grep -qx $a <<<"$foreign" || need_arch+="$a "
done
need_arch=${need_arch% }
need_fdt=''
[ -f "$LIBFDT_A" ] && [ -f "$CACHE/libfdt-arm64/usr/include/libfdt.h" ] || need_fdt=1
need_assets=''
if [ -n "$ASSETS" ] && ! bash "$ROOT/tools/fetch-guest-assets.sh" --check "$CACHE/guest-assets"; then
    need_assets=1
fi

need_urpi=''
[ -z "$URPI" ] || [ -f "$UBOOT_RPI" ] || need_urpi=1

if [ ${#missing[@]} -eq 0 ] && [ -z "$need_arch" ] && [ -z "$need_fdt" ] && [ -z "$need_assets" ] &&
    [ -z "$need_urpi" ]; then
    say "dependencies ${ASSETS:+and guest assets }${URPI:+and u-boot-rpi }present"
    exit 0
fi

mkdir -p "$CACHE"
exec 9>"$CACHE/.setup.lock"
flock 9                                  # one setup at a time (parallel makes)
rm -rf "$CACHE"/.libfdt.*                # leftovers of an interrupted run
SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/bh-setup.XXXXXX")
trap 'rm -rf "$SCRATCH"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

APTLOG=$CACHE/setup-apt.log
apt_get() { # apt-get, quiet; its output in $APTLOG, shown when it fails
    if ! DEBIAN_FRONTEND=noninteractive apt-get -y -q "$@" >"$APTLOG" 2>&1; then
        tail -20 "$APTLOG" | sed 's/^/[setup]   /' >&2
        die "apt-get $* failed (full log: $APTLOG)"
    fi
}
ROOTUSER=''
[ "$(id -u)" = 0 ] && ROOTUSER=1

# ---- 1. arm64 as a foreign architecture (for apt-get download of arm64 .debs)
if [ -n "$need_arch" ] || [ ${#missing[@]} -gt 0 ] || [ -n "$need_urpi" ]; then
    if [ -z "$ROOTUSER" ]; then
        cmd=''
        for a in $need_arch; do cmd+="dpkg --add-architecture $a && "; done
        cmd+='apt-get update'
        [ ${#missing[@]} -eq 0 ] || cmd+=" && apt-get install -y $(for p in "${missing[@]}"; do printf '%s ' "${p%%:*}"; done)"
        [ -z "$need_urpi" ] || cmd+=" && apt-get install -y u-boot-rpi:arm64"
        [ -z "$need_urpi" ] || say "missing u-boot-rpi:arm64: U-Boot for the Raspberry Pi ($UBOOT_RPI), for make sdcard BOARD=rpi4"
        for p in "${missing[@]}"; do say "missing ${p%%:*}: ${p#*:}"; done
        for a in $need_arch; do say "missing: $a as a foreign dpkg architecture (for the $a .debs: $(arch_why $a))"; done
        die "not root: run as root:  sudo sh -c '${cmd% }'"
    fi
fi
updated=''
if [ -n "$need_arch" ]; then
    for a in $need_arch; do
        say "adding $a as a foreign dpkg architecture (to download $(arch_why $a))"
        dpkg --add-architecture $a
    done
    say "apt-get update (new architecture)"
    # A mirror in mid-sync can fail one index (say, the security updates for
    # armhf): with the new architectures' main lists in place, go on.
    if ! DEBIAN_FRONTEND=noninteractive apt-get -y -q update >"$APTLOG" 2>&1; then
        for a in $need_arch; do
            compgen -G "/var/lib/apt/lists/*_main_binary-${a}_Packages*" >/dev/null ||
                { tail -20 "$APTLOG" | sed 's/^/[setup]   /' >&2; die "apt-get update failed (full log: $APTLOG)"; }
        done
        grep '^E:' "$APTLOG" | head -3 | sed 's/^/[setup]   (going on) /'
    fi
    updated=1
fi

# ---- 2. host packages
if [ ${#missing[@]} -gt 0 ]; then
    for p in "${missing[@]}"; do say "installing ${p%%:*}: ${p#*:}"; done
    if [ -z "$updated" ]; then
        say "apt-get update (packages to install)"
        apt_get update
        updated=1
    fi
    apt_get install "${missing[@]%%:*}"
    say "installed ${#missing[@]} package(s)"
fi

# ---- 2b. Debian's U-Boot for the Raspberry Pi (an arm64 package: its
# u-boot.bin goes onto the card, nothing of it runs here)
if [ -n "$need_urpi" ]; then
    say "installing u-boot-rpi:arm64: U-Boot for the Raspberry Pi, for make sdcard BOARD=rpi4"
    if ! DEBIAN_FRONTEND=noninteractive apt-get -y -q install u-boot-rpi:arm64 >"$APTLOG" 2>&1; then
        [ -n "$updated" ] || { say "apt-get update (u-boot-rpi:arm64 not in the current lists)"; apt_get update; updated=1; }
        apt_get install u-boot-rpi:arm64
    fi
    [ -f "$UBOOT_RPI" ] || die "u-boot-rpi:arm64 is installed but $UBOOT_RPI is missing"
fi

# Download an arm64 .deb into DIR; refresh the package lists once if apt
# cannot find it (lists never fetched for arm64, or too old for the mirror).
download_arm64() {
    local pkg=$1 dir=$2 sandbox=()
    [ -z "$ROOTUSER" ] || sandbox=(-o APT::Sandbox::User=root)
    (cd "$dir" && apt-get download -q=2 "${sandbox[@]}" "$pkg:arm64" >/dev/null 2>&1) && return 0
    if [ -z "$updated" ] && [ -n "$ROOTUSER" ]; then
        say "apt-get update (cannot download $pkg:arm64 with the current lists)"
        apt_get update
        updated=1
        (cd "$dir" && apt-get download -q=2 "${sandbox[@]}" "$pkg:arm64") && return 0
    fi
    die "cannot download $pkg:arm64 (try: apt-get update)"
}

# ---- 3. libfdt for the EL2 image: libfdt-dev:arm64, unpacked into the cache
if [ ! -f "$LIBFDT_A" ] || [ ! -f "$CACHE/libfdt-arm64/usr/include/libfdt.h" ]; then
    say "fetching libfdt-dev:arm64 into $CACHE/libfdt-arm64 (the hypervisor links libfdt.a; the package conflicts with the host's libfdt-dev, so it is unpacked, not installed)"
    T=$(mktemp -d "$CACHE/.libfdt.XXXXXX")
    trap 'rm -rf "$SCRATCH" "$T"' EXIT
    download_arm64 libfdt-dev "$T"
    mkdir "$T/root"
    dpkg-deb -x "$T"/libfdt-dev_*_arm64.deb "$T/root"
    [ -f "$T/root/usr/lib/aarch64-linux-gnu/libfdt.a" ] || die "libfdt-dev:arm64 has no libfdt.a"
    rm -rf "$CACHE/libfdt-arm64"
    mv "$T/root" "$CACHE/libfdt-arm64"
    rm -rf "$T"
    say "libfdt.a: $LIBFDT_A"
fi

# ---- 4. the guest kernel and initramfs (make run / make test only). Its
# lines are shown as they come (a 60 MB download); none when it finds, after
# all, that nothing changed.
fetch_assets() {
    bash "$ROOT/tools/fetch-guest-assets.sh" -q "$CACHE/guest-assets" 2>&1 |
        sed -u -e "1i[setup] guest assets for make run and make test (Debian arm64 kernel, board DTBs, busybox initramfs) into $CACHE/guest-assets:" \
            -e 's/^/[setup]   /' | tee -a "$SCRATCH/assets.out"
}
if [ -n "$need_assets" ]; then
    if ! fetch_assets; then
        # Debian replaces kernel packages on its mirrors: lists older than
        # that point at a .deb that is gone. Refresh them once and retry.
        { [ -z "$updated" ] && [ -n "$ROOTUSER" ]; } || die "fetching the guest assets failed"
        say "apt-get update (the package lists may be out of date) and retrying"
        apt_get update
        updated=1
        fetch_assets || die "fetching the guest assets failed"
    fi
    if [ ! -s "$SCRATCH/assets.out" ] && [ ${#missing[@]} -eq 0 ] && [ -z "$need_arch" ] && [ -z "$need_fdt" ]; then
        say "dependencies and guest assets present"
    fi
fi
