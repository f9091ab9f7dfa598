// SPDX-License-Identifier: Apache-2.0
/*
 * The `el0abort` mode: aborts the hypervisor injects for an access made at
 * the guest's EL0 must be taken as a lower-EL abort, at the vector of the
 * EL0's execution state, as on hardware. The guest's identity map has no
 * EL0 access, so this mode switches to its own level-1 table: 0-2 GiB as
 * in start.S, and aliases at +2 GiB that EL0 may use (the devices, and RAM
 * read-only and EL0-executable, so the code of el0-stubs.S runs there).
 * Both aliases stay below 4 GiB, which an AArch32 EL0 needs. Then an
 * undefined instruction the hypervisor injects for EL0: a PMU read it traps
 * (MDCR_EL2.TPM, PMUSERENR_EL0.EN lets EL0 try) and refuses, since PMSELR
 * names no counter. On a CPU without PMUv3 the CPU itself makes it undefined.
 * The T32 code also stores 16 bits to GICv2's GICD_SGIR (GICv3: UARTFR):
 * the instruction after it must run (the step is 2 bytes, not the 4 of the
 * SGIR fast path's AArch64 stores).
 * On a CPU with PAN, SCTLR_EL1.SPAN is cleared for the runs: every entry to
 * EL1, injected ones too, must then set PSTATE.PAN (Arm ARM, PSTATE on
 * exception entry), which Linux relies on for its user-access protection.
 */
#include "common/lib.h"
#include "irq.h"
#include "modes.h"

#define ALIAS	      0x80000000ULL	    /* EL0's view of an address: + 2 GiB */
#define BLOCK	      (1ULL | (1ULL << 10)) /* 1 GiB block, accessed */
#define AP_EL0_RW     (1ULL << 6)
#define AP_RO_EL0     (3ULL << 6)
#define SH_INNER      (3ULL << 8)
#define PXN	      (1ULL << 53)
#define UXN	      (1ULL << 54)
#define ATTR_NORMAL   (1ULL << 2) /* MAIR index 1 (start.S) */
#define EC_UNKNOWN    0x00
#define EC_SVC32      0x11
#define EC_SVC64      0x15
#define EC_DABT_LOW   0x24
#define ESR_IL	      (1ULL << 25)
#define ESR_ISV	      (1ULL << 24)
#define SPSR_EL0_A64  0x3c0ULL /* EL0t, DAIF masked */
#define SPSR_EL0_T32  0x1f0ULL /* usr, T, AIF masked */
#define SPSR_EL1H     0x3c5ULL
#define VEC_LOWER_A64 8	 /* sync, lower EL using AArch64: VBAR + 0x400 */
#define VEC_LOWER_A32 12 /* sync, lower EL using AArch32: VBAR + 0x600 */
#define MAX_REC	      6
#define NO_FAR	      (~0ULL)
#define SCTLR_SPAN    (1ULL << 23)
#define PSTATE_PAN    (1ULL << 22)
#define FR_RXFE	      (1u << 4) /* PL011 UARTFR: nothing typed */

extern char el0_a64[], el0_a64_oob[], el0_a64_dev[], el0_a64_undef[];
extern char el0_t32[], el0_t32_oob[], el0_t32_dev[], el0_t32_undef[];
extern char el0_back[];
void el0_enter(uint64_t a0, uint64_t a1, uint64_t entry, uint64_t spsr, uint64_t a4);

static uint64_t el0_l1[512] __attribute__((aligned(4096)));

static volatile struct {
	bool armed, pan; /* pan: PSTATE.PAN must be set at each entry */
	unsigned n;
	struct {
		uint64_t vector, esr, far, elr, spsr, pstate_pan;
	} r[MAX_REC];
	uint64_t svc_x2, svc_x3; /* at the SVC: the FR read's value, the IT block's witness */
} rec;

/* Called by exception_entry: a synchronous exception from this mode's EL0.
 * An abort is recorded and skipped; SVC (or too many) goes back to EL1. */
bool el0_exception(struct frame *f, uint64_t vector)
{
	if (!rec.armed || vector < 8 || (vector & 3) != 0)
		return false;
	uint64_t esr = read_sysreg(esr_el1), ec = (esr >> 26) & 0x3f, pan = 0;
	if (rec.pan) /* PAN: undefined on a CPU without it */
		__asm__ volatile("mrs %0, s3_0_c4_c2_3" : "=r"(pan));
	if (rec.n < MAX_REC) {
		unsigned i = rec.n++;
		rec.r[i].vector = vector;
		rec.r[i].esr = esr;
		rec.r[i].far = read_sysreg(far_el1);
		rec.r[i].elr = f->elr;
		rec.r[i].spsr = f->spsr;
		rec.r[i].pstate_pan = pan;
	}
	if (ec == EC_SVC32 || ec == EC_SVC64 || rec.n >= MAX_REC) {
		rec.svc_x2 = f->x[2];
		rec.svc_x3 = f->x[3];
		f->elr = (uint64_t)(uintptr_t)el0_back;
		f->spsr = SPSR_EL1H;
	} else if ((f->spsr & 0x30) == 0x30) { /* T32: 16 or 32 bits by its first halfword */
		f->elr += *(volatile uint16_t *)(uintptr_t)(f->elr - ALIAS) >= 0xe800 ? 4 : 2;
	} else {
		f->elr += 4;
	}
	return true;
}

static void use_table(uint64_t ttbr)
{
	__asm__ volatile("dsb ishst\n\tmsr ttbr0_el1, %0\n\tisb\n\t"
			 "tlbi vmalle1\n\tdsb nsh\n\tisb" ::"r"(ttbr)
			 : "memory");
}

static char why[256];

/* One recorded exception against what the architecture gives for it: a
 * synchronous external data abort (far given) or an undefined instruction
 * (far NO_FAR). */
static const char *check(unsigned i, const char *what, uint64_t vec, uint64_t far, uint64_t elr,
			 bool a32)
{
	uint64_t esr = rec.r[i].esr, ec = (esr >> 26) & 0x3f;
	uint64_t want_ec = far == NO_FAR ? EC_UNKNOWN : EC_DABT_LOW;
	/* IL: the instruction's size if ISV, else 1 (Arm ARM, ESR_ELx.IL; also 1
	 * for EC 0). Every instruction here that may give ISV is 16-bit T32. */
	bool il = !(esr & ESR_ISV) || !a32 || far == NO_FAR;
	const char *bad = rec.r[i].vector != vec		       ? "vector"
			  : ec != want_ec			       ? "EC"
			  : far != NO_FAR && (esr & 0x3f) != 0x10      ? "DFSC"
			  : far != NO_FAR && rec.r[i].far != far       ? "FAR"
			  : rec.r[i].elr != elr			       ? "ELR"
			  : (rec.r[i].spsr & 0x1f) != (a32 ? 0x10 : 0) ? "SPSR mode"
			  : !!(esr & ESR_IL) != il		       ? "IL"
			  : rec.pan && !(rec.r[i].pstate_pan & PSTATE_PAN) ? "PSTATE.PAN"
								       : NULL;
	if (!bad)
		return NULL;
	snprintf(why, sizeof(why),
		 "%s: wrong %s: vector 0x%lx ESR 0x%lx FAR 0x%lx ELR 0x%lx SPSR 0x%lx "
		 "(expected vector 0x%lx, EC 0x%lx, ELR 0x%lx)",
		 what, bad, rec.r[i].vector * 0x80, esr, rec.r[i].far, rec.r[i].elr, rec.r[i].spsr,
		 vec * 0x80, want_ec, elr);
	return why;
}

/* Runs the EL0 code at `code` (alias) and checks its two aborts and its
 * undefined instruction (pc[0-2]). */
static const char *run(const struct attack_env *e, const char *name, char *code, char *pc[3],
		       uint64_t spsr, uint64_t oob, bool a32, bool undef)
{
	uint64_t vec = a32 ? VEC_LOWER_A32 : VEC_LOWER_A64;
	uint64_t dev = e->uart + ALIAS;
	/* The T32 code's 16-bit store: GICv2's GICD_SGIR (value 0: nobody),
	 * else UARTFR (a store there is ignored). */
	uint64_t store = (gic.version == 2 ? gic.gicd + 0xf00 : e->uart + 0x18) + ALIAS;
	rec.n = 0;
	rec.armed = true;
	el0_enter(oob + ALIAS, dev, (uint64_t)(uintptr_t)code + ALIAS, spsr, store);
	rec.armed = false;
	for (unsigned i = 0; i < rec.n; i++)
		e->say("el0abort: %s: vector 0x%lx ESR 0x%lx FAR 0x%lx ELR 0x%lx SPSR 0x%lx", name,
		       rec.r[i].vector * 0x80, rec.r[i].esr, rec.r[i].far, rec.r[i].elr,
		       rec.r[i].spsr);
	uint64_t last = rec.n ? (rec.r[rec.n - 1].esr >> 26) & 0x3f : 0;
	if (rec.n != 3u + undef || last != (a32 ? EC_SVC32 : EC_SVC64)) {
		snprintf(why, sizeof(why),
			 "%s: %u exceptions from EL0, expected 2 aborts, an undefined instruction "
			 "and SVC",
			 name, rec.n);
		return why;
	}
	const char *w = check(0, "read outside the domain", vec, oob + ALIAS,
			      (uint64_t)(uintptr_t)pc[0] + ALIAS, a32);
	if (!w)
		w = check(1, "pair read of the emulated PL011", vec, dev,
			  (uint64_t)(uintptr_t)pc[1] + ALIAS, a32);
	if (!w && undef)
		w = check(2, "refused PMU read", vec, NO_FAR, (uint64_t)(uintptr_t)pc[2] + ALIAS,
			  a32);
	if (!w && (rec.svc_x2 >> 8 || !(rec.svc_x2 & FR_RXFE) || rec.svc_x3)) {
		snprintf(why, sizeof(why),
			 "%s: UARTFR read at EL0: 0x%lx, not a flag register with RXFE set, or the "
			 "instruction after it wrong (r3/x3 0x%lx, want 0: ITSTATE, a step)",
			 name, rec.svc_x2, rec.svc_x3);
		w = why;
	}
	if (!w)
		e->say("el0abort: %s EL0: UARTFR read emulated%s", name,
		       a32 ? " in an IT block, ITSTATE stepped" : "");
	if (!w && a32 && gic.version == 2)
		e->say("el0abort: AArch32 EL0: a 16-bit GICD_SGIR store stepped by 2");
	if (!w && !undef)
		e->say("el0abort: %s EL0: PMU read not checked: PMUv3p1 or later, the "
		       "guest's own PMU, nothing traps",
		       name);
	if (!w)
		e->say("el0abort: %s EL0: both aborts at vector 0x%lx, EC 0x24; undefined "
		       "instruction there, EC 0",
		       name, vec * 0x80);
	return w;
}

const char *el0abort_run(const struct attack_env *e)
{
	uint64_t oob = e->mem_base + e->mem_size + 0x1000;
	if (e->native)
		return "test=el0abort needs Bulkhead";
	const char *err = gic_probe(e->fdt);
	if (err)
		return err;
	if (oob < 0x40000000 || oob >= 0x80000000 || e->uart >= 0x40000000 ||
	    gic.gicd >= 0x40000000)
		return "RAM end, the PL011 or the GICD outside what this mode's map aliases";
	el0_l1[0] = BLOCK | PXN | UXN; /* as start.S: devices, MAIR index 0 */
	el0_l1[1] = 0x40000000 | BLOCK | ATTR_NORMAL | SH_INNER | UXN;
	el0_l1[2] = BLOCK | AP_EL0_RW | PXN | UXN; /* devices, MAIR index 0 */
	el0_l1[3] = 0x40000000 | BLOCK | ATTR_NORMAL | SH_INNER | AP_RO_EL0 | PXN;
	uint64_t old = read_sysreg(ttbr0_el1);
	use_table((uint64_t)(uintptr_t)el0_l1);
	write_sysreg(pmuserenr_el0, 1); /* EN: EL0 may try PMU registers */
	write_sysreg(pmselr_el0, 30);	/* no counter: PMXEVCNTR is refused */
	uint64_t sctlr = read_sysreg(sctlr_el1);
	rec.pan = (read_sysreg(id_aa64mmfr1_el1) >> 20) & 0xf;
	if (rec.pan)
		write_sysreg(sctlr_el1, sctlr & ~SCTLR_SPAN);
	isb();
	char *a64[3] = {el0_a64_oob, el0_a64_dev, el0_a64_undef};
	char *t32[3] = {el0_t32_oob, el0_t32_dev, el0_t32_undef};
	/* Bulkhead traps guest PMU accesses only below PMUv3p1 (cpu.c, TPM). */
	unsigned pmuver = (read_sysreg(id_aa64dfr0_el1) >> 8) & 0xf;
	bool undef = pmuver < 4 || pmuver == 0xf;
	const char *w = run(e, "AArch64", el0_a64, a64, SPSR_EL0_A64, oob, false, undef);
	if (!w && (read_sysreg(id_aa64pfr0_el1) & 0xf) != 2)
		e->say("el0abort: AArch32 EL0 skipped: this CPU has no AArch32 EL0");
	else if (!w)
		w = run(e, "AArch32", el0_t32, t32, SPSR_EL0_T32, oob, true, undef);
	write_sysreg(pmuserenr_el0, 0);
	write_sysreg(sctlr_el1, sctlr);
	isb();
	use_table(old);
	if (!w && rec.pan)
		e->say("el0abort: SCTLR_EL1.SPAN clear: PSTATE.PAN set at every injected entry");
	return w;
}
