# SPDX-License-Identifier: Apache-2.0
# Shared by the boards Bulkhead is flashed onto (not emulated): their board DT
# is Debian's DTB for the board (from the guest assets) with the RAM their
# bootloader describes. A board.mk sets BOARD_DEBIAN_DTB and BOARD_RAM (root
# node's cells), then includes this file.
QEMU_SYSTEM :=
BOARD_DTB_RULE = bash boards/board-dtb.sh $(ASSETS)/dtbs-arm64 $(BOARD_DEBIAN_DTB) '$(BOARD_RAM)' $@
# Nothing emulates these boards here: say so rather than boot QEMU virt.
ifneq ($(filter run debug bench,$(MAKECMDGOALS)),)
$(error BOARD=$(BOARD) is a board to flash, not emulated: make BOARD=$(BOARD), make sdcard BOARD=$(BOARD) or make check-config BOARD=$(BOARD) (docs/boards/$(BOARD).md))
endif
