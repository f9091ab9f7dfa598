# SPDX-License-Identifier: Apache-2.0
# AMD/Xilinx ZCU102 (ZynqMP, rev 1.0 board) hardware: 4x Cortex-A53 (PSCI
# from TF-A), GIC-400, console on UART0 (Cadence). Booted by the vendor's
# BOOT.BIN (FSBL, PMU firmware, TF-A, U-Boot) -> boot.scr. The emulated
# board in QEMU is boards/xlnx-zcu102 (make run BOARD=xlnx-zcu102).
BOARD_DESC := Xilinx ZCU102 rev1.0, GIC-400, Cadence UART0 at 0xff000000, 4 CPUs
BOARD_DEFAULT_CONFIG := zcu102
BOARD_DEBIAN_DTB := xilinx/zynqmp-zcu102-rev1.0.dtb
# The board's 4 GiB DDR4 as U-Boot describes it: 2 GiB low, 2 GiB at 32 GiB.
BOARD_RAM := 0x0 0x0 0x0 0x80000000 0x8 0x0 0x0 0x80000000
BOARD_UART := /axi/serial@ff000000
BOARD_CPUS := 4
include boards/debian-dtb.mk
# make sdcard: the user adds BOOT.BIN to the FAT partition (docs/boards/zcu102.md).
SDCARD_ARGS = -d $(ASSETS)/dtbs-arm64/$(BOARD_DEBIAN_DTB)
