/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A domain's interrupt lines and timer on x86 (arch.h): none yet. The port
 * has no virtual interrupt controller nor virtual timer (docs/x86.md, next
 * steps), and config.c refuses every config item that would give a domain
 * an interrupt line (channels, networks, devices, the control device), so
 * no line is ever owned: raising one does nothing, as on arm64 for a line
 * the domain does not own, and a (re)start has no line or timer to reset.
 */
#include "arch.h"

void arch_irq_domain_reset(struct domain *d)
{
	(void)d;
}

void arch_irq_set_level(struct domain *d, unsigned line, bool level)
{
	(void)d;
	(void)line;
	(void)level;
}

void arch_irq_inject(struct domain *d, struct vcpu *v, unsigned line)
{
	(void)d;
	(void)v;
	(void)line;
}

/* The guest reads the host's TSC, unoffset (no TSC_OFFSET in its VMCB). */
void arch_timer_domain_start(struct domain *d)
{
	(void)d;
}
