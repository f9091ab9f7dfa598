/* SPDX-License-Identifier: Apache-2.0 */
/* The spinlock type alone, so architecture headers can embed locks. */
#ifndef COMMON_SPINLOCK_TYPES_H
#define COMMON_SPINLOCK_TYPES_H

#include <stdint.h>

struct spinlock {
	uint32_t next, owner;
};

#endif
