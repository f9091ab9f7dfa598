# SPDX-License-Identifier: Apache-2.0
# Raspberry Pi 4 Model B: BCM2711, 4x Cortex-A72 (spin-table: the firmware's
# armstub parks CPUs 1-3), GIC-400, console on the mini UART (serial1, GPIO
# 14/15, 16550 registers) as `enable_uart=1` sets it up. Booted by the Pi
# firmware -> Debian's U-Boot (rpi_arm64) -> boot.scr (make sdcard).
BOARD_DESC := Raspberry Pi 4 Model B, GIC-400, mini UART at 0xfe215040, 4 CPUs
BOARD_DEFAULT_CONFIG := rpi4
BOARD_DEBIAN_DTB := broadcom/bcm2711-rpi-4-b.dtb
# The RAM the firmware (and U-Boot after it) describes below 1 GiB with the
# default gpu_mem (76 MiB for the VideoCore): every Pi 4 model has it.
BOARD_RAM := 0x0 0x0 0x3b400000
BOARD_UART := /soc/serial@7e215040
BOARD_CPUS := 4
include boards/debian-dtb.mk

# make sdcard: the firmware (start4.elf, which the user adds) reads
# config.txt and starts Debian's U-Boot, whose distro boot runs boot.scr:
# bulkhead.img loaded at 128 MiB (clear of U-Boot's default addresses, the
# DT at ${fdt_addr_r} and the firmware's own DT), the board DTB (the one the
# firmware also reads; U-Boot fills in its RAM), booti.
SDCARD_UBOOT := /usr/lib/u-boot/rpi_arm64/u-boot.bin
SDCARD_ARGS = -d $(ASSETS)/dtbs-arm64/$(BOARD_DEBIAN_DTB) -l 0x08000000 \
	-x boards/rpi4/config.txt -x $(SDCARD_UBOOT)
