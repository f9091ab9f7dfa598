#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# 32-bit Linux as an AArch32 domain: Debian's armhf armmp-lpae zImage with a
# static armhf busybox initramfs (tools/fetch-guest-assets.sh) boots on 2
# vCPUs to a shell, beside an AArch64 domain running the test guest's 1 ms
# real-time task. A command typed into the shell answers (uname -m is armv7l,
# 2 CPUs), `poweroff` ends only that
# domain, and the AArch64 domain kept its periods throughout. GICv3 and GICv2.
# timeout: 600
. "$(dirname "$0")/common.sh"
for f in zImage-armhf initramfs-armhf.cpio.gz; do
	[ -f "$ASSETS/$f" ] || { echo "SKIP: $ASSETS/$f missing (make guest-assets fetches Debian's armhf kernel and busybox)"; exit 77; }
done
cat >"$W/cfg.dts" <<'DTS'
/dts-v1/;
/ {
	bulkhead {
		compatible = "bulkhead,config-v1";
		domain@0 {
			label = "linux32";
			cpus = <0 1>;
			memory-size = <0x0 0x10000000>;
			kernel = "zImage-armhf";
			initrd = "initramfs-armhf.cpio.gz";
			bootargs = "console=ttyAMA0 bhtest=shell";
		};
		domain@1 {
			label = "a64";
			cpus = <2>;
			memory-size = <0x0 0x800000>;
			kernel = "testguest.bin";
			bootargs = "test=rt periods=0";
		};
	};
};
DTS
# Short: a long line typed at once into a busy domain lost its tail here
# (seen once on GICv2, ~55 bytes in; an input-path question, not AArch32's).
CMD='echo R $(uname -m) $(nproc)\n'
for gic in 3 2; do
	echo "case: armhf Linux (2 vCPUs) beside an AArch64 domain, GICv$gic"
	bh_pack "$W/img" "$W/cfg.dts" $gic 3
	log=$W/log$gic
	bh_boot_interactive kernel "$W/img" "$log" 150 $gic cortex-a57 3 \
		"^\[linux32\] bh# " "$CMD" \
		"^\[linux32\] R [a-z0-9]+ [0-9]+" 'poweroff\n' \
		"domain linux32 powered off" '\001q'
	expect "$log" "^bulkhead: domain linux32 .*kernel \"zImage-armhf\", initrd initramfs-armhf.cpio.gz \(32-bit\)" "a 32-bit domain"
	expect "$log" "^\[linux32\] \[ *[0-9.]+\] Linux version .*armmp-lpae" "Debian's armhf kernel boots"
	expect "$log" "^\[linux32\] \[ *[0-9.]+\] smp: Brought up 1 node, 2 CPUs" "both vCPUs up (PSCI CPU_ON)"
	expect "$log" "^\[linux32\] BULKHEAD-GUEST-UP" "its userspace runs"
	expect "$log" "^\[linux32\] R armv7l 2[[:space:]]*$" "the shell ran the command: uname -m is armv7l, 2 CPUs"
	expect "$log" "^\[linux32\] .*init: poweroff: stopping all processes" "poweroff from the shell (init stops everything)"
	expect "$log" "^bulkhead: domain linux32 powered off" "SYSTEM_OFF ended the 32-bit domain"
	expect "$log" "^\[a64\] TESTGUEST: rt: [0-9]*[05]000 periods" "the AArch64 domain ran its periodic task beside it"
	expect "$log" "powering off at the console's request" "Ctrl-A q ends the run (a64 runs forever)"
	expect_not "$log" "hypervisor exception|TESTGUEST: FAIL|Unable to handle|Internal error|Oops|BUG:|WARNING:|rcu_.*stall|undefined instruction|trap with no emulation|external abort" "no crash, stall or unemulated trap"
done
finish
