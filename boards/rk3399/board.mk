# SPDX-License-Identifier: Apache-2.0
# Rockchip RK3399 (Pine64 RockPro64): 4x Cortex-A53 + 2x Cortex-A72 (PSCI
# from TF-A), GIC-500 (GICv3), console on UART2 (DesignWare 16550,
# 1500000 baud). Booted by Debian's U-Boot (u-boot-rockchip, rockpro64-rk3399)
# -> boot.scr.
BOARD_DESC := RK3399 RockPro64, GICv3, DesignWare UART2 at 0xff1a0000, 6 CPUs
BOARD_DEFAULT_CONFIG := rk3399
BOARD_DEBIAN_DTB := rockchip/rk3399-rockpro64.dtb
# U-Boot's description of the 2 GiB model: RAM from 2 MiB (TF-A's BL31 below).
BOARD_RAM := 0x0 0x200000 0x0 0x7fe00000
BOARD_UART := /serial@ff1a0000
BOARD_CPUS := 6
include boards/debian-dtb.mk
# make sdcard: the FAT partition from 16 MiB, after idbloader.img (32 KiB)
# and u-boot.itb (8 MiB), which the user writes there (docs/boards/rk3399.md).
SDCARD_ARGS = -d $(ASSETS)/dtbs-arm64/$(BOARD_DEBIAN_DTB) -p 16
