#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Two VLANs and the policy's "net { send }" on the switch (docs/networking.md),
# with stock virtio_net in dom0 and guest, typed as a user would:
# case 1: dom0 in VLAN 10, guest in VLAN 20, the policy lets both send to
#   each other: dom0's ping to guest gets no reply, guest's port receives
#   no frame, and nothing is audited (the VLANs, not the policy, keep them
#   apart).
# case 2: the same but both in VLAN 10, and the policy lets only dom0_t
#   send to guest_t: guest's port now receives dom0's frames (so case 1's
#   silence was the VLANs), its replies are dropped (ping gets none), and
#   `bhctl audit` shows "denied { send } guest_t -> dom0_t : net".
# timeout: 600
. "$(dirname "$0")/common.sh"
need_assets
INITRD=$ROOT/build/initrd/initramfs-arm64.cpio.gz
[ -f "$INITRD" ] || { echo "no $INITRD (make all builds it)"; exit 1; }
SW='\001\001\001' # Ctrl-A three times: input to the next running domain
config() { # config OUT NET0_GUEST_VLAN SEND_RULES
	cat >"$1" <<DTS
/dts-v1/;
/ {
	bulkhead {
		compatible = "bulkhead,config-v1";
		dom0: domain@0 { label = "dom0"; role = "control"; type = "dom0_t"; cpus = <0 1>;
			memory-size = <0x0 0x10000000>; kernel = "Image-arm64";
			initrd = "initramfs-arm64.cpio.gz";
			bootargs = "console=ttyAMA0 nokaslr quiet bhtest=shell bhnet=10.0.0.1/24"; };
		rt: domain@1 { label = "rt"; type = "rt_t"; cpus = <2>; memory-size = <0x0 0x800000>;
			kernel = "testguest.bin"; bootargs = "test=rt periods=100"; };
		guest: domain@2 { label = "guest"; type = "guest_t"; cpus = <3>;
			memory-size = <0x0 0xc000000>; kernel = "Image-arm64";
			initrd = "initramfs-arm64.cpio.gz";
			bootargs = "console=ttyAMA0 nokaslr quiet bhtest=shell bhnet=10.0.0.2/24"; };
		network@0 {
			port@0 { domain = <&dom0>; vlan = <10>; };
			port@1 { domain = <&guest>; vlan = <$2>; };
		};
		policy { allow = "dom0_t hypervisor_t : hypervisor { stats audit }", $3; };
	};
};
DTS
}
BOTH='"dom0_t guest_t : net { send }", "guest_t dom0_t : net { send }"'

echo "case 1: dom0 in VLAN 10, guest in VLAN 20"
config "$W/vlan.dts" 20 "$BOTH"
bh_pack "$W/img" "$W/vlan.dts" 3 4 --image "initramfs-arm64.cpio.gz=$INITRD"
log=$W/log
bh_boot_interactive kernel "$W/img" "$log" 300 3 cortex-a57 4 \
	"^\[guest\] BULKHEAD-SHELL-READY" '' \
	"^\[dom0\] BULKHEAD-SHELL-READY" 'ping -c 3 -W 1 10.0.0.2 | tail -2\n' \
	"packet loss" 'bhctl audit\n' \
	"distinct kept" 'poweroff -f\n' \
	"^bulkhead: domain dom0 powered off" "$SW" \
	@2 'poweroff -f\n'
expect "$log" "^\[dom0\] BULKHEAD-NET-UP eth0 10.0.0.1/24" "dom0's virtio_net up"
expect "$log" "^\[dom0\] (bh# )?3 packets transmitted, 0 packets received, 100% packet loss" \
	"VLAN 10 -> VLAN 20: no reply"
# The counters printed last (at the last power-off, after the ping).
last=$(grep "^bulkhead: network@0 port 1 (guest):" "$log" | tail -1)
if [[ $last =~ rx\ 0\ frames ]]; then echo "  ok: guest's port received nothing"
else echo "  FAIL: guest's port received frames: ${last:-no counters}"; FAILS=$((FAILS + 1)); fi
last=$(grep "^bulkhead: network@0 port 0 (dom0):" "$log" | tail -1)
if [[ $last =~ tx\ [1-9][0-9]*\ frames ]]; then echo "  ok: dom0 sent frames"
else echo "  FAIL: dom0 sent nothing: ${last:-no counters}"; FAILS=$((FAILS + 1)); fi
expect "$log" "^\[dom0\] 0 denials, 0 distinct kept" "nothing audited: the VLANs, not the policy, kept them apart"
expect_not "$log" "hypervisor exception|virtio-net device .* broke" "no crash, no broken device"

echo "case 2: both in VLAN 10, the policy lets only dom0_t send to guest_t"
config "$W/policy.dts" 10 '"dom0_t guest_t : net { send }"'
bh_pack "$W/img2" "$W/policy.dts" 3 4 --image "initramfs-arm64.cpio.gz=$INITRD"
log=$W/log2
bh_boot_interactive kernel "$W/img2" "$log" 300 3 cortex-a57 4 \
	"^\[guest\] BULKHEAD-SHELL-READY" '' \
	"^\[dom0\] BULKHEAD-SHELL-READY" 'ping -c 3 -W 1 10.0.0.2 | tail -2\n' \
	"packet loss" 'bhctl audit\n' \
	"distinct kept" 'poweroff -f\n' \
	"^bulkhead: domain dom0 powered off" "$SW" \
	@2 'poweroff -f\n'
expect "$log" "^\[dom0\] (bh# )?3 packets transmitted, 0 packets received, 100% packet loss" \
	"guest's replies dropped: no reply"
expect "$log" "^bulkhead: network@0 port 1 \(guest\): tx [0-9]+ frames [0-9]+ bytes, rx [1-9][0-9]* frames" \
	"guest received dom0's frames (the rule allows that direction)"
expect "$log" "^bulkhead: network@0 port 1 \(guest\): .*policy [1-9]" "guest's frames counted as policy drops"
expect "$log" "^\[dom0\] denied \{ send \} guest_t -> dom0_t : net count [0-9]+" "bhctl audit shows the denial"
expect "$log" "^bulkhead: audit: denied \{ send \} guest_t -> dom0_t : net" "the hypervisor printed it"
expect_not "$log" "denied \{ send \} dom0_t -> guest_t" "the allowed direction is never denied"
finish
