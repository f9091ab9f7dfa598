# SPDX-License-Identifier: Apache-2.0
# NXP i.MX 8M Plus EVK: 4x Cortex-A53 (PSCI from TF-A), GIC-v3, console on
# UART2 (i.MX UART, the EVK's USB debug port). Booted by U-Boot (NXP's or
# mainline imx8mp_evk build: Debian packages none for it) -> boot.scr.
BOARD_DESC := NXP i.MX 8M Plus EVK, GICv3, i.MX UART2 at 0x30890000, 4 CPUs
BOARD_DEFAULT_CONFIG := imx8mp-evk
BOARD_DEBIAN_DTB := freescale/imx8mp-evk.dtb
# The EVK's 6 GiB LPDDR4 as U-Boot describes it: 3 GiB at 1 GiB, 3 GiB at 4 GiB.
BOARD_RAM := 0x0 0x40000000 0x0 0xc0000000 0x1 0x0 0x0 0xc0000000
BOARD_UART := /soc@0/bus@30800000/serial@30890000
BOARD_CPUS := 4
include boards/debian-dtb.mk
# make sdcard: the FAT partition from 8 MiB, after NXP's flash.bin (at 32 KiB),
# which the user writes there (docs/boards/imx8mp-evk.md).
SDCARD_ARGS = -d $(ASSETS)/dtbs-arm64/$(BOARD_DEBIAN_DTB) -p 8
