/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The physical GIC (gic/gic.c), as the architecture code drives it: set-up,
 * per-CPU set-up, IPIs, the interrupt taken at EL2, a vCPU's CPU interface.
 * The core reaches these through arch_irq_init() and arch_send_ipi().
 */
#ifndef GIC_GIC_H
#define GIC_GIC_H

struct board;
struct vcpu;

void gic_init(const struct board *b);
void gic_cpu_init(unsigned index);
void gic_send_ipi(unsigned cpu);
/* The same from a vCPU of the domain `cpu` runs (an SGI between its vCPUs):
 * not recorded by the sender; the target charges the exit to its own domain.
 * No barrier: the caller has completed the stores the target must see with
 * a DSB after them (vgic_send_sgi: its unlock's DSB ISH). */
void gic_kick_own(unsigned cpu);
/* Acknowledge and handle one interrupt pending at EL2 on this CPU, whose
 * vCPU is v (NULL: none). One per exception: another one pending is taken
 * again as soon as IRQs are unmasked (at the ERET to a guest, which cannot
 * mask them from EL2), so the common exit, one interrupt, does not pay for
 * a second acknowledge that finds nothing. */
void gic_handle_irq(struct vcpu *v);
/* This CPU's virtual CPU interface, fresh for v (before it first runs). */
void gic_vcpu_reset(struct vcpu *v);

#endif
