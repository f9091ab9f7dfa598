# SPDX-License-Identifier: Apache-2.0
# QEMU pc (x86-64) with AMD SVM and nested paging under TCG: the x86 port's
# board. The hypervisor finds memory in the Multiboot memory map.
BOARD_DESC := QEMU pc, AMD SVM + NPT, 16550 on COM1 (0x3f8)
BOARD_ARCH := x86
QEMU_SYSTEM := qemu-system-x86_64
# isa-debug-exit: the hypervisor's power-off ends QEMU (arch-x86/power.c).
QEMU_X86_ARGS := -M pc -cpu qemu64,+svm,+npt -smp 2 -m 512 -nographic -nic none -no-reboot \
	-device isa-debug-exit,iobase=0xf4,iosize=4
