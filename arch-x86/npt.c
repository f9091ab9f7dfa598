/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Nested page tables (AMD64 APM vol. 2, 15.25): a domain's guest physical
 * -> host physical map, in the long-mode page table format, with the
 * largest pages that fit (1 GiB where the CPU has them, 2 MiB, 4 KiB).
 * Nested walks are user accesses: every entry has U set. Built on the host
 * too: tests/host/x86-npt.sh walks what it builds.
 */
#include "svm.h"
#include "x86.h"
#include "common/lib.h"

#define NPT_RWX	 (PTE_P | PTE_W | PTE_U)
#define PTE_ADDR 0x000ffffffffff000ull

uint64_t *npt_create(void)
{
	return x86_alloc(4096, 4096);
}

/* The table an entry points to, made if absent. */
static uint64_t *npt_next(uint64_t *e)
{
	if (!(*e & PTE_P))
		*e = (uint64_t)(uintptr_t)x86_alloc(4096, 4096) | NPT_RWX;
	return (uint64_t *)(uintptr_t)(*e & PTE_ADDR);
}

static bool fits(uint64_t gpa, uint64_t hpa, uint64_t size, uint64_t page)
{
	return !((gpa | hpa) & (page - 1)) && size >= page;
}

bool npt_has_1g(void)
{
	return cpuid(0x80000001, 0).edx & (1u << 26); /* Page1GB */
}

void npt_map(uint64_t *root, uint64_t gpa, uint64_t hpa, uint64_t size, bool gb_pages)
{
	while (size) {
		uint64_t *pdpt = npt_next(&root[(gpa >> 39) & 511]);
		uint64_t page = gb_pages && fits(gpa, hpa, size, SZ_1G) ? SZ_1G
				: fits(gpa, hpa, size, SZ_2M)		? SZ_2M
									: SZ_4K;
		if (page == SZ_1G) {
			pdpt[(gpa >> 30) & 511] = hpa | NPT_RWX | PTE_PS;
		} else {
			uint64_t *pd = npt_next(&pdpt[(gpa >> 30) & 511]);
			if (page == SZ_2M)
				pd[(gpa >> 21) & 511] = hpa | NPT_RWX | PTE_PS;
			else
				npt_next(&pd[(gpa >> 21) & 511])[(gpa >> 12) & 511] = hpa | NPT_RWX;
		}
		gpa += page;
		hpa += page;
		size -= page;
	}
}
