// SPDX-License-Identifier: Apache-2.0
// Host test of the x86 nested page tables (arch-x86/npt.c): builds maps
// with the real code, walks them as the CPU would (AMD64 APM vol. 2, 15.25)
// and checks every 4 KiB page of the range and around it, the page sizes
// chosen and the U bit nested walks need. Run by tests/host/x86-npt.sh.
#include "arch-x86/svm.h"
#include "arch-x86/x86.h"
#include "common/lib.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fails;
#define CHECK(c, ...)                                                                              \
	do {                                                                                       \
		if (!(c)) {                                                                        \
			printf("FAIL %s:%d: ", __FILE__, __LINE__);                                \
			printf(__VA_ARGS__);                                                       \
			printf("\n");                                                              \
			fails++;                                                                   \
		}                                                                                  \
	} while (0)

/* The hypervisor's allocator never frees: a bump arena here too. */
static _Alignas(4096) uint8_t pool[64 * 4096];
static size_t pool_used;

void *x86_alloc(uint64_t size, uint64_t align)
{
	pool_used = (pool_used + align - 1) & ~(align - 1);
	if (pool_used + size > sizeof(pool)) {
		printf("FAIL the tables need more than %zu pages\n", sizeof(pool) / 4096);
		exit(1);
	}
	void *p = pool + pool_used;
	pool_used += size;
	memset(p, 0, size);
	return p;
}

#define ADDR 0x000ffffffffff000ull

/* The host physical address of gpa, or -1; the leaf's level in *level_out. */
static int64_t walk(const uint64_t *root, uint64_t gpa, int *level_out)
{
	const uint64_t *t = root;
	for (int level = 3; level >= 0; level--) {
		uint64_t e = t[(gpa >> (12 + 9 * level)) & 511];
		if (!(e & PTE_P))
			return -1;
		CHECK((e & (PTE_P | PTE_W | PTE_U)) == (PTE_P | PTE_W | PTE_U),
		      "entry 0x%llx for gpa 0x%llx lacks P/W/U", (unsigned long long)e,
		      (unsigned long long)gpa);
		if (level == 0 || (level <= 2 && (e & PTE_PS))) {
			uint64_t page = 1ull << (12 + 9 * level);
			*level_out = level;
			return (int64_t)((e & ADDR & ~(page - 1)) | (gpa & (page - 1)));
		}
		CHECK(level < 3 || !(e & PTE_PS), "a PML4 entry with PS");
		t = (const uint64_t *)(uintptr_t)(e & ADDR);
	}
	return -1;
}

/* Map [gpa, gpa+size) at hpa; check pages from 2 MiB before to 2 MiB after. */
static void check_map(const char *name, uint64_t gpa, uint64_t hpa, uint64_t size, bool gb,
		      unsigned want4k, unsigned want2m, unsigned want1g)
{
	uint64_t *root = npt_create();
	npt_map(root, gpa, hpa, size, gb);
	unsigned n[3] = {0, 0, 0};
	uint64_t from = gpa >= SZ_2M ? gpa - SZ_2M : 0;
	for (uint64_t a = from; a < gpa + size + SZ_2M; a += SZ_4K) {
		int level = -1;
		int64_t got = walk(root, a, &level);
		bool inside = a >= gpa && a < gpa + size;
		if (inside) {
			CHECK(got == (int64_t)(hpa + (a - gpa)),
			      "%s: gpa 0x%llx -> 0x%llx, expected 0x%llx", name,
			      (unsigned long long)a, (unsigned long long)got,
			      (unsigned long long)(hpa + (a - gpa)));
			uint64_t page = 1ull << (12 + 9 * level);
			if (level >= 0 && !(a & (page - 1)))
				n[level == 0 ? 0 : level == 1 ? 1 : 2]++;
		} else {
			CHECK(got == -1, "%s: gpa 0x%llx outside the map is mapped", name,
			      (unsigned long long)a);
		}
	}
	CHECK(n[0] == want4k && n[1] == want2m && n[2] == want1g,
	      "%s: %u/%u/%u pages of 4 KiB/2 MiB/1 GiB, expected %u/%u/%u", name, n[0], n[1], n[2],
	      want4k, want2m, want1g);
	printf("ok   %s: %u x 4 KiB, %u x 2 MiB, %u x 1 GiB\n", name, n[0], n[1], n[2]);
}

int main(void)
{
	check_map("1 GiB aligned, 1 GiB pages", 0, SZ_1G, SZ_1G, true, 0, 0, 1);
	check_map("1 GiB aligned, no 1 GiB pages", 0, SZ_1G, SZ_1G, false, 0, 512, 0);
	check_map("4 MiB at 2 MiB-aligned addresses", 0, 0x200000, 0x400000, true, 0, 2, 0);
	check_map("host address only 4 KiB aligned", 0, 0x201000, 0x400000, true, 1024, 0, 0);
	check_map("unaligned head and tail", 0x1ff000, 0x5ff000, 0x402000, true, 2, 2, 0);
	check_map("across a 512 GiB boundary", 0x7fffe00000ull, 0x40000000, 0x400000, true, 0, 2,
		  0);
	printf("%d failed checks\n", fails);
	return fails != 0;
}
