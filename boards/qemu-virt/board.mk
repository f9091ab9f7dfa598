# SPDX-License-Identifier: Apache-2.0
# QEMU 'virt' (AArch64): what differs for this board. The hypervisor itself
# finds everything else (UART, GIC, CPUs, memory) in the DT U-Boot passes.
BOARD_DESC := QEMU virt, GICv2/GICv3, PL011 at 0x09000000
BOARD_DEFAULT_CONFIG := qemu-virt-mixed
QEMU_SYSTEM := qemu-system-aarch64
# Ask QEMU itself for the DT of the machine `make run` starts.
# Written under a temporary name and renamed: parallel makes (tests) that
# need the same DT never read a half-written one.
BOARD_DTB_RULE = timeout 60 $(QEMU_SYSTEM) -M virt,virtualization=on,gic-version=$(GIC),dumpdtb=$@.tmp$$$$ \
	-cpu $(CPU) -smp $(SMP) -m $(MEM) -nographic -nic none >/dev/null 2>&1 && mv $@.tmp$$$$ $@
