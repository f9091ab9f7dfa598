/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The architecture interface the core (common/, dt/) uses: the types it
 * embeds and the inline hooks, for arm64, then every arch_* hook
 * (common/arch_hooks.h, shared with the x86 port's arch-x86/arch.h),
 * implemented in arch-arm64/. Nothing else from the architecture may be
 * included by common code.
 */
#ifndef ARCH_H
#define ARCH_H

#include <stdbool.h>
#include <stdint.h>

#include "common/spinlock_types.h"
#include "gic/vgic_types.h"

struct vcpu;
struct domain;
struct trap_frame;

/* The few hooks cheap enough to inline (WFE/SEV waits, the counter). The
 * angle brackets let a host build put its own first on the include path
 * (tests/fake/: the core's code built and fuzzed on the host). */
#include <arch_inline.h>

/* Register state of a stopped guest exception (layout: arch-arm64/asm.h).
 * owner: the vCPU whose guest this frame holds. The vectors never write it:
 * a guest's frame is always at the same place (the top of its CPU's stack),
 * so it is set once, at entry, and every trap finds its vCPU in it. */
struct trap_frame {
	uint64_t x[31];
	uint64_t elr, spsr, esr, far, hpfar, sp_el1;
	struct vcpu *owner;
};

/* Per-vCPU architectural state kept across a domain restart decision. */
struct arch_vcpu {
	struct trap_frame entry_frame; /* registers for the next (re)start */
	uint64_t hcr;
	bool aarch32;
	struct vgic_cpu vgic; /* its SGIs, PPIs and list registers (gic/vgic.c) */
};

/* Per-domain stage-2 state, and the domain's virtual GIC (gic/vgic.c):
 * vgic_lock covers vgic and every vCPU's arch.vgic but its sgi_in (set by
 * an atomic OR without it, claimed under it); vgic_gen is bumped by every
 * vgic_unlock(). */
struct arch_domain {
	uint64_t *s2_root;
	uint64_t vttbr;
	uint16_t vmid;
	uint64_t cntvoff; /* the domain's virtual counter starts near 0 at each (re)start */
	struct spinlock vgic_lock;
	uint64_t vgic_gen;
	struct vgic_dist vgic;
};

/* The boot and domain-building steps that differ by architecture
 * (common/arch_hooks.h lists them; x86's: arch-x86/arch.h). On arm64 each
 * is the core's own DT code, named here so that it costs no call. */
#define ARCH_BOARD_DT		     1 /* a loader's board DT: copied, kept, dom0's built from it */
#define ARCH_PASSTHROUGH	     1 /* devices passed through (common/passthrough.c) */
#define arch_board_read(dtb, b, err) dt_board_early((const void *)(uintptr_t)(dtb), b, err)
#define arch_image_size(load_base)                                                                 \
	(*(volatile uint64_t *)(uintptr_t)((load_base) + BH_HDR_IMAGE_SIZE))
#define arch_payload_offset(load_base, off)                                                        \
	(*(volatile uint64_t *)(uintptr_t)((load_base) + BH_HDR_PAYLOAD_OFFSET))
#define arch_plan_check(p, err) 0 /* dt/plan.c checks all arm64 supports */
#define arch_irq_ctrl_name(b)	((b)->gic_version == 3 ? "GICv3" : "GICv2")
/* The boot banner: where the console is, and the firmware's interface. */
#define arch_console_addr(b)	((b)->uart_base)
#define arch_firmware_name(b)                                                                      \
	((b)->psci == CONDUIT_SMC ? "PSCI smc" : (b)->psci == CONDUIT_HVC ? "PSCI hvc" : "PSCI none")
#define arch_guest_ram_base(b)	((b)->mem[0].base)
#define arch_image_layout	image_layout	/* common/image.c: the kernel's header */
#define arch_domain_boot_info	domain_build_dt /* common/domain.c: its DT */

/* Every arch_* hook the core calls, the same for every port. */
#include "common/arch_hooks.h"

#endif
