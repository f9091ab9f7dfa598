/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of the free-range physical allocator (common/pmem.c). */
#include "common/pmem.h"
#include "check.h"

#define SZ_4K 0x1000ULL
#define SZ_1M 0x100000ULL
#define SZ_2M 0x200000ULL
#define SZ_1G 0x40000000ULL

/* The free list must equal `want` (n ranges of base, size), sorted. */
static bool same_ranges(const struct pmem *p, unsigned n, const uint64_t want[][2], int line)
{
	bool ok = p->n == n;
	for (unsigned i = 0; ok && i < n; i++)
		ok = p->free[i].base == want[i][0] && p->free[i].size == want[i][1];
	check_count++;
	if (!ok) {
		check_report(__FILE__, line);
		fprintf(stderr, "    free ranges:");
		for (unsigned i = 0; i < p->n; i++)
			fprintf(stderr, " 0x%llx+0x%llx", (unsigned long long)p->free[i].base,
				(unsigned long long)p->free[i].size);
		fprintf(stderr, "\n    expected:   ");
		for (unsigned i = 0; i < n; i++)
			fprintf(stderr, " 0x%llx+0x%llx", (unsigned long long)want[i][0],
				(unsigned long long)want[i][1]);
		fprintf(stderr, "\n");
	}
	return ok;
}
#define CHECK_RANGES(p, ...)                                                                       \
	do {                                                                                       \
		static const uint64_t want_[][2] = {__VA_ARGS__};                                  \
		same_ranges((p), sizeof(want_) / sizeof(want_[0]), want_, __LINE__);               \
	} while (0)

static void test_add(void)
{
	struct pmem p;
	pmem_init(&p);
	CHECK_EQ(p.n, 0);
	CHECK_EQ(pmem_free_total(&p), 0);
	CHECK(pmem_add(&p, 0x80000000, SZ_1G));
	CHECK(pmem_add(&p, 0x40000000, 0x10000000)); /* below: kept sorted */
	CHECK(pmem_add(&p, 0x880000000, SZ_1G));
	CHECK_RANGES(&p, {0x40000000, 0x10000000}, {0x80000000, SZ_1G}, {0x880000000, SZ_1G});
	CHECK_EQ(pmem_free_total(&p), 0x10000000 + 2 * SZ_1G);
	CHECK(pmem_add(&p, 0x90000000, 0)); /* empty: accepted, nothing added */
	CHECK_EQ(p.n, 3);

	/* Overlap in every way is refused and changes nothing. */
	struct pmem before = p;
	CHECK(!pmem_add(&p, 0x80000000, SZ_1G));      /* the same */
	CHECK(!pmem_add(&p, 0x7ff00000, 2 * SZ_1M));  /* over the start */
	CHECK(!pmem_add(&p, 0xbff00000, 2 * SZ_1M));  /* over the end */
	CHECK(!pmem_add(&p, 0x90000000, SZ_1M));      /* inside */
	CHECK(!pmem_add(&p, 0x70000000, 2 * SZ_1G));  /* a superset */
	CHECK(!pmem_add(&p, 0x4ffff000, 0x30001000)); /* from one range's end into the next */
	CHECK(!pmem_add(&p, 0x3ffff000, 0x2000));     /* over the lowest range's start */
	CHECK(!pmem_add(&p, 0x8bffff000, 0x2000));    /* over the highest range's end */
	CHECK(memcmp(&before, &p, sizeof(p)) == 0);
	/* Touching is not overlapping. */
	CHECK(pmem_add(&p, 0x50000000, SZ_1M));
	CHECK(pmem_add(&p, 0x3ff00000, SZ_1M));
	CHECK_EQ(p.n, 5);
	CHECK_EQ(p.free[0].base, 0x3ff00000);
	CHECK_EQ(p.free[2].base, 0x50000000);
}

static void test_reserve(void)
{
	struct pmem p;
	pmem_init(&p);
	CHECK(pmem_add(&p, 0x40000000, SZ_1G));
	CHECK(pmem_reserve(&p, 0x40000000, SZ_2M)); /* head */
	CHECK_RANGES(&p, {0x40200000, SZ_1G - SZ_2M});
	CHECK(pmem_reserve(&p, 0x7fe00000, SZ_2M)); /* tail */
	CHECK_RANGES(&p, {0x40200000, SZ_1G - 2 * SZ_2M});
	CHECK(pmem_reserve(&p, 0x48000000, SZ_1M)); /* middle: split */
	CHECK_RANGES(&p, {0x40200000, 0x07e00000}, {0x48100000, 0x37d00000});
	CHECK(pmem_reserve(&p, 0x30000000, 0x10400000)); /* from below RAM over a head */
	CHECK_RANGES(&p, {0x40400000, 0x07c00000}, {0x48100000, 0x37d00000});
	CHECK(pmem_reserve(&p, 0x30000000, 0x10400000)); /* again: already gone, fine */
	CHECK_RANGES(&p, {0x40400000, 0x07c00000}, {0x48100000, 0x37d00000});
}

static void test_reserve2(void)
{
	struct pmem p;
	pmem_init(&p);
	CHECK(pmem_add(&p, 0x40000000, SZ_1G));
	CHECK(pmem_reserve(&p, 0x40000000, SZ_1G)); /* the whole range */
	CHECK_EQ(p.n, 0);
	CHECK_EQ(pmem_free_total(&p), 0);

	pmem_init(&p);
	CHECK(pmem_add(&p, 0x10000000, 0x1000000));
	CHECK(pmem_add(&p, 0x20000000, 0x1000000));
	CHECK(pmem_add(&p, 0x30000000, 0x1000000));
	CHECK(pmem_add(&p, 0x40000000, 0x1000000));
	/* One reservation over the tail of one range, two whole ones, the head of a fourth. */
	CHECK(pmem_reserve(&p, 0x10800000, 0x2fc00000));
	CHECK_RANGES(&p, {0x10000000, 0x800000}, {0x40400000, 0xc00000});
	/* Below, between and above the ranges: nothing to do, still fine. */
	CHECK(pmem_reserve(&p, 0x0, 0x1000000));
	CHECK(pmem_reserve(&p, 0x20000000, 0x1000000));
	CHECK(pmem_reserve(&p, 0x50000000, 0x1000000));
	CHECK(pmem_reserve(&p, 0x10000000, 0)); /* empty */
	CHECK_RANGES(&p, {0x10000000, 0x800000}, {0x40400000, 0xc00000});
	CHECK_EQ(pmem_free_total(&p), 0x800000 + 0xc00000);
}

static void test_take(void)
{
	struct pmem p;
	pmem_init(&p);
	CHECK(pmem_add(&p, 0x40000000, SZ_1G));
	CHECK(pmem_reserve(&p, 0x50000000, SZ_2M));
	CHECK(pmem_take(&p, 0x48000000, 0x800000));
	CHECK_RANGES(&p, {0x40000000, 0x08000000}, {0x48800000, 0x07800000},
		     {0x50200000, 0x2fe00000});
	struct pmem before = p;
	CHECK(!pmem_take(&p, 0x48000000, SZ_2M));	  /* already taken */
	CHECK(!pmem_take(&p, 0x47f00000, SZ_2M));	  /* half taken */
	CHECK(!pmem_take(&p, 0x4fe00000, 4 * SZ_2M));	  /* over the reserved hole */
	CHECK(!pmem_take(&p, 0x7fe00000, 2 * SZ_2M));	  /* past the end of RAM */
	CHECK(!pmem_take(&p, 0x20000000, SZ_2M));	  /* not RAM at all */
	CHECK(!pmem_take(&p, 0xfffffffffff00000, SZ_2M)); /* wraps around */
	CHECK(memcmp(&before, &p, sizeof(p)) == 0);
	/* Exactly a whole free range. */
	CHECK(pmem_take(&p, 0x48800000, 0x07800000));
	CHECK_RANGES(&p, {0x40000000, 0x08000000}, {0x50200000, 0x2fe00000});
}

static void test_alloc(void)
{
	struct pmem p;
	pmem_init(&p);
	CHECK(pmem_add(&p, 0x40001000, 0x10000000 - 0x1000));
	CHECK(pmem_add(&p, 0x80000000, 0x400000));
	/* Lowest fitting address first, aligned. */
	CHECK_EQ(pmem_alloc(&p, SZ_2M, SZ_2M), 0x40200000);
	CHECK_EQ(pmem_alloc(&p, SZ_4K, SZ_4K), 0x40001000);
	CHECK_EQ(pmem_alloc(&p, SZ_4K, SZ_2M), 0x40400000);
	CHECK_RANGES(&p, {0x40002000, 0x1fe000}, {0x40401000, 0xfbff000}, {0x80000000, 0x400000});
	/* Alignment larger than anything below skips to where it fits. */
	CHECK_EQ(pmem_alloc(&p, SZ_2M, 0x10000000), 0x80000000);
	CHECK_RANGES(&p, {0x40002000, 0x1fe000}, {0x40401000, 0xfbff000}, {0x80200000, 0x200000});
	/* Too big for any range: 0 and nothing changes. */
	struct pmem before = p;
	CHECK_EQ(pmem_alloc(&p, SZ_1G, SZ_2M), PMEM_NONE);
	CHECK_EQ(pmem_alloc(&p, 0x400000, 0x80000000), PMEM_NONE);
	CHECK(memcmp(&before, &p, sizeof(p)) == 0);
	/* Exactly what is left of a range. */
	CHECK_EQ(pmem_alloc(&p, SZ_2M, SZ_2M), 0x40600000);
	CHECK_EQ(pmem_alloc(&p, 0x1fe000, SZ_4K), 0x40002000);
	CHECK_RANGES(&p, {0x40401000, 0x1ff000}, {0x40800000, 0xf800000}, {0x80200000, 0x200000});
	CHECK_EQ(pmem_free_total(&p), 0x1ff000 + 0xf800000 + 0x200000);
	/* Allocating all the rest, then nothing. */
	uint64_t total = pmem_free_total(&p), got = 0, a;
	while ((a = pmem_alloc(&p, SZ_4K, SZ_4K)) != PMEM_NONE)
		got += SZ_4K;
	CHECK_EQ(got, total);
	CHECK_EQ(p.n, 0);
}

static void test_alloc_at_zero(void)
{
	/* RAM at physical address 0 (Raspberry Pi 4, ZCU102, RK3399) with nothing
	 * reserved there: the first allocation is legitimately at 0, distinct from
	 * the "none" value PMEM_NONE. */
	struct pmem p;
	pmem_init(&p);
	CHECK(pmem_add(&p, 0, 0x80000000));
	uint64_t before = pmem_free_total(&p);
	uint64_t a = pmem_alloc(&p, SZ_2M, SZ_2M);
	CHECK_EQ(a, 0);
	CHECK_EQ(pmem_free_total(&p), before - SZ_2M);
}

/* A refused split must not change anything; pmem_reserve() shrinks the range
 * before it finds there is no slot for the upper part. */
static void test_full(void)
{
	struct pmem p;
	pmem_init(&p);
	/* PMEM_MAX_RANGES ranges of 4 MiB with 4 MiB gaps. */
	for (unsigned i = 0; i < PMEM_MAX_RANGES; i++)
		CHECK(pmem_add(&p, 0x40000000 + i * 0x800000ULL, 0x400000));
	CHECK_EQ(p.n, PMEM_MAX_RANGES);
	struct pmem before = p;
	CHECK(!pmem_add(&p, 0x40400000, SZ_1M)); /* in a gap, but no slot left */
	CHECK(!pmem_add(&p, 0x100000000, SZ_1M));
	CHECK(memcmp(&before, &p, sizeof(p)) == 0);
	/* Operations that do not need a new slot still work. */
	CHECK(pmem_reserve(&p, 0x40000000, SZ_1M));	    /* head */
	CHECK(pmem_reserve(&p, 0x40b00000, SZ_1M));	    /* tail */
	CHECK_EQ(pmem_alloc(&p, SZ_2M, SZ_2M), 0x40200000); /* a tail */
	CHECK_EQ(p.n, PMEM_MAX_RANGES);
	/* A split needs a slot: refused. */
	uint64_t total = pmem_free_total(&p);
	CHECK(!pmem_reserve(&p, 0x41100000, SZ_1M));
	/* Whatever happens, the reserved megabyte must not be handed out. */
	CHECK(!pmem_take(&p, 0x41100000, SZ_1M));
	/* was a known bug (now fixed): */
	{
		CHECK(pmem_free_total(&p) >= total - SZ_1M);
		CHECK(pmem_take(&p, 0x41200000, SZ_2M));
	}
	/* An allocation that needs a split while full: no address, nothing leaked. */
	pmem_init(&p);
	for (unsigned i = 0; i < PMEM_MAX_RANGES; i++)
		CHECK(pmem_add(&p, 0x40100000 + i * 0x800000ULL, 0x400000));
	total = pmem_free_total(&p);
	CHECK_EQ(pmem_alloc(&p, SZ_1M, SZ_2M), PMEM_NONE); /* would split 0x40100000+4M at 0x40200000 */
	/* was a known bug (now fixed): */
	{
		CHECK_EQ(pmem_free_total(&p), total);
	}
}

int main(void)
{
	RUN(test_add);
	RUN(test_reserve);
	RUN(test_reserve2);
	RUN(test_take);
	RUN(test_alloc);
	RUN(test_alloc_at_zero);
	RUN(test_full);
	return check_summary("test_pmem");
}
