/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The architecture interface's interrupt lines of a domain (arch.h,
 * arch_irq_*): on arm64, the virtual GIC (gic/vgic.c). Each hook is inlined
 * at its call site by the link-time optimiser; built -Os, as the boot code
 * that calls most of them. The host's fake architecture (tests/fake/) links
 * this file too: the vGIC it tests is reached the same way.
 */
#include "arch.h"
#include "common/console.h"
#include "common/domain.h"
#include "gic/vgic.h"

void arch_irq_domain_init(struct domain *d)
{
	vgic_domain_init(d);
}

int arch_irq_domain_register(struct domain *d)
{
	return vgic_register(d);
}

void arch_irq_domain_reset(struct domain *d)
{
	vgic_domain_reset(d);
}

unsigned arch_irq_lines(struct domain *d)
{
	return vgic_nr_spis(d);
}

int arch_irq_own(struct domain *d, unsigned line, bool edge, const char *what)
{
	const char *why = vgic_own_spi(d, line, edge);
	if (why)
		bh_dlog(d->name, "interrupt %u of %s: %s", line, what, why);
	return why ? -1 : 0;
}

void arch_irq_set_level(struct domain *d, unsigned line, bool level)
{
	vgic_set_level(d, line, level);
}

void arch_irq_inject(struct domain *d, struct vcpu *v, unsigned line)
{
	vgic_inject(d, v, line);
}

/* Linked to the physical SPI: the guest's deactivation completes it. */
int arch_irq_passthrough(struct domain *d, unsigned line, bool edge, const char *what)
{
	if (arch_irq_own(d, line, edge, what))
		return -1; /* nothing routed: the line stays unused */
	struct virq *q = vgic_irq(&d->vcpu[0], line);
	if (q) {
		q->hw = true;
		q->hw_intid = (uint16_t)line;
	}
	gic_hw_configure(line, edge, d->vcpu[0].pcpu);
	return 0;
}
