/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The one place the unit tests on the fake architecture reach into the
 * hypervisor's structures by field name (everything else goes through the
 * code's public functions and the guest-visible registers): when a field
 * moves or is renamed (the vGIC state out of struct arch_vcpu/arch_domain,
 * say), this header is the fix.
 */
#ifndef TESTS_FAKE_HARNESS_H
#define TESTS_FAKE_HARNESS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "common/domain.h"
#include "gic/vgic.h"

/* ---- a vCPU's entry flag word (common/domain.h) ---- */

/* Is v's recheck byte `why` set (its next exit takes the full check)? */
static inline bool h_recheck(const struct vcpu *v, enum vcpu_recheck why)
{
	return v->recheck.why[why] != 0;
}

/* The whole word (0: v's next exit returns straight to its guest). */
static inline uint32_t h_recheck_word(const struct vcpu *v)
{
	return v->recheck.any;
}

/* Every vCPU of every domain as after a full check with nothing to do. */
static inline void h_recheck_clear_all(void)
{
	for (unsigned i = 0; i < ndomains; i++)
		for (unsigned k = 0; k < domains[i].nvcpus; k++)
			domains[i].vcpu[k].recheck.any = 0;
}

/* ---- the vGIC model ---- */

/* List registers the vGIC believes in use on v (a bit per LR). */
static inline uint32_t h_lr_used(const struct vcpu *v)
{
	return v->arch.vgic.lr_used;
}

/* v's next exit takes the general sync and flush (no direct SGI listing):
 * the state every vCPU starts its life in, a legitimate one at any time. */
static inline void h_vgic_stale(struct vcpu *v)
{
	v->arch.vgic.seen_gen = VGIC_GEN_STALE;
}

/* Is the virtual interrupt linked to a physical one, and which? */
static inline bool h_virq_hw(struct vcpu *v, unsigned intid, unsigned *hw_intid)
{
	const struct virq *q = vgic_irq(v, intid);
	if (!q || !q->hw)
		return false;
	*hw_intid = q->hw_intid;
	return true;
}

/* Is the virtual interrupt in one of its vCPU's list registers? */
static inline bool h_virq_listed(struct vcpu *v, unsigned intid)
{
	const struct virq *q = vgic_irq(v, intid);
	return q && q->in_lr;
}

static inline bool h_virq_owned(struct vcpu *v, unsigned intid)
{
	const struct virq *q = vgic_irq(v, intid);
	return q && q->owned;
}

/* ---- domains and vCPUs ---- */

static inline struct vcpu *h_vcpu(struct domain *d, unsigned i)
{
	return &d->vcpu[i];
}

static inline unsigned h_vcpu_index(const struct vcpu *v)
{
	return v->index;
}

/* The physical CPU the vCPU is pinned to. */
static inline unsigned h_vcpu_cpu(const struct vcpu *v)
{
	return v->pcpu;
}

static inline const char *h_name(const struct domain *d)
{
	return d->name;
}

/* The domain's RAM as the host sees it (the fake's RAM is a host buffer). */
static inline uint8_t *h_ram(const struct domain *d)
{
	return (uint8_t *)(uintptr_t)d->ram_pa;
}

static inline unsigned h_restarts(const struct domain *d)
{
	return d->restarts;
}

static inline void h_set_state(struct domain *d, enum dom_state s)
{
	d->state = s;
}

/* The emulated regions of d (vGIC frames, vUART, forwarded device pages):
 * how many, and region i's guest address, size and physical address. */
static inline unsigned h_nvmmio(const struct domain *d)
{
	return d->nvmmio;
}

static inline void h_vmmio(const struct domain *d, unsigned i, uint64_t *base, uint64_t *size,
			   uint64_t *phys)
{
	*base = d->vmmio[i].base;
	*size = d->vmmio[i].size;
	*phys = d->vmmio[i].phys;
}

/* ---- the plan ---- */

/* Interrupt k of device `dev` of domain `dom` in the plan, as if the config
 * said so (what the config check would refuse, to reach passthrough). */
static inline void h_set_device_irq(struct plan *p, unsigned dom, unsigned dev, unsigned k,
				    unsigned intid)
{
	p->dom[dom].dev[dev].irq[k] = (uint16_t)intid;
}

/* A console-only domain for test_console: a name, a config (for the
 * control role), running; nothing else of struct domain is used there. */
static inline void h_console_domain(struct domain *d, struct dom_cfg *cfg, const char *name,
				    bool control)
{
	memset(cfg, 0, sizeof(*cfg));
	snprintf(cfg->name, sizeof(cfg->name), "%s", name);
	cfg->control = control;
	memset(d, 0, sizeof(*d));
	snprintf(d->name, sizeof(d->name), "%s", name);
	d->cfg = cfg;
	d->state = DOM_RUNNING;
}

#endif
