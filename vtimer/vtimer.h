/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Guest generic timers. Each vCPU owns its physical CPU's EL1 virtual timer
 * (CNTV_*) and EL1 physical timer (CNTP_*, CNTHCTL_EL2.EL1PCEN) outright,
 * since vCPUs are pinned and the hypervisor uses no timer, only the counter;
 * the hypervisor sets each domain's virtual counter offset (CNTVOFF_EL2),
 * resets both timers with the vCPU and forwards their PPIs (27, 30), linked
 * to the physical ones so the guest's deactivation completes them. The
 * physical counter has no offset (no FEAT_ECV on our targets): a guest reads
 * the board's CNTPCT, see docs/design/guest-timers.md.
 */
#ifndef VTIMER_VTIMER_H
#define VTIMER_VTIMER_H

#include <stdint.h>

struct vcpu;
struct domain;

/* At each domain (re)start: its virtual counter restarts near zero. */
void vtimer_domain_start(struct domain *d);
/* On the vCPU's CPU, at vCPU reset: both timers off, the domain's offset loaded. */
void vtimer_vcpu_reset(struct vcpu *v);
/* A timer PPI (virtual or physical) fired while v ran. */
void vtimer_fire(struct vcpu *v, unsigned intid);

#endif
