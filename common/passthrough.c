/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Device passthrough: which domain owns which device registers and SPIs
 * (dom0 implicitly, the others as their config lists), and how they are
 * mapped: whole pages 1:1 into the owner's stage 2, pages shared with
 * another domain or with the hypervisor (its console UART, the GIC) trapped
 * and forwarded only within the owner's own bytes, with the access checked
 * whole and a device's abort at EL2 turned into the guest's.
 */
#include "common/console.h"
#include "common/domain.h"
#include "common/lib.h"
#include "common/percpu.h"
#include "common/report.h"
#include "dt/dom0.h"

#define MAX_PT_RANGES 160 /* QEMU virt alone has ~40 device nodes */

static struct pt_range {
	uint64_t base, size;
	struct domain *d; /* NULL: the hypervisor's own (console UART, GIC) */
	bool normal; /* a /reserved-memory carve-out: RAM, not registers */
} pt_ranges[MAX_PT_RANGES];
static unsigned npt_ranges;
static struct domain *spi_owner[1024];
static unsigned console_intid; /* the hypervisor's own: no domain owns it */

struct domain *irq_owner(unsigned intid)
{
	return intid < 1024 ? spi_owner[intid] : NULL;
}

static int add_resources(struct domain *d, const struct dev_res *r, const char *what,
			 bool normal)
{
	for (unsigned i = 0; i < r->nreg; i++) {
		if (npt_ranges == MAX_PT_RANGES) {
			bh_dlog(d->name, "more than %d device register ranges",
			       MAX_PT_RANGES);
			return -1;
		}
		pt_ranges[npt_ranges++] = (struct pt_range){r->reg[i].base, r->reg[i].size, d, normal};
	}
	for (unsigned i = 0; i < r->nirq; i++) {
		unsigned intid = r->irq[i];
		if (intid >= 1024 || intid == console_intid)
			continue; /* shared with the console: the line stays the hypervisor's */
		if (spi_owner[intid] && spi_owner[intid] != d) {
			bh_dlog(d->name, "interrupt %u of %s is already given to domain %s",
			       intid, what, spi_owner[intid]->name);
			return -1;
		}
		if (arch_irq_passthrough(d, intid, r->irq_edge[i], what))
			return -1;
		spi_owner[intid] = d;
	}
	return 0;
}

#define MAX_FORWARD_REPORTS 4 /* per domain: a guest may retry forever */

/* A register page shared with another domain: every access traps and is
 * forwarded only if it lies wholly inside this domain's own range (every
 * byte: an 8-byte access at a 4-byte register reaches the neighbour's), is
 * aligned, and the device does not abort it. Refused: the guest gets an
 * abort (traps.c), as from hardware. */
static bool forward_access(struct vcpu *v, uint64_t off, unsigned size, bool write, uint64_t *val)
{
	static uint8_t reports[BH_MAX_DOMAINS];
	const struct vmmio *m = v->mmio;
	uint64_t pa = m->phys + off;
	const char *why = NULL;
	if (size != 1 && size != 2 && size != 4 && size != 8)
		return false;
	if (size > m->size || off > m->size - size)
		why = "reaches past the end of its device's registers";
	else if (pa & (size - 1))
		why = "is not aligned to its size";
	else if (write ? arch_mmio_write(pa, size, *val) : arch_mmio_read(pa, size, val))
		return true;
	else
		why = "took an external abort from the device";
	unsigned slot = (unsigned)(v->dom - domains);
	if (slot < BH_MAX_DOMAINS && reports[slot] < MAX_FORWARD_REPORTS) {
		bh_dlog(v->dom->name, "%u-byte %s at 0x%llx (device in a shared register page) %s; "
		       "refused%s", size, write ? "write" : "read", (unsigned long long)pa, why,
		       ++reports[slot] == MAX_FORWARD_REPORTS ? " (further ones not reported)" : "");
	}
	return false;
}

/* What the hypervisor itself drives: no page of it is ever mapped into a
 * domain, so a device sharing such a page is trapped and forwarded. */
static int reserve_hypervisor_ranges(const struct board *b)
{
	const struct mem_range own[] = {
	    {b->uart_base, b->uart_size ? b->uart_size : SZ_4K},
	    b->gicd,
	    b->gicr,
	    b->gicc,
	    b->gich,
	};
	for (unsigned i = 0; i < ARRAY_SIZE(own); i++) {
		if (!own[i].size)
			continue;
		if (npt_ranges == MAX_PT_RANGES)
			return -1;
		pt_ranges[npt_ranges++] = (struct pt_range){own[i].base, own[i].size, NULL, false};
	}
	return 0;
}

/* The first page in [pg, end) that another domain's range (or the
 * hypervisor's) touches, or end. */
static uint64_t next_shared(uint64_t pg, uint64_t end, const struct domain *d)
{
	uint64_t first = end;
	for (unsigned i = 0; i < npt_ranges; i++) {
		const struct pt_range *q = &pt_ranges[i];
		uint64_t lo = ALIGN_DOWN(q->base, SZ_4K), hi = ALIGN_UP(q->base + q->size, SZ_4K);
		if (q->d != d && lo < end && pg < hi)
			first = MIN(first, MAX(lo, pg));
	}
	return first;
}

/* Map [lo, hi) 1:1 into d in one call (blocks where aligned), or page by
 * page, skipping what another node of d already mapped in a shared page. */
static int map_run(struct domain *d, uint64_t lo, uint64_t hi, unsigned flags)
{
	if (!arch_stage2_mapped(d, lo, hi - lo))
		return arch_stage2_map(d, lo, lo, hi - lo, flags);
	for (uint64_t pg = lo; pg < hi; pg += SZ_4K)
		if (!arch_stage2_lookup(d, pg, &(uint64_t){0}) &&
		    arch_stage2_map(d, pg, pg, SZ_4K, flags))
			return -1;
	return 0;
}

/* A page of p's range that another domain or the hypervisor also uses:
 * trapped, and forwarded only within p's own bytes. */
static int forward_page(const struct pt_range *p, uint64_t pg)
{
	struct domain *d = p->d;
	if (d->nvmmio == BH_MAX_VMMIO) {
		bh_dlog(d->name, "too many devices sharing register pages with other domains");
		return -1;
	}
	uint64_t lo = MAX(pg, p->base), hi = MIN(pg + SZ_4K, p->base + p->size);
	struct vmmio *m = &d->vmmio[d->nvmmio++];
	m->base = lo;
	m->size = hi - lo;
	m->phys = lo;
	m->access = forward_access;
	arch_map_device(pg, SZ_4K);
	return 0;
}

/* One range: reserved memory mapped as RAM; registers mapped as Device in
 * runs up to the next shared page, each shared page forwarded. */
static int map_range(const struct pt_range *p)
{
	uint64_t s = ALIGN_DOWN(p->base, SZ_4K), e = ALIGN_UP(p->base + p->size, SZ_4K);
	if (p->normal)
		return map_run(p->d, s, e, S2_RWX);
	for (uint64_t pg = s; pg < e;) {
		uint64_t shared = next_shared(pg, e, p->d);
		if (shared > pg) {
			if (map_run(p->d, pg, shared, S2_RW | S2_DEVICE))
				return -1;
			pg = shared;
		} else {
			if (forward_page(p, pg))
				return -1;
			pg += SZ_4K;
		}
	}
	return 0;
}

static int add_dom0_device(void *ctx, const struct dom0_device *dev)
{
	return add_resources(ctx, &dev->res, dev->path, dev->reserved_memory);
}

int domains_assign_devices(const struct board *b)
{
	static struct dt_error err; /* static: no stack guard (boot, one CPU) */
	err.msg[0] = 0;
	console_intid = b->uart_irq;
	if (reserve_hypervisor_ranges(b))
		return -1;
	/* 1. Who gets what: dom0 everything not taken, the others what they list. */
	for (unsigned i = 0; i < ndomains; i++) {
		struct domain *d = &domains[i];
		for (unsigned k = 0; k < d->cfg->ndevices; k++)
			if (add_resources(d, &d->cfg->dev[k], d->cfg->devices[k], false))
				return -1;
	}
	for (unsigned i = 0; i < ndomains; i++) {
		struct domain *d = &domains[i];
		if (d->cfg->control && dt_dom0_for_each_device(b, &plan, add_dom0_device, d, &err)) {
			if (err.msg[0])
				bh_dlog(d->name, "%s", err.msg);
			return -1;
		}
	}
	/* 2. Map: whole pages directly; pages shared with another domain forwarded. */
	for (unsigned i = 0; i < npt_ranges; i++)
		if (pt_ranges[i].d && map_range(&pt_ranges[i]))
			return -1;
	return 0;
}

