#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# bhctl in dom0's shell, typed as a user would (docs/control.md), on the
# default config (configs/qemu-virt-mixed.dts; rt runs forever):
#   `bhctl list` shows every domain; `bhctl restart rt` restarts rt (its
#   banner prints again) while a ping from dom0 to guest keeps getting every
#   reply; `bhctl stop guest` then `bhctl start guest` boots guest again;
#   `bhctl console rt` shows rt's recent lines; an unknown domain is an error.
# Then a policy granting dom0 only "hypervisor { stats audit }": `bhctl
# restart rt` prints a permission error and exits 1, rt is not restarted,
# frames dom0 -> guest are dropped (no "net { send }"), and `bhctl audit`
# shows both denials (rt runs 3 s there: dom0 may not stop it).
# timeout: 600
. "$(dirname "$0")/common.sh"
need_assets
CFG=$ROOT/configs/qemu-virt-mixed.dts
INITRD=$ROOT/build/initrd/initramfs-arm64.cpio.gz
[ -f "$INITRD" ] || { echo "no $INITRD (make all builds it)"; exit 1; }
ARGS=(--image "initramfs-arm64.cpio.gz=$INITRD"
	--set "/bulkhead/domain@0:bootargs=console=ttyAMA0 nokaslr quiet bhtest=shell bhnet=10.0.0.1/24"
	--set "/bulkhead/domain@1:bootargs=test=rt periods=0"
	--set "/bulkhead/domain@2:bootargs=console=ttyAMA0 nokaslr quiet bhtest=shell bhnet=10.0.0.2/24")

echo "case: the default policy"
bh_pack "$W/img" "$CFG" 3 4 "${ARGS[@]}"
log=$W/log
bh_boot_interactive kernel "$W/img" "$log" 300 3 cortex-a57 4 \
	"^\[guest\] BULKHEAD-SHELL-READY" '' \
	"^\[dom0\] BULKHEAD-SHELL-READY" 'bhctl list; echo LIST-RC=$?\n' \
	"LIST-RC=" 'ping -c 12 10.0.0.2 | tail -2 &\n' \
	@3 'bhctl restart rt; echo RESTART-RC=$?\n' \
	"packets transmitted" 'bhctl stop guest; echo STOP-RC=$?\n' \
	"STOP-RC=" 'bhctl list | grep guest\n' \
	@3 'bhctl start guest; echo START-RC=$?\n' \
	"START-RC=" 'until ping -c1 -W1 10.0.0.2>/dev/null;do :;done;echo BACK\n' \
	"^\[dom0\] BACK" 'bhctl console rt | tail -3; bhctl restart foo\n' \
	"restart foo:" 'bhctl stats | head -3; bhctl audit\n' \
	"distinct kept" 'bhctl stop rt; bhctl stop guest; poweroff -f\n'
for d in dom0 rt guest; do
	expect "$log" "^\[dom0\] $d +[0-9]+ running " "bhctl list: $d running"
done
expect "$log" "^\[dom0\] LIST-RC=0" "bhctl list exits 0"
expect "$log" "^\[dom0\] RESTART-RC=0" "bhctl restart rt exits 0"
expect "$log" "^bulkhead: domain rt restarted by the control domain" "the hypervisor restarted rt"
expect_count "$log" "^\[rt\] TESTGUEST: rt: period 1 ms" 2 '' "rt's banner printed again"
expect "$log" "^\[dom0\] (bh# )?12 packets transmitted, 12 packets received, 0% packet loss" \
	"guest's traffic went on through rt's restart: every ping answered"
expect "$log" "^\[dom0\] STOP-RC=0" "bhctl stop guest exits 0"
expect "$log" "^bulkhead: domain guest stopped by the control domain" "the hypervisor stopped guest"
expect "$log" "^\[dom0\] guest +[0-9]+ off " "bhctl list: guest off"
expect "$log" "^\[dom0\] START-RC=0" "bhctl start guest exits 0"
expect "$log" "^bulkhead: domain guest started by the control domain" "the hypervisor started guest"
expect "$log" "^\[dom0\] BACK" "guest answers pings again"
expect_count "$log" "^\[guest\] BULKHEAD-GUEST-UP" 2 2 "guest booted again after bhctl start"
expect "$log" "^\[dom0\] TESTGUEST: rt: [0-9]+ periods" "bhctl console rt: rt's recent lines"
expect "$log" "^\[dom0\] bhctl: restart foo: no such domain" "an unknown domain: an error"
expect "$log" "^\[dom0\]   CPU 2 \[rt\]: trap rt=[0-9]+ timer rt=[0-9]+" "bhctl stats: exits per CPU"
expect "$log" "^\[dom0\] [0-9]+ denials, [0-9]+ distinct kept" "bhctl audit"
expect "$log" "^bulkhead: no domain left running: powering off" "rt and guest stopped by bhctl, then dom0 off"
expect_not "$log" "hypervisor exception|control device: bad|virtio-net device .* broke" "no crash, no broken device"

echo "case: a policy granting dom0 only hypervisor { stats audit }"
bh_pack "$W/img2" "$CFG" 3 4 "${ARGS[@]}" --set "/bulkhead/domain@1:bootargs=test=rt periods=3000" \
	--set "/bulkhead/policy:allow=dom0_t hypervisor_t : hypervisor { stats audit }"
log=$W/log2
bh_boot_interactive kernel "$W/img2" "$log" 300 3 cortex-a57 4 \
	"^\[guest\] BULKHEAD-SHELL-READY" '' \
	"^\[dom0\] BULKHEAD-SHELL-READY" 'bhctl restart rt; echo RESTART-RC=$?\n' \
	"RESTART-RC=" 'ping -c 2 -W 1 10.0.0.2 | tail -1\n' \
	"packet loss" 'bhctl list\n' \
	@3 'bhctl audit\n' \
	"distinct kept" 'poweroff -f\n' \
	"^bulkhead: domain dom0 powered off" '\001\001\001' \
	@2 'poweroff -f\n'
expect "$log" "^\[dom0\] bhctl: restart rt: permission denied" "bhctl restart rt: a permission error"
expect "$log" "^\[dom0\] RESTART-RC=1" "... and exit status 1"
expect_not "$log" "^bulkhead: domain rt restart" "rt was not restarted"
expect "$log" "^bulkhead: audit: denied \{ restart \} dom0_t -> rt_t : domain" "the hypervisor printed the denial"
expect "$log" "^\[dom0\] denied \{ restart \} dom0_t -> rt_t : domain count 1" "bhctl audit shows the denial"
expect "$log" "^\[dom0\] 2 packets transmitted, 0 packets received" "no net { send }: dom0's frames to guest dropped"
expect "$log" "^\[dom0\] denied \{ send \} dom0_t -> guest_t : net count [0-9]+" "bhctl audit shows the dropped frames"
expect_not "$log" "^\[dom0\] (rt|guest) +[0-9]+ " "bhctl list hides what dom0 may not query"
expect "$log" "^\[dom0\] dom0 +0 running " "... but shows dom0 itself"
finish
