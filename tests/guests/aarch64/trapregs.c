/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The `trapregs` mode: every trap the hypervisor's fast entry may handle,
 * once per transfer register (x0-x30, XZR), with every other register
 * holding a pattern that changes at each call. After each trap all
 * registers are compared (trapregs-stubs.S stores them right after the
 * instruction): only the named one may change, and it must hold the value
 * read. The operand must reach the hypervisor from the named register, seen
 * by what the trap does: the SGI that arrives, the value a register reads
 * back. The hypervisor's lean entry saves x0-x18 and x30 only, so a handler
 * that took x19-x29 from the frame would read stale values.
 */
#include "common/hypercall.h"
#include "common/lib.h"
#include "irq.h"
#include "modes.h"

#define NREG	    31 /* x0-x30; stub 31 of a table names XZR/WZR */
#define NO_DEST	    32 /* the trap writes no register */
#define MAX_SAID    16 /* failure lines printed */
#define SGI_NONE    16
#define SGI_WAIT    (10 * 1000 * 1000) /* ns an arrived SGI may take to be taken */
#define PSCI_VER    0x84000000u
#define HVC_UNKNOWN 0xC6001234u /* Bulkhead's range, no call: NOT_SUPPORTED */
#define PPI_PRIO    0x410	/* IPRIORITYR of PPIs 16-19, none in use */

/* trapregs-stubs.S: 16-byte stubs, one per register. */
extern const char trapregs_sgi1r[], trapregs_cisw[], trapregs_csw[], trapregs_str[], trapregs_ldr[],
    trapregs_hvc[], trapregs_strb[], trapregs_strh[], trapregs_ldrh[], trapregs_stlrb[],
    trapregs_stlrh[], trapregs_stlr[], trapregs_ldarh[], trapregs_ldar[], trapregs_ldrshx[],
    trapregs_ldrswx[];
void trapregs_run(uint64_t *buf, const char *stub);

static struct {
	uint64_t below[512]; /* an unexpected exception's frame lands here */
	uint64_t in[32], out[32];
} tb __attribute__((aligned(16)));

static const struct attack_env *env;
static unsigned calls, bad;
static uint32_t taken[16];

static const char *rname(unsigned n)
{
	static char s[8];
	if (n == NREG)
		return "xzr";
	snprintf(s, sizeof(s), "x%u", n);
	return s;
}

static void wrong(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void wrong(const char *fmt, ...)
{
	char line[160];
	va_list ap;
	if (bad++ >= MAX_SAID)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	env->say("trapregs: %s", line);
}

/* A new call: each register gets a value no earlier call gave any. */
static void fill(void)
{
	calls++;
	for (unsigned k = 0; k < NREG; k++)
		tb.in[k] = 0x5a00000000000000ull | (uint64_t)k << 48 | (uint64_t)calls << 8 | k;
}

/* Run stub n of a table on tb.in; every register but dest (NO_DEST: none)
 * and those in `skip` must be unchanged, and dest must hold want. */
static void run(const char *what, const char *table, unsigned n, unsigned dest, uint64_t want,
		uint32_t skip)
{
	trapregs_run(tb.in, table + 16 * n);
	for (unsigned k = 0; k < NREG; k++) {
		uint64_t w = k == dest ? want : tb.in[k];
		if (!((skip >> k) & 1) && tb.out[k] != w)
			wrong("%s %s: x%u = 0x%lx after the trap, want 0x%lx", what, rname(n), k,
			      tb.out[k], w);
	}
}

static void on_sgi(uint32_t iar)
{
	taken[gic_iar_intid(iar) & 15]++;
}

/* After an SGI write: SGI `want` (SGI_NONE: none) is the one pending among
 * 0-15, and is taken once when IRQs are unmasked. */
static void sgi_check(const char *what, unsigned n, unsigned want)
{
	for (unsigned i = 0; i < 16; i++)
		if (gic_pending(i) != (i == want))
			wrong("%s %s: SGI %u %s", what, rname(n), i,
			      i == want ? "not pending" : "pending, not sent");
	memset(taken, 0, sizeof(taken));
	uint64_t t0 = vcount(), limit = SGI_WAIT / (1000000000 / read_sysreg(cntfrq_el0));
	do {
		irq_enable();
		irq_disable();
	} while (want != SGI_NONE && !taken[want] && vcount() - t0 < limit);
	for (unsigned i = 0; i < 16; i++)
		if (taken[i] != (i == want))
			wrong("%s %s: SGI %u taken %u times", what, rname(n), i, taken[i]);
}

/* An SGI to this CPU (or, `miss`, to a target list without it). */
static uint64_t sgi_value(unsigned intid, bool miss)
{
	if (gic.version == 2)
		return (1u << ((gic_cpu_id() + miss) & 7)) << 16 | intid;
	uint64_t mpidr = read_sysreg(mpidr_el1);
	return (uint64_t)intid << 24 | ((mpidr >> 8) & 0xff) << 16 | ((mpidr >> 16) & 0xff) << 32 |
	       ((mpidr >> 32) & 0xff) << 48 | 1u << ((mpidr + miss) & 15);
}

/* The base register of a memory stub (trapregs-stubs.S). */
static unsigned base_reg(unsigned n)
{
	return n == 0 ? 1 : 0;
}

/* Every register sends an SGI to this CPU, then one that misses it: GICv3
 * ICC_SGI1R_EL1, GICv2 a GICD_SGIR store. XZR sends SGI 0 to no CPU. */
static void sgis(void)
{
	bool v3 = gic.version == 3;
	const char *what = v3 ? "msr ICC_SGI1R_EL1," : "str GICD_SGIR,";
	for (unsigned n = 0; n <= NREG; n++) {
		for (int miss = 0; miss < 2; miss++) {
			fill();
			unsigned intid = calls % 16;
			if (n < NREG)
				tb.in[n] = sgi_value(intid, miss);
			if (!v3)
				tb.in[base_reg(n)] = gic.gicd + GICD_SGIR;
			run(what, v3 ? trapregs_sgi1r : trapregs_str, n, NO_DEST, 0, 0);
			sgi_check(what, n, n < NREG && !miss ? intid : SGI_NONE);
		}
	}
}

/* DC CISW and CSW of level 1, a set this call picks, way 0. */
static void setway(void)
{
	for (unsigned n = 0; n <= NREG; n++) {
		fill();
		if (n < NREG)
			tb.in[n] = (calls & 7) << 6;
		run("dc cisw,", trapregs_cisw, n, NO_DEST, 0, 0);
		fill();
		if (n < NREG)
			tb.in[n] = (calls & 7) << 6;
		run("dc csw,", trapregs_csw, n, NO_DEST, 0, 0);
	}
}

/* An emulated register that keeps what is written (the priorities of PPIs
 * 16-19): a value stored from xn must read back, by C and into xm. */
static const char *mmio(void)
{
	uint64_t reg = (gic.version == 3 ? gic_find_redist() + 0x10000 : gic.gicd) + PPI_PRIO;
	uint32_t old = mmio_read32(reg);
	mmio_write32(reg, 0xffffffffu);
	uint32_t mask = mmio_read32(reg);
	if (!mask)
		return "the PPI priority register keeps no bit";
	for (unsigned n = 0; n <= NREG; n++) {
		unsigned m = (n * 7 + 3) % 32; /* every register once, in another order */
		fill();
		tb.in[base_reg(n)] = reg;
		uint32_t val = n < NREG ? (uint32_t)tb.in[n] & mask : 0;
		run("str IPRIORITYR,", trapregs_str, n, NO_DEST, 0, 0);
		uint32_t got = mmio_read32(reg);
		if (got != val)
			wrong("str IPRIORITYR, %s: reads back 0x%x, want 0x%x", rname(n), got, val);
		fill();
		tb.in[base_reg(m)] = reg;
		run("ldr IPRIORITYR,", trapregs_ldr, m, m < NREG ? m : NO_DEST, val, 0);
	}
	mmio_write32(reg, old);
	return NULL;
}

#define UART_DR	  0x00
#define UART_FR	  0x18
#define FR_RXFE	  (1u << 4)
#define FR_TXFF	  (1u << 5)
#define FR_TXFE	  (1u << 7)
#define DR_CHARS "0123456789abcdefghijklmnopqrstu" /* the one register n stores */

/* Text on the PL011 as the guest's console prints it (FR poll, DR write). */
static void uart_out(const char *s)
{
	for (; *s; s++) {
		while (mmio_read32(env->uart + UART_FR) & FR_TXFF)
			;
		mmio_write32(env->uart + UART_DR, (uint8_t)*s);
	}
}

/* An FR load's value into register n (31: none) is a flag register: no bit
 * above 7, RXFE as `rx_empty` says. */
static void fr_check(const char *what, unsigned n, bool rx_empty)
{
	if (n < NREG && (tb.out[n] >> 8 || !(tb.out[n] & FR_RXFE) != !rx_empty))
		wrong("%s %s: 0x%lx read, not a flag register with RXFE %s", what, rname(n),
		      tb.out[n], rx_empty ? "set" : "clear");
}

/* The accesses next to the fast path's that it must leave to the general
 * one: an FR store (ignored: no register changes), a DR load (nothing
 * typed: it reads 0), and loads of the reserved words either side of FR
 * (0x14, 0x1c: 0, not FR's flags), from and into every register. */
static void pl011_other(void)
{
	for (unsigned n = 0; n <= NREG; n++) {
		fill();
		tb.in[base_reg(n)] = env->uart + UART_FR;
		run("str FR,", trapregs_str, n, NO_DEST, 0, 0);
		fill();
		tb.in[base_reg(n)] = env->uart + UART_DR;
		run("ldr DR,", trapregs_ldr, n, n < NREG ? n : NO_DEST, 0, 0);
		fill();
		tb.in[base_reg(n)] = env->uart + UART_FR - 4;
		run("ldr FR-4,", trapregs_ldr, n, n < NREG ? n : NO_DEST, 0, 0);
		fill();
		tb.in[base_reg(n)] = env->uart + UART_FR + 4;
		run("ldr FR+4,", trapregs_ldr, n, n < NREG ? n : NO_DEST, 0, 0);
	}
}

/* The PL011 registers every character of a polling console costs (the
 * hypervisor's fast path for them): a DR store from every register, 8, 16
 * and 32 bits, register n storing DR_CHARS[n] under a pattern in its other
 * bits (XZR a NUL, which the console drops), each size's on one line the
 * test script reads back whole and in order; then an FR load into every
 * register, 16 and 32 bits: a flag register (no bit above 7 set, RXFE set:
 * nothing is typed) zero-extended into it. */
static void pl011(void)
{
	static const struct {
		const char *name, *table;
	} dr[] = {{"strb", trapregs_strb},   {"strh", trapregs_strh},   {"str", trapregs_str},
		  {"stlrb", trapregs_stlrb}, {"stlrh", trapregs_stlrh}, {"stlr", trapregs_stlr}},
	  fr[] = {{"ldrh", trapregs_ldrh},     {"ldr", trapregs_ldr},	  {"ldarh", trapregs_ldarh},
		  {"ldar", trapregs_ldar},     {"ldrsh x", trapregs_ldrshx}, {"ldrsw x", trapregs_ldrswx}};
	char what[40];
	for (unsigned i = 0; i < 6; i++) {
		snprintf(what, sizeof(what), "TESTGUEST: trapregs: DR %s ", dr[i].name);
		uart_out(what);
		snprintf(what, sizeof(what), "%s DR,", dr[i].name);
		for (unsigned n = 0; n <= NREG; n++) {
			fill();
			tb.in[base_reg(n)] = env->uart + UART_DR;
			if (n < NREG)
				tb.in[n] = (tb.in[n] & ~0xffull) | (uint8_t)DR_CHARS[n];
			run(what, dr[i].table, n, NO_DEST, 0, 0);
		}
		uart_out("\n");
	}
	for (unsigned i = 0; i < 6; i++) {
		snprintf(what, sizeof(what), "%s FR,", fr[i].name);
		for (unsigned n = 0; n <= NREG; n++) {
			fill();
			tb.in[base_reg(n)] = env->uart + UART_FR;
			run(what, fr[i].table, n, NO_DEST, 0, n < NREG ? 1u << n : 0);
			fr_check(what, n, true);
		}
	}
	pl011_other();
}

/* FR loads into every register, each right after an SGI to itself with
 * IRQs masked: that SGI's exit leaves a list register in use, so the entry
 * flag word is set when the FR load traps, and the hypervisor's vector must
 * leave this FR read to its C path (the full check). The value is the
 * same; the SGI is taken once, when IRQs are unmasked. */
static void fr_pending(void)
{
	const char *what = "ldr FR (an SGI listed),";
	for (unsigned n = 0; n <= NREG; n++) {
		fill();
		unsigned intid = calls % 16;
		tb.in[base_reg(n)] = env->uart + UART_FR;
		gic_send_sgi_self(intid);
		run(what, trapregs_ldr, n, NO_DEST, 0, n < NREG ? 1u << n : 0);
		fr_check(what, n, true);
		sgi_check(what, n, intid);
	}
}

/* Is `w` a word of bootargs? */
static bool arg(const char *w)
{
	size_t len = strlen(w);
	for (const char *s = env->bootargs; s && *s;) {
		while (*s == ' ')
			s++;
		size_t n = 0;
		while (s[n] && s[n] != ' ')
			n++;
		if (n == len && !strncmp(s, w, n))
			return true;
		s += n;
	}
	return false;
}

#define RX_WAIT_S 30 /* seconds the test script has to type */

/* `rxkey`: FR loads with input waiting (RXFE clear), into every register,
 * 16 and 32 bits; then the typed key read from DR, and RXFE set again. The
 * test script types one `k` when this asks for it. */
static void fr_rx(void)
{
	env->say("trapregs: type a key");
	uint64_t t0 = vcount(), limit = RX_WAIT_S * read_sysreg(cntfrq_el0);
	while ((mmio_read32(env->uart + UART_FR) & FR_RXFE) && vcount() - t0 < limit)
		;
	static const char *const tables[2] = {trapregs_ldrh, trapregs_ldr};
	for (unsigned i = 0; i < 2; i++) {
		const char *what = i ? "ldr FR (input waiting)," : "ldrh FR (input waiting),";
		for (unsigned n = 0; n <= NREG; n++) {
			fill();
			tb.in[base_reg(n)] = env->uart + UART_FR;
			run(what, tables[i], n, NO_DEST, 0, n < NREG ? 1u << n : 0);
			fr_check(what, n, false);
		}
	}
	uint32_t c = mmio_read32(env->uart + UART_DR) & 0xff;
	if (c != 'k')
		wrong("DR after the key: 0x%x, want 'k'", c);
	if (!(mmio_read32(env->uart + UART_FR) & FR_RXFE))
		wrong("FR after the key was read: RXFE clear, want set");
}

#define FR_BURST 2000

/* `frburst`: FR_BURST more FR loads, every register in turn, after the
 * summary line and printing nothing unless one goes wrong (not counted in
 * `calls`): the test script finds exactly FR_BURST more trap exits in the
 * hypervisor's statistics than a run without them. */
static void fr_burst(void)
{
	for (unsigned i = 0; i < FR_BURST; i++) {
		unsigned n = i % (NREG + 1);
		for (unsigned k = 0; k < NREG; k++)
			tb.in[k] = 0x3c00000000000000ull | (uint64_t)k << 48 | (uint64_t)i << 8 | k;
		tb.in[base_reg(n)] = env->uart + UART_FR;
		run("ldr FR (burst),", trapregs_ldr, n, NO_DEST, 0, n < NREG ? 1u << n : 0);
		fr_check("ldr FR (burst),", n, true);
	}
}

#define PMU_INST_RETIRED 0x08
#define PMEVTYPER_NSH	 (1u << 27) /* also count at EL2 */
#define FR_COST_N	 1000

/* `frcost` (under -icount, with the measurement-only insecure-pmu-el2): the
 * EL2 instructions an FR read costs, counted as make bench counts them (its
 * `mmio` row), once the console has gone out (TXFE: the vector serves it).
 * The test script bounds it: that FR reads are served at the vector and not
 * in C (about twice as many) is seen nowhere else. */
static const char *fr_cost(void)
{
	if (((read_sysreg(pmcr_el0) >> 11) & 0x1f) < 2)
		return "frcost: fewer than 2 PMU event counters";
	for (unsigned i = 0; i < 1000000 && !(mmio_read32(env->uart + UART_FR) & FR_TXFE); i++)
		;
	write_sysreg(pmevtyper0_el0, PMU_INST_RETIRED);
	write_sysreg(pmevtyper1_el0, PMU_INST_RETIRED | PMEVTYPER_NSH);
	write_sysreg(pmcntenset_el0, 3);
	write_sysreg(pmcr_el0, read_sysreg(pmcr_el0) | 3); /* E, and P: counters reset */
	isb();
	uint64_t c0 = read_sysreg(pmevcntr0_el0), c1 = read_sysreg(pmevcntr1_el0);
	for (unsigned i = 0; i < FR_COST_N; i++)
		mmio_read32(env->uart + UART_FR);
	isb();
	uint64_t el1 = read_sysreg(pmevcntr0_el0) - c0, all = read_sysreg(pmevcntr1_el0) - c1;
	uint64_t el2 = all > el1 ? all - el1 : 0;
	write_sysreg(pmcntenclr_el0, 3);
	if (el1 == 0)
		return "frcost: the PMU does not count (run under -icount)";
	env->say("trapregs: FR read: %lu EL2 instructions each (%u reads)",
		 (el2 + FR_COST_N / 2) / FR_COST_N, FR_COST_N);
	return NULL;
}

/* `sgicost` (as frcost): the EL2 instructions of an SGI write naming no
 * vCPU: GICv3 an ICC_SGI1R_EL1 write (SGI 1, TargetList 0, Aff 0.0.0),
 * served in the vector (vectors.S: guest_sgi64; the C path ~80 more);
 * GICv2 a GICD_SGIR store (filter 0, list 0), served before the general
 * MMIO path (traps.c: sgir_fast; the region walk and gicd_access ~80
 * more). What the trap's glue costs. Bounded by the test script. */
static const char *sgi_cost(void)
{
	write_sysreg(pmevtyper0_el0, PMU_INST_RETIRED);
	write_sysreg(pmevtyper1_el0, PMU_INST_RETIRED | PMEVTYPER_NSH);
	write_sysreg(pmcntenset_el0, 3);
	write_sysreg(pmcr_el0, read_sysreg(pmcr_el0) | 3);
	isb();
	uint64_t c0 = read_sysreg(pmevcntr0_el0), c1 = read_sysreg(pmevcntr1_el0);
	for (unsigned i = 0; i < FR_COST_N; i++)
		if (gic.version == 3)
			__asm__ volatile("msr S3_0_C12_C11_5, %0" ::"r"(1ul << 24) : "memory");
		else
			mmio_write32(gic.gicd + GICD_SGIR, 1);
	isb();
	uint64_t el1 = read_sysreg(pmevcntr0_el0) - c0, all = read_sysreg(pmevcntr1_el0) - c1;
	write_sysreg(pmcntenclr_el0, 3);
	if (el1 == 0 || all <= el1)
		return "sgicost: the PMU does not count (run under -icount, PMU_EL2=1)";
	env->say("trapregs: SGI write: %lu EL2 instructions each (%u writes)",
		 (all - el1 + FR_COST_N / 2) / FR_COST_N, FR_COST_N);
	return NULL;
}

/* HVC with x1-x7 as arguments: the fast path's Bulkhead call, the SMCCC
 * router's PSCI_VERSION and an unknown call. x0 is the result; x1-x3 may
 * be results (SMCCC 1.1), x4-x30 must survive. */
static void hvcs(void)
{
	static const uint32_t fids[] = {BH_HC_VERSION, PSCI_VER, HVC_UNKNOWN};
	for (unsigned i = 0; i < 3; i++) {
		if (env->native && fids[i] == BH_HC_VERSION)
			continue;
		fill();
		tb.in[0] = fids[i];
		uint64_t want = fids[i] == BH_HC_VERSION ? BH_VERSION_MAJOR << 16 | BH_VERSION_MINOR
				: fids[i] == HVC_UNKNOWN ? (uint64_t)-1
							 : 0;
		run("hvc", trapregs_hvc, 0, 0, want, fids[i] == PSCI_VER ? 0xf : 0xe);
		if (fids[i] == PSCI_VER && tb.out[0] < 0x10000)
			wrong("hvc PSCI_VERSION: 0x%lx", tb.out[0]);
	}
}

const char *trapregs_mode(const struct attack_env *e)
{
	env = e;
	const char *err = gic_probe(e->fdt);
	if (!err) {
		gic_dist_init();
		err = gic_cpu_init();
	}
	if (err)
		return err;
	if (arg("frcost"))
		return fr_cost();
	if (arg("sgicost"))
		return sgi_cost();
	irq_disable();
	for (unsigned i = 0; i < 16; i++) {
		irq_set_handler(i, on_sgi);
		gic_enable(i, true);
	}
	sgis();
	setway();
	pl011();
	fr_pending();
	if (arg("rxkey"))
		fr_rx();
	err = mmio();
	if (!err && (!e->native || !e->psci_smc))
		hvcs();
	else if (!err)
		e->say("trapregs: hvc: skipped (native, PSCI conduit is SMC)");
	e->say("trapregs: GICv%u: %u trapping instructions, all registers compared after each: "
	       "%u wrong",
	       gic.version, calls, bad);
	if (!err && arg("frburst"))
		fr_burst();
	if (err)
		return err;
	return bad ? "a trap changed or misread a register (lines above)" : NULL;
}
