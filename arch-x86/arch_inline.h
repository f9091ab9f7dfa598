/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The inline part of the x86 architecture interface (arch.h): short waits
 * spin with PAUSE, an idle CPU halts (x86_idle), the counter is the TSC,
 * and the console's 16550 is reached through I/O ports.
 */
#ifndef ARCH_INLINE_H
#define ARCH_INLINE_H

#include <stdint.h>

static inline void arch_wait_event(void)
{
	__asm__ volatile("pause" ::: "memory");
}
/* Halt until an interrupt: another CPU's kick, or this CPU's LAPIC timer,
 * armed for one tick (smp.c): arch_send_event wakes no one on x86, so a
 * change seen without a kick is seen within a tick. */
void x86_idle(void);
static inline void arch_idle(void)
{
	x86_idle();
}
static inline void arch_send_event(void)
{
	__asm__ volatile("" ::: "memory"); /* x86 stores are seen in order */
}
static inline void arch_wait_interrupt(void)
{
	__asm__ volatile("pause" ::: "memory");
}
static inline uint64_t arch_counter(void)
{
	return __builtin_ia32_rdtsc();
}
extern uint64_t x86_tsc_hz; /* measured against the PIT at boot (smp.c) */
static inline uint64_t arch_counter_freq(void)
{
	return x86_tsc_hz;
}
/* A device register the hypervisor drives: on x86 an I/O port, addressed as
 * 4 x port so that a driver's 32-bit register stride (common/uart_ns16550.c:
 * reg-shift 2) lands on consecutive ports (COM1: base 4 x 0x3f8). */
#define X86_PORT_ADDR(port) ((uint64_t)(port)*4)
static inline uint32_t arch_dev_read32(uint64_t pa)
{
	uint8_t v;
	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"((uint16_t)(pa / 4)));
	return v;
}
static inline void arch_dev_write32(uint64_t pa, uint32_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"((uint8_t)v), "Nd"((uint16_t)(pa / 4)));
}

#endif
