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
 * vgic_lock covers vgic and every vCPU's arch.vgic; vgic_gen is bumped by
 * every vgic_unlock(). */
struct arch_domain {
	uint64_t *s2_root;
	uint64_t vttbr;
	uint16_t vmid;
	uint64_t cntvoff; /* the domain's virtual counter starts near 0 at each (re)start */
	struct spinlock vgic_lock;
	uint64_t vgic_gen;
	struct vgic_dist vgic;
};

/* Every arch_* hook the core calls, the same for every port. */
#include "common/arch_hooks.h"

#endif
