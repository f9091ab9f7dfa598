/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The inline part of the architecture interface (arch.h): waiting for and
 * sending events, idling, the counter. A host build of the core provides
 * its own (tests/fake/arch_inline.h).
 */
#ifndef ARCH_INLINE_H
#define ARCH_INLINE_H

#include <stdint.h>

static inline void arch_wait_event(void)
{
	__asm__ volatile("wfe" ::: "memory");
}
/* Idle: wait for an event or an interrupt, taking interrupts meanwhile. */
static inline void arch_idle(void)
{
	__asm__ volatile("msr daifclr, #2\n wfe\n msr daifset, #2" ::: "memory");
}
static inline void arch_send_event(void)
{
	__asm__ volatile("dsb ish\n sev" ::: "memory");
}
static inline void arch_wait_interrupt(void)
{
	__asm__ volatile("dsb sy\n wfi" ::: "memory");
}
static inline uint64_t arch_counter(void)
{
	uint64_t v;
	__asm__ volatile("isb\n mrs %0, cntpct_el0" : "=r"(v));
	return v;
}
static inline uint64_t arch_counter_freq(void)
{
	uint64_t v;
	__asm__ volatile("mrs %0, cntfrq_el0" : "=r"(v));
	return v;
}
/* A register of a device the hypervisor itself drives (the console UART):
 * mapped 1:1 at EL2. A host build models the device instead. */
static inline uint32_t arch_dev_read32(uint64_t pa)
{
	return *(volatile uint32_t *)(uintptr_t)pa;
}
static inline void arch_dev_write32(uint64_t pa, uint32_t v)
{
	*(volatile uint32_t *)(uintptr_t)pa = v;
}

#endif
