/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The fake architecture's inline hooks (see arch-arm64/arch_inline.h): the
 * core built on the host for fuzzing runs one vCPU at a time on one thread,
 * so waits and events are no-ops and the counter is a variable.
 */
#ifndef ARCH_INLINE_H
#define ARCH_INLINE_H

#include <stdint.h>

extern uint64_t fake_counter;

static inline void arch_wait_event(void) {}
static inline void arch_idle(void) {}
static inline void arch_send_event(void) {}
static inline void arch_wait_interrupt(void) {}
/* Time passing is where a test can let "another CPU" act (test_uart.c);
 * weak: a test that does not define it has none. */
extern void (*fake_counter_hook)(void) __attribute__((weak));
static inline uint64_t arch_counter(void)
{
	if (&fake_counter_hook && fake_counter_hook)
		fake_counter_hook();
	return fake_counter += 1000;
}
static inline uint64_t arch_counter_freq(void)
{
	return 62500000;
}
/* Device registers (arch-arm64/arch_inline.h): a test that drives a UART
 * driver defines these with its register model; no other test calls them. */
uint32_t fake_dev_read32(uint64_t pa);
void fake_dev_write32(uint64_t pa, uint32_t v);
static inline uint32_t arch_dev_read32(uint64_t pa)
{
	return fake_dev_read32(pa);
}
static inline void arch_dev_write32(uint64_t pa, uint32_t v)
{
	fake_dev_write32(pa, v);
}

#endif
