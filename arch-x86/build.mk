# SPDX-License-Identifier: Apache-2.0
# The x86 (AMD SVM) port's build, included by the Makefile when the board's
# BOARD_ARCH is x86: the host's gcc, freestanding, no FP/SSE registers, no
# red zone (exceptions land on the same stack), linked at its load address.
HYPB := $(BUILD)/$(BOARD)/hyp
X86_ASM := $(wildcard arch-x86/*.S)
# The core (common/, dt/) is built whole against arch-x86/arch.h (found
# first on the include path); the link keeps what the port reaches.
X86_C := $(wildcard arch-x86/*.c dt/*.c) $(filter-out common/passthrough.c,$(wildcard common/*.c))
X86_OBJ := $(patsubst %,$(HYPB)/%.o,$(X86_ASM) $(X86_C))
X86_CFLAGS := -std=c11 -Os -g -Wall -Wextra -Werror -ffreestanding -fno-builtin -nostdlib -m64 \
	-mgeneral-regs-only -mno-red-zone -fno-pic -fno-pie -mcmodel=small -fno-stack-protector \
	-fno-common -ffunction-sections -fdata-sections -fno-asynchronous-unwind-tables \
	-I. -Iarch-x86 -MMD -MP
X86_LDFLAGS := -nostdlib -static -no-pie -Wl,--gc-sections -Wl,--build-id=none -Wl,-z,noexecstack \
	-Wl,--no-warn-rwx-segments -T arch-x86/image.ld

.PHONY: all hyp image guests
X86_IMG := $(or $(OUT),$(BUILD)/$(BOARD)/bulkhead.img)
all: $(X86_IMG)
hyp: $(HYPB)/bulkhead.bin
image: $(X86_IMG)

$(HYPB)/%.S.o: %.S arch-x86/build.mk
	@mkdir -p $(dir $@)
	$(Q)$(call say,AS,$<)gcc $(X86_CFLAGS) -c $< -o $@

$(HYPB)/%.c.o: %.c arch-x86/build.mk
	@mkdir -p $(dir $@)
	$(Q)$(call say,CC,$<)gcc $(X86_CFLAGS) -c $< -o $@

$(HYPB)/bulkhead.elf: $(X86_OBJ) arch-x86/image.ld
	$(Q)$(call say,LD,$@)gcc $(X86_CFLAGS) $(X86_LDFLAGS) -o $@ $(X86_OBJ) /usr/lib/x86_64-linux-gnu/libfdt.a -lgcc

# The Multiboot image QEMU's -kernel and GRUB load (head.S: flat, at 1 MiB).
$(HYPB)/bulkhead.bin: $(HYPB)/bulkhead.elf
	$(Q)$(call say,OBJCOPY,$@)objcopy -O binary $< $@

# The bare-metal x86 test guest (tests/guests/x86/), a flat image run at 1 MiB.
X86_GUESTB := $(BUILD)/guests/x86
X86_GUEST_SRC := $(wildcard tests/guests/x86/*.S tests/guests/x86/*.c) common/lib.c
X86_GUEST_OBJ := $(patsubst %,$(X86_GUESTB)/%.o,$(X86_GUEST_SRC))
guests: $(X86_GUESTB)/testguest-x86.bin

$(X86_GUESTB)/%.S.o: %.S arch-x86/build.mk
	@mkdir -p $(dir $@)
	$(Q)$(call say,AS,$<)gcc $(X86_CFLAGS) -c $< -o $@

$(X86_GUESTB)/%.c.o: %.c arch-x86/build.mk
	@mkdir -p $(dir $@)
	$(Q)$(call say,CC,$<)gcc $(X86_CFLAGS) -c $< -o $@

$(X86_GUESTB)/testguest-x86.elf: $(X86_GUEST_OBJ) tests/guests/x86/guest.ld
	$(Q)$(call say,LD,$@)gcc $(X86_CFLAGS) $(filter-out -T arch-x86/image.ld,$(X86_LDFLAGS)) \
		-T tests/guests/x86/guest.ld -o $@ $(X86_GUEST_OBJ) -lgcc

$(X86_GUESTB)/testguest-x86.bin: $(X86_GUESTB)/testguest-x86.elf
	$(Q)$(call say,OBJCOPY,$@)objcopy -O binary $< $@

# `make run BOARD=qemu-x86`: the image on QEMU's console; QEMU ends when it powers off.
# The config (dtc) and the images it names, as Multiboot modules.
X86_CONFIG ?= boards/$(BOARD)/$(BOARD).dts
X86_CONFIG_DTB := $(BUILD)/$(BOARD)/config.dtb
$(X86_CONFIG_DTB): $(X86_CONFIG)
	@mkdir -p $(dir $@)
	$(Q)$(call say,DTC,$<)dtc -q -I dts -O dtb -o $@ $<

# The one boot file: the hypervisor and bhpack's payload (the config, every
# image it names) at __payload_start. bhpack is the arm64 build's host tool.
BHPACK := $(BUILD)/tools/bhpack
$(BHPACK): FORCE
	@$(MAKE) --no-print-directory BOARD=qemu-virt tools
$(X86_IMG): $(HYPB)/bulkhead.bin $(X86_CONFIG_DTB) guests $(BHPACK)
	@mkdir -p $(dir $@)
	$(Q)$(call say,PACK,$@)$(BHPACK) -o $@ --hyp $(HYPB)/bulkhead.bin --config $(X86_CONFIG_DTB) \
		--payload-offset $$(($$(nm $(HYPB)/bulkhead.elf | awk '/ __payload_start$$/{print "0x" $$1}') - 0x100000)) \
		-I $(X86_GUESTB)
.PHONY: FORCE
FORCE:

run: $(X86_IMG)
	@timeout $(or $(RUN_TIMEOUT),600) $(QEMU_SYSTEM) $(QEMU_X86_ARGS) -kernel $<; \
		rc=$$?; [ $$rc -eq 1 ] && exit 0 || exit $$rc

# `make BOARD=qemu-x86 test`: the x86 port's tests (the lead's `make test` runs them too).
test: all
	@bash tests/run.sh $(or $(T),x86-)

# What the arm64 build offers and the x86 port does not yet: said, not guessed.
.PHONY: test sdcard bench debug fuzz check-config deps guest-assets tools
sdcard bench debug fuzz check-config:
	@echo "make $@: not available for BOARD=$(BOARD) yet (docs/x86.md)"; exit 2
deps guest-assets tools:
	@$(MAKE) --no-print-directory BOARD=qemu-virt $@

clean:
	rm -rf $(BUILD)

-include $(X86_OBJ:.o=.d) $(X86_GUEST_OBJ:.o=.d)
