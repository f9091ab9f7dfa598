/* SPDX-License-Identifier: Apache-2.0 */
/*
 * GICv3 guest view: an emulated distributor (affinity routing only, one
 * security state) and one emulated redistributor (RD + SGI frames) per vCPU;
 * the CPU interface is the hardware's virtual one (ICH_* list registers).
 * SGIs are generated through the trapped ICC_SGI1R_EL1.
 */
#include "arch-arm64/sysreg.h"
#include "common/domain.h"
#include "common/lib.h"
#include "common/percpu.h"
#include "common/spinlock.h"
#include "gic/vgic.h"

#define GICD_CTLR_ARE (1u << 4)
#define GICD_CTLR_DS (1u << 6)
#define IIDR_BULKHEAD 0x0042043bu /* implementer Arm (0x43b), product 'B' */

/* PrimeCell-style ID registers at 0xffd0..0xfffc: PIDR4..7, PIDR0..3, CIDR0..3. */
static uint32_t id_reg(uint64_t off, unsigned arch_rev)
{
	switch (off) {
	case 0xffd0:
		return 0x04; /* PIDR4 */
	case 0xffe0:
		return 0x92; /* PIDR0 */
	case 0xffe4:
		return 0xb4; /* PIDR1 */
	case 0xffe8:
		return (arch_rev << 4) | 0x0b; /* PIDR2: ArchRev, JEDEC */
	case 0xfff0:
		return 0x0d;
	case 0xfff4:
		return 0xf0;
	case 0xfff8:
		return 0x05;
	case 0xfffc:
		return 0xb1;
	default:
		return 0;
	}
}

static void route(struct domain *d, struct virq *q, uint64_t irouter)
{
	q->irouter = irouter & 0xff80ffffffULL; /* Aff3, IRM, Aff2..0: the rest RES0 */
	if (irouter & (1ULL << 31))
		q->target = 0; /* 1-of-N: vCPU 0 takes it */
	else if ((irouter & 0xff00ffff00ULL) == 0 && (irouter & 0xff) < d->nvcpus)
		q->target = (uint8_t)(irouter & 0xff);
	else
		q->target = 0xff; /* no such PE: never delivered, as on hardware */
}

static bool gicd_access(struct vcpu *v, uint64_t off, unsigned size, bool write, uint64_t *val)
{
	struct domain *d = v->dom;
	struct vgic_dist *g = &d->arch.vgic;

	if (off >= 0x080 && off < 0xd00)
		return vgic_dist_common(v, off, size, write, val, DIST_SHARED);
	if (off >= 0x6000 && off < 0x8000) { /* IROUTER<n>, 64-bit, also as 32-bit halves */
		unsigned intid = (unsigned)(off - 0x6000) / 8;
		if ((size != 8 && size != 4) || (off & (size - 1)))
			return false;
		struct virq *q = intid >= 32 ? vgic_irq(v, intid) : NULL;
		if (!q || !q->owned) {
			if (!write)
				*val = 0;
			return true;
		}
		unsigned shift = (off & 4) ? 32 : 0;
		uint64_t mask = size == 8 ? ~0ULL : 0xffffffffULL << shift;
		vgic_lock(d);
		if (write)
			route(d, q, (q->irouter & ~mask) | ((*val << shift) & mask));
		else
			*val = (q->irouter & mask) >> shift;
		vgic_unlock(d);
		if (write && q->hw)
			gic_hw_route(q->hw_intid, vgic_hw_route_cpu(d, q));
		if (write)
			vgic_kick_others(d); /* a pending SPI may have a new target */
		return true;
	}
	if (size != 4 || (off & 3))
		return false;
	uint32_t r = 0;
	switch (off) {
	case 0x0000: /* CTLR */
		if (write) {
			vgic_lock(d);
			g->enabled_grp0 = *val & 1;
			g->enabled_grp1 = *val & 2;
			vgic_unlock(d);
			vgic_kick_others(d);
		}
		r = (g->enabled_grp0 ? 1u : 0) | (g->enabled_grp1 ? 2u : 0) | GICD_CTLR_ARE |
		    GICD_CTLR_DS;
		break;
	case 0x0004: /* TYPER: ITLinesNumber, CPUNumber, IDbits = 10 bits */
		r = ((g->nr_spis + 32) / 32 - 1) | ((d->nvcpus - 1) << 5) | (9u << 19);
		break;
	case 0x0008:
		r = IIDR_BULKHEAD;
		break;
	default:
		r = id_reg(off, 3); /* ID registers; everything else reads as zero */
		break;
	}
	if (!write)
		*val = r;
	return true;
}

static bool gicr_access(struct vcpu *v, uint64_t off, unsigned size, bool write, uint64_t *val)
{
	struct domain *d = v->dom;
	unsigned idx = (unsigned)(off / 0x20000);
	struct vcpu *t = &d->vcpu[idx]; /* the redistributor's own vCPU */
	uint64_t o = off % 0x20000;

	if (idx >= d->nvcpus)
		return false;
	if (o >= 0x10000) {
		o -= 0x10000;
		if (o >= 0x080 && o < 0xd00)
			return vgic_dist_common(t, o, size, write, val, DIST_PRIVATE);
		if (!write)
			*val = 0; /* IGRPMODR0, NSACR: one security state; word-only */
		return size == 4;
	}
	if (o == 0x0008 && (size == 8 || size == 4)) { /* TYPER */
		uint64_t typer = ((uint64_t)idx << 32) | ((uint64_t)idx << 8) |
				 (idx == d->nvcpus - 1 ? 1u << 4 : 0);
		if (!write)
			*val = size == 8 ? typer : (uint32_t)typer;
		return true;
	}
	if (o == 0x000c && size == 4) {
		if (!write)
			*val = idx; /* TYPER[63:32]: affinity = vCPU index */
		return true;
	}
	if (size != 4 || (o & 3))
		return false;
	uint32_t r = 0;
	switch (o) {
	case 0x0004:
		r = IIDR_BULKHEAD;
		break;
	case 0x0014: /* WAKER: ChildrenAsleep follows ProcessorSleep at once */
		if (write)
			t->arch.vgic.rd_sleep = *val & 2;
		r = t->arch.vgic.rd_sleep ? 6 : 0;
		break;
	default:
		r = id_reg(o, 3);
		break;
	}
	if (!write)
		*val = r;
	return true;
}

int vgic_v3_register(struct domain *d)
{
	if (d->nvmmio + 2 > BH_MAX_VMMIO)
		return -1;
	struct vmmio *m = &d->vmmio[d->nvmmio++];
	m->base = board.gicd.base;
	m->size = 0x10000;
	m->access = gicd_access;
	m = &d->vmmio[d->nvmmio++];
	m->base = board.gicr.base;
	m->size = 0x20000ULL * d->nvcpus;
	m->access = gicr_access;
	return 0;
}

/* ICC_SGI1R_EL1 (trapped): INTID[27:24], Aff3/2/1, IRM[40], RS[47:44], TargetList[15:0]. */
void vgic_v3_sgi_sysreg(struct vcpu *v, uint64_t val)
{
	unsigned intid = (val >> 24) & 0xf;
	uint32_t targets = 0;
	/* Targets beyond the domain's vCPUs are dropped by vgic_send_sgi
	 * (its mask of nvcpus bits): not masked here as well. */
	if (val & (1ULL << 40)) {
		targets = ~(1u << v->index);
	} else if ((val & 0x00ff00ff00ff0000ULL) == 0) { /* Aff3.Aff2.Aff1 = 0.0.0 */
		/* TargetList bit b names Aff0 = RS * 16 + b: our vCPU of that index. */
		unsigned base = (unsigned)((val >> 44) & 0xf) * 16;
		if (base < 32)
			targets = (uint32_t)((val & 0xffff) << base);
	}
	vgic_send_sgi(v, intid, targets); /* a tail call */
}

/* ---- ICH list registers ---- */

#ifndef FAKE_SYSREG_H
/* ICH_LR<n>_EL2 by a computed branch into a table of MRS/MSR and RET
 * (eight bytes an entry): no bounds test, no jump table. UBFIZ keeps the
 * index's low four bits: never past the table; every caller's index is
 * below gic_host.nr_lrs (a register past it is UNDEFINED). They change
 * only x0, x16 and x17 (x30 by the BL), which the direct listing's inline
 * call of the write tells the compiler (gic/vgic.h: vgic_v3_lr_put). */
__asm__(".text\n\t.p2align 3\n"
	"\t.global vgic_v3_lr_read\n\t.type vgic_v3_lr_read, %function\n"
	"vgic_v3_lr_read:\n"
	"\tubfiz x16, x0, #3, #4\n\tadr x17, 1f\n\tadd x16, x17, x16\n\tbr x16\n1:\n"
	"\t.irp c, 12, 13\n\t.irp n, 0, 1, 2, 3, 4, 5, 6, 7\n"
	"\tmrs x0, S3_4_C12_C\\c\\()_\\n\n\tret\n\t.endr\n\t.endr\n"
	"\t.size vgic_v3_lr_read, . - vgic_v3_lr_read\n"
	"\t.global vgic_v3_lr_write\n\t.type vgic_v3_lr_write, %function\n"
	"vgic_v3_lr_write:\n"
	"\tubfiz x16, x0, #3, #4\n\tadr x17, 1f\n\tadd x16, x17, x16\n\tbr x16\n1:\n"
	"\t.irp c, 12, 13\n\t.irp n, 0, 1, 2, 3, 4, 5, 6, 7\n"
	"\tmsr S3_4_C12_C\\c\\()_\\n, x1\n\tret\n\t.endr\n\t.endr\n"
	"\t.size vgic_v3_lr_write, . - vgic_v3_lr_write\n");
#else /* the unit tests' fake registers */
uint64_t vgic_v3_lr_read(unsigned i)
{
	switch (i) {
	case 0: return read_sysreg(S3_4_C12_C12_0);
	case 1: return read_sysreg(S3_4_C12_C12_1);
	case 2: return read_sysreg(S3_4_C12_C12_2);
	case 3: return read_sysreg(S3_4_C12_C12_3);
	case 4: return read_sysreg(S3_4_C12_C12_4);
	case 5: return read_sysreg(S3_4_C12_C12_5);
	case 6: return read_sysreg(S3_4_C12_C12_6);
	case 7: return read_sysreg(S3_4_C12_C12_7);
	case 8: return read_sysreg(S3_4_C12_C13_0);
	case 9: return read_sysreg(S3_4_C12_C13_1);
	case 10: return read_sysreg(S3_4_C12_C13_2);
	case 11: return read_sysreg(S3_4_C12_C13_3);
	case 12: return read_sysreg(S3_4_C12_C13_4);
	case 13: return read_sysreg(S3_4_C12_C13_5);
	case 14: return read_sysreg(S3_4_C12_C13_6);
	default: return read_sysreg(S3_4_C12_C13_7);
	}
}

void vgic_v3_lr_write(unsigned i, uint64_t v)
{
	switch (i) {
	case 0: write_sysreg(S3_4_C12_C12_0, v); break;
	case 1: write_sysreg(S3_4_C12_C12_1, v); break;
	case 2: write_sysreg(S3_4_C12_C12_2, v); break;
	case 3: write_sysreg(S3_4_C12_C12_3, v); break;
	case 4: write_sysreg(S3_4_C12_C12_4, v); break;
	case 5: write_sysreg(S3_4_C12_C12_5, v); break;
	case 6: write_sysreg(S3_4_C12_C12_6, v); break;
	case 7: write_sysreg(S3_4_C12_C12_7, v); break;
	case 8: write_sysreg(S3_4_C12_C13_0, v); break;
	case 9: write_sysreg(S3_4_C12_C13_1, v); break;
	case 10: write_sysreg(S3_4_C12_C13_2, v); break;
	case 11: write_sysreg(S3_4_C12_C13_3, v); break;
	case 12: write_sysreg(S3_4_C12_C13_4, v); break;
	case 13: write_sysreg(S3_4_C12_C13_5, v); break;
	case 14: write_sysreg(S3_4_C12_C13_6, v); break;
	default: write_sysreg(S3_4_C12_C13_7, v); break;
	}
}
#endif

static uint64_t vgic_v3_lr_encode(const struct lr_val *l)
{
	uint64_t r = ((uint64_t)l->state << 62) | ((uint64_t)l->grp1 << 60) |
		     ((uint64_t)l->prio << 48) | l->vintid;
	if (l->hw)
		r |= (1ULL << 61) | ((uint64_t)l->pintid << 32);
	else if (l->eoi)
		r |= 1ULL << 41;
	return r;
}

static void vgic_v3_lr_decode(uint64_t raw, struct lr_val *l)
{
	l->state = (unsigned)(raw >> 62) & 3;
	l->hw = (raw >> 61) & 1;
	l->grp1 = (raw >> 60) & 1;
	l->prio = (uint8_t)(raw >> 48);
	l->vintid = (uint16_t)raw;
	l->pintid = l->hw ? (uint16_t)((raw >> 32) & 0x3ff) : 0;
	l->eoi = !l->hw && ((raw >> 41) & 1);
	l->src = 0;
}

static uint64_t vgic_v3_lr_pending(unsigned vintid, unsigned prio, bool grp1, int pintid, bool eoi,
				   unsigned src)
{
	(void)src;
	uint64_t r = vgic_v3_lr_sgi(vintid, prio, grp1);
	if (pintid >= 0)
		return r | (1ULL << 61) | ((uint64_t)pintid << 32);
	return r | ((uint64_t)eoi << 41);
}

static unsigned vgic_v3_lr_state(uint64_t raw)
{
	return vgic_v3_lr_st(raw);
}

static void vgic_v3_hcr_write(uint32_t hcr)
{
	write_sysreg(S3_4_C12_C11_0, hcr); /* ICH_HCR_EL2: En = bit 0, UIE = bit 1 */
}

static uint32_t vgic_v3_hcr_read(void)
{
	return (uint32_t)read_sysreg(S3_4_C12_C11_0);
}

static void vgic_v3_hw_vcpu_reset(void)
{
	write_sysreg(S3_4_C12_C11_0, 0); /* ICH_HCR_EL2 */
	write_sysreg(S3_4_C12_C11_7, 0); /* ICH_VMCR_EL2 */
	write_sysreg(S3_4_C12_C8_0, 0);	 /* ICH_AP0R0_EL2 */
	write_sysreg(S3_4_C12_C9_0, 0);	 /* ICH_AP1R0_EL2 */
	/* APxR1 exist with 6 or 7 preemption bits, APxR2-3 with 7 (ICH_VTR_EL2.PREbits). */
	unsigned prebits = (unsigned)((read_sysreg(S3_4_C12_C11_1) >> 26) & 7) + 1;
	if (prebits >= 6) {
		write_sysreg(S3_4_C12_C8_1, 0); /* ICH_AP0R1_EL2 */
		write_sysreg(S3_4_C12_C9_1, 0); /* ICH_AP1R1_EL2 */
	}
	if (prebits == 7) {
		write_sysreg(S3_4_C12_C8_2, 0); /* ICH_AP0R2_EL2 */
		write_sysreg(S3_4_C12_C8_3, 0); /* ICH_AP0R3_EL2 */
		write_sysreg(S3_4_C12_C9_2, 0); /* ICH_AP1R2_EL2 */
		write_sysreg(S3_4_C12_C9_3, 0); /* ICH_AP1R3_EL2 */
	}
	for (unsigned i = 0; i < gic_host.nr_lrs; i++)
		vgic_v3_lr_write(i, 0);
	isb();
}

const struct vgic_ops vgic_v3_ops = {
    .lr_read = vgic_v3_lr_read,
    .lr_write = vgic_v3_lr_write,
    .lr_encode = vgic_v3_lr_encode,
    .lr_decode = vgic_v3_lr_decode,
    .lr_pending = vgic_v3_lr_pending,
    .lr_state = vgic_v3_lr_state,
    .hcr_read = vgic_v3_hcr_read,
    .hcr_write = vgic_v3_hcr_write,
    .hw_vcpu_reset = vgic_v3_hw_vcpu_reset,
    .domain_register = vgic_v3_register,
    .sgi_source = false,
};
