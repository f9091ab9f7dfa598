/* SPDX-License-Identifier: Apache-2.0 */
/*
 * GICv2 guest view: an emulated distributor (including ITARGETSR, SGIR and
 * the SGI pending registers, keeping each SGI's source CPU), and the
 * hardware's virtual CPU interface (GICV) mapped at the board's GICC address.
 */
#include "arch-arm64/sysreg.h"
#include "common/domain.h"
#include "common/lib.h"
#include "common/percpu.h"
#include "common/spinlock.h"
#include "gic/vgic.h"

#define GICH_HCR 0x000
#define GICH_VMCR 0x008
#define GICH_APR 0x0f0
#define GICH_LR0 0x100
#define IIDR_BULKHEAD 0x0042043bu

static inline volatile uint32_t *gich(unsigned off)
{
	return (volatile uint32_t *)(uintptr_t)(board.gich.base + off);
}

static uint32_t id_reg(uint64_t off)
{
	static const uint8_t ids[] = {0x04, 0, 0, 0, 0x90, 0xb4, 0x2b, 0, 0x0d, 0xf0, 0x05, 0xb1};
	if (off == 0xfd0)
		return ids[0];
	if (off >= 0xfe0 && off <= 0xffc)
		return ids[4 + (off - 0xfe0) / 4];
	return 0;
}

static void retarget(struct domain *d, struct virq *q, uint8_t targets)
{
	q->v2_targets = targets & (uint8_t)((1u << d->nvcpus) - 1);
	q->target = q->v2_targets ? (uint8_t)__builtin_ctz(q->v2_targets) : 0xff;
}

/* ITARGETSR: a byte per interrupt, the bits of existing vCPUs kept; SGIs and
 * PPIs read as this CPU, also with one vCPU (the architecture's uniprocessor
 * GIC reads 0 there, but a program built for the board's multi-CPU GIC looks
 * for its own bit). */
static bool itargetsr_access(struct vcpu *v, uint64_t off, unsigned size, bool write,
			     uint64_t *val)
{
	struct domain *d = v->dom;
	unsigned first = (unsigned)(off - 0x800);
	if ((size != 1 && size != 4) || (off & (size - 1)))
		return false;
	uint64_t r = 0;
	vgic_lock(d);
	for (unsigned b = 0; b < size; b++) {
		unsigned intid = first + b;
		struct virq *q = vgic_irq(v, intid);
		if (intid < 32) {
			r |= (uint64_t)(1u << v->index) << (8 * b); /* read-only: this CPU */
			continue;
		}
		if (!q || !q->owned)
			continue;
		if (write) {
			retarget(d, q, (uint8_t)(*val >> (8 * b)));
			if (q->hw)
				gic_hw_route(q->hw_intid, vgic_hw_route_cpu(d, q));
		}
		r |= (uint64_t)q->v2_targets << (8 * b);
	}
	vgic_unlock(d);
	if (write)
		vgic_kick_others(d); /* a pending SPI may have a new target */
	else
		*val = r;
	return true;
}

/* CPENDSGIR of a listed SGI (in GICH_LR<i>, this CPU's: the SGI registers
 * are banked) whose source (CPUID, bits 12:10) is among `sources`: its
 * pending state (bit 28) goes, not yet acknowledged; an active one stays
 * active. Out of line: off the GICD_SGIR path. */
static __attribute__((noinline)) void cpend_listed(unsigned i, uint8_t sources)
{
	uint32_t lr = *gich(GICH_LR0 + 4 * i);
	if ((lr >> 28 & 1) && (sources >> (lr >> 10 & 7) & 1))
		*gich(GICH_LR0 + 4 * i) = lr & ~(1u << 28);
}

/* CPENDSGIR / SPENDSGIR: a byte per SGI, a bit per source CPU. */
static bool pendsgir_access(struct vcpu *v, uint64_t off, unsigned size, bool write,
			    uint64_t *val)
{
	struct domain *d = v->dom;
	unsigned first = (unsigned)(off & 0xf);
	bool set = off >= 0xf20;
	if ((size != 1 && size != 4) || (off & (size - 1))) /* a word: its own 4 SGIs */
		return false;
	uint64_t r = 0;
	vgic_lock(d);
	for (unsigned b = 0; b < size; b++) {
		struct virq *q = &v->arch.vgic.priv[first + b];
		uint8_t bits = (uint8_t)(*val >> (8 * b)) & (uint8_t)((1u << d->nvcpus) - 1);
		if (write)
			q->sgi_src = set ? (q->sgi_src | bits) : (q->sgi_src & ~bits);
		if (write && !set && q->in_lr) /* listed, this CPU's: its instance too */
			cpend_listed(q->lr, bits);
		r |= (uint64_t)q->sgi_src << (8 * b);
	}
	if (write)
		vgic_unlock(d);
	else
		vgic_unlock_unchanged(d); /* a read changes nothing any vCPU must see */
	/* SPENDSGIR/CPENDSGIR name this vCPU's own SGIs: its own exit flushes. */
	if (!write)
		*val = r;
	return true;
}

/* GICD_SGIR's IPA in every domain (one GICD base for all): a value no IPA
 * takes until a GICv2 domain is registered. */
uint64_t vgic_v2_sgir_ipa = ~0ULL;

/* GICD_SGIR: the target list filter (list, all others, self), this domain's
 * vCPUs only. Also the trap's fast path (traps.c: trap_guest_dabt64). */
void vgic_v2_sgir(struct vcpu *v, uint64_t w)
{
	unsigned filter = (w >> 24) & 3;
	uint32_t all = (1u << v->dom->nvcpus) - 1, targets;
	if (filter == 0)
		targets = (uint32_t)(w >> 16) & 0xff & all;
	else if (filter == 1)
		targets = all & ~(1u << v->index);
	else if (filter == 2)
		targets = 1u << v->index;
	else
		targets = 0;
	vgic_send_sgi(v, w & 0xf, targets);
}

static bool gicd_access(struct vcpu *v, uint64_t off, unsigned size, bool write, uint64_t *val)
{
	struct domain *d = v->dom;
	struct vgic_dist *g = &d->arch.vgic;

	if (off == 0xf00 && size == 4 && write) { /* SGIR (write-only), the hot one: first */
		vgic_v2_sgir(v, *val);
		return true;
	}
	if ((off >= 0x080 && off < 0x800) || (off >= 0xc00 && off < 0xd00))
		return vgic_dist_common(v, off, size, write, val, DIST_ALL);
	if (off >= 0x800 && off < 0xc00)
		return itargetsr_access(v, off, size, write, val);
	if (off >= 0xf10 && off < 0xf30)
		return pendsgir_access(v, off, size, write, val);
	if (size != 4 || (off & 3))
		return false;
	uint32_t r = 0;
	switch (off) {
	case 0x000: /* CTLR, no Security Extensions: EnableGrp0, EnableGrp1 (4.3.1) */
		if (write) {
			vgic_lock(d);
			/* Atomic: read by the GICv2 tick without the lock. */
			__atomic_store_n(&g->enabled_grp0, *val & 1, __ATOMIC_RELAXED);
			__atomic_store_n(&g->enabled_grp1, (*val & 2) != 0, __ATOMIC_RELAXED);
			vgic_unlock(d);
			vgic_kick_others(d);
		}
		r = (__atomic_load_n(&g->enabled_grp0, __ATOMIC_RELAXED) ? 1u : 0) |
		    (__atomic_load_n(&g->enabled_grp1, __ATOMIC_RELAXED) ? 2u : 0); /* no lock */
		break;
	case 0x004: /* TYPER: ITLinesNumber, CPUNumber */
		r = ((g->nr_spis + 32) / 32 - 1) | ((d->nvcpus - 1) << 5);
		break;
	case 0x008:
		r = IIDR_BULKHEAD;
		break;
	default:
		r = id_reg(off);
		break;
	}
	if (!write)
		*val = r;
	return true;
}

int vgic_v2_register(struct domain *d)
{
	if (d->nvmmio + 1 > BH_MAX_VMMIO)
		return -1;
	struct vmmio *m = &d->vmmio[d->nvmmio++];
	m->base = board.gicd.base;
	m->size = 0x1000;
	m->access = gicd_access;
	vgic_v2_sgir_ipa = m->base + 0xf00;
	/* The guest's CPU interface is the hardware's virtual one (GICV), laid
	 * out as the DT says: where GICC and GICV are 128 KiB (each 4 KiB page
	 * repeated over 64 KiB, e.g. ZynqMP), all of it, so GICV_DIR is where
	 * the guest's DT puts GICC_DIR. */
	uint64_t size = board.gicc.size >= 0x20000 && board.gicv.size >= 0x20000 ? 0x20000 : 0x2000;
	return arch_stage2_map(d, board.gicc.base, board.gicv.base, size, S2_RW | S2_DEVICE);
}

uint64_t vgic_v2_lr_read(unsigned i)
{
	return *gich(GICH_LR0 + 4 * i);
}

__attribute__((always_inline)) inline void vgic_v2_lr_write(unsigned i, uint64_t v)
{
	*gich(GICH_LR0 + 4 * i) = (uint32_t)v;
}

/* GICH_LR: HW[31] Grp1[30] State[29:28] Priority[27:23] (5 bits)
 * PhysicalID[19:10] (HW) or EOI[19] + CPUID[12:10], VirtualID[9:0]. */
static uint64_t vgic_v2_lr_encode(const struct lr_val *l)
{
	uint32_t r = ((uint32_t)l->grp1 << 30) | ((uint32_t)l->state << 28) |
		     ((uint32_t)(l->prio >> 3) << 23) | (l->vintid & 0x3ff);
	if (l->hw)
		r |= (1u << 31) | ((uint32_t)(l->pintid & 0x3ff) << 10);
	else
		r |= ((uint32_t)l->eoi << 19) | ((uint32_t)(l->src & 7) << 10);
	return r;
}

static void vgic_v2_lr_decode(uint64_t raw, struct lr_val *l)
{
	uint32_t r = (uint32_t)raw;
	l->hw = r >> 31;
	l->grp1 = (r >> 30) & 1;
	l->state = (r >> 28) & 3;
	l->prio = (uint8_t)(((r >> 23) & 0x1f) << 3);
	l->vintid = r & 0x3ff;
	l->pintid = l->hw ? (r >> 10) & 0x3ff : 0;
	l->eoi = !l->hw && ((r >> 19) & 1);
	l->src = l->hw ? 0 : (r >> 10) & 7;
}

static uint64_t vgic_v2_lr_pending(unsigned vintid, unsigned prio, bool grp1, int pintid, bool eoi,
				   unsigned src)
{
	uint32_t r = vgic_v2_lr_sgi(vintid, prio, grp1, false, 0);
	if (pintid >= 0)
		return r | (1u << 31) | (((uint32_t)pintid & 0x3ff) << 10);
	return r | ((uint32_t)eoi << 19) | ((src & 7) << 10);
}

static unsigned vgic_v2_lr_state(uint64_t raw)
{
	return vgic_v2_lr_st(raw);
}

static void vgic_v2_hcr_write(uint32_t hcr)
{
	*gich(GICH_HCR) = hcr; /* En = bit 0, UIE = bit 1: same as ICH_HCR_EL2 */
}

static uint32_t vgic_v2_hcr_read(void)
{
	return *gich(GICH_HCR);
}

static void vgic_v2_hw_vcpu_reset(void)
{
	*gich(GICH_HCR) = 0;
	*gich(GICH_VMCR) = 0;
	*gich(GICH_APR) = 0;
	for (unsigned i = 0; i < gic_host.nr_lrs; i++)
		*gich(GICH_LR0 + 4 * i) = 0;
}

const struct vgic_ops vgic_v2_ops = {
    .lr_read = vgic_v2_lr_read,
    .lr_write = vgic_v2_lr_write,
    .lr_encode = vgic_v2_lr_encode,
    .lr_decode = vgic_v2_lr_decode,
    .lr_pending = vgic_v2_lr_pending,
    .lr_state = vgic_v2_lr_state,
    .hcr_read = vgic_v2_hcr_read,
    .hcr_write = vgic_v2_hcr_write,
    .hw_vcpu_reset = vgic_v2_hw_vcpu_reset,
    .domain_register = vgic_v2_register,
    .sgi_source = true,
};
