/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Physical memory: the board's RAM minus what is reserved (the hypervisor
 * itself, the DT's reservations), handed out in aligned ranges at boot only.
 * Pure logic, unit-tested on the host.
 */
#ifndef COMMON_PMEM_H
#define COMMON_PMEM_H

#include <stdbool.h>
#include <stdint.h>

#define PMEM_MAX_RANGES 32

struct pmem {
	unsigned n;
	struct {
		uint64_t base, size;
	} free[PMEM_MAX_RANGES];
};

void pmem_init(struct pmem *p);
bool pmem_add(struct pmem *p, uint64_t base, uint64_t size);
/* Remove [base, base+size) from the free ranges (splitting as needed). */
bool pmem_reserve(struct pmem *p, uint64_t base, uint64_t size);
#define PMEM_NONE (~0ULL) /* pmem_alloc's failure value: 0 is a valid address */
/* Take `size` bytes aligned to `align` (lowest address first); PMEM_NONE if none. */
uint64_t pmem_alloc(struct pmem *p, uint64_t size, uint64_t align);
/* Take exactly [base, base+size) if entirely free. */
bool pmem_take(struct pmem *p, uint64_t base, uint64_t size);
uint64_t pmem_free_total(const struct pmem *p);

#endif
