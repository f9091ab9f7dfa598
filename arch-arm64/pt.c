/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Translation-table builder (see pt.h). Blocks of 1 GiB (level 1) or 2 MiB
 * (level 2) are used wherever the input address, output address and remaining
 * size all allow it; 4 KiB pages elsewhere. Mapping over an existing mapping
 * is refused before anything is changed.
 */
#include "arch-arm64/pt.h"

#define DESC_VALID 1ULL
#define DESC_TABLE 3ULL /* at levels 0-2; at level 3 the same bits mean "page" */
#define DESC_BLOCK 1ULL
#define DESC_AF (1ULL << 10)
#define DESC_SH_INNER (3ULL << 8)
#define DESC_XN (1ULL << 54)
#define DESC_ADDR_MASK 0x0000fffffffff000ULL
/* stage 1 (EL2 regime) */
#define S1_ATTRIDX(i) ((uint64_t)(i) << 2)
#define S1_AP_RO (2ULL << 6)
/* stage 2 */
#define S2_MEMATTR_NORMAL_WB (0xfULL << 2)
#define S2_MEMATTR_DEVICE_nGnRE (0x1ULL << 2)
#define S2AP_R (1ULL << 6)
#define S2AP_W (2ULL << 6)

static unsigned level_shift(unsigned level)
{
	return 12 + 9 * (3 - level);
}

static uint64_t root_entries(const struct pt *pt)
{
	return 1ULL << (pt->in_bits - level_shift(pt->start_level));
}

static uint64_t index_at(const struct pt *pt, uint64_t va, unsigned level)
{
	uint64_t entries = level == pt->start_level ? root_entries(pt) : 512;
	return (va >> level_shift(level)) & (entries - 1);
}

void pt_geometry(unsigned in_bits, bool stage2, unsigned *start_level, unsigned *root_pages)
{
	/* Stage 1: a partial root table at the level that covers in_bits.
	 * Stage 2: start one level lower with concatenated tables when that
	 * needs at most 16 of them (D8.2.7), which saves a level of walk. */
	unsigned level = 0;
	while (level < 2 && in_bits <= level_shift(level))
		level++;
	unsigned pages = 1;
	if (stage2 && level < 2 && in_bits - level_shift(level + 1) <= 9 + 4) {
		level++;
		uint64_t entries = 1ULL << (in_bits - level_shift(level));
		pages = (unsigned)(entries > 512 ? entries / 512 : 1);
	}
	*start_level = level;
	*root_pages = pages;
}

static uint64_t leaf_attrs(const struct pt *pt, unsigned flags)
{
	uint64_t d = DESC_AF;

	if (pt->stage2) {
		d |= (flags & PT_DEVICE) ? S2_MEMATTR_DEVICE_nGnRE : S2_MEMATTR_NORMAL_WB;
		if (flags & PT_READ)
			d |= S2AP_R;
		if (flags & PT_WRITE)
			d |= S2AP_W;
	} else {
		d |= S1_ATTRIDX((flags & PT_DEVICE) ? 0 : 1);
		if (!(flags & PT_WRITE))
			d |= S1_AP_RO;
	}
	if (!(flags & PT_DEVICE))
		d |= DESC_SH_INNER;
	if (!(flags & PT_EXEC) || (flags & PT_DEVICE))
		d |= DESC_XN;
	return d;
}

static bool is_table(uint64_t desc, unsigned level)
{
	return level < 3 && (desc & 3) == DESC_TABLE;
}

static bool range_mapped(const struct pt *pt, const uint64_t *table, unsigned level,
			 uint64_t va, uint64_t end)
{
	while (va < end) {
		uint64_t span = 1ULL << level_shift(level);
		uint64_t next = (va & ~(span - 1)) + span;
		if (next > end || next == 0)
			next = end;
		uint64_t desc = table[index_at(pt, va, level)];
		if (desc & DESC_VALID) {
			if (!is_table(desc, level))
				return true;
			const uint64_t *sub = pt->va_of(pt->ctx, desc & DESC_ADDR_MASK);
			if (range_mapped(pt, sub, level + 1, va, next))
				return true;
		}
		va = next;
	}
	return false;
}

bool pt_range_mapped(const struct pt *pt, uint64_t va, uint64_t size)
{
	return range_mapped(pt, pt->root, pt->start_level, va, va + size);
}

static enum pt_err map_level(struct pt *pt, uint64_t *table, unsigned level, uint64_t va,
			     uint64_t pa, uint64_t size, unsigned flags)
{
	uint64_t attrs = leaf_attrs(pt, flags);

	while (size) {
		uint64_t span = 1ULL << level_shift(level);
		uint64_t *slot = &table[index_at(pt, va, level)];
		bool can_block = level >= 1 && !(flags & PT_PAGES && level < 3);
		if (can_block && ((va | pa) & (span - 1)) == 0 && size >= span) {
			/* As many blocks as fit in this table, in one tight loop: a
			 * domain's RAM is hundreds of them. */
			uint64_t idx = index_at(pt, va, level);
			uint64_t room = (level == pt->start_level ? root_entries(pt) : 512) - idx;
			uint64_t n = size / span < room ? size / span : room;
			uint64_t d = (pa & DESC_ADDR_MASK) | attrs | (level == 3 ? 3ULL : DESC_BLOCK);
			for (uint64_t k = 0; k < n; k++, d += span)
				slot[k] = d;
			va += n * span;
			pa += n * span;
			size -= n * span;
			continue;
		}
		if (level == 3)
			return PT_E_ALIGN; /* unreachable with 4 KiB-aligned input */
		if (!(*slot & DESC_VALID)) {
			uint64_t *sub = pt->alloc_page(pt->ctx);
			if (!sub)
				return PT_E_NOMEM;
			*slot = (pt->pa_of(pt->ctx, sub) & DESC_ADDR_MASK) | DESC_TABLE;
		}
		uint64_t chunk = span - (va & (span - 1));
		if (chunk > size)
			chunk = size;
		enum pt_err e = map_level(pt, pt->va_of(pt->ctx, *slot & DESC_ADDR_MASK), level + 1,
					  va, pa, chunk, flags);
		if (e)
			return e;
		va += chunk;
		pa += chunk;
		size -= chunk;
	}
	return PT_OK;
}

enum pt_err pt_map(struct pt *pt, uint64_t va, uint64_t pa, uint64_t size, unsigned flags)
{
	if (((va | pa | size) & 0xfff) != 0)
		return PT_E_ALIGN;
	if (size == 0)
		return PT_OK;
	if (va + size < va || pa + size < pa || (va + size - 1) >> pt->in_bits ||
	    (pa + size - 1) >> pt->out_bits)
		return PT_E_RANGE;
	if (pt_range_mapped(pt, va, size))
		return PT_E_OVERLAP;
	return map_level(pt, pt->root, pt->start_level, va, pa, size, flags);
}

bool pt_lookup(const struct pt *pt, uint64_t va, uint64_t *pa, unsigned *level, uint64_t *desc)
{
	if (va >> pt->in_bits)
		return false;
	const uint64_t *table = pt->root;
	for (unsigned l = pt->start_level; l <= 3; l++) {
		uint64_t d = table[index_at(pt, va, l)];
		if (!(d & DESC_VALID))
			return false;
		if (!is_table(d, l)) {
			uint64_t span = 1ULL << level_shift(l);
			if (pa)
				*pa = (d & DESC_ADDR_MASK & ~(span - 1)) | (va & (span - 1));
			if (level)
				*level = l;
			if (desc)
				*desc = d;
			return true;
		}
		table = pt->va_of(pt->ctx, d & DESC_ADDR_MASK);
	}
	return false;
}

const char *pt_strerror(enum pt_err e)
{
	switch (e) {
	case PT_OK:
		return "ok";
	case PT_E_ALIGN:
		return "address or size not 4 KiB aligned";
	case PT_E_RANGE:
		return "outside the address size";
	case PT_E_OVERLAP:
		return "overlaps an existing mapping";
	case PT_E_NOMEM:
		return "out of page-table memory";
	}
	return "unknown error";
}
