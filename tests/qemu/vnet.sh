#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The virtual network of the default config (configs/qemu-virt-mixed.dts),
# used as a user would from dom0's shell: stock virtio_mmio + virtio_net come
# up in dom0 (10.0.0.1) and guest (10.0.0.2) with their addresses set at
# boot; `ping -c 3 10.0.0.2` gets every reply; a file sent dom0 -> guest with
# busybox nc over TCP arrives with the same SHA-256. Ctrl-A three times moves
# console input between the two shells (rt has finished and powered off).
# Then the guest restarts (reboot -f): its device is reset with the rest of
# it, dom0 pings until it answers again, and ping -c 3 gets every reply.
# Typed lines stay short (under 60 characters): the emulated UART's receive
# FIFO holds 64 and a busy Linux may drain it late. The guest hashes what
# arrives without storing it (its initramfs's tmpfs fills at about 45 MB of
# its 192 MiB). The listener runs in the background and ends with an empty
# line: the console holds a line of a
# domain without the focus while the focused one (dom0's prompt) is mid-line,
# until that domain prints a second one (docs/console.md).
# BH_VNET_MIB sets the transfer's size (default 8: the whole test takes about
# a minute; the issue's 64 MiB arrives intact too but took about 4 minutes
# under TCG on the shared 2-core host, so it is a manual run).
# timeout: 400
. "$(dirname "$0")/common.sh"
need_assets
MIB=${BH_VNET_MIB:-8}
CFG=$ROOT/configs/qemu-virt-mixed.dts
bh_pack "$W/img" "$CFG" 3 4 \
	--set "/bulkhead/domain@0:bootargs=console=ttyAMA0 nokaslr quiet bhtest=shell bhnet=10.0.0.1/24" \
	--set "/bulkhead/domain@1:bootargs=test=rt periods=200" \
	--set "/bulkhead/domain@2:bootargs=console=ttyAMA0 nokaslr quiet bhtest=shell bhnet=10.0.0.2/24"
log=$W/log
SW='\001\001\001' # Ctrl-A three times: input to the next running domain
start=$SECONDS
bh_boot_interactive kernel "$W/img" "$log" 300 3 cortex-a57 4 \
	"^\[dom0\] BULKHEAD-SHELL-READY" '' \
	"^\[guest\] BULKHEAD-SHELL-READY" '' \
	"^bulkhead: domain rt powered off" 'ping -c 3 10.0.0.2\n' \
	"packets transmitted" "$SW" \
	@2 'cd /tmp\n' \
	@1 '(echo RECV $(nc -l -p 5000 | sha256sum); echo)&\n' \
	@3 "$SW" \
	@2 'cd /tmp\n' \
	@1 "dd if=/dev/urandom of=f bs=1M count=$MIB\n" \
	"records out" 'echo SENT $(sha256sum <f) $(wc -c <f)\n' \
	"^\[dom0\] SENT " 'nc 10.0.0.2 5000 <f; echo NC-DONE\n' \
	"^\[guest\] (bh# )?RECV " "$SW" \
	@2 'reboot -f\n' \
	"^bulkhead: domain guest restarting" "$SW" \
	@1 'until ping -c1 -W1 10.0.0.2>/dev/null;do :;done;echo BACK\n' \
	"^\[dom0\] BACK" 'ping -c 3 10.0.0.2\n' \
	@10 'poweroff -f\n' \
	"^bulkhead: domain dom0 powered off" "$SW" \
	@1 'poweroff -f\n'
echo "  (ran $((SECONDS - start)) s)"
expect "$log" "^bulkhead: domain dom0: network@0 port 0: virtio-net at 0x[0-9a-f]+, SPI" "dom0 got its port"
expect "$log" "^bulkhead: domain guest: network@0 port 1: virtio-net at 0x[0-9a-f]+, SPI" "guest got its port"
expect "$log" "^\[dom0\] BULKHEAD-NET-UP eth0 10.0.0.1/24 02:62:68:00:00:00" "dom0: stock virtio_net up, 10.0.0.1"
expect "$log" "^\[guest\] BULKHEAD-NET-UP eth0 10.0.0.2/24 02:62:68:00:00:02" "guest: stock virtio_net up, 10.0.0.2"
n=$(grep -c "^\[dom0\] 3 packets transmitted, 3 packets received, 0% packet loss" "$log")
[ "$n" -eq 2 ] && echo "  ok: ping -c 3: every reply, before and after the guest's restart" ||
	{ echo "  FAIL: ping -c 3 got every reply $n times (expected 2: before and after the restart)"; FAILS=$((FAILS + 1)); }
# "SENT <sha256> - <bytes>", "RECV <sha256> -" (sha256sum of stdin names it
# "-"; RECV may follow the guest's prompt on its line)
sent=$(grep -m1 -oE '^\[dom0\] SENT [0-9a-f]{64} +- +[0-9]+' "$log" | cut -d' ' -f3)
recv=$(grep -m1 -oE '^\[guest\] (bh# )?RECV [0-9a-f]{64}' "$log" | awk '{ print $NF }')
bytes=$(grep -m1 -oE '^\[dom0\] SENT [0-9a-f]{64} +- +[0-9]+' "$log" | awk '{ print $NF }')
if [ -n "$sent" ] && [ "$sent" = "$recv" ]; then
	echo "  ok: $MIB MiB ($bytes bytes) over TCP, dom0 -> guest: same SHA-256 ($sent)"
else
	echo "  FAIL: TCP transfer: sent '${sent:-nothing}', received '${recv:-nothing}'"; FAILS=$((FAILS + 1))
fi
n=$(grep -c "^\[guest\] BULKHEAD-NET-UP eth0 10.0.0.2/24" "$log")
[ "$n" -eq 2 ] && echo "  ok: the restarted guest set its device up again" ||
	{ echo "  FAIL: guest's network came up $n times (expected 2)"; FAILS=$((FAILS + 1)); }
expect "$log" "^bulkhead: no domain left running: powering off" "both shells powered off"
expect_not "$log" "hypervisor exception|virtio-net device .* broke|bad (read|write) of" "no crash, no broken device"
finish
