#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The virtual network of the default config (configs/qemu-virt-mixed.dts),
# used as a user would: `make run INTERACTIVE=1`, typing into dom0's shell.
# Stock virtio_mmio + virtio_net come up in dom0 (10.0.0.1) and guest
# (10.0.0.2) with their addresses set at boot, and the bare-metal rt domain
# answers at 10.0.0.3 (tests/guests/aarch64/vnet.c) while its 1 ms task
# runs; `ping -c 3 10.0.0.2` and `ping -c 3 10.0.0.3` get every reply; a
# 64 MiB file sent dom0 -> guest with busybox nc over TCP arrives with the
# same SHA-256. Ctrl-A three times moves console input to the next running
# domain (dom0, rt, guest). Then the guest restarts (reboot -f): its device
# is reset with the rest of it, dom0 pings until it answers again, and
# ping -c 3 gets every reply. Once dom0 and guest are powered off, rt sees
# them down (while-up=0,2), reports and ends: the machine powers off.
# Typed lines stay short (under 60 characters): the emulated UART's receive
# FIFO holds 64 and a busy Linux may drain it late. The guest hashes what
# arrives without storing it (its initramfs's tmpfs fills at about 45 MB of
# its 192 MiB). The listener runs in the background and ends with an empty
# line: the console holds a line of a
# domain without the focus while the focused one (dom0's prompt) is mid-line,
# until that domain prints a second one (docs/console.md).
# BH_VNET_MIB sets the transfer's size (default 64, the issue's).
# timeout: 400
. "$(dirname "$0")/common.sh"
need_assets
MIB=${BH_VNET_MIB:-64}
log=$W/log
SW='\001\001\001' # Ctrl-A three times: input to the next running domain
start=$SECONDS
chat "$log" 330 \
	"^\[dom0\] BULKHEAD-SHELL-READY" '' \
	"^\[guest\] BULKHEAD-SHELL-READY" '' \
	"^\[rt\] TESTGUEST: rt: net: virtio-net" 'ping -c 3 10.0.0.2\n' \
	"packets transmitted" 'ping -c 3 10.0.0.3;echo PING3-$((1+1))\n' \
	"^\[dom0\] PING3-2" "$SW" \
	"input now goes to domain rt" "$SW" \
	"input now goes to domain guest" 'cd /tmp\n' \
	@1 '(echo RECV $(nc -l -p 5000 | sha256sum); echo)&\n' \
	@3 "$SW" \
	@2 'cd /tmp\n' \
	@1 "dd if=/dev/urandom of=f bs=1M count=$MIB\n" \
	"records out" 'echo SENT $(sha256sum <f) $(wc -c <f)\n' \
	"^\[dom0\] SENT " 'T=$(date +%%s);nc 10.0.0.2 5000 <f;echo NC-DONE $T\n' \
	"^\[dom0\] NC-DONE [0-9]" 'echo T1 $(date +%%s)\n' \
	"^\[guest\] (bh# )?RECV " "$SW" \
	@1 "$SW" \
	@1 'reboot -f\n' \
	"^bulkhead: domain guest restarting" "$SW" \
	@1 'until ping -c1 -W1 10.0.0.2>/dev/null;do :;done;echo BACK\n' \
	"^\[dom0\] BACK" 'ping -c 3 10.0.0.2\n' \
	@10 'poweroff -f\n' \
	"^bulkhead: domain dom0 powered off" "$SW" \
	@1 "$SW" \
	@1 'poweroff -f\n' \
	-- timeout 330 make -s -C "$ROOT" run OUT="$W/run.img" INTERACTIVE=1
echo "  (ran $((SECONDS - start)) s)"
expect "$log" "^bulkhead: domain dom0: network@0 port 0: virtio-net at 0x[0-9a-f]+, SPI" "dom0 got its port"
expect "$log" "^bulkhead: domain guest: network@0 port [0-9]: virtio-net at 0x[0-9a-f]+, SPI" "guest got its port"
expect "$log" "^bulkhead: domain rt: network@0 port [0-9]: virtio-net at 0x[0-9a-f]+, SPI" "rt got its port"
expect "$log" "^\[rt\] TESTGUEST: rt: net: virtio-net, INTID [0-9]+, MAC 02:62:68:00:00:01, answering ARP and ping at 10.0.0.3" "rt: the bare-metal driver set its device up"
expect "$log" "^\[dom0\] BULKHEAD-NET-UP eth0 10.0.0.1/24 02:62:68:00:00:00" "dom0: stock virtio_net up, 10.0.0.1"
expect "$log" "^\[guest\] BULKHEAD-NET-UP eth0 10.0.0.2/24 02:62:68:00:00:02" "guest: stock virtio_net up, 10.0.0.2"
expect_count "$log" "^\[dom0\] 3 packets transmitted, 3 packets received, 0% packet loss" 3 3 \
	"ping -c 3: every reply, from guest (before and after its restart) and rt"
expect "$log" "^\[dom0\] 64 bytes from 10.0.0.3: seq=2 " "rt (bare metal) answered ping"
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
# The transfer's time by dom0's clock (whole seconds): started before nc,
# NC-DONE once nc has sent everything and the guest closed.
t0=$(grep -m1 -oE '^\[dom0\] NC-DONE [0-9]+' "$log" | awk '{ print $NF }')
t1=$(grep -m1 -oE '^\[dom0\] T1 [0-9]+' "$log" | awk '{ print $NF }')
[ -n "$t0" ] && [ -n "$t1" ] && [ "$t1" -gt "$t0" ] &&
	echo "  transfer: $MIB MiB in $((t1 - t0)) s, about $((MIB * 1024 / (t1 - t0))) KiB/s (TCG, not asserted)"
expect_count "$log" "^\[guest\] BULKHEAD-NET-UP eth0 10.0.0.2/24" 2 2 "the restarted guest set its device up again"
expect "$log" "^\[rt\] TESTGUEST: rt: domains 0,2 are down" "rt saw dom0 and guest down"
expect "$log" "^\[rt\] TESTGUEST: rt: net: [0-9]+ frames in, [1-9][0-9]* ARP and [3-9][0-9]* echo replies" "rt counted its ARP and echo replies"
expect "$log" "^\[rt\] TESTGUEST: PASS rt" "rt's periodic task passed, on the network all along"
expect "$log" "^bulkhead: no domain left running: powering off" "both shells and rt ended"
expect_not "$log" "hypervisor exception|virtio-net device .* broke|bad (read|write) of|TESTGUEST: FAIL" "no crash, no broken device"
finish
