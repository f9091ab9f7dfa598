/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The architecture interface as the x86 (AMD SVM) port provides it: its
 * types (a vCPU's registers and VMCB, a domain's nested page tables) and
 * inline hooks, then the hooks every port shares (common/arch_hooks.h).
 * The core (common/, dt/) is built for x86 against this header, chosen by
 * the include path (-Iarch-x86), as arm64's is by -Iarch-arm64.
 */
#ifndef ARCH_H
#define ARCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vcpu;
struct domain;
struct board;

#include <arch_inline.h>

/* A guest's general registers that VMRUN does not keep in the VMCB (RAX and
 * RSP are there): svm_run.S saves and loads them at these offsets. */
struct trap_frame {
	uint64_t rbx, rcx, rdx, rsi, rdi, rbp, r8, r9, r10, r11, r12, r13, r14, r15;
	struct vcpu *owner;
};

struct vmcb;
struct arch_vcpu {
	struct trap_frame regs;
	struct vmcb *vmcb; /* its own page, made once (arch_vcpu_reset resets it) */
};

struct arch_domain {
	uint64_t *npt;	 /* its nested page tables' root (PML4) */
	uint8_t uart[9]; /* its 16550's registers (vuart.c), zero at each (re)start */
};

/* The boot and domain-building steps that differ by architecture
 * (common/arch_hooks.h lists them): no board DT (the board comes from the
 * Multiboot memory map and the ACPI MADT: config.c), no header field for
 * the payload (the link's __payload_start is it), a guest booted as a
 * Multiboot loader boots it (domains.c: RAM at guest physical 0, the
 * kernel at 1 MiB, its command line), no passthrough. */
struct dt_error;
struct plan;
struct dom_cfg;
struct image_layout;
#define ARCH_BOARD_DT	 0
#define ARCH_PASSTHROUGH 0
int arch_board_read(uint64_t mbi, struct board *b, struct dt_error *err);
#define arch_image_size(load_base)	    (0x100000000ull - (load_base)) /* head.S maps 4 GiB */
#define arch_payload_offset(load_base, off) (off)
int arch_plan_check(const struct plan *p, struct dt_error *err);
#define arch_irq_ctrl_name(b)  "local APIC"
/* The boot banner: the console's I/O port (uart_base is its accessor
 * address, X86_PORT_ADDR), and the firmware tables read. */
#define arch_console_addr(b)   ((b)->uart_base / 4)
#define arch_firmware_name(b)  ((void)(b), "ACPI MADT")
#define arch_guest_ram_base(b) ((void)(b), 0ull) /* a PC's RAM starts at 0 */
int arch_image_layout(const uint8_t *hdr, uint64_t size, const char *kernel_name,
		      uint64_t initrd_size, const char *initrd_name, uint64_t ram_size,
		      bool firmware, struct image_layout *l, char *why, size_t why_len);
int arch_domain_boot_info(struct domain *d, const struct dom_cfg *cfg, const struct board *b,
			  const void *fdt);

/* Every arch_* hook the core calls (common/arch_hooks.h). The x86 port
 * implements those the code it links reaches; not the device-access hooks
 * (arch_mmio_read/write, arch_irq_passthrough), which only passthrough
 * calls (ARCH_PASSTHROUGH 0): a link that kept one of them would fail. A mapping other than RAM
 * (arch_stage2_map: S2_RWX) is refused: no device or shared page yet. */
#include "common/arch_hooks.h"

#endif
