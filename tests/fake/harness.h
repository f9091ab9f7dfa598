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

/* ---- the vGIC model ---- */

/* List registers the vGIC believes in use on v (a bit per LR). */
static inline uint32_t h_lr_used(const struct vcpu *v)
{
	return v->arch.vgic.lr_used;
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

static inline bool h_virq_owned(struct vcpu *v, unsigned intid)
{
	const struct virq *q = vgic_irq(v, intid);
	return q && q->owned;
}

/* ---- domains ---- */

static inline unsigned h_restarts(const struct domain *d)
{
	return d->restarts;
}

static inline void h_set_state(struct domain *d, enum dom_state s)
{
	d->state = s;
}

/* The emulated regions of d (vGIC frames, vUART, forwarded device pages). */
static inline unsigned h_nvmmio(const struct domain *d)
{
	return d->nvmmio;
}

static inline const struct vmmio *h_vmmio(const struct domain *d, unsigned i)
{
	return &d->vmmio[i];
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
