# SPDX-License-Identifier: Apache-2.0
# Xilinx ZCU102 (Zynq UltraScale+ MPSoC: 4x Cortex-A53, GIC-400, Cadence UART
# ttyPS0 at 0xff000000), as QEMU's xlnx-zcu102 machine emulates it. The board
# DT is Debian's zynqmp-zcu102-rev1.0.dtb with the memory node U-Boot would
# write for MEM MiB (DDR low at 0, up to 2 GiB; the rest at 32 GiB). See
# docs/boards/xlnx-zcu102.md.
BOARD_DESC := Xilinx ZCU102 (QEMU xlnx-zcu102), GIC-400, Cadence UART at 0xff000000
BOARD_DEFAULT_CONFIG := xlnx-zcu102
QEMU_SYSTEM := qemu-system-aarch64
GIC := 2
CPU := cortex-a53
SMP := 4
MEM ?= 4096
ZCU102_DTB_SRC = $(ASSETS)/dtbs-arm64/xilinx/zynqmp-zcu102-rev1.0.dtb
BOARD_DTB_RULE = bash boards/xlnx-zcu102/mkdtb.sh $(ZCU102_DTB_SRC) $(MEM) $@
# `make run`: QEMU's generic loader starts the image as U-Boot would
# (boards/xlnx-zcu102/boot.S), with the board DT above.
BOARD_RUN_ARGS = -M xlnx-zcu102 -D $(BOARD_DTB)
