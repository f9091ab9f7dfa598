/* SPDX-License-Identifier: Apache-2.0 */
/* Ticket spinlock. Waiters sleep with arch_wait_event() (WFE on Arm) rather than
 * busy-spinning, so a deterministic single-threaded QEMU (-icount) round-robins. */
#ifndef COMMON_SPINLOCK_H
#define COMMON_SPINLOCK_H

#include <stdbool.h>
#include <stdint.h>

#include "arch.h"
#include "common/spinlock_types.h"

/* Code built for size (-Os: __OPTIMIZE_SIZE__) calls one out-of-line copy of
 * spin_lock() and spin_unlock() (common/spinlock.c), not a copy per set of
 * flags (the link does not fold copies built with different flags); code
 * built -O2 keeps its own, inlined where the compiler chooses. */
#if defined(__OPTIMIZE_SIZE__) && !defined(SPINLOCK_OUT_OF_LINE)
void spin_lock_os(struct spinlock *l);
void spin_unlock_os(struct spinlock *l);
#define spin_lock spin_lock_os
#define spin_unlock spin_unlock_os
#else
static inline void spin_lock(struct spinlock *l)
{
	uint32_t me = __atomic_fetch_add(&l->next, 1, __ATOMIC_ACQUIRE);
	while (__atomic_load_n(&l->owner, __ATOMIC_ACQUIRE) != me)
		arch_wait_event();
}

static inline void spin_unlock(struct spinlock *l)
{
	__atomic_store_n(&l->owner, l->owner + 1, __ATOMIC_RELEASE);
	arch_send_event();
}
#endif

/* Takes the lock only if it is free now: never waits. */
static inline bool spin_trylock(struct spinlock *l)
{
	uint32_t owner = __atomic_load_n(&l->owner, __ATOMIC_RELAXED);
	uint32_t want = owner;
	return __atomic_compare_exchange_n(&l->next, &want, owner + 1, false, __ATOMIC_ACQUIRE,
					   __ATOMIC_RELAXED);
}

#endif
