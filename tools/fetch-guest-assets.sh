#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# fetch-guest-assets.sh: the Linux guests that `make run` and the QEMU tests
# boot in domains: Debian's arm64 kernel and a scriptable busybox initramfs,
# and the same for 32-bit ARM (armhf: an AArch32 domain).
#
# Usage: tools/fetch-guest-assets.sh [-q | --check] [OUTDIR]
#   OUTDIR   default: ${BH_CACHE:-${BULKHEAD_CACHE:-~/.cache/bulkhead}}/guest-assets
#   -q       print nothing when everything is already up to date
#   --check  change nothing; exit 0 if up to date, 1 if a run has work to do
# Env: KERNEL_PKG=linux-image-6.1.0-NN-arm64 pins the kernel package (default:
#      the one Debian's linux-image-arm64:arm64 metapackage depends on).
#
# Produces in OUTDIR:
#   Image-arm64              the kernel, uncompressed arm64 Image (QEMU -kernel, booti)
#   config-arm64             its build configuration
#   dtbs-arm64/VENDOR/*.dtb  every board DTB shipped with that kernel
#   modules-arm64/           virtio_mmio.ko, virtio_pci.ko, virtio_blk.ko, virtio_net.ko, virtio_console.ko and the
#                            modules they depend on, plus load-order (insmod in
#                            that order) and kernel-release
#   initramfs-arm64.cpio.gz  static busybox + /init (below) + /tests/*.sh +
#                            the modules in /lib/modules/<release>/
#   initramfs-root-arm64/    the same tree unpacked (to build overlays from)
#   zImage-armhf             Debian's armhf kernel (linux-image-armmp-lpae:armhf
#                            pins it; ARMHF_KERNEL_PKG overrides), a zImage
#   initramfs-armhf.cpio.gz  static armhf busybox + the same /init and tests
#                            (no modules)
#   debs/                    the downloaded .debs (kept: no second download)
#
# The initramfs /init mounts proc, sys and devtmpfs, prints BULKHEAD-GUEST-UP,
# then looks at the kernel command line:
#   (nothing) or bhtest=shell
#                  prints BULKHEAD-SHELL-READY and runs an interactive sh on
#                  the console (job control through setsid+cttyhack), as any
#                  initramfs would; when it exits: BULKHEAD-GUEST-DONE,
#                  poweroff -f
#   bhtest=NAME    runs /tests/NAME.sh (smp, reboot, poweroff, virtio)
#   bhtest=report  prints uname -a, online CPUs, /proc/interrupts,
#                  BULKHEAD-GUEST-DONE and powers off (poweroff -f)
# and, before any of these, bhnet=ADDR/PREFIX (e.g. 10.0.0.1/24): load the
# virtio modules and give the first network interface that address (a
# Bulkhead virtual network's virtio-net device); prints BULKHEAD-NET-UP.
# A plain `poweroff`/`reboot`/`halt` (without -f) signals PID 1, which stops
# every process, syncs and then does it: the clean path.
#
# Idempotent: finished outputs are reused; the kernel part is redone when the
# pinned package changes, the initramfs when its content (/init, tests,
# busybox, modules) changes. Interrupted runs leave no half-written output
# (temporary names, then mv). Installs nothing: apt-get download + dpkg-deb.
set -euo pipefail

QUIET='' CHECK=''
case ${1:-} in
    -q) QUIET=1; shift ;;
    --check) CHECK=1; shift ;;
    -h | --help) awk 'NR > 2 && !/^#/ { exit } NR > 2' "$0"; exit 0 ;;
esac
CACHE=${BH_CACHE:-${BULKHEAD_CACHE:-${HOME:-/root}/.cache/bulkhead}}
OUT=${1:-$CACHE/guest-assets}
ARCH=arm64
[ -z "$CHECK" ] || [ -d "$OUT" ] || exit 1
mkdir -p "$OUT/debs"
OUT=$(cd "$OUT" && pwd)
SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/bh-guest-assets.XXXXXX")   # small files only
TMP=''                                  # big work, in OUTDIR: mv = rename
trap 'rm -rf "$SCRATCH" ${TMP:+"$TMP"}' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

log() { echo "[guest-assets] $*"; }
die() { echo "[guest-assets] error: $*" >&2; exit 1; }
DID=''           # set when anything was (re)built: then the summary is printed

# Where apt keeps the arm64 package lists; their names, sizes and dates change
# exactly when `apt-get update` brings something new.
lists_signature() {
    stat -c '%n %s %Y' /var/lib/apt/lists/*_binary-${ARCH}_Packages* 2>/dev/null |
        sha256sum | cut -c1-16
}

# apt-get download PKG:arm64 into debs/ (through a temporary dir: a download
# cut short never looks like a .deb we have).
download() {
    local pkg=$1 d sandbox=()
    d=$(mktemp -d "$OUT/debs/.dl.XXXXXX")
    log "downloading $pkg:$ARCH from Debian ($2)"
    [ "$(id -u)" != 0 ] || sandbox=(-o APT::Sandbox::User=root)
    if ! (cd "$d" && apt-get download -q=2 "${sandbox[@]}" "$pkg:$ARCH"); then
        rm -rf "$d"
        die "apt-get download $pkg:$ARCH failed (stale package lists? run: apt-get update)"
    fi
    mv "$d"/*.deb "$OUT/debs/"
    rmdir "$d"
}

# find_deb PKG: the .deb of PKG in debs/ (newest by name), or nothing.
find_deb() {
    find "$OUT/debs" -maxdepth 1 -name "${1}_*_${ARCH}.deb" | LC_ALL=C sort | tail -1
}

# ---- 1. which kernel: what linux-image-arm64 depends on (apt-cache takes ~1 s
# without a pkgcache, so the answer is remembered per package-list signature).
KPKG=''
if [ -n "${KERNEL_PKG:-}" ]; then
    KPKG=${KERNEL_PKG%:*}
else
    SIG=$(lists_signature)
    if [ -f "$OUT/.kernel-pin" ] && [ "$(sed -n 1p "$OUT/.kernel-pin")" = "$SIG" ]; then
        KPKG=$(sed -n 2p "$OUT/.kernel-pin")
    fi
    if [ -z "$KPKG" ] && [ -z "$CHECK" ]; then
        KPKG=$(apt-cache depends "linux-image-$ARCH:$ARCH" 2>/dev/null |
            awk '/Depends: linux-image-/{print $2; exit}')
        KPKG=${KPKG%:*}
        [ -n "$KPKG" ] || die "cannot resolve linux-image-$ARCH:$ARCH: no arm64 package lists (run: tools/setup.sh, or dpkg --add-architecture arm64 && apt-get update)"
        printf '%s\n%s\n' "$SIG" "$KPKG" > "$OUT/.kernel-pin.$$" && mv "$OUT/.kernel-pin.$$" "$OUT/.kernel-pin"
    fi
fi
MODULES="virtio_mmio virtio_pci virtio_blk virtio_net virtio_console"
KSTAMP="$KPKG modules: $MODULES"
have_kernel() {
    [ -n "$KPKG" ] && [ "$(cat "$OUT/kernel.stamp" 2>/dev/null)" = "$KSTAMP" ] &&
        [ -f "$OUT/Image-$ARCH" ] && [ -d "$OUT/dtbs-$ARCH" ] && [ -f "$OUT/modules-$ARCH/load-order" ]
}

# ---- the initramfs text files: /init and /tests/*.sh
S=$SCRATCH/text
mkdir -p "$S/tests" "$S/etc"

cat > "$S/init" <<'EOF'
#!/bin/busybox sh
# SPDX-License-Identifier: Apache-2.0
# Bulkhead test-guest init (made by tools/fetch-guest-assets.sh). Kernel
# command line: bhtest=NAME runs /tests/NAME.sh; bhtest=report prints a
# report (uname, CPUs, interrupts); bhtest=shell or nothing: a shell.
export PATH=/bin:/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
# poweroff/reboot/halt without -f ask PID 1 (USR2/TERM/USR1), as with
# busybox init: stop everything, sync, then do it.
shut() {
	echo "init: $1: stopping all processes"
	kill -TERM -1 2>/dev/null
	sleep 1
	kill -KILL -1 2>/dev/null
	sync
	"$1" -f
}
trap 'shut poweroff' USR2
trap 'shut reboot' TERM
trap 'shut halt' USR1
echo "BULKHEAD-GUEST-UP"
t='' net=''
for w in $(cat /proc/cmdline); do
	case $w in bhtest=*) t=${w#bhtest=} ;; bhnet=*) net=${w#bhnet=} ;; esac
done
# The control device (dom0 only: a bulkhead-control@ node): stock
# virtio_mmio + virtio_console give /dev/hvc0, which bhctl talks over.
if ls /proc/device-tree 2>/dev/null | grep -q '^bulkhead-control@'; then
	for m in virtio_mmio virtio_console; do
		[ -d "/sys/module/$m" ] || insmod /lib/modules/*/"$m.ko" 2>&1
	done
fi
# bhnet=ADDR/PREFIX: stock virtio_mmio + virtio_net, then the address.
if [ -n "$net" ]; then
	for m in $(cat /lib/modules/*/load-order); do
		[ -d "/sys/module/$m" ] || insmod /lib/modules/*/"$m.ko" 2>&1
	done
	ip link set lo up
	i=0 dev=''
	while [ -z "$dev" ] && [ $i -lt 10 ]; do
		for n in /sys/class/net/*; do
			[ "${n##*/}" = lo ] || { dev=${n##*/}; break; }
		done
		[ -n "$dev" ] || { sleep 1; i=$((i + 1)); }
	done
	if [ -n "$dev" ] && ip addr add "$net" dev "$dev" && ip link set "$dev" up; then
		echo "BULKHEAD-NET-UP $dev $net $(cat /sys/class/net/$dev/address)"
	else
		echo "BULKHEAD-NET-FAILED: no network interface for $net"
	fi
fi
if [ -z "$t" ] || [ "$t" = shell ]; then
	echo "BULKHEAD-SHELL-READY"
	# Own session with the console as controlling tty: Ctrl-C reaches the
	# shell's job, never PID 1.
	# In the background, waited for: a `poweroff` typed in it signals PID 1,
	# and only `wait` (not a foreground command) lets the trap run at once.
	PS1='bh# ' setsid cttyhack sh &
	wait $!
elif [ -n "$t" ] && [ -f "/tests/$t.sh" ]; then
	sh "/tests/$t.sh"
else
	[ "$t" = report ] || echo "init: no /tests/$t.sh: running the report"
	uname -a
	echo "cpus online: $(cat /sys/devices/system/cpu/online)"
	cat /proc/interrupts
fi
echo "BULKHEAD-GUEST-DONE"
poweroff -f
EOF

cat > "$S/tests/smp.sh" <<'EOF'
# SPDX-License-Identifier: Apache-2.0
# bhtest=smp: CPUs online; timer interrupts and rescheduling IPIs are counted
# (printed twice, one second apart: both must grow).
echo "cpus online: $(cat /sys/devices/system/cpu/online)"
sum() { # total over all CPU columns of the first /proc/interrupts line matching $1
	grep -m1 -E "$1" /proc/interrupts |
		awk '{ s = 0; for (i = 2; i <= NF; i++) if ($i ~ /^[0-9]+$/) s += $i; else break; print s }'
}
sample() {
	grep -E 'arch_timer|^ *IPI0:|Rescheduling' /proc/interrupts
	echo "sample$1 timer=$(sum arch_timer) resched=$(sum '^ *IPI0:')"
}
sample 1
# Work on every CPU, so the scheduler moves tasks and sends rescheduling IPIs.
for j in 1 2 3 4; do (i=0; while [ $i -lt 3000 ]; do i=$((i + 1)); done) & done
sleep 1
wait
sample 2
echo "BULKHEAD-GUEST-DONE"
poweroff -f
EOF

cat > "$S/tests/reboot.sh" <<'EOF'
# SPDX-License-Identifier: Apache-2.0
# bhtest=reboot: reboot -f. Nothing survives a reboot in an initramfs, so a
# second boot would reboot again; under Bulkhead the restart count in
# /chosen/bulkhead,restarts stops that: after one restart, power off.
r=/proc/device-tree/chosen/bulkhead,restarts
if [ -f $r ]; then
	n=$(od -An -tu1 $r | awk '{ print $1 * 16777216 + $2 * 65536 + $3 * 256 + $4 }')
	echo "restart count $n"
	if [ "$n" != 0 ]; then
		echo "BULKHEAD-GUEST-DONE"
		poweroff -f
	fi
fi
echo "BULKHEAD-REBOOTING"
reboot -f
EOF

cat > "$S/tests/poweroff.sh" <<'EOF'
# SPDX-License-Identifier: Apache-2.0
# bhtest=poweroff: the clean power-off: `poweroff` (no -f) signals PID 1,
# which stops every process, syncs and powers off when this script returns.
echo "BULKHEAD-POWEROFF"
poweroff
EOF

cat > "$S/tests/virtio.sh" <<'EOF'
# SPDX-License-Identifier: Apache-2.0
# bhtest=virtio: load the virtio-mmio and virtio-pci transports and virtio-blk
# (modules from the same kernel package), list the virtio devices and read the
# start of the first disk.
for m in $(cat /lib/modules/*/load-order); do
	[ -d "/sys/module/$m" ] || insmod /lib/modules/*/"$m.ko" 2>&1
done
sleep 1
ls /sys/bus/virtio/devices/ 2>/dev/null | sed 's/^/virtio-device: /'
if [ -b /dev/vda ]; then
	echo "disk-size: $(cat /sys/block/vda/size) sectors"
	echo "disk-says: $(head -c 64 /dev/vda | tr -d '\0')"
else
	echo "no /dev/vda"
fi
echo "BULKHEAD-GUEST-DONE"
poweroff -f
EOF

printf 'root:x:0:0:root:/:/bin/sh\n' > "$S/etc/passwd"
printf 'root:x:0:\n' > "$S/etc/group"

APPLETS="sh ash mount umount uname cat grep egrep head tail echo printf poweroff reboot halt
sleep ls dmesg insmod rmmod lsmod setsid cttyhack mdev sed awk wc od tr dd sync kill ps
mkdir rm cp mv ln chmod touch find xargs sort uniq cut tee test [ true false expr seq
date free df hexdump stty env id hostname nproc timeout basename dirname readlink
mknod devmem less more vi watch top pidof killall ip ifconfig route ping nc md5sum
sha256sum"

# Content hash of the initramfs: text files, busybox, applets, modules.
initramfs_hash() {
    {
        (cd "$S" && find . -type f | LC_ALL=C sort | xargs sha256sum)
        basename "$BB"
        echo "$APPLETS"
        (cd "$OUT/modules-$ARCH" && sha256sum ./*)
    } | sha256sum | cut -c1-32
}
INITRD=$OUT/initramfs-$ARCH.cpio.gz
BB=$(find_deb busybox-static)

# ---- the armhf guest: which kernel, and whether its outputs are current.
armhf_kpkg() { # the armhf kernel package (pinned per armhf package-list signature)
    [ -z "${ARMHF_KERNEL_PKG:-}" ] || { echo "${ARMHF_KERNEL_PKG%:*}"; return; }
    local sig k=''
    sig=$(ARCH=armhf lists_signature)
    if [ -f "$OUT/.kernel-pin-armhf" ] && [ "$(sed -n 1p "$OUT/.kernel-pin-armhf")" = "$sig" ]; then
        sed -n 2p "$OUT/.kernel-pin-armhf"; return
    fi
    [ -z "$CHECK" ] || return 0
    k=$(apt-cache depends "linux-image-armmp-lpae:armhf" 2>/dev/null |
        awk '/Depends: linux-image-/{print $2; exit}')
    k=${k%:*}
    [ -n "$k" ] || die "cannot resolve linux-image-armmp-lpae:armhf: no armhf package lists (run: tools/setup.sh --guest-assets, or dpkg --add-architecture armhf && apt-get update)"
    printf '%s\n%s\n' "$sig" "$k" > "$OUT/.kernel-pin-armhf.$$" && mv "$OUT/.kernel-pin-armhf.$$" "$OUT/.kernel-pin-armhf"
    echo "$k"
}
armhf_hash() { # content of the armhf initramfs: text files, busybox, applets
    { (cd "$S" && find . -type f | LC_ALL=C sort | xargs sha256sum); basename "$1"; echo "$APPLETS"; } |
        sha256sum | cut -c1-32
}
KPKG32=$(armhf_kpkg)
have_armhf() {
    local bb
    bb=$(ARCH=armhf find_deb busybox-static)
    [ -n "$KPKG32" ] && [ -n "$bb" ] && [ "$(cat "$OUT/kernel-armhf.stamp" 2>/dev/null)" = "$KPKG32" ] &&
        [ -f "$OUT/zImage-armhf" ] && [ -f "$OUT/initramfs-armhf.cpio.gz" ] &&
        [ "$(cat "$OUT/initramfs-armhf.stamp" 2>/dev/null)" = "$(armhf_hash "$bb")" ]
}

if [ -n "$CHECK" ]; then
    have_kernel && [ -n "$BB" ] && [ -f "$INITRD" ] &&
        [ "$(cat "$OUT/initramfs.stamp" 2>/dev/null)" = "$(initramfs_hash)" ] && have_armhf
    exit
fi

# One run at a time per OUTDIR; leftovers of interrupted runs go.
exec 9>"$OUT/.lock"
flock 9
rm -rf "$OUT"/debs/.dl.* "$OUT"/.tmp.*
TMP=$(mktemp -d "$OUT/.tmp.XXXXXX")

# ---- 2. the kernel, its board DTBs and the virtio modules
if ! have_kernel; then
    DID=1
    DEB=$(find_deb "$KPKG")
    [ -n "$DEB" ] || { download "$KPKG" "the guest kernel, ~60 MB"; DEB=$(find_deb "$KPKG"); }
    [ -n "$DEB" ] || die "no .deb for $KPKG after download"
    log "unpacking $(basename "$DEB"): Image, board DTBs, virtio modules"
    X=$TMP/x
    mkdir -p "$X"
    # Only what we use: the full package unpacks to ~400 MB of modules.
    dpkg-deb --fsys-tarfile "$DEB" | tar -x -C "$X" --wildcards \
        './boot/vmlinuz-*' './boot/config-*' './usr/lib/linux-image-*' \
        './lib/modules/*/modules.order' './lib/modules/*/modules.builtin' \
        './lib/modules/*/kernel/drivers/virtio/*' './lib/modules/*/kernel/drivers/block/virtio_blk.ko'
    KREL=$(basename "$(find "$X/lib/modules" -mindepth 1 -maxdepth 1 -type d | head -1)")
    [ -n "$KREL" ] || die "$DEB has no lib/modules/<release>/"
    MD=$X/lib/modules/$KREL

    # Modules: $MODULES and, recursively, every module named in their
    # .modinfo "depends=" (the package ships no modules.dep: depmod makes
    # it at install time). Found by name in modules.order; built-ins skipped.
    norm() { tr '-' '_'; }
    modpath() { # module name -> path relative to $MD, from modules.order
        awk -v n="$1" '{ f = $0; sub(/.*\//, "", f); sub(/\.ko(\.[a-z]+)?$/, "", f);
            gsub(/-/, "_", f); if (f == n) { print; exit } }' "$MD/modules.order"
    }
    order=()
    visit() { # depth-first: dependencies first, then the module
        local name path deps d
        name=$(norm <<<"$1")
        for d in "${order[@]}"; do [ "$d" != "$name" ] || return 0; done
        if awk -v n="$name" '{ f = $0; sub(/.*\//, "", f); sub(/\.ko$/, "", f); gsub(/-/, "_", f)
                if (f == n) found = 1 } END { exit !found }' "$MD/modules.builtin"; then
            return 0
        fi
        path=$(modpath "$name")
        [ -n "$path" ] || die "module $name is not in $KPKG"
        [ -f "$MD/$path" ] || dpkg-deb --fsys-tarfile "$DEB" | tar -x -C "$X" "./lib/modules/$KREL/$path"
        case $path in *.ko) ;; *) die "$path: compressed modules are not handled" ;; esac
        deps=$(tr '\0' '\n' < "$MD/$path" | sed -n 's/^depends=//p' | head -1 | tr ',' ' ')
        for d in $deps; do visit "$d"; done
        order+=("$name")
        cp "$MD/$path" "$TMP/modules/$name.ko"
    }
    mkdir -p "$TMP/modules"
    for m in $MODULES; do visit "$m"; done
    printf '%s\n' "${order[@]}" > "$TMP/modules/load-order"
    echo "$KREL" > "$TMP/modules/kernel-release"

    K=$(find "$X/boot" -name 'vmlinuz-*' | head -1)
    if gzip -t "$K" 2>/dev/null; then gzip -dc "$K" > "$TMP/Image"; else mv "$K" "$TMP/Image"; fi
    # An arm64 Image has "ARM\x64" at offset 56.
    [ "$(dd if="$TMP/Image" bs=1 skip=56 count=4 status=none | od -An -tx1 | tr -d ' ')" = 41524d64 ] ||
        die "$K is not an arm64 Image"

    rm -f "$OUT/kernel.stamp"               # outputs below are now in flux
    mv "$TMP/Image" "$OUT/Image-$ARCH"
    mv "$(find "$X/boot" -name 'config-*' | head -1)" "$OUT/config-$ARCH"
    rm -rf "$OUT/dtbs-$ARCH" "$OUT/modules-$ARCH"
    mv "$(find "$X/usr/lib" -mindepth 1 -maxdepth 1 -name 'linux-image-*' | head -1)" "$OUT/dtbs-$ARCH"
    mv "$TMP/modules" "$OUT/modules-$ARCH"
    echo "$KSTAMP" > "$OUT/kernel.stamp"    # written last: marks completion
    rm -rf "$X"
    # Older kernels' .debs are of no further use.
    find "$OUT/debs" -maxdepth 1 -name "linux-image-*_${ARCH}.deb" ! -name "${KPKG}_*" -delete
fi
KREL=$(cat "$OUT/modules-$ARCH/kernel-release")

# ---- 3. the initramfs, rebuilt only when its content hash changes.
[ -n "$BB" ] || { download busybox-static "static busybox for the initramfs, ~1 MB"; BB=$(find_deb busybox-static); }
HASH=$(initramfs_hash)
if [ "$(cat "$OUT/initramfs.stamp" 2>/dev/null)" != "$HASH" ] || [ ! -f "$INITRD" ]; then
    DID=1
    log "building the busybox initramfs"
    R=$TMP/root
    mkdir -p "$R"/{bin,sbin,proc,sys,dev,etc,tmp,root,lib/modules/"$KREL"}
    cp -r "$S/." "$R/"
    chmod 755 "$R/init"
    dpkg-deb --fsys-tarfile "$BB" | tar -xO ./bin/busybox > "$R/bin/busybox"
    chmod 755 "$R/bin/busybox"
    for a in $APPLETS; do ln -s busybox "$R/bin/$a"; done
    cp "$OUT/modules-$ARCH"/* "$R/lib/modules/$KREL/"
    # Fixed dates and gzip -n: the same inputs give the same bytes (and the
    # same instruction counts in -icount benchmarks).
    find "$R" -exec touch -h -d @1704067200 {} +
    (cd "$R" && find . | LC_ALL=C sort | cpio -o -H newc --owner=0:0 --reproducible --quiet) |
        gzip -9 -n > "$TMP/initrd"
    rm -f "$OUT/initramfs.stamp"
    mv "$TMP/initrd" "$INITRD"
    rm -rf "$OUT/initramfs-root-$ARCH"
    mv "$R" "$OUT/initramfs-root-$ARCH"
    echo "$HASH" > "$OUT/initramfs.stamp"
fi

# ---- 4. the armhf guest: its zImage and a busybox initramfs (same /init).
if ! have_armhf; then
    DID=1
    ARCH=armhf
    DEB=$(find_deb "$KPKG32")
    [ -n "$DEB" ] || { download "$KPKG32" "the 32-bit guest kernel, ~40 MB"; DEB=$(find_deb "$KPKG32"); }
    [ -n "$DEB" ] || die "no .deb for $KPKG32 after download"
    log "unpacking $(basename "$DEB"): zImage"
    X=$TMP/x32
    mkdir -p "$X"
    dpkg-deb --fsys-tarfile "$DEB" | tar -x -C "$X" --wildcards './boot/vmlinuz-*'
    K=$(find "$X/boot" -name 'vmlinuz-*' | head -1)
    # An ARM zImage has the magic 0x016f2818 at offset 0x24.
    [ -n "$K" ] && [ "$(dd if="$K" bs=1 skip=36 count=4 status=none | od -An -tx1 | tr -d ' ')" = 18286f01 ] ||
        die "$DEB holds no ARM zImage"
    BB32=$(find_deb busybox-static)
    [ -n "$BB32" ] || { download busybox-static "static armhf busybox, ~1 MB"; BB32=$(find_deb busybox-static); }
    log "building the armhf busybox initramfs"
    R=$TMP/root32
    mkdir -p "$R"/{bin,sbin,proc,sys,dev,etc,tmp,root}
    cp -r "$S/." "$R/"
    chmod 755 "$R/init"
    dpkg-deb --fsys-tarfile "$BB32" | tar -xO ./bin/busybox > "$R/bin/busybox"
    chmod 755 "$R/bin/busybox"
    for a in $APPLETS; do ln -s busybox "$R/bin/$a"; done
    find "$R" -exec touch -h -d @1704067200 {} +
    (cd "$R" && find . | LC_ALL=C sort | cpio -o -H newc --owner=0:0 --reproducible --quiet) |
        gzip -9 -n > "$TMP/initrd32"
    rm -f "$OUT/kernel-armhf.stamp" "$OUT/initramfs-armhf.stamp"
    mv "$K" "$OUT/zImage-armhf"
    mv "$TMP/initrd32" "$OUT/initramfs-armhf.cpio.gz"
    echo "$KPKG32" > "$OUT/kernel-armhf.stamp"
    armhf_hash "$BB32" > "$OUT/initramfs-armhf.stamp"
    find "$OUT/debs" -maxdepth 1 -name "linux-image-*_armhf.deb" ! -name "${KPKG32}_*" -delete
    rm -rf "$X" "$R"
    ARCH=arm64
fi

if [ -n "$DID" ] || [ -z "$QUIET" ]; then
    log "kernel $KPKG ($KREL): $OUT/Image-$ARCH ($(stat -c %s "$OUT/Image-$ARCH") bytes)"
    log "board DTBs: $OUT/dtbs-$ARCH ($(find "$OUT/dtbs-$ARCH" -name '*.dtb' | wc -l) files)"
    log "modules: $OUT/modules-$ARCH ($(tr '\n' ' ' < "$OUT/modules-$ARCH/load-order"| sed 's/ $//'))"
    log "initramfs: $INITRD ($(stat -c %s "$INITRD") bytes)"
    log "armhf kernel $KPKG32: $OUT/zImage-armhf ($(stat -c %s "$OUT/zImage-armhf") bytes)"
    log "armhf initramfs: $OUT/initramfs-armhf.cpio.gz ($(stat -c %s "$OUT/initramfs-armhf.cpio.gz") bytes)"
fi
