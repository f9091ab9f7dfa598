/* SPDX-License-Identifier: Apache-2.0 */
/* The one out-of-line spin_lock() and spin_unlock() that code built for size
 * calls (common/spinlock.h): the same ticket lock as the inline ones. */
#define SPINLOCK_OUT_OF_LINE
#include "common/spinlock.h"

void spin_lock_os(struct spinlock *l);
void spin_unlock_os(struct spinlock *l);

void spin_lock_os(struct spinlock *l)
{
	spin_lock(l);
}

void spin_unlock_os(struct spinlock *l)
{
	spin_unlock(l);
}
