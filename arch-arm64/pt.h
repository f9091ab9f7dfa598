/* SPDX-License-Identifier: Apache-2.0 */
/*
 * VMSAv8-64 translation-table builder, 4 KiB granule, for both the EL2
 * stage-1 tables and each domain's stage-2 tables. Pure logic (no system
 * registers), so it is unit-tested on the host: tests/unit/test_pt.c.
 */
#ifndef ARCH_ARM64_PT_H
#define ARCH_ARM64_PT_H

#include <stdbool.h>
#include <stdint.h>

enum pt_err {
	PT_OK = 0,
	PT_E_ALIGN = -1,   /* address or size not 4 KiB aligned */
	PT_E_RANGE = -2,   /* beyond the input or output address size */
	PT_E_OVERLAP = -3, /* some of the range is already mapped */
	PT_E_NOMEM = -4,   /* the table pool is exhausted */
};

/* Mapping flags */
#define PT_READ (1u << 0)
#define PT_WRITE (1u << 1)
#define PT_EXEC (1u << 2)
#define PT_DEVICE (1u << 3) /* Device-nGnRE; otherwise Normal write-back */
#define PT_PAGES (1u << 4)  /* never use block mappings (for ranges that get split later) */
#define PT_RW (PT_READ | PT_WRITE)
#define PT_RWX (PT_READ | PT_WRITE | PT_EXEC)

struct pt {
	uint64_t *root;	     /* root table(s), root_entries() entries, contiguous */
	unsigned start_level; /* level of the root: 0, 1 or 2 */
	unsigned in_bits;     /* input address size (VA or IPA bits) */
	unsigned out_bits;    /* output address size (PA bits) */
	bool stage2;	      /* stage-2 descriptor format, else EL2 stage-1 */
	/* Environment: a zeroed, 4 KiB-aligned page, and address conversions. */
	uint64_t *(*alloc_page)(void *ctx);
	uint64_t (*pa_of)(void *ctx, const void *va);
	void *(*va_of)(void *ctx, uint64_t pa);
	void *ctx;
};

/* Pick the start level and root size for a given input size (stage 2 uses
 * concatenated root tables, up to 16, as VTCR_EL2.SL0 allows). */
void pt_geometry(unsigned in_bits, bool stage2, unsigned *start_level, unsigned *root_pages);

enum pt_err pt_map(struct pt *pt, uint64_t va, uint64_t pa, uint64_t size, unsigned flags);
/* Is any part of [va, va + size) mapped? */
bool pt_range_mapped(const struct pt *pt, uint64_t va, uint64_t size);
/* Translate one address; returns false when unmapped. Level and descriptor optional. */
bool pt_lookup(const struct pt *pt, uint64_t va, uint64_t *pa, unsigned *level, uint64_t *desc);

const char *pt_strerror(enum pt_err e);

#endif
