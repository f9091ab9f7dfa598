/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Virtual generic timer. Each vCPU owns its physical CPU's EL1 virtual timer
 * (CNTV_*) outright, since vCPUs are pinned; the hypervisor only sets each
 * domain's counter offset (CNTVOFF_EL2) and forwards the timer PPI, linked to
 * the physical one so the guest's deactivation completes it.
 */
#ifndef VTIMER_VTIMER_H
#define VTIMER_VTIMER_H

#include <stdint.h>

struct vcpu;
struct domain;

/* At each domain (re)start: its virtual counter restarts near zero. */
void vtimer_domain_start(struct domain *d);
/* On the vCPU's CPU, at vCPU reset: timer off, the domain's offset loaded. */
void vtimer_vcpu_reset(struct vcpu *v);
/* The physical virtual-timer PPI fired while v ran. */
void vtimer_fire(struct vcpu *v, unsigned intid);

#endif
