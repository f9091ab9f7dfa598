/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests of the translation-table builder (arch-arm64/pt.c).
 *
 * The builder runs in a fake environment: table pages come from an arena
 * whose "physical" addresses (FAKE_PA_BASE + page index * 4 KiB) are nowhere
 * near the host pointers, and pa_of/va_of refuse (as a failed check) anything
 * that is not a page handed out by alloc_page. A builder that stored a host
 * pointer in a descriptor, or walked a physical address as a pointer, fails.
 *
 * What ends up in the tables is checked by an independent walker written from
 * the VMSAv8-64 rules (4 KiB granule: tables at levels 0-2, blocks at levels
 * 1-2, pages at level 3), not from pt.c.
 */
#include "arch-arm64/pt.h"
#include "check.h"

#define PAGE	     0x1000ULL
#define SZ_2M	     0x200000ULL
#define SZ_1G	     0x40000000ULL
#define ARENA_PAGES  8192 /* 32 MiB: the random test needs ~3.5k table pages */
#define FAKE_PA_BASE 0x80000000ULL
#define ADDR_MASK    0x0000fffffffff000ULL

/* Descriptor fields, from the Arm ARM (D8.3), spelled out again on purpose. */
#define D_AF	       (1ULL << 10)
#define D_XN	       (1ULL << 54)
#define D_SH(d)	       (((d) >> 8) & 3)
#define S2_MEMATTR(d)  (((d) >> 2) & 0xf)
#define S2AP_R	       (1ULL << 6)
#define S2AP_W	       (1ULL << 7)
#define S1_ATTRINDX(d) (((d) >> 2) & 7)
#define S1_AP_RO       (1ULL << 7)

/* ---- the fake environment ---- */

static uint64_t (*arena)[512];
static struct env {
	unsigned used;	 /* pages handed out (root pages included) */
	unsigned limit;	 /* alloc_page fails beyond this */
	unsigned allocs; /* table pages the builder asked for */
} env;

/* A page the builder gets when it asks for something that is no table page of
 * its own: the call is a failed check, and the run goes on harmlessly. */
static uint64_t scratch[512] __attribute__((aligned(4096)));
static unsigned env_violations;

static void env_violation(const char *what, uint64_t v)
{
	if (env_violations++ < 3)
		CHECK_FAIL("%s 0x%llx: the builder used as a table something that is none of its "
			   "table pages (a host pointer as a PA, a PA as a pointer, a block as a "
			   "table...)",
			   what, (unsigned long long)v);
	memset(scratch, 0, sizeof(scratch));
}

static uint64_t *fake_alloc(void *ctx)
{
	struct env *e = ctx;
	if (e->used >= e->limit)
		return NULL;
	e->allocs++;
	return arena[e->used++];
}

static uint64_t fake_pa_of(void *ctx, const void *va)
{
	struct env *e = ctx;
	uintptr_t p = (uintptr_t)va, base = (uintptr_t)arena;
	if (p < base || p >= base + e->used * PAGE || (p - base) % PAGE) {
		env_violation("pa_of() given pointer", p);
		return 0xdead000; /* no table page has this address */
	}
	return FAKE_PA_BASE + (p - base);
}

static void *fake_va_of(void *ctx, uint64_t pa)
{
	struct env *e = ctx;
	if (pa < FAKE_PA_BASE || pa >= FAKE_PA_BASE + e->used * PAGE || pa % PAGE) {
		env_violation("va_of() given address", pa);
		return scratch;
	}
	return arena[(pa - FAKE_PA_BASE) / PAGE];
}

/* A fresh table in a clean arena; `spare` table pages may be allocated. */
static struct pt make_pt(bool stage2, unsigned in_bits, unsigned out_bits, unsigned spare)
{
	unsigned level, pages;
	memset(arena, 0, (size_t)ARENA_PAGES * PAGE);
	pt_geometry(in_bits, stage2, &level, &pages);
	env.used = pages; /* the root: contiguous, as the hypervisor allocates it */
	env.limit = pages + spare;
	env.allocs = 0;
	env_violations = 0;
	struct pt pt = {
	    .root = arena[0],
	    .start_level = level,
	    .in_bits = in_bits,
	    .out_bits = out_bits,
	    .stage2 = stage2,
	    .alloc_page = fake_alloc,
	    .pa_of = fake_pa_of,
	    .va_of = fake_va_of,
	    .ctx = &env,
	};
	return pt;
}

/* ---- snapshot: "the table is unchanged" means every byte of every page ---- */

static uint64_t (*snap)[512];
static struct env snap_env;

static void snapshot(void)
{
	memcpy(snap, arena, (size_t)ARENA_PAGES * PAGE);
	snap_env = env;
}

static bool unchanged(void)
{
	return env.used == snap_env.used && env.allocs == snap_env.allocs &&
	       memcmp(snap, arena, (size_t)ARENA_PAGES * PAGE) == 0;
}

/* ---- an independent walker ---- */

static unsigned shift_of(unsigned level)
{
	return 12 + 9 * (3 - level);
}

struct walk {
	unsigned leaves[4]; /* leaf descriptors per level */
	unsigned tables;    /* table pages reached */
	uint64_t mapped;    /* bytes mapped */
	unsigned errors;
	unsigned char seen[ARENA_PAGES];
	/* optional: called for each leaf */
	void (*leaf)(void *arg, uint64_t va, uint64_t size, uint64_t pa, unsigned level,
		     uint64_t desc);
	void *arg;
};

static void walk_error(struct walk *w, const char *what, uint64_t va, unsigned level, uint64_t d)
{
	w->errors++;
	CHECK_FAIL("walker: %s at VA 0x%llx level %u: descriptor 0x%016llx", what,
		   (unsigned long long)va, level, (unsigned long long)d);
}

static void walk_table(const struct pt *pt, struct walk *w, const uint64_t *t, unsigned level,
		       uint64_t va_base, uint64_t entries)
{
	uint64_t span = 1ULL << shift_of(level);
	for (uint64_t i = 0; i < entries; i++) {
		uint64_t d = t[i], va = va_base + i * span;
		if (!(d & 1)) {
			if (d)
				walk_error(w, "invalid descriptor with stray bits", va, level, d);
			continue;
		}
		if (level < 3 && (d & 3) == 3) {
			uint64_t pa = d & ADDR_MASK;
			if (d & ~(ADDR_MASK | 3)) {
				walk_error(w, "table descriptor with attribute bits", va, level, d);
				continue;
			}
			if (pa < FAKE_PA_BASE || pa >= FAKE_PA_BASE + env.used * PAGE) {
				walk_error(w, "table descriptor to a page never allocated", va,
					   level, d);
				continue;
			}
			unsigned idx = (unsigned)((pa - FAKE_PA_BASE) / PAGE);
			if (w->seen[idx]++) {
				walk_error(w, "table page referenced twice", va, level, d);
				continue;
			}
			w->tables++;
			walk_table(pt, w, arena[idx], level + 1, va, 512);
			continue;
		}
		bool leaf_ok = level == 3 ? (d & 3) == 3 : (level == 1 || level == 2);
		if (!leaf_ok) {
			walk_error(w,
				   level == 3 ? "reserved encoding at level 3"
					      : "block descriptor at level 0",
				   va, level, d);
			continue;
		}
		uint64_t out = d & ADDR_MASK;
		if (out & (span - 1))
			walk_error(w, "block output address not aligned to its size", va, level, d);
		if (!(d & D_AF))
			walk_error(w, "leaf without the access flag (would fault on first use)", va,
				   level, d);
		w->leaves[level]++;
		w->mapped += span;
		if (w->leaf)
			w->leaf(w->arg, va, span, out, level, d);
	}
}

static void walk(const struct pt *pt, struct walk *w)
{
	memset(w->leaves, 0, sizeof(w->leaves));
	memset(w->seen, 0, sizeof(w->seen));
	w->tables = 0;
	w->mapped = 0;
	w->errors = 0;
	uint64_t entries = 1ULL << (pt->in_bits - shift_of(pt->start_level));
	walk_table(pt, w, pt->root, pt->start_level, 0, entries);
	/* Entries of the root pages beyond the input range must stay empty. */
	unsigned level, pages;
	pt_geometry(pt->in_bits, pt->stage2, &level, &pages);
	for (uint64_t i = entries; i < 512ULL * pages; i++)
		if (pt->root[i])
			walk_error(w, "root entry beyond the input address size", 0, level,
				   pt->root[i]);
}

static struct walk W;

/* ---- tests ---- */

static void test_geometry(void)
{
	static const struct {
		unsigned in_bits;
		bool stage2;
		unsigned level, pages;
	} cases[] = {
	    /* Stage 2 (VTCR_EL2.SL0, D8.2.7): concatenate up to 16 tables to save a level. */
	    {32, true, 2, 4},  /* 4 x 512 level-2 entries of 2 MiB = 4 GiB */
	    {36, true, 1, 1},  /* level 2 would need 32 tables: 64 level-1 entries */
	    {39, true, 1, 1},  /* one full level-1 table */
	    {40, true, 1, 2},  /* 2 concatenated level-1 tables (QEMU a53, RK3399) */
	    {42, true, 1, 8},  /* 8 concatenated level-1 tables */
	    {43, true, 1, 16}, /* the most the architecture allows */
	    {44, true, 0, 1},  /* level 1 would need 32: start at level 0, 32 entries */
	    {48, true, 0, 1},
	    /* Stage 1: no concatenation, a partial root at the level covering in_bits. */
	    {48, false, 0, 1},
	    {40, false, 0, 1},
	    {39, false, 1, 1},
	    {32, false, 1, 1},
	};
	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		unsigned level = 99, pages = 99;
		pt_geometry(cases[i].in_bits, cases[i].stage2, &level, &pages);
		if (!CHECK_EQ(level, cases[i].level) || !CHECK_EQ(pages, cases[i].pages))
			fprintf(stderr, "    for in_bits %u stage%d\n", cases[i].in_bits,
				cases[i].stage2 ? 2 : 1);
	}
	/* Every stage-2 size: the root covers exactly in_bits with <= 16 pages. */
	for (unsigned bits = 30; bits <= 48; bits++) {
		unsigned level, pages;
		pt_geometry(bits, true, &level, &pages);
		uint64_t entries = 1ULL << (bits - shift_of(level));
		CHECK(pages >= 1 && pages <= 16);
		CHECK(entries <= 512ULL * pages && (pages == 1 || entries == 512ULL * pages));
		CHECK(level <= 2);
	}
}

static void test_block_1g(void)
{
	struct pt pt = make_pt(true, 40, 40, 16);
	CHECK_EQ(pt_map(&pt, 0x40000000, 0x140000000, SZ_1G, PT_RW), PT_OK);
	walk(&pt, &W);
	CHECK_EQ(W.errors, 0);
	CHECK_EQ(W.leaves[1], 1); /* one level-1 block, nothing else */
	CHECK_EQ(W.leaves[2] + W.leaves[3], 0);
	CHECK_EQ(env.allocs, 0); /* a block in the root: no table needed */
	uint64_t pa = 0, desc = 0;
	unsigned level = 0;
	CHECK(pt_lookup(&pt, 0x40000000 + 0x12345, &pa, &level, &desc));
	CHECK_EQ(pa, 0x140012345);
	CHECK_EQ(level, 1);
	CHECK_EQ(desc & 3, 1); /* block */
	CHECK(pt_lookup(&pt, 0x7fffffff, &pa, NULL, NULL));
	CHECK_EQ(pa, 0x17fffffff);
	CHECK(!pt_lookup(&pt, 0x3fffffff, &pa, NULL, NULL));
	CHECK(!pt_lookup(&pt, 0x80000000, &pa, NULL, NULL));
}

static void test_block_2m_and_page(void)
{
	struct pt pt = make_pt(true, 40, 40, 16);
	CHECK_EQ(pt_map(&pt, 0x80000000, 0x100000000, SZ_2M + PAGE, PT_RW), PT_OK);
	walk(&pt, &W);
	CHECK_EQ(W.errors, 0);
	CHECK_EQ(W.leaves[1], 0);
	CHECK_EQ(W.leaves[2], 1);
	CHECK_EQ(W.leaves[3], 1);
	CHECK_EQ(W.mapped, SZ_2M + PAGE);
	CHECK_EQ(env.allocs, 2); /* one level-2 and one level-3 table */
	uint64_t pa;
	unsigned level;
	CHECK(pt_lookup(&pt, 0x80000000 + 0x1ff000, &pa, &level, NULL));
	CHECK_EQ(pa, 0x1001ff000);
	CHECK_EQ(level, 2);
	CHECK(pt_lookup(&pt, 0x80200000 + 0xabc, &pa, &level, NULL));
	CHECK_EQ(pa, 0x100200abc);
	CHECK_EQ(level, 3);
	CHECK(!pt_lookup(&pt, 0x80201000, &pa, &level, NULL));
	CHECK(!pt_lookup(&pt, 0x7ffff000, &pa, &level, NULL));

	/* A range that starts on a page and reaches a 2 MiB boundary. */
	pt = make_pt(true, 40, 40, 16);
	CHECK_EQ(pt_map(&pt, 0x801ff000, 0x1001ff000, PAGE + SZ_2M, PT_RW), PT_OK);
	walk(&pt, &W);
	CHECK_EQ(W.leaves[3], 1);
	CHECK_EQ(W.leaves[2], 1);
	CHECK(pt_lookup(&pt, 0x80200000, &pa, &level, NULL));
	CHECK_EQ(level, 2);
	CHECK_EQ(pa, 0x100200000);
}

static void test_misaligned_pa(void)
{
	/* VA 2 MiB aligned, PA only 4 KiB aligned: no block can be used. */
	struct pt pt = make_pt(true, 40, 40, 16);
	CHECK_EQ(pt_map(&pt, 0x80200000, 0x90201000, 2 * SZ_2M, PT_RW), PT_OK);
	walk(&pt, &W);
	CHECK_EQ(W.errors, 0);
	CHECK_EQ(W.leaves[1] + W.leaves[2], 0);
	CHECK_EQ(W.leaves[3], 1024);
	uint64_t pa;
	unsigned level;
	CHECK(pt_lookup(&pt, 0x80200000 + 0x3ff123, &pa, &level, NULL));
	CHECK_EQ(pa, 0x90201000 + 0x3ff123);
	CHECK_EQ(level, 3);

	/* VA and PA 2 MiB but not 1 GiB aligned relative to each other: 2 MiB blocks. */
	pt = make_pt(true, 40, 40, 16);
	CHECK_EQ(pt_map(&pt, SZ_1G, 0x100200000, SZ_1G, PT_RW), PT_OK);
	walk(&pt, &W);
	CHECK_EQ(W.leaves[1], 0);
	CHECK_EQ(W.leaves[2], 512);
	CHECK_EQ(W.leaves[3], 0);
	CHECK(pt_lookup(&pt, SZ_1G + 0x3ff00000, &pa, &level, NULL));
	CHECK_EQ(pa, 0x100200000 + 0x3ff00000);
	CHECK_EQ(level, 2);
}

static void test_pages_flag(void)
{
	struct pt pt = make_pt(true, 40, 40, 16);
	CHECK_EQ(pt_map(&pt, 0x40000000, 0x40000000, 2 * SZ_2M, PT_RW | PT_PAGES), PT_OK);
	walk(&pt, &W);
	CHECK_EQ(W.errors, 0);
	CHECK_EQ(W.leaves[1] + W.leaves[2], 0);
	CHECK_EQ(W.leaves[3], 1024);
	unsigned level;
	CHECK(pt_lookup(&pt, 0x40000000, NULL, &level, NULL));
	CHECK_EQ(level, 3);
}

static void test_stage1(void)
{
	/* The EL2 stage-1 layout: 48-bit VA from a level-0 root. */
	struct pt pt = make_pt(false, 48, 48, 16);
	CHECK_EQ(pt.start_level, 0);
	CHECK_EQ(pt_map(&pt, 0x40000000, 0x40000000, SZ_1G, PT_RWX), PT_OK);
	CHECK_EQ(env.allocs, 1); /* a level-1 table; no block at level 0 */
	CHECK_EQ(pt_map(&pt, 0x8000000000, 0x9000000, PAGE, PT_RW | PT_DEVICE), PT_OK);
	CHECK_EQ(pt_map(&pt, 0xffff00000000, 0x48000000, 3 * PAGE, PT_READ), PT_OK);
	walk(&pt, &W);
	CHECK_EQ(W.errors, 0);
	CHECK_EQ(W.leaves[0], 0);
	CHECK_EQ(W.leaves[1], 1);
	CHECK_EQ(W.leaves[3], 4);
	uint64_t pa, d;
	unsigned level;
	CHECK(pt_lookup(&pt, 0xffff00002fff, &pa, &level, &d));
	CHECK_EQ(pa, 0x48002fff);
	CHECK_EQ(level, 3);
	CHECK(!pt_lookup(&pt, 0xffff00003000, &pa, &level, &d));
}

static void test_align(void)
{
	struct pt pt = make_pt(true, 40, 40, 16);
	CHECK_EQ(pt_map(&pt, 0x40000000, 0x40000000, SZ_2M, PT_RW), PT_OK);
	snapshot();
	CHECK_EQ(pt_map(&pt, 0x80000800, 0x80000000, PAGE, PT_RW), PT_E_ALIGN);
	CHECK_EQ(pt_map(&pt, 0x80000000, 0x80000008, PAGE, PT_RW), PT_E_ALIGN);
	CHECK_EQ(pt_map(&pt, 0x80000000, 0x80000000, 0x800, PT_RW), PT_E_ALIGN);
	CHECK_EQ(pt_map(&pt, 0x80000000, 0x80000000, SZ_2M + 1, PT_RW), PT_E_ALIGN);
	/* Misaligned and overlapping: alignment is what is wrong first. */
	CHECK_EQ(pt_map(&pt, 0x40000001, 0x40000000, PAGE, PT_RW), PT_E_ALIGN);
	CHECK(unchanged());
}

static void test_range(void)
{
	struct pt pt = make_pt(true, 40, 40, 64);
	const uint64_t top = 1ULL << 40;
	snapshot();
	CHECK_EQ(pt_map(&pt, top, 0x40000000, PAGE, PT_RW), PT_E_RANGE);
	CHECK_EQ(pt_map(&pt, top - PAGE, 0x40000000, 2 * PAGE, PT_RW), PT_E_RANGE);
	CHECK_EQ(pt_map(&pt, 0x40000000, top, PAGE, PT_RW), PT_E_RANGE);
	CHECK_EQ(pt_map(&pt, 0x40000000, top - PAGE, 2 * PAGE, PT_RW), PT_E_RANGE);
	/* Wrap-around of the 64-bit end address. */
	CHECK_EQ(pt_map(&pt, 0xfffffffffffff000, 0x40000000, 2 * PAGE, PT_RW), PT_E_RANGE);
	CHECK_EQ(pt_map(&pt, 0x40000000, 0xfffffffffffff000, 2 * PAGE, PT_RW), PT_E_RANGE);
	CHECK_EQ(pt_map(&pt, 0, 0, 0xfffffffffffff000, PT_RW), PT_E_RANGE);
	CHECK(unchanged());
	/* Size 0 is a no-op, not an error. */
	CHECK_EQ(pt_map(&pt, 0x40000000, 0x40000000, 0, PT_RW), PT_OK);
	CHECK(unchanged());
	/* The last page of both address spaces is usable. */
	CHECK_EQ(pt_map(&pt, top - PAGE, top - PAGE, PAGE, PT_RW), PT_OK);
	uint64_t pa;
	CHECK(pt_lookup(&pt, top - 1, &pa, NULL, NULL));
	CHECK_EQ(pa, top - 1);
	/* Lookups beyond the input size are misses, not wrapped indexes. */
	CHECK(!pt_lookup(&pt, top + top - PAGE, &pa, NULL, NULL));
	CHECK(!pt_lookup(&pt, ~0ULL, &pa, NULL, NULL));
	/* A 36-bit stage 2 (64-entry root): the limit moves with in_bits. */
	pt = make_pt(true, 36, 40, 16);
	CHECK_EQ(pt_map(&pt, 1ULL << 36, 0, PAGE, PT_RW), PT_E_RANGE);
	CHECK_EQ(pt_map(&pt, (1ULL << 36) - SZ_1G, 0, SZ_1G, PT_RW), PT_OK);
	walk(&pt, &W);
	CHECK_EQ(W.errors, 0);
	CHECK_EQ(W.leaves[1], 1);
}

static void test_overlap(void)
{
	struct pt pt = make_pt(true, 40, 40, 64);
	/* A 1 GiB block, a 2 MiB block and a single page. */
	CHECK_EQ(pt_map(&pt, 0x40000000, 0x40000000, SZ_1G, PT_RW), PT_OK);
	CHECK_EQ(pt_map(&pt, 0x100000000, 0x100000000, SZ_2M, PT_RW), PT_OK);
	CHECK_EQ(pt_map(&pt, 0x200005000, 0x300005000, PAGE, PT_RW), PT_OK);
	snapshot();
	static const struct {
		uint64_t va, size;
		const char *what;
	} refused[] = {
	    {0x40000000, SZ_1G, "the same 1 GiB"},
	    {0x40000000, PAGE, "the first page of a 1 GiB block"},
	    {0x7ffff000, PAGE, "the last page of a 1 GiB block"},
	    {0x55555000, 3 * PAGE, "pages inside a 1 GiB block"},
	    {0x3ffff000, 2 * PAGE, "straddling the start of a 1 GiB block"},
	    {0x7ffff000, 2 * PAGE, "straddling the end of a 1 GiB block"},
	    {0x3fe00000, SZ_1G + 4 * SZ_2M, "a superset of a 1 GiB block"},
	    {0, 4 * SZ_1G, "4 GiB of blocks over a 1 GiB block"},
	    {0x1001ff000, PAGE, "the last page of a 2 MiB block"},
	    {0x0ffe00000, 2 * SZ_2M, "a 2 MiB block before and over a 2 MiB block"},
	    {0x100000000, SZ_1G, "a 1 GiB block over a 2 MiB block"},
	    {0x200000000, SZ_2M, "a 2 MiB block over one page"},
	    {0x200000000, SZ_1G, "a 1 GiB block over one page"},
	    {0x200004000, 2 * PAGE, "straddling the start of a page"},
	    {0x200005000, 2 * PAGE, "straddling the end of a page"},
	    {0x1fff00000, 0x106000, "ending on the mapped page"},
	};
	for (unsigned i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		uint64_t va = refused[i].va, size = refused[i].size;
		if (!CHECK_EQ(pt_map(&pt, va, 0x500000000 + (va & (SZ_1G - 1)), size, PT_RW),
			      PT_E_OVERLAP) ||
		    !CHECK(pt_range_mapped(&pt, va, size)) || !CHECK(unchanged()))
			fprintf(stderr, "    refusing %s (0x%llx+0x%llx)\n", refused[i].what,
				(unsigned long long)va, (unsigned long long)size);
	}
	/* Neighbours that touch but do not overlap are accepted. */
	CHECK(!pt_range_mapped(&pt, 0x3ffff000, PAGE));
	CHECK(!pt_range_mapped(&pt, 0x80000000, PAGE));
	CHECK(!pt_range_mapped(&pt, 0x200004000, PAGE));
	CHECK(!pt_range_mapped(&pt, 0x200006000, SZ_2M));
	CHECK_EQ(pt_map(&pt, 0x3ffff000, 0x3ffff000, PAGE, PT_RW), PT_OK);
	CHECK_EQ(pt_map(&pt, 0x80000000, 0x80000000, SZ_2M, PT_RW), PT_OK);
	CHECK_EQ(pt_map(&pt, 0x200004000, 0x300004000, PAGE, PT_RW), PT_OK);
	CHECK_EQ(pt_map(&pt, 0x200006000, 0x300006000, PAGE, PT_RW), PT_OK);
	CHECK_EQ(pt_map(&pt, 0x0ffe00000, 0x0ffe00000, SZ_2M, PT_RW), PT_OK);
	walk(&pt, &W);
	CHECK_EQ(W.errors, 0);
	CHECK_EQ(W.mapped, SZ_1G + SZ_2M + PAGE + PAGE + SZ_2M + PAGE + PAGE + SZ_2M);
	/* The original mappings still translate as before. */
	uint64_t pa;
	CHECK(pt_lookup(&pt, 0x200005fff, &pa, NULL, NULL));
	CHECK_EQ(pa, 0x300005fff);
	CHECK(pt_lookup(&pt, 0x7fffffff, &pa, NULL, NULL));
	CHECK_EQ(pa, 0x7fffffff);
}

static void test_lookup_attrs_stage2(void)
{
	struct pt pt = make_pt(true, 40, 40, 64);
	CHECK_EQ(pt_map(&pt, 0x40000000, 0x40000000, SZ_2M, PT_RW), PT_OK);
	CHECK_EQ(pt_map(&pt, 0x40200000, 0x40200000, SZ_2M, PT_RWX), PT_OK);
	CHECK_EQ(pt_map(&pt, 0x40400000, 0x40400000, PAGE, PT_READ), PT_OK);
	CHECK_EQ(pt_map(&pt, 0x09000000, 0x09000000, PAGE, PT_RW | PT_DEVICE), PT_OK);
	CHECK_EQ(pt_map(&pt, 0x09001000, 0x09001000, PAGE, PT_RWX | PT_DEVICE), PT_OK);
	CHECK_EQ(pt_map(&pt, 0x09002000, 0x09002000, PAGE, PT_EXEC), PT_OK);
	uint64_t d;
	unsigned level;

	CHECK(pt_lookup(&pt, 0x40000000, NULL, &level, &d));
	CHECK_EQ(level, 2);
	CHECK_EQ(S2_MEMATTR(d), 0xf); /* Normal, outer and inner write-back */
	CHECK_EQ(d & (S2AP_R | S2AP_W), S2AP_R | S2AP_W);
	CHECK(d & D_AF);
	CHECK(d & D_XN);
	CHECK_EQ(D_SH(d), 3); /* inner shareable */

	CHECK(pt_lookup(&pt, 0x40200000, NULL, NULL, &d));
	CHECK(!(d & D_XN));
	CHECK_EQ(d & (S2AP_R | S2AP_W), S2AP_R | S2AP_W);

	CHECK(pt_lookup(&pt, 0x40400000, NULL, &level, &d));
	CHECK_EQ(level, 3);
	CHECK_EQ(d & (S2AP_R | S2AP_W), S2AP_R);
	CHECK(d & D_XN);

	CHECK(pt_lookup(&pt, 0x09000000, NULL, NULL, &d));
	CHECK_EQ(S2_MEMATTR(d), 0x1); /* Device-nGnRE */
	CHECK_EQ(d & (S2AP_R | S2AP_W), S2AP_R | S2AP_W);
	CHECK(d & D_XN);
	CHECK(d & D_AF);
	CHECK(pt_lookup(&pt, 0x09001000, NULL, NULL, &d));
	CHECK(d & D_XN); /* never executable, even when asked */

	CHECK(pt_lookup(&pt, 0x09002000, NULL, NULL, &d));
	CHECK_EQ(d & (S2AP_R | S2AP_W), 0); /* execute-only */
	CHECK(!(d & D_XN));

	/* Output address bits come from the mapping, not the attributes. */
	uint64_t pa;
	CHECK(pt_lookup(&pt, 0x09000fff, &pa, NULL, NULL));
	CHECK_EQ(pa, 0x09000fff);
	CHECK_EQ(d & ADDR_MASK, 0x09002000);
}

static void test_lookup_attrs_stage1(void)
{
	struct pt pt = make_pt(false, 48, 48, 64);
	CHECK_EQ(pt_map(&pt, 0x40000000, 0x40000000, SZ_2M, PT_RWX), PT_OK);
	CHECK_EQ(pt_map(&pt, 0x40200000, 0x40200000, PAGE, PT_READ), PT_OK);
	CHECK_EQ(pt_map(&pt, 0x40201000, 0x40201000, PAGE, PT_READ | PT_EXEC), PT_OK);
	CHECK_EQ(pt_map(&pt, 0x09000000, 0x09000000, PAGE, PT_RW | PT_DEVICE), PT_OK);
	uint64_t d;
	unsigned level;

	CHECK(pt_lookup(&pt, 0x40000000, NULL, &level, &d));
	CHECK_EQ(level, 2);
	CHECK_EQ(S1_ATTRINDX(d), 1); /* MAIR_EL2 index 1: Normal */
	CHECK(!(d & S1_AP_RO));
	CHECK(!(d & D_XN));
	CHECK(d & D_AF);
	CHECK_EQ(D_SH(d), 3);

	CHECK(pt_lookup(&pt, 0x40200000, NULL, &level, &d));
	CHECK_EQ(level, 3);
	CHECK(d & S1_AP_RO);
	CHECK(d & D_XN);
	CHECK(pt_lookup(&pt, 0x40201000, NULL, NULL, &d));
	CHECK(d & S1_AP_RO);
	CHECK(!(d & D_XN));

	CHECK(pt_lookup(&pt, 0x09000000, NULL, NULL, &d));
	CHECK_EQ(S1_ATTRINDX(d), 0); /* MAIR_EL2 index 0: Device-nGnRE */
	CHECK(!(d & S1_AP_RO));
	CHECK(d & D_XN);
}

/* Every leaf of a walk must be part of one of these mappings (VA range, PA offset). */
struct expect_maps {
	unsigned n;
	struct {
		uint64_t va, size, pa;
	} m[4];
	unsigned bad;
};

static void leaf_in_maps(void *arg, uint64_t va, uint64_t size, uint64_t pa, unsigned level,
			 uint64_t desc)
{
	struct expect_maps *e = arg;
	(void)level;
	(void)desc;
	for (unsigned i = 0; i < e->n; i++)
		if (va >= e->m[i].va && va + size <= e->m[i].va + e->m[i].size &&
		    pa == e->m[i].pa + (va - e->m[i].va))
			return;
	if (!e->bad++)
		CHECK_FAIL("leaf VA 0x%llx+0x%llx -> PA 0x%llx is part of no mapping made",
			   (unsigned long long)va, (unsigned long long)size,
			   (unsigned long long)pa);
}

static void test_nomem(void)
{
	/* Stage 1, no spare page at all: the very first table fails, nothing changes. */
	struct pt pt = make_pt(false, 48, 48, 0);
	snapshot();
	CHECK_EQ(pt_map(&pt, 0x40000000, 0x40000000, PAGE, PT_RW), PT_E_NOMEM);
	CHECK(unchanged());
	CHECK(!pt_lookup(&pt, 0x40000000, NULL, NULL, NULL));

	/* Stage 2 with two spare pages: the first map takes one level-2 table; the
	 * second gets its level-2 table and writes its 2 MiB block, then cannot
	 * have the level-3 table for its last page. The builder has no unmap, so
	 * the block stays: what is required is a consistent table, in which every
	 * translation that exists is a correct one. */
	pt = make_pt(true, 40, 40, 2);
	CHECK_EQ(pt_map(&pt, 0x48000000, 0x48000000, SZ_1G - 0x8000000, PT_RW), PT_OK);
	CHECK_EQ(pt_map(&pt, 0x80000000, 0x90000000, SZ_2M + PAGE, PT_RW), PT_E_NOMEM);
	struct expect_maps e = {.n = 2,
				.m = {{0x48000000, SZ_1G - 0x8000000, 0x48000000},
				      {0x80000000, SZ_2M + PAGE, 0x90000000}}};
	W.leaf = leaf_in_maps;
	W.arg = &e;
	walk(&pt, &W);
	W.leaf = NULL;
	CHECK_EQ(W.errors, 0);
	CHECK_EQ(e.bad, 0);
	uint64_t pa;
	for (uint64_t va = 0x80000000; va < 0x80000000 + SZ_2M + PAGE; va += PAGE)
		if (pt_lookup(&pt, va, &pa, NULL, NULL) && pa != 0x90000000 + (va - 0x80000000))
			CHECK_FAIL("after PT_E_NOMEM VA 0x%llx maps to 0x%llx",
				   (unsigned long long)va, (unsigned long long)pa);
	CHECK(!pt_lookup(&pt, 0x80000000 + SZ_2M, &pa, NULL, NULL));
	CHECK(pt_lookup(&pt, 0x48000000 + 0x1234, &pa, NULL, NULL));
	CHECK_EQ(pa, 0x48001234);
	CHECK(pt_lookup(&pt, 0x7fffffff, &pa, NULL, NULL));
	CHECK_EQ(pa, 0x7fffffff);
	CHECK(!pt_lookup(&pt, 0x47fff000, &pa, NULL, NULL));

	/* With memory again the table is usable for a disjoint range. */
	env.limit += 4;
	CHECK_EQ(pt_map(&pt, 0x100000000, 0x100000000, PAGE, PT_RW), PT_OK);
	CHECK(pt_lookup(&pt, 0x100000000, &pa, NULL, NULL));
	CHECK_EQ(pa, 0x100000000);
	walk(&pt, &W);
	CHECK_EQ(W.errors, 0);
}

/* ---- randomized property test ---- */

static uint64_t rng_state;

static uint64_t rnd(void)
{
	/* xorshift64*: deterministic and good enough to pick addresses. */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

#define NMAPS	    3000
#define REGION_BITS 36 /* 64 GiB of the 1 TiB IPA space: dense enough to collide */

static struct shadow {
	uint64_t va, size, pa;
	unsigned flags;
} shadow[NMAPS];
static unsigned nshadow;

static const struct shadow *shadow_find(uint64_t va)
{
	for (unsigned i = 0; i < nshadow; i++)
		if (va >= shadow[i].va && va - shadow[i].va < shadow[i].size)
			return &shadow[i];
	return NULL;
}

static bool shadow_overlaps(uint64_t va, uint64_t size)
{
	for (unsigned i = 0; i < nshadow; i++)
		if (va < shadow[i].va + shadow[i].size && shadow[i].va < va + size)
			return true;
	return false;
}

static bool attrs_match(uint64_t d, unsigned flags)
{
	bool dev = flags & PT_DEVICE;
	return S2_MEMATTR(d) == (dev ? 0x1 : 0xf) && !!(d & S2AP_R) == !!(flags & PT_READ) &&
	       !!(d & S2AP_W) == !!(flags & PT_WRITE) &&
	       !!(d & D_XN) == (dev || !(flags & PT_EXEC)) && (d & D_AF);
}

/* Does a lookup of `va` agree with the shadow? Reports the first few misses. */
static unsigned probe_misses;

static void probe(const struct pt *pt, uint64_t va)
{
	const struct shadow *s = shadow_find(va);
	uint64_t pa = 0, d = 0;
	unsigned level = 0;
	bool hit = pt_lookup(pt, va, &pa, &level, &d);
	bool ok = s ? hit && pa == s->pa + (va - s->va) && attrs_match(d, s->flags) &&
			  (!(s->flags & PT_PAGES) || level == 3)
		    : !hit;
	if (!ok && probe_misses++ < 5)
		CHECK_FAIL("probe VA 0x%llx: lookup %s PA 0x%llx level %u desc 0x%llx; shadow: "
			   "%s 0x%llx+0x%llx -> 0x%llx flags 0x%x",
			   (unsigned long long)va, hit ? "hit" : "miss", (unsigned long long)pa,
			   level, (unsigned long long)d, s ? "mapped by" : "unmapped",
			   s ? (unsigned long long)s->va : 0ULL,
			   s ? (unsigned long long)s->size : 0ULL,
			   s ? (unsigned long long)s->pa : 0ULL, s ? s->flags : 0);
	check_count++;
}

static void random_leaf(void *arg, uint64_t va, uint64_t size, uint64_t pa, unsigned level,
			uint64_t desc)
{
	unsigned *bad = arg;
	const struct shadow *s = shadow_find(va);
	(void)level;
	if (!s || va + size > s->va + s->size || pa != s->pa + (va - s->va) ||
	    !attrs_match(desc, s->flags)) {
		if (!(*bad)++)
			CHECK_FAIL("leaf VA 0x%llx+0x%llx -> 0x%llx matches no accepted mapping",
				   (unsigned long long)va, (unsigned long long)size,
				   (unsigned long long)pa);
	}
}

static void test_random(void)
{
	static const unsigned flag_choices[] = {PT_RW, PT_RWX, PT_READ, PT_RW | PT_DEVICE};
	const char *seed_env = getenv("BH_SEED");
	uint64_t seed = seed_env ? strtoull(seed_env, NULL, 0) : 0x5eed0b0a7ULL;
	rng_state = seed ? seed : 1;
	struct pt pt = make_pt(true, 40, 40, ARENA_PAGES - 2);
	nshadow = 0;
	probe_misses = 0;
	unsigned accepted = 0, refused = 0, blocks_used = 0;
	const unsigned failures_before = check_failures;

	for (unsigned n = 0; n < NMAPS; n++) {
		uint64_t r = rnd(), va, size, pa;
		unsigned flags = flag_choices[r % 4];
		switch ((r >> 8) % 4) {
		case 0: /* a few pages */
		case 1:
			va = (rnd() % (1ULL << REGION_BITS)) & ~(PAGE - 1);
			size = (1 + rnd() % 16) * PAGE;
			if (rnd() % 8 == 0)
				flags |= PT_PAGES;
			break;
		case 2: /* some 2 MiB blocks, maybe a ragged end or start */
			va = (rnd() % (1ULL << REGION_BITS)) & ~(SZ_2M - 1);
			size = (1 + rnd() % 4) * SZ_2M;
			if (rnd() % 3 == 0)
				size += (1 + rnd() % 8) * PAGE;
			if (rnd() % 4 == 0)
				va += (rnd() % 512) * PAGE;
			if (rnd() % 8 == 0)
				flags |= PT_PAGES;
			break;
		default: /* 1 GiB blocks */
			va = (rnd() % (1ULL << REGION_BITS)) & ~(SZ_1G - 1);
			size = (1 + rnd() % 2) * SZ_1G;
			if (rnd() % 2)
				size += SZ_2M;
			break;
		}
		/* PA: same alignment class as the VA most of the time, so blocks get used. */
		pa = (rnd() % ((1ULL << 40) - 4 * SZ_1G)) & ~(SZ_1G - 1);
		pa += va & (SZ_1G - 1);
		if (rnd() % 4 == 0)
			pa += (1 + rnd() % 511) * PAGE;
		if (va + size > (1ULL << 40))
			continue;

		bool overlaps = shadow_overlaps(va, size);
		enum pt_err e = pt_map(&pt, va, pa, size, flags);
		if (e == PT_OK) {
			accepted++;
			if (!CHECK(!overlaps))
				fprintf(stderr,
					"    accepted 0x%llx+0x%llx over an existing mapping\n",
					(unsigned long long)va, (unsigned long long)size);
			shadow[nshadow++] = (struct shadow){va, size, pa, flags};
			probe(&pt, va);
			probe(&pt, va + size - 1);
			probe(&pt, va + (rnd() % size));
			unsigned level;
			if (pt_lookup(&pt, va, NULL, &level, NULL) && level < 3)
				blocks_used++;
		} else {
			refused++;
			if (!CHECK_EQ(e, PT_E_OVERLAP) || !CHECK(overlaps))
				fprintf(stderr, "    refused 0x%llx+0x%llx -> 0x%llx (%s)\n",
					(unsigned long long)va, (unsigned long long)size,
					(unsigned long long)pa, pt_strerror(e));
		}
		if (check_failures - failures_before > 10)
			break;
	}
	/* The test means something only if both outcomes happened a lot. */
	CHECK(accepted > 300);
	CHECK(refused > 300);
	CHECK(blocks_used > 30);

	/* Random probes, and probes around every mapping's edges. */
	for (unsigned i = 0; i < 20000; i++)
		probe(&pt, rnd() % (1ULL << (REGION_BITS + (i % 16 == 0 ? 4 : 0))));
	for (unsigned i = 0; i < nshadow; i++) {
		probe(&pt, shadow[i].va);
		probe(&pt, shadow[i].va + shadow[i].size - 1);
		if (shadow[i].va >= PAGE)
			probe(&pt, shadow[i].va - 1);
		probe(&pt, shadow[i].va + shadow[i].size);
	}
	/* pt_range_mapped agrees with the shadow on random ranges. */
	for (unsigned i = 0; i < 5000; i++) {
		uint64_t va = (rnd() % (1ULL << REGION_BITS)) & ~(PAGE - 1);
		uint64_t size = (1 + rnd() % 1024) * PAGE;
		if (!CHECK_EQ(pt_range_mapped(&pt, va, size), shadow_overlaps(va, size)))
			break;
	}
	/* The tables hold exactly the accepted mappings. */
	uint64_t total = 0;
	for (unsigned i = 0; i < nshadow; i++)
		total += shadow[i].size;
	unsigned bad = 0;
	W.leaf = random_leaf;
	W.arg = &bad;
	walk(&pt, &W);
	W.leaf = NULL;
	CHECK_EQ(W.errors, 0);
	CHECK_EQ(bad, 0);
	CHECK_EQ(W.mapped, total);
	if (check_failures != failures_before)
		fprintf(stderr, "    random test: seed 0x%llx (rerun with BH_SEED=0x%llx)\n",
			(unsigned long long)seed, (unsigned long long)seed);
	if (getenv("BH_UNIT_VERBOSE"))
		fprintf(stderr, "    %u accepted, %u refused, %u started with a block, %u tables\n",
			accepted, refused, blocks_used, W.tables);
}

static void test_strerror(void)
{
	CHECK_CONTAINS(pt_strerror(PT_E_OVERLAP), "overlap");
	CHECK_CONTAINS(pt_strerror(PT_E_NOMEM), "memory");
	CHECK_CONTAINS(pt_strerror(PT_E_ALIGN), "aligned");
	CHECK_CONTAINS(pt_strerror(PT_E_RANGE), "address size");
}

int main(void)
{
	arena = aligned_alloc(PAGE, (size_t)ARENA_PAGES * PAGE);
	snap = malloc((size_t)ARENA_PAGES * PAGE);
	if (!arena || !snap)
		return 2;
	RUN(test_geometry);
	RUN(test_block_1g);
	RUN(test_block_2m_and_page);
	RUN(test_misaligned_pa);
	RUN(test_pages_flag);
	RUN(test_stage1);
	RUN(test_align);
	RUN(test_range);
	RUN(test_overlap);
	RUN(test_lookup_attrs_stage2);
	RUN(test_lookup_attrs_stage1);
	RUN(test_nomem);
	RUN(test_random);
	RUN(test_strerror);
	free(arena);
	free(snap);
	return check_summary("test_pt");
}
