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

/* Every arch_* hook the core calls (common/arch_hooks.h). The x86 port
 * implements those the code it links reaches: not arm64's boot, MMU and
 * device hooks, which only common/boot.c's boot_main (x86_main stands for
 * it), domain_create (domains.c builds x86's) and passthrough call; a link
 * that kept one of them would fail. A mapping other than RAM
 * (arch_stage2_map: S2_RWX) is refused: no device or shared page yet. */
#include "common/arch_hooks.h"

#endif
