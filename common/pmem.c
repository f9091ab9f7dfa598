/* SPDX-License-Identifier: Apache-2.0 */
/* Free-range list allocator for physical memory (see pmem.h). */
#include "common/pmem.h"

void pmem_init(struct pmem *p)
{
	p->n = 0;
}

static void remove_at(struct pmem *p, unsigned i)
{
	for (unsigned j = i + 1; j < p->n; j++)
		p->free[j - 1] = p->free[j];
	p->n--;
}

static bool insert_at(struct pmem *p, unsigned i, uint64_t base, uint64_t size)
{
	if (p->n == PMEM_MAX_RANGES)
		return false;
	for (unsigned j = p->n; j > i; j--)
		p->free[j] = p->free[j - 1];
	p->free[i].base = base;
	p->free[i].size = size;
	p->n++;
	return true;
}

bool pmem_add(struct pmem *p, uint64_t base, uint64_t size)
{
	unsigned i = 0;
	if (size == 0)
		return true;
	while (i < p->n && p->free[i].base < base)
		i++;
	/* Refuse overlap with what is already there. */
	if (i > 0 && p->free[i - 1].base + p->free[i - 1].size > base)
		return false;
	if (i < p->n && base + size > p->free[i].base)
		return false;
	return insert_at(p, i, base, size);
}

bool pmem_reserve(struct pmem *p, uint64_t base, uint64_t size)
{
	uint64_t end = base + size;
	/* A split needs a free slot: check before changing anything. */
	for (unsigned i = 0; i < p->n; i++) {
		uint64_t fb = p->free[i].base, fe = fb + p->free[i].size;
		if (base > fb && end < fe && p->n == PMEM_MAX_RANGES)
			return false;
	}
	for (unsigned i = 0; i < p->n; i++) {
		uint64_t fb = p->free[i].base, fe = fb + p->free[i].size;
		if (end <= fb || base >= fe)
			continue;
		if (base <= fb && end >= fe) { /* whole range */
			remove_at(p, i);
			i--;
		} else if (base <= fb) { /* head */
			p->free[i].base = end;
			p->free[i].size = fe - end;
		} else if (end >= fe) { /* tail */
			p->free[i].size = base - fb;
		} else { /* middle: split */
			p->free[i].size = base - fb;
			if (!insert_at(p, i + 1, end, fe - end))
				return false;
			i++;
		}
	}
	return true;
}

bool pmem_take(struct pmem *p, uint64_t base, uint64_t size)
{
	for (unsigned i = 0; i < p->n; i++) {
		uint64_t fb = p->free[i].base, fe = fb + p->free[i].size;
		if (base >= fb && base + size <= fe && base + size >= base)
			return pmem_reserve(p, base, size);
	}
	return false;
}

uint64_t pmem_alloc(struct pmem *p, uint64_t size, uint64_t align)
{
	for (unsigned i = 0; i < p->n; i++) {
		uint64_t fb = p->free[i].base, fe = fb + p->free[i].size;
		uint64_t a = (fb + align - 1) & ~(align - 1);
		if (a >= fb && a + size <= fe && a + size > a) {
			if (!pmem_reserve(p, a, size))
				return PMEM_NONE;
			return a;
		}
	}
	return PMEM_NONE;
}

uint64_t pmem_free_total(const struct pmem *p)
{
	uint64_t t = 0;
	for (unsigned i = 0; i < p->n; i++)
		t += p->free[i].size;
	return t;
}
