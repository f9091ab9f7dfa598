# SPDX-License-Identifier: Apache-2.0
# Bulkhead: the one entry point. `make run`, `make test`, `make bench`,
# `make sdcard`, `make debug`; BOARD= and CONFIG= select what is built.
# Every target that needs tools installs what is missing first (tools/setup.sh).

BOARD ?= qemu-virt
include boards/$(BOARD)/board.mk
include tools/quiet.mk
# A board of another architecture has its own build: the x86 port's is
# arch-x86/build.mk (BOARD=qemu-x86); everything below is arm64's.
ifeq ($(BOARD_ARCH),x86)
BUILD := build
include arch-x86/build.mk
else
CONFIG ?= $(BOARD_DEFAULT_CONFIG)
# `make run KERNEL=path [INITRD=path] [BOOTARGS=...]`: one domain running that
# image on every CPU (the single config); otherwise the config's own images.
# Decided here, before anything below derives paths or defaults from CONFIG.
KERNEL ?=
INITRD ?=
BOOTARGS ?=
ifneq ($(KERNEL),)
CONFIG := qemu-virt-single
endif

# Emulated machine for run/test (QEMU boards only)
GIC ?= 3
CPU ?= cortex-a57
ifeq ($(CONFIG),qemu-virt-mixed)
SMP ?= 4
endif
SMP ?= 2
MEM ?= 1024

BH_CACHE ?= $(or $(BULKHEAD_CACHE),$(HOME)/.cache/bulkhead)
export BH_CACHE
FDT_ARM64_ROOT ?= $(BH_CACHE)/libfdt-arm64
ASSETS := $(BH_CACHE)/guest-assets
CROSS ?= aarch64-linux-gnu-

BUILD := build
HYPB := $(BUILD)/$(BOARD)/hyp
B := $(BUILD)/$(BOARD)/$(CONFIG)
IMG := $(or $(OUT),$(B)/bulkhead.img)
BOARD_DTB := $(B)/board-gic$(GIC)-smp$(SMP)-$(CPU)-$(MEM).dtb
GUESTB := $(BUILD)/guests/aarch64
GUEST32B := $(BUILD)/guests/aarch32
TOOLB := $(BUILD)/tools
BHCTL := $(TOOLB)/bhctl
INITRD_OVL_DIR := $(BUILD)/initrd
INITRD_OVL := $(INITRD_OVL_DIR)/initramfs-arm64.cpio.gz

# ---- hypervisor (freestanding, AArch64, position independent) ----
HYP_ASM := arch-arm64/head.S arch-arm64/vectors.S arch-arm64/mmio.S
HYP_C := $(wildcard arch-arm64/*.c common/*.c dt/*.c gic/*.c vtimer/*.c)
HYP_OBJ := $(patsubst %,$(HYPB)/%.o,$(HYP_ASM) $(HYP_C))
# Code that runs at boot or off the hot paths (the DT readers and builders,
# the boot sequence, image and payload parsing, domain and channel set-up,
# passthrough planning, page-table building, the console's composition,
# guest reports, the exit-statistics format, the trapped-PMU emulation, the
# virtual network's virtio-mmio, queues and switch, the log rate limits,
# AArch32 guests' trap emulation: no bench row) is optimised for size:
# the image must stay within 128 KiB. Traps, the vGIC,
# timers, PSCI, memcpy and the RAM scrub stay -O2. No padding to align
# functions, loops or jumps: it cost 650 bytes, and under TCG nothing.
# Sections per function and --gc-sections: code nothing calls (yet) is not
# in the image (9 KiB, e.g. the virtio-net data path until it is wired).
# -mcmodel=tiny: the whole image with .bss and .noinit lies within ADR's
# +-1 MiB (image.ld asserts it), so a global's address is one ADR, not
# ADRP+ADD (4.7 KiB, and an instruction on every global a trap touches).
# -fomit-frame-pointer: nothing walks frames (1.6 KiB, two instructions a call).
# -flto, one partition: calls across files inlined or specialised as within
# one (2.9 KiB); each function keeps its file's -O2 or -Os.
# No -fno-plt: every function is hidden (hidden.h) and so called directly
# anyway; what it still changed were the calls GCC itself emits
# (__stack_chk_fail, memcpy, memset): a GOT load and BLR each, not one BL
# (336 bytes). The static-pie link has no PLT either way.
HYP_OPT = -O2
HYP_SIZE_OPT := $(patsubst %,$(HYPB)/%.o,$(wildcard dt/*.c) common/boot.c common/image.c common/package.c common/passthrough.c \
	common/channel.c common/domain.c common/pmem.c common/console.c common/control.c common/audit.c common/audit_ring.c \
	arch-arm64/irq.c arch-arm64/mmu.c arch-arm64/pt.c arch-arm64/stage2.c arch-arm64/vpmu.c common/report.c common/stats_fmt.c \
	common/vnet.c common/vswitch.c common/virtio_mmio.c common/virtqueue.c \
	common/ratelimit.c arch-arm64/guest32.c common/spinlock.c)
# Size flags for that code, each measured on the whole image (GCC 12): the
# -Os passes that grow it here (shrink-wrapping, sibling calls, dominator
# and forward-propagation rewrites, jump threading, partial inlining,
# loop-invariant motion: its hoisted addresses spill): -3.1 KiB together;
# tail merging and caller-saves: -80 bytes more.
# Boot and off-path code only: the hot paths keep -O2.
HYP_SIZE_FLAG := -Os -fno-shrink-wrap -fno-optimize-sibling-calls -fno-tree-dominator-opts \
	-fno-partial-inlining -fno-tree-forwprop -fno-thread-jumps -fno-forward-propagate -fno-move-loop-invariants \
	-fno-tree-tail-merge -fno-caller-saves
$(HYP_SIZE_OPT): HYP_OPT = $(HYP_SIZE_FLAG)
# No guessed branch probabilities (blocks as written, no path copied for
# a likely side), measured file by file. Not in domain.c, control.c,
# vnet.c, channel.c: the link then inlines their code into the run loop and
# the IPI path differently (domain_load into cpu_run_loop: +1.2 KiB, +2
# instructions on sgi-self); not in dt/board.c (its index pass: +3.4K
# instructions at boot); nor where it makes the image larger (boot.c,
# virtio_mmio.c, vpmu.c, dt/: dom0.c, board_fallback.c, blob.c, out.c,
# policy.c).
HYP_SIZE_NOGUESS := -fno-guess-branch-probability
HYP_SIZE_GUESS := $(patsubst %,$(HYPB)/%.c.o,common/domain common/control common/vnet common/channel \
	common/boot common/virtio_mmio arch-arm64/vpmu dt/board dt/dom0 dt/board_fallback dt/blob dt/out dt/policy)
$(filter-out $(HYP_SIZE_GUESS),$(HYP_SIZE_OPT)): HYP_OPT = $(HYP_SIZE_FLAG) $(HYP_SIZE_NOGUESS)
HYP_CFLAGS = -std=c11 $(HYP_OPT) -g -Wall -Wextra -Werror -ffreestanding -fno-builtin -nostdlib \
	-mgeneral-regs-only -mstrict-align -mno-outline-atomics -fpie -fvisibility=hidden \
	-fno-tree-loop-distribute-patterns -fno-common -flto -flto-partition=one -fstack-protector-strong -ffunction-sections -mcmodel=tiny -fomit-frame-pointer -fdata-sections \
	-falign-functions=4 -falign-loops=4 -falign-jumps=4 -falign-labels=4 \
	-include arch-arm64/hidden.h -I. -Iarch-arm64 -I$(FDT_ARM64_ROOT)/usr/include -MMD -MP
# Cortex-A53 erratum 843419: ADRPs at risky offsets become ADRs (the image is
# far smaller than ADR's 1 MiB reach), not veneers in a 4 KiB-aligned stub.
# -u: the compiler may call memset/memcpy/memmove for a copy or a zeroing it
# generates after LTO has seen who calls them; and so may -fstack-protector's
# guard and failure handler (common/boot.c), which LTO cannot see used.
HYP_LDFLAGS := -nostdlib -static-pie -Wl,-u,memset,-u,memcpy,-u,memmove,-u,__stack_chk_guard,-u,__stack_chk_fail -Wl,-z,norelro -Wl,--fix-cortex-a53-843419=adr -Wl,--gc-sections \
	-Wl,--build-id=none -Wl,-z,noexecstack -Wl,--no-warn-rwx-segments \
	-T arch-arm64/image.ld

# ---- host tools ----
HOST_CFLAGS := -std=c11 -O2 -g -Wall -Wextra -Werror -D_DEFAULT_SOURCE -I. -Iarch-arm64

.PHONY: all deps guest-assets hyp guests tools tools-asan run test bench fuzz sdcard debug clean check-config image
all: $(IMG) $(TOOLB)/bhpolicy
# `make image OUT=path [KERNEL=...] [CONFIG=...]`: pack one image (tests use this
# after `make all` built everything, so parallel tests never rebuild shared files).
image: $(IMG)

SETUP ?= tools/setup.sh
deps:
	@bash $(SETUP)

guest-assets: deps
	@bash $(SETUP) --guest-assets

# Objects depend on the flags they were built with: a changed flag rebuilds
# them (the file's date moves only when its content changes).
HYP_FLAGS_FILE := $(HYPB)/flags
.PHONY: FORCE
$(HYP_FLAGS_FILE): FORCE
	@mkdir -p $(dir $@)
	@echo '$(HYP_CFLAGS) $(HYP_LDFLAGS) $(HYP_SIZE_FLAG) $(HYP_SIZE_NOGUESS) $(HYP_SIZE_GUESS): $(HYP_SIZE_OPT)' | cmp -s - $@ || \
		echo '$(HYP_CFLAGS) $(HYP_LDFLAGS) $(HYP_SIZE_FLAG) $(HYP_SIZE_NOGUESS) $(HYP_SIZE_GUESS): $(HYP_SIZE_OPT)' >$@

$(HYPB)/%.S.o: %.S $(HYP_FLAGS_FILE) | deps
	@mkdir -p $(dir $@)
	$(Q)$(call say,AS,$<)$(CROSS)gcc $(HYP_CFLAGS) -c $< -o $@

$(HYPB)/%.c.o: %.c $(HYP_FLAGS_FILE) | deps
	@mkdir -p $(dir $@)
	$(Q)$(call say,CC,$<)$(CROSS)gcc $(HYP_CFLAGS) -c $< -o $@

$(HYPB)/bulkhead.elf: $(HYP_OBJ) arch-arm64/image.ld $(HYP_FLAGS_FILE)
	$(Q)$(call say,LD,$@)$(CROSS)gcc $(HYP_CFLAGS) $(HYP_LDFLAGS) -o $@ $(HYP_OBJ) \
		$(FDT_ARM64_ROOT)/usr/lib/aarch64-linux-gnu/libfdt.a -lgcc
	@if $(CROSS)readelf -rW $@ | grep R_AARCH64 | grep -qv R_AARCH64_RELATIVE; then \
		echo "error: $@ has relocations other than R_AARCH64_RELATIVE"; exit 1; fi

# The relocations packed (tools/relr.py): 24 bytes each as the linker writes
# them, about 1 bit each packed.
$(HYPB)/bulkhead.bin: $(HYPB)/bulkhead.elf tools/relr.py
	$(Q)$(call say,OBJCOPY,$@)$(CROSS)objcopy -O binary $< $@.raw && python3 tools/relr.py $< $@.raw $@ && rm -f $@.raw

hyp: $(HYPB)/bulkhead.bin

BHPACK_SRC := tools/bhpack.c common/image.c dt/plan.c dt/blob.c dt/policy.c dt/board.c dt/devices.c dt/dom0.c dt/guest.c dt/out.c common/pmem.c
# Linked under a name of this shell's own and renamed into place whole: the
# parallel tests run these tools while one test's `make` may rebuild them
# (a run starting mid-link found a half-written file: tests/host/tool-rebuild.sh).
$(TOOLB)/bhpack: $(BHPACK_SRC) dt/*.h common/package.h common/lib.h | deps
	@mkdir -p $(dir $@)
	$(Q)$(call say,HOSTCC,$@)gcc $(HOST_CFLAGS) -o $@.$$$$ $(BHPACK_SRC) -lfdt && mv -f $@.$$$$ $@

# bhpolicy: sesearch-like questions about a config's policy (tools/bhpolicy.c).
BHPOLICY_SRC := tools/bhpolicy.c dt/plan.c dt/blob.c dt/policy.c dt/board.c dt/devices.c dt/dom0.c dt/out.c
$(TOOLB)/bhpolicy: $(BHPOLICY_SRC) dt/*.h common/lib.h | deps
	@mkdir -p $(dir $@)
	$(Q)$(call say,HOSTCC,$@)gcc $(HOST_CFLAGS) -o $@.$$$$ $(BHPOLICY_SRC) -lfdt && mv -f $@.$$$$ $@

tools: $(TOOLB)/bhpack $(TOOLB)/bhpolicy

# The same checker with AddressSanitizer and UBSan, for the config fuzz test.
$(TOOLB)/bhpack-asan: $(BHPACK_SRC) dt/*.h common/package.h common/lib.h | deps
	@mkdir -p $(dir $@)
	$(Q)$(call say,HOSTCC,$@)gcc $(HOST_CFLAGS) -O1 -fsanitize=address,undefined -fno-sanitize-recover=all \
		-fno-omit-frame-pointer -o $@.$$$$ $(BHPACK_SRC) -lfdt && mv -f $@.$$$$ $@
tools-asan: $(TOOLB)/bhpack-asan

$(GUESTB)/testguest.bin: $(wildcard tests/guests/aarch64/*) common/lib.c common/lib.h common/hypercall.h | deps
	$(Q)$(MAKE) --no-print-directory -C tests/guests/aarch64 O=$(abspath $(GUESTB)) FDT_ARM64_ROOT=$(FDT_ARM64_ROOT)

$(GUEST32B)/testguest32.bin: $(wildcard tests/guests/aarch32/*) common/lib.c common/lib.h common/hypercall.h | deps
	$(Q)$(MAKE) --no-print-directory -C tests/guests/aarch32 O=$(abspath $(GUEST32B))

guests: $(GUESTB)/testguest.bin $(GUEST32B)/testguest32.bin

# The board DT that configs are checked against at build time.
$(BOARD_DTB): boards/$(BOARD)/board.mk | deps
	@mkdir -p $(dir $@)
	$(Q)$(call say,DTB,$@)$(BOARD_DTB_RULE)

$(B)/config.dtb: configs/$(CONFIG).dts | deps
	@mkdir -p $(dir $@)
	$(Q)$(call say,DTC,$<)dtc -q -I dts -O dtb -o $@ $<

ifeq ($(CONFIG),qemu-virt-single)
PACK_ARGS += --image kernel=$(or $(KERNEL),$(GUESTB)/testguest.bin) \
	--set-u32 /bulkhead/domain@0:cpus=$(shell seq -s, 0 $$(($(SMP)-1)))
ifneq ($(INITRD),)
PACK_ARGS += --image initrd=$(INITRD) --set /bulkhead/domain@0:initrd=initrd
endif
ifneq ($(BOOTARGS),)
PACK_ARGS += --set '/bulkhead/domain@0:bootargs=$(BOOTARGS)'
endif
endif
# PMU_EL2=1: guests' PMUs may count EL2 (make bench's per-operation counts;
# insecure, measurement images only).
ifneq ($(PMU_EL2),)
PACK_ARGS += --set '/bulkhead:insecure-pmu-el2=measurement only'
endif
ifeq ($(CONFIG),qemu-virt-mixed)
ifneq ($(INTERACTIVE),)
PACK_ARGS += --set '/bulkhead/domain@0:bootargs=console=ttyAMA0 nokaslr quiet bhtest=shell bhnet=10.0.0.1/24' \
	--set '/bulkhead/domain@2:bootargs=console=ttyAMA0 nokaslr quiet bhtest=shell bhnet=10.0.0.2/24' \
	--set '/bulkhead/domain@1:bootargs=test=rt periods=0 ip=10.0.0.3 while-up=0,2'
endif
endif
# PACK_EXTRA: more bhpack arguments (make bench: other memory sizes, roles).
# The initramfs with bhctl (below) is found before the assets' own.
PACK_ARGS += $(PACK_EXTRA) -I $(GUESTB) -I $(GUEST32B) -I $(INITRD_OVL_DIR) -I $(ASSETS) -I configs

# bhctl (tools/bhctl.c, docs/control.md): static, for dom0's userland. It goes
# into the assets' initramfs as a second cpio archive appended (Linux unpacks
# both), /bin/bhctl; an image whose config names that initramfs gets this one.
$(BHCTL): tools/bhctl.c | deps
	@mkdir -p $(dir $@)
	$(Q)$(call say,CC,$@)$(CROSS)gcc -static -Os -s -std=c11 -Wall -Wextra -Werror -D_DEFAULT_SOURCE -o $@.$$$$ $< && mv -f $@.$$$$ $@
# Built under names of this shell's own (two makes, e.g. `make all` and a
# test's `make image`, may build it at once) and renamed into place whole.
$(INITRD_OVL): $(ASSETS)/initramfs-arm64.cpio.gz $(BHCTL)
	$(Q)$(call say,CPIO,$@)t=$@.$$$$; mkdir -p $$t.d/bin && cp $(BHCTL) $$t.d/bin/bhctl && \
		cp $< $$t.tmp && (cd $$t.d && find . | LC_ALL=C sort | cpio -o -H newc --owner=0:0 --quiet) | \
		gzip -9 -n >> $$t.tmp && mv $$t.tmp $@; r=$$?; rm -rf $$t.d $$t.tmp; exit $$r
tools: $(BHCTL)

$(IMG): $(HYPB)/bulkhead.bin $(TOOLB)/bhpack $(B)/config.dtb $(BOARD_DTB) guests \
	$(if $(wildcard $(ASSETS)/initramfs-arm64.cpio.gz),$(INITRD_OVL)) FORCE
	@mkdir -p $(dir $@)
	$(Q)$(call say,PACK,$@)$(TOOLB)/bhpack -o $@ --hyp $(HYPB)/bulkhead.bin --config $(B)/config.dtb \
		--payload-offset 0x$$($(CROSS)nm $(HYPB)/bulkhead.elf | awk '/ __payload_start$$/{print $$1}') \
		--board $(BOARD_DTB) $(PACK_ARGS)

FORCE:

check-config: $(TOOLB)/bhpack $(B)/config.dtb $(BOARD_DTB) guests
	$(TOOLB)/bhpack --check-only --config $(B)/config.dtb --board $(BOARD_DTB) $(PACK_ARGS)

# The mixed config's Linux guest owns the first virtio disk: give it one.
RUN_DISK := $(B)/guest-disk.img
$(RUN_DISK):
	@mkdir -p $(dir $@)
	@head -c 16M /dev/zero > $@
	@printf 'BULKHEAD-DISK-MARKER: this disk belongs to the guest domain' | dd of=$@ conv=notrunc status=none
RUN_ARGS := $(if $(filter qemu-virt-mixed,$(CONFIG)),-d $(RUN_DISK))
RUN_DEPS := $(if $(filter qemu-virt-mixed,$(CONFIG)),$(RUN_DISK))

# The uboot config's fw domain runs Debian's U-Boot, which boots Linux from
# its own disk (extlinux.conf, kernel, initramfs: tools/mk-uboot-disk.sh).
# Its RAM is the board's first 256 MiB, so the board's U-Boot loads the
# hypervisor above it; fw's U-Boot reads the same flash environment, finds
# no fw_cfg there and runs its distro boot.
UBOOT_DISK := $(B)/fw-disk.img
UBOOT_HOST_BOOTCMD := bootcmd=if qfw load 0x50000000 0x60000000; then booti 0x50000000 - $${fdtcontroladdr}; fi; run distro_bootcmd
ifeq ($(CONFIG),qemu-virt-uboot)
PACK_ARGS += -I /usr/lib/u-boot/qemu_arm64
RUN_ARGS += -d $(UBOOT_DISK) -e '$(UBOOT_HOST_BOOTCMD)'
RUN_DEPS += $(UBOOT_DISK)
endif
$(UBOOT_DISK): tools/mk-uboot-disk.sh $(ASSETS)/Image-arm64 $(ASSETS)/initramfs-arm64.cpio.gz
	@bash tools/mk-uboot-disk.sh -k $(ASSETS)/Image-arm64 -r $(ASSETS)/initramfs-arm64.cpio.gz \
		-a 'console=ttyAMA0 nokaslr quiet' -o $@

run: guest-assets $(IMG) $(if $(filter qemu-virt-mixed,$(CONFIG)),$(RUN_DISK)) $(RUN_DEPS)
	@bash tools/run-qemu.sh $(or $(BOARD_RUN_ARGS),-b uboot) -g $(GIC) -c $(CPU) -s $(SMP) -m $(MEM) -t 0 $(RUN_ARGS) $(IMG)

debug: guest-assets $(IMG)
	@echo "gdb: gdb-multiarch $(HYPB)/bulkhead.elf -ex 'target remote :1234'"
	@bash tools/run-qemu.sh -b kernel -g $(GIC) -c $(CPU) -s $(SMP) -m $(MEM) -t 0 $(IMG) -- -s -S

# The board's card (boards/<board>/board.mk's SDCARD_ARGS: its DT, load
# address and the files its firmware reads; SDCARD_UBOOT: Debian's U-Boot).
sdcard: $(IMG)
	$(if $(SDCARD_UBOOT),@bash $(SETUP) --u-boot-rpi)
	bash tools/mk-sdcard.sh -k $(IMG) -o $(B)/sdcard.img $(SDCARD_ARGS)

test: guest-assets all tools guests
	@bash tests/run.sh $(T)

bench: guest-assets all
	@bash tests/bench/run.sh

# libFuzzer over the hypervisor's own parsers and checks (tests/fuzz/): each
# fuzzer runs FUZZ_SECONDS and reports its executions.
FUZZ_SECONDS ?= 60
fuzz: deps
	@$(MAKE) --no-print-directory -C tests/fuzz run FUZZ_SECONDS=$(FUZZ_SECONDS)

clean:
	rm -rf $(BUILD)

-include $(HYP_OBJ:.o=.d)
endif
