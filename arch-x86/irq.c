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

/* No line is ever owned (see above): nothing to set up or register. */
void arch_irq_domain_init(struct domain *d)
{
	(void)d;
}

int arch_irq_domain_register(struct domain *d)
{
	(void)d;
	return 0;
}

unsigned arch_irq_lines(struct domain *d)
{
	(void)d;
	return 0;
}

/* The shared 16550/PL011 model (common/vuart.c) asks for its line; on x86
 * a domain's UART is arch-x86/vuart.c's, polled: no line to give. */
int arch_irq_own(struct domain *d, unsigned line, bool edge, const char *what)
{
	(void)d;
	(void)line;
	(void)edge;
	(void)what;
	return 0;
}
