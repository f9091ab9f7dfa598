/* SPDX-License-Identifier: Apache-2.0 */
/*
 * AArch32 guests (EL1 in AArch32, HCR_EL2.RW = 0): how their images are
 * recognised and entered, their banked registers as the trap frame holds
 * them, condition codes of trapped instructions, trapped CP15 accesses, and
 * exceptions injected the AArch32 way (Undefined, Data/Prefetch Abort).
 */
#include "arch.h"
#include "arch-arm64/sysreg.h"
#include "arch-arm64/trap.h"
#include "common/console.h"
#include "common/domain.h"
#include "common/lib.h"
#include "common/report.h"
#include "gic/vgic.h"


#define M_USR	  0x10
#define M_FIQ	  0x11
#define M_IRQ	  0x12
#define M_SVC	  0x13
#define M_ABT	  0x17
#define M_UND	  0x1b
#define M_SYS	  0x1f
#define PSR_T	  (1u << 5)
#define PSR_E	  (1u << 9)
#define PSR_IT_LO (3u << 25)	/* IT[1:0] */
#define PSR_IT_HI (0x3fu << 10) /* IT[7:2] */
#define PSR_J	  (1u << 24)
#define PSR_IL32  (1u << 20)

#define SCTLR_V	  (1u << 13)
#define SCTLR_EE  (1u << 25)
#define SCTLR_TE  (1u << 30)
#define TTBCR_EAE (1u << 31)

bool arch_guest_32bit_supported(void)
{
	/* ID_AA64PFR0_EL1.EL1 == 2: EL1 can run AArch32. */
	return ((read_sysreg(id_aa64pfr0_el1) >> 4) & 0xf) == 2;
}

/* ---- registers ---- */

/* The frame slot holding AArch32 register n (0-14) in the mode of spsr, or
 * NULL for r15 (as a transfer register: UNPREDICTABLE; reads 0, writes lost). */
static uint64_t *reg_slot(struct trap_frame *f, unsigned n)
{
	unsigned mode = f->spsr & 0x1f;
	if (n < 8)
		return &f->x[n];
	if (n < 13)
		return &f->x[mode == M_FIQ ? n + 16 : n];
	if (n > 14)
		return NULL;
	bool lr = n == 14;
	switch (mode) {
	case M_FIQ:
		return &f->x[lr ? 30 : 29];
	case M_IRQ:
		return &f->x[lr ? 16 : 17];
	case M_SVC:
		return &f->x[lr ? 18 : 19];
	case M_ABT:
		return &f->x[lr ? 20 : 21];
	case M_UND:
		return &f->x[lr ? 22 : 23];
	default: /* usr, sys */
		return &f->x[lr ? 14 : 13];
	}
}

uint64_t guest32_reg_get(struct trap_frame *f, unsigned n)
{
	uint64_t *r = reg_slot(f, n);
	return r ? *r & 0xffffffffULL : 0;
}

void guest32_reg_set(struct trap_frame *f, unsigned n, uint64_t val)
{
	uint64_t *r = reg_slot(f, n);
	if (r)
		*r = val & 0xffffffffULL;
}

/* ---- condition codes and the PC ---- */

static unsigned itstate(uint64_t spsr)
{
	return (unsigned)(((spsr >> 25) & 3) | (((spsr >> 10) & 0x3f) << 2));
}

static bool cond_holds(unsigned cond, uint64_t spsr)
{
	bool n = spsr & (1u << 31), z = spsr & (1u << 30), c = spsr & (1u << 29),
	     v = spsr & (1u << 28);
	bool r;
	switch (cond >> 1) {
	case 0:
		r = z;
		break;
	case 1:
		r = c;
		break;
	case 2:
		r = n;
		break;
	case 3:
		r = v;
		break;
	case 4:
		r = c && !z;
		break;
	case 5:
		r = n == v;
		break;
	case 6:
		r = !z && n == v;
		break;
	default:
		return true; /* AL (and 0b1111) */
	}
	return (cond & 1) ? !r : r;
}

/* Should the trapped instruction execute? (It may have failed its condition.) */
bool guest32_cond_passed(const struct trap_frame *f)
{
	uint32_t iss = (uint32_t)ESR_ISS(f->esr);
	unsigned cond;
	if (iss & (1u << 24)) /* CV */
		cond = (iss >> 20) & 0xf;
	else if ((f->spsr & PSR_T) && (itstate(f->spsr) & 0xf))
		cond = itstate(f->spsr) >> 4;
	else
		return true;
	return cond_holds(cond, f->spsr);
}

/* Step over the trapped instruction, advancing a Thumb IT block. */
void guest32_advance_pc(struct trap_frame *f)
{
	f->elr = (f->elr + ((f->esr & ESR_IL) ? 4 : 2)) & 0xffffffffULL;
	f->spsr &= ~(uint64_t)PSR_SS;
	unsigned it = itstate(f->spsr);
	if (!it)
		return;
	it = (it & 7) ? ((it & 0xe0) | ((it << 1) & 0x1f)) : 0;
	f->spsr &= ~(uint64_t)(PSR_IT_LO | PSR_IT_HI);
	f->spsr |= ((uint64_t)(it & 3) << 25) | ((uint64_t)(it >> 2) << 10);
}

/* ---- exceptions into the guest ---- */

static uint64_t vector_base(void)
{
	uint64_t sctlr = read_sysreg(sctlr_el1);
	return (sctlr & SCTLR_V) ? 0xffff0000ULL : (read_sysreg(vbar_el1) & 0xffffffe0ULL);
}

bool guest32_can_take(struct vcpu *v, const struct trap_frame *f, bool abort)
{
	uint64_t base = vector_base();
	struct domain *d = v->dom;
	if (base < d->ram_ipa || base + 0x20 > d->ram_ipa + d->ram_size)
		return false; /* no vector table in its RAM */
	/* Faulting inside the very vector it would be sent to: it would loop. */
	unsigned mode = f->spsr & 0x1f;
	return !(mode == (abort ? M_ABT : M_UND) && f->elr >= base && f->elr < base + 0x20);
}

static void enter(struct trap_frame *f, unsigned mode, unsigned vector, uint64_t lr)
{
	uint64_t sctlr = read_sysreg(sctlr_el1);
	uint64_t cpsr = f->spsr & 0xffffffffULL;
	if (mode == M_ABT)
		write_sysreg(spsr_abt, cpsr);
	else
		write_sysreg(spsr_und, cpsr);
	uint64_t n = (cpsr & ~(uint64_t)(0x1f | PSR_T | PSR_E | PSR_IT_LO | PSR_IT_HI | PSR_J |
					 PSR_SS | PSR_IL32)) |
		     mode | PSR_I | (mode == M_ABT ? PSR_A : 0);
	if (sctlr & SCTLR_TE)
		n |= PSR_T;
	if (sctlr & SCTLR_EE)
		n |= PSR_E;
	/* PAN set on entry if SCTLR.SPAN is clear (RES1 without FEAT_PAN). */
	if (!(sctlr & SCTLR_SPAN) && (read_sysreg(id_mmfr3_el1) >> 16 & 0xf))
		n |= PSR_PAN;
	f->spsr = n;
	f->elr = vector_base() + vector;
	/* LR of the new mode: x20 = LR_abt, x22 = LR_und. */
	f->x[mode == M_ABT ? 20 : 22] = lr & 0xffffffffULL;
}

void guest32_inject_undef(struct trap_frame *f)
{
	uint64_t lr = f->elr + ((f->spsr & PSR_T) ? 2 : 4);
	enter(f, M_UND, 0x04, lr);
}

void guest32_inject_abort(struct trap_frame *f, uint64_t addr, bool write, bool exec)
{
	/* A synchronous external abort, in the format TTBCR.EAE selects. */
	uint32_t fsr = (read_sysreg(tcr_el1) & TTBCR_EAE) ? (1u << 9) | 0x10 : 0x08;
	if (exec) {
		write_sysreg(ifsr32_el2, fsr);
		write_sysreg(far_el1, (read_sysreg(far_el1) & 0xffffffffULL) | (addr << 32));
		enter(f, M_ABT, 0x0c, f->elr + 4);
	} else {
		if (write)
			fsr |= 1u << 11;    /* WnR */
		write_sysreg(esr_el1, fsr); /* DFSR */
		write_sysreg(far_el1,
			     (read_sysreg(far_el1) & ~0xffffffffULL) | (addr & 0xffffffffULL));
		enter(f, M_ABT, 0x10, f->elr + 8);
	}
}

/* ---- trapped coprocessor accesses ---- */

static void log_once_cp(struct vcpu *v, uint32_t key, const char *what, unsigned opc1,
			unsigned crn, unsigned crm, unsigned opc2, bool is64)
{
	if (!report_once(v->dom, REPORT_CP15, key))
		return;
	if (is64)
		bh_dlog(v->dom->name, "%s p15, %u, c%u (64-bit, logged once)", what, opc1,
		       crm);
	else
		bh_dlog(v->dom->name, "%s p15, %u, c%u, c%u, %u (logged once)", what,
		       opc1, crn, crm, opc2);
}

/*
 * MCR/MRC (EC 0x03) and MCRR/MRRC (EC 0x04) to CP15 that trap: set/way cache
 * maintenance (HCR_EL2.TSW), GICv3 SGI generation (HCR_EL2.IMO),
 * implementation-defined registers
 * (HCR_EL2.TIDCP), the PMU (MDCR_EL2.TPM, PMUv3 CPUs only). Anything else:
 * an Undefined Instruction for the guest.
 */
void guest32_cp15(struct vcpu *v, struct trap_frame *f)
{
	uint32_t iss = (uint32_t)ESR_ISS(f->esr);
	bool is64 = ESR_EC(f->esr) == EC_CP15_64;
	bool read = iss & 1;
	unsigned crm = (iss >> 1) & 0xf, rt = (iss >> 5) & 0x1f;
	unsigned opc1, crn = 0, opc2 = 0, rt2 = 0;
	if (is64) {
		opc1 = (iss >> 16) & 0xf;
		rt2 = (iss >> 10) & 0x1f;
	} else {
		opc1 = (iss >> 14) & 7;
		crn = (iss >> 10) & 0xf;
		opc2 = (iss >> 17) & 7;
	}
	if (!guest32_cond_passed(f)) {
		guest32_advance_pc(f);
		return;
	}
	uint32_t key = (is64 ? 1u << 31 : 0) | (opc1 << 12) | (crn << 8) | (crm << 4) | opc2;
	uint64_t val = guest32_reg_get(f, rt);
	if (is64)
		val |= guest32_reg_get(f, rt2) << 32;
	bool raz_wi = false;

	if (!is64 && crn == 7 && opc1 == 0 && opc2 == 2 && (crm == 6 || crm == 10 || crm == 14)) {
		emulate_dc_setway(val); /* DCISW / DCCSW / DCCISW */
	} else if (is64 && crm == 12 && opc1 <= 2) {
		/* ICC_SGI1R (opc1 0), ICC_ASGI1R (1), ICC_SGI0R (2): write-only. */
		if (!read)
			vgic_v3_sgi_sysreg(v, val);
		else
			raz_wi = true;
	} else if ((!is64 && opc1 == 0 && ((crn == 9 && crm >= 12) || (crn == 14 && crm >= 8))) ||
		   (is64 && opc1 == 0 && crm == 9)) {
		/* The PMU: trapped on PMUv3 CPUs only (cpu.c: MDCR_EL2.TPM); MRRC/MCRR
		 * c9 is the 64-bit PMCCNTR, MCR to PMCCNTR sets its low half. */
		bool ccnt = is64 || (crn == 9 && crm == 13 && opc2 == 0);
		if (ccnt && !is64 && !read)
			val = (read_sysreg(pmccntr_el0) & ~0xffffffffULL) | (val & 0xffffffffULL);
		if (!vpmu_access(is64 ? 9 : crn, is64 ? 13 : crm, is64 ? 0 : opc2, !read, &val)) {
			inject_undef(v, f, "PMU register access");
			return;
		}
		if (read) {
			guest32_reg_set(f, rt, val & 0xffffffffULL);
			if (is64)
				guest32_reg_set(f, rt2, val >> 32);
		}
	} else if ((!is64 && (crn == 9 || crn == 10 || crn == 11 || crn == 15)) ||
		   (is64 && crm == 15)) {
		log_once_cp(v, key, "implementation-defined register access ignored", opc1, crn,
			    crm, opc2, is64);
		raz_wi = true;
	} else {
		log_once_cp(v, key, "unhandled coprocessor access: undefined instruction injected",
			    opc1, crn, crm, opc2, is64);
		inject_undef(v, f, "unhandled coprocessor access");
		return;
	}
	if (raz_wi && read) {
		guest32_reg_set(f, rt, 0);
		if (is64)
			guest32_reg_set(f, rt2, 0);
	}
	guest32_advance_pc(f);
}

/* A clean AArch32 EL1 for a (re)started vCPU. */
void guest32_vcpu_reset(struct trap_frame *f, uint64_t entry, uint64_t arg0, bool boot)
{
	/* SCTLR: MMU, caches and alignment checks off; the RES1 bits and
	 * CP15BEN, nTWI, nTWE set as on a cold reset. */
	write_sysreg(sctlr_el1, 0x00c50838ULL);
	write_sysreg(spsr_abt, 0);
	write_sysreg(spsr_und, 0);
	write_sysreg(spsr_irq, 0);
	write_sysreg(spsr_fiq, 0);
	write_sysreg(dacr32_el2, 0);
	write_sysreg(ifsr32_el2, 0);
	write_sysreg(fpexc32_el2, 0);
	write_sysreg(dbgvcr32_el2, 0);
	f->spsr = PSR_AA32 | M_SVC | PSR_A | PSR_I | PSR_F;
	if (entry & 1) /* a Thumb entry point (PSCI CPU_ON) */
		f->spsr |= PSR_T;
	f->elr = entry & 0xfffffffeULL;
	if (boot) {
		/* Linux's ARM boot protocol: r0 = 0, r1 = ~0 (machine: use the DT), r2 = DT. */
		f->x[0] = 0;
		f->x[1] = 0xffffffffULL;
		f->x[2] = arg0;
	} else {
		f->x[0] = arg0 & 0xffffffffULL; /* PSCI CPU_ON context ID */
	}
}
