/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The `gicregs` mode: every distributor register of the guest's GIC against
 * the architecture (GICv2: IHI 0048B section 4.3; GICv3: IHI 0069 chapter 12,
 * GICD and each vCPU's GICR): its value at reset (checked first, before
 * anything is written), which bits a write changes, and which access sizes it
 * takes. An interrupt is "implemented" if its priority byte holds a write;
 * every other register must agree. Allowed implementation choices (SGI
 * enables always on, PPI trigger, the reset targets of an SPI) are accepted
 * either way. Natively (QEMU's own GIC) the access-size checks are skipped:
 * QEMU accepts any size, Bulkhead answers a wrong one with a data abort.
 */
#include <stdarg.h>

#include "common/lib.h"
#include "irq.h"
#include "modes.h"

#define MAX_SHOWN 24 /* FAIL lines printed; the rest only counted */

static const struct attack_env *env;
static unsigned nbad, nchecks;
static bool implemented[IRQ_NR];
static uint8_t prio_mask; /* what 0xff written to a priority byte reads back */

__attribute__((format(printf, 1, 2))) static void bad(const char *fmt, ...)
{
	char why[160];
	va_list ap;
	if (nbad++ >= MAX_SHOWN)
		return;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	env->say("gicregs: FAIL %s", why);
}

/* ---- accesses of any size, a data abort caught ---- */

static volatile struct {
	bool armed;
	unsigned n;
} tr;

bool modes_exception(struct frame *f, uint64_t vector)
{
	if (!tr.armed || (vector & 3) != 0)
		return false;
	tr.n++;
	f->elr += 4;
	return true;
}

/* One access as a single LDR/STR of `size` bytes; false if it aborted. */
static bool access(uint64_t a, unsigned size, bool write, uint64_t *v)
{
	uint64_t x = write ? *v : 0;
	tr.n = 0;
	tr.armed = true;
	__asm__ volatile("" ::: "memory");
	if (write && size == 1)
		__asm__ volatile("strb %w0, [%1]" ::"r"(x), "r"(a) : "memory");
	else if (write && size == 2)
		__asm__ volatile("strh %w0, [%1]" ::"r"(x), "r"(a) : "memory");
	else if (write && size == 4)
		__asm__ volatile("str %w0, [%1]" ::"r"(x), "r"(a) : "memory");
	else if (write)
		__asm__ volatile("str %0, [%1]" ::"r"(x), "r"(a) : "memory");
	else if (size == 1)
		__asm__ volatile("ldrb %w0, [%1]" : "+r"(x) : "r"(a) : "memory");
	else if (size == 2)
		__asm__ volatile("ldrh %w0, [%1]" : "+r"(x) : "r"(a) : "memory");
	else if (size == 4)
		__asm__ volatile("ldr %w0, [%1]" : "+r"(x) : "r"(a) : "memory");
	else
		__asm__ volatile("ldr %0, [%1]" : "+r"(x) : "r"(a) : "memory");
	__asm__ volatile("" ::: "memory");
	tr.armed = false;
	if (!write)
		*v = x;
	return tr.n == 0;
}

static uint32_t rd(uint64_t a)
{
	uint64_t v = 0;
	if (!access(a, 4, false, &v))
		bad("word read of 0x%lx aborted", a);
	return (uint32_t)v;
}

static void wr(uint64_t a, uint32_t val)
{
	uint64_t v = val;
	if (!access(a, 4, true, &v))
		bad("word write of 0x%lx aborted", a);
}

static void want(const char *what, uint64_t a, uint32_t got, uint32_t exp)
{
	nchecks++;
	if (got != exp)
		bad("%s at 0x%lx: 0x%08x, expected 0x%08x", what, a, got, exp);
}

/* Reads back `exp` after writing `val`. */
static void wr_want(const char *what, uint64_t a, uint32_t val, uint32_t exp)
{
	wr(a, val);
	want(what, a, rd(a), exp);
}

/* size-byte read at a: must abort (ok = false) or not. Bulkhead only. */
static void size_want(const char *what, uint64_t a, unsigned size, bool ok)
{
	uint64_t v = 0;
	if (env->restarts < 0)
		return;
	nchecks++;
	if (access(a, size, false, &v) != ok)
		bad("%u-byte read of %s (0x%lx) %s", size, what, a,
		    ok ? "aborted" : "did not abort");
}

/* ---- what both versions share: the per-interrupt registers ---- */

/* Bit b set for each implemented interrupt of word w (32 INTIDs). */
static uint32_t impl_word(unsigned w)
{
	uint32_t m = 0;
	for (unsigned b = 0; b < 32; b++)
		if (w * 32 + b < IRQ_NR && implemented[w * 32 + b])
			m |= 1u << b;
	return m;
}

/* Which interrupts of INTIDs [first, end) hold a priority: a byte each. */
static void find_implemented(uint64_t prio, unsigned first, unsigned end)
{
	for (unsigned i = first; i < end; i += 4) {
		wr(prio + i, 0xffffffff);
		uint32_t r = rd(prio + i);
		for (unsigned b = 0; b < 4; b++) {
			uint8_t p = (uint8_t)(r >> (8 * b));
			implemented[i + b] = p != 0;
			if (p && !prio_mask)
				prio_mask = p;
			else if (p && p != prio_mask)
				bad("IPRIORITYR of INTID %u holds 0x%02x of 0xff, INTID %u 0x%02x",
				    i + b, p, first, prio_mask);
		}
		wr(prio + i, 0);
	}
}

/* IPRIORITYR: the same implemented bits in every byte (at least 4 of 8,
 * the top ones: 16 levels), byte writes touch one interrupt only. */
static void check_priority(uint64_t prio, unsigned first, unsigned end)
{
	nchecks++;
	if ((prio_mask & 0xf0) != 0xf0 || (uint8_t)(prio_mask | (prio_mask - 1)) != 0xff)
		bad("priority bits 0x%02x: not the top ones, or fewer than 4", prio_mask);
	for (unsigned i = first; i < end; i += 4) {
		uint32_t full = 0;
		for (unsigned b = 0; b < 4; b++)
			full |= implemented[i + b] ? (uint32_t)prio_mask << (8 * b) : 0;
		wr_want("IPRIORITYR (0xff in each byte)", prio + i, 0xffffffff, full);
		for (unsigned b = 0; b < 4; b++) {
			uint64_t v = 0x5a;
			if (!access(prio + i + b, 1, true, &v))
				bad("byte write of IPRIORITYR 0x%lx aborted", prio + i + b);
			uint32_t exp = implemented[i + b]
					   ? (full & ~(0xffu << (8 * b))) |
						 (uint32_t)(0x5a & prio_mask) << (8 * b)
					   : full;
			want("IPRIORITYR after a byte write", prio + i, rd(prio + i), exp);
			v = 0;
			access(prio + i + b, 1, false, &v);
			want("IPRIORITYR byte read", prio + i + b, (uint32_t)v,
			     (exp >> (8 * b)) & 0xff);
			v = 0xff;
			access(prio + i + b, 1, true, &v);
		}
		wr_want("IPRIORITYR (0 written)", prio + i, 0, 0);
	}
}

/*
 * IGROUPR, ISENABLER/ICENABLER, ISPENDR/ICPENDR, ISACTIVER/ICACTIVER of
 * words [w0, w1): 0 at reset (checked by the caller), every implemented bit
 * set and cleared. sgi_pend_ro: GICv2 SGIs pend through SPENDSGIR only.
 */
static void check_bits(uint64_t base, unsigned w0, unsigned w1, bool sgi_pend_ro)
{
	for (unsigned w = w0; w < w1; w++) {
		uint32_t m = impl_word(w), sgi = w == 0 ? 0xffff : 0;
		uint64_t o = 4 * w;
		wr_want("IGROUPR (all set)", base + 0x080 + o, ~0u, m);
		wr_want("IGROUPR (all clear)", base + 0x080 + o, 0, 0);
		wr(base + 0x100 + o, ~0u);
		uint32_t en = rd(base + 0x100 + o);
		want("ISENABLER (all set)", base + 0x100 + o, en & ~sgi, m & ~sgi);
		wr(base + 0x180 + o, ~0u);
		en = rd(base + 0x180 + o);
		if ((en & sgi) != 0 && (en & sgi) != sgi) /* SGI enables: RW or RAO/WI */
			bad("ICENABLER0 SGI bits 0x%04x: neither cleared nor fixed", en & sgi);
		want("ICENABLER (all clear)", base + 0x180 + o, en & ~sgi, 0);
		uint32_t pm = sgi_pend_ro ? m & ~sgi : m;
		wr_want("ISPENDR (all set)", base + 0x200 + o, ~0u, pm);
		wr_want("ICPENDR (all clear)", base + 0x280 + o, ~0u, 0);
		wr_want("ISACTIVER (all set)", base + 0x300 + o, ~0u, m);
		wr_want("ICACTIVER (all clear)", base + 0x380 + o, ~0u, 0);
	}
}

/* The same registers at reset: all 0 but SGI enables (either way). */
static void check_bits_reset(uint64_t base, unsigned w0, unsigned w1)
{
	for (unsigned w = w0; w < w1; w++) {
		uint32_t sgi = w == 0 ? 0xffff : 0;
		uint32_t en = rd(base + 0x100 + 4 * w);
		if ((en & sgi) != 0 && (en & sgi) != sgi)
			bad("ISENABLER0 SGI bits 0x%04x at reset", en & sgi);
		want("ISENABLER at reset", base + 0x100 + 4 * w, en & ~sgi, 0);
		for (unsigned r = 0x080; r < 0x400; r += 0x80)
			if (r != 0x100 && r != 0x180)
				want("IGROUPR/ISPENDR/ISACTIVER at reset", base + r + 4 * w,
				     rd(base + r + 4 * w), 0);
	}
}

/* ICFGR of SPIs [first, end): the upper bit of each implemented one RW,
 * the lower one reserved (0). */
static void check_cfg_spis(uint64_t cfg, unsigned first, unsigned end)
{
	for (unsigned i = first; i < end; i += 16) {
		uint32_t m = 0;
		for (unsigned b = 0; b < 16; b++)
			m |= implemented[i + b] ? 2u << (2 * b) : 0;
		uint64_t a = cfg + i / 4;
		uint32_t old = rd(a);
		nchecks++;
		if (old & ~m)
			bad("ICFGR at 0x%lx: 0x%08x at reset, bits outside 0x%08x", a, old, m);
		wr_want("ICFGR (all edge)", a, ~0u, m);
		wr_want("ICFGR (all level)", a, 0, 0);
		wr(a, old);
	}
}

/* Reserved or absent registers: read as zero, writes ignored. */
static void check_raz_wi(const char *what, uint64_t a, uint64_t end)
{
	for (; a < end; a += 4)
		wr_want(what, a, ~0u, 0);
}

/* Reset values of IPRIORITYR of INTIDs [first, end): 0 on QEMU and Bulkhead
 * (the architecture leaves them UNKNOWN; peers' 0xff hides a timer). */
static void check_prio_reset(uint64_t prio, unsigned first, unsigned end)
{
	for (unsigned i = first; i < end; i += 4)
		want("IPRIORITYR at reset", prio + i, rd(prio + i), 0);
}

/* PIDR2.ArchRev, the CIDRs, and all of them read-only. */
static void check_ids(uint64_t pidr2, unsigned rev)
{
	static const uint8_t cidr[4] = {0x0d, 0xf0, 0x05, 0xb1};
	uint32_t p = rd(pidr2);
	nchecks++;
	if (((p >> 4) & 0xf) != rev && !(rev == 3 && ((p >> 4) & 0xf) == 4))
		bad("PIDR2 0x%x at 0x%lx: ArchRev %u, expected %u", p, pidr2, (p >> 4) & 0xf, rev);
	wr_want("PIDR2 (read-only)", pidr2, ~0u, p);
	for (unsigned i = 0; i < 4; i++)
		wr_want("CIDR (read-only)", pidr2 + 8 + 4 * i, ~0u, cidr[i]);
}

/* ---- GICv2 distributor ---- */

static void v2_targets(uint64_t d, unsigned n, unsigned nirq, bool reset)
{
	/* With one CPU interface the architecture makes these RAZ/WI (QEMU's
	 * does); Bulkhead keeps its multi-CPU answer, documented (vgic_v2.c). */
	bool uni = n == 1 && env->restarts < 0;
	uint32_t valid = uni ? 0 : (1u << n) - 1;
	uint32_t self = uni ? 0 : 0x01010101u; /* the boot vCPU, interface 0 */
	for (unsigned i = 0; i < 32; i += 4) {
		if (reset)
			want("ITARGETSR0-7 (this CPU)", d + 0x800 + i, rd(d + 0x800 + i), self);
		else
			wr_want("ITARGETSR0-7 (read-only)", d + 0x800 + i, 0, self);
	}
	for (unsigned i = 32; i < nirq; i += 4) {
		uint64_t a = d + 0x800 + i;
		uint32_t full = 0;
		for (unsigned b = 0; b < 4; b++)
			full |= implemented[i + b] ? valid << (8 * b) : 0;
		if (reset) {
			uint32_t r = rd(a);
			nchecks++;
			if (r & ~full)
				bad("ITARGETSR 0x%lx: 0x%08x at reset, names no vCPU 0x%08x", a, r,
				    full);
			continue;
		}
		wr_want("ITARGETSR (every CPU)", a, ~0u, full);
		for (unsigned b = 0; b < 4; b++) {
			uint64_t v = 1;
			if (!access(a + b, 1, true, &v))
				bad("byte write of ITARGETSR 0x%lx aborted", a + b);
			full = (full & ~(0xffu << (8 * b))) |
			       (implemented[i + b] ? (valid & 1) << (8 * b) : 0);
			want("ITARGETSR after a byte write", a, rd(a), full);
		}
	}
	if (!reset)
		check_raz_wi("ITARGETSR beyond ITLinesNumber", d + 0x800 + nirq, d + 0xbfc);
}

static void v2_sgi_pending(uint64_t d, unsigned n, bool reset)
{
	uint32_t valid = ((1u << n) - 1) * 0x01010101u;
	for (unsigned k = 0; k < 16; k += 4) {
		uint64_t s = d + 0xf20 + k, c = d + 0xf10 + k;
		if (reset) {
			want("SPENDSGIR at reset", s, rd(s), 0);
			continue;
		}
		wr_want("SPENDSGIR (every source)", s, ~0u, valid);
		wr(c, ~0u);
		want("CPENDSGIR clears SPENDSGIR", s, rd(s), 0);
		want("CPENDSGIR reads as SPENDSGIR", c, rd(c), 0);
		uint64_t v = 0xff;
		access(s + 1, 1, true, &v);
		want("SPENDSGIR after a byte write", s, rd(s), valid & 0xff00);
		access(c + 1, 1, true, &v);
		want("SPENDSGIR after a CPENDSGIR byte write", s, rd(s), 0);
	}
}

static void v2_reset(uint64_t d, unsigned n, unsigned nirq)
{
	want("CTLR at reset", d, rd(d), 0);
	check_bits_reset(d, 0, nirq / 32);
	check_prio_reset(d + 0x400, 0, nirq);
	want("ICFGR0 (SGIs edge)", d + 0xc00, rd(d + 0xc00), 0xaaaaaaaa);
	v2_sgi_pending(d, n, true);
}

static void v2(unsigned nirq)
{
	uint64_t d = gic.gicd;
	uint32_t typer = rd(d + 4), iidr = rd(d + 8);
	unsigned n = ((typer >> 5) & 7) + 1;
	nchecks++;
	if (typer & (1u << 10))
		bad("TYPER 0x%x: SecurityExtn set", typer);
	if (n != env->ncpus)
		bad("TYPER 0x%x: %u CPU interfaces, the DT has %u CPUs", typer, n, env->ncpus);
	v2_reset(d, n, nirq);
	find_implemented(d + 0x400, 0, nirq);
	v2_targets(d, n, nirq, true);
	for (unsigned i = 0; i < 32; i++)
		if (!implemented[i])
			bad("IPRIORITYR of private INTID %u holds nothing", i);

	/* No Security Extensions: EnableGrp0 and EnableGrp1 (4.3.1). */
	wr_want("CTLR (all ones)", d, ~0u, 3);
	wr_want("CTLR (0)", d, 0, 0);
	wr_want("TYPER (read-only)", d + 4, ~0u, typer);
	wr_want("IIDR (read-only)", d + 8, ~0u, iidr);
	check_raz_wi("reserved", d + 0x00c, d + 0x020);
	check_raz_wi("reserved", d + 0x040, d + 0x080);
	check_bits(d, 0, nirq / 32, true);
	for (uint64_t r = 0x080; r < 0x400; r += 0x80)
		check_raz_wi("beyond ITLinesNumber", d + r + nirq / 8, d + r + 0x80);
	check_priority(d + 0x400, 0, nirq);
	check_raz_wi("IPRIORITYR beyond ITLinesNumber", d + 0x400 + nirq, d + 0x7fc);
	v2_targets(d, n, nirq, false);
	wr_want("ICFGR0 (read-only)", d + 0xc00, 0, 0xaaaaaaaa);
	check_cfg_spis(d + 0xc00, 32, nirq);
	check_raz_wi("NSACR (no Security Extensions)", d + 0xe00, d + 0xf00);
	v2_sgi_pending(d, n, false);
	check_ids(d + 0xfe8, 2);

	/* Byte access: IPRIORITYR, ITARGETSR, CPENDSGIR, SPENDSGIR; else words. */
	static const struct {
		uint16_t off;
		uint8_t size;
		bool ok;
	} sizes[] = {{0x000, 1, false}, {0x004, 1, false}, {0x080, 1, false}, {0x100, 1, false},
		     {0x200, 2, false}, {0x300, 1, false}, {0x400, 2, false}, {0x400, 8, false},
		     {0x401, 1, true},	{0x800, 2, false}, {0x802, 1, true},  {0xc00, 1, false},
		     {0xc08, 2, false}, {0xe00, 1, false}, {0xf00, 1, false}, {0xf11, 1, true},
		     {0xf22, 1, true},	{0xf20, 2, false}, {0xfe8, 1, false}};
	for (unsigned i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		size_want("a GICD register", d + sizes[i].off, sizes[i].size, sizes[i].ok);
}

/* ---- GICv3: distributor (affinity routing) and redistributors ---- */

#define GICR_FRAME 0x20000
#define GICR_SGI   0x10000

static void v3_rd_reset(uint64_t r)
{
	want("GICR_CTLR at reset (CES aside)", r, rd(r) & ~2u, 0); /* CES: read-only */
	/* ProcessorSleep and ChildrenAsleep until the PE's software wakes it. */
	want("GICR_WAKER at reset", r + 0x14, rd(r + 0x14), 6);
	check_bits_reset(r + GICR_SGI, 0, 1);
	check_prio_reset(r + GICR_SGI + 0x400, 0, 32);
	want("GICR ICFGR0 (SGIs edge)", r + GICR_SGI + 0xc00, rd(r + GICR_SGI + 0xc00), 0xaaaaaaaa);
}

static void v3_rd(uint64_t r, unsigned k, bool last)
{
	uint32_t lo = rd(r + 8), hi = rd(r + 0xc);
	nchecks++;
	if (((lo >> 4) & 1) != last || ((lo >> 8) & 0xffff) != k)
		bad("GICR_TYPER of frame %u: 0x%08x (Last, Processor_Number)", k, lo);
	wr_want("GICR_TYPER (read-only)", r + 8, ~0u, lo);
	wr_want("GICR_TYPER[63:32] (read-only)", r + 0xc, ~0u, hi);
	if (!(lo & 1)) { /* no LPIs: EnableLPIs and the rest RAZ/WI, CES read-only */
		uint32_t ces = rd(r) & 2;
		wr_want("GICR_CTLR (no LPIs)", r, ~0u, ces);
	}
	wr_want("GICR_WAKER (awake)", r + 0x14, 0, 0);
	wr_want("GICR_WAKER (ChildrenAsleep read-only)", r + 0x14, 4, 0);
	wr_want("GICR_WAKER (ProcessorSleep)", r + 0x14, 2, 6);
	check_ids(r + 0xffe8, 3);
	uint64_t s = r + GICR_SGI;
	find_implemented(s + 0x400, 0, 32);
	check_bits(s, 0, 1, false);
	check_priority(s + 0x400, 0, 32);
	check_raz_wi("GICR IPRIORITYR beyond 31", s + 0x420, s + 0x440);
	wr_want("GICR ICFGR0 (read-only)", s + 0xc00, 0, 0xaaaaaaaa);
	check_raz_wi("GICR IGRPMODR0 (DS = 1)", s + 0xd00, s + 0xd04);
	check_raz_wi("GICR NSACR", s + 0xe00, s + 0xe04);
	static const struct {
		uint32_t off;
		uint8_t size;
		bool ok;
	} sizes[] = {{0x0000, 1, false},
		     {0x0014, 2, false},
		     {0x0008, 8, true},
		     {GICR_SGI + 0x100, 1, false},
		     {GICR_SGI + 0x401, 1, true},
		     {GICR_SGI + 0x402, 2, false},
		     {GICR_SGI + 0xc00, 1, false},
		     {GICR_SGI + 0xd00, 1, false},
		     {GICR_SGI + 0xe00, 1, false}};
	for (unsigned i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		size_want("a GICR register", r + sizes[i].off, sizes[i].size, sizes[i].ok);
}

/* IROUTER<n>: Aff3.Aff2.Aff1.Aff0 and, unless TYPER.No1N, the 1-of-N mode
 * bit hold what is written (64-bit or 32-bit halves); absent SPIs RAZ/WI. */
static void v3_irouter(uint64_t d, unsigned nirq, bool no1n)
{
	uint64_t m = no1n ? 0xff00ffffffULL : 0xff80ffffffULL;
	for (unsigned i = 32; i < nirq; i++) {
		uint64_t a = d + 0x6000 + 8 * i, v = ~0ULL;
		nchecks++;
		if (!access(a, 8, true, &v) || !access(a, 8, false, &v))
			bad("64-bit access to IROUTER%u aborted", i);
		if (v != (implemented[i] ? m : 0))
			bad("IROUTER%u after all ones: 0x%lx, expected 0x%lx", i, v,
			    implemented[i] ? m : 0);
		wr(a, 0);
		wr(a + 4, 0);
		want("IROUTER (0 in both halves)", a, rd(a) | rd(a + 4), 0);
	}
}

static void v3(unsigned nirq)
{
	uint64_t d = gic.gicd;
	uint32_t ctlr = rd(d), typer = rd(d + 4), iidr = rd(d + 8);
	unsigned nrd = 0;
	nchecks++;
	/* One security state: DS set; ARE may be fixed at 1; groups off. */
	if ((ctlr & ~0x10u) != 0x40)
		bad("GICD_CTLR 0x%x at reset", ctlr);
	if (typer & (1u << 10))
		bad("GICD_TYPER 0x%x: SecurityExtn set", typer);
	check_bits_reset(d, 1, nirq / 32);
	check_prio_reset(d + 0x400, 32, nirq);
	while (nrd < env->ncpus && gic.gicr_size >= (nrd + 1) * GICR_FRAME)
		v3_rd_reset(gic.gicr + GICR_FRAME * nrd), nrd++;
	if (nrd != env->ncpus)
		bad("%u redistributor frames for %u CPUs", nrd, env->ncpus);

	wr_want("GICD_CTLR (all ones)", d, ~0u, 0x53); /* Grp0, Grp1, ARE, DS */
	wr_want("GICD_CTLR (groups off, ARE stays)", d, 0, 0x50);
	wr_want("GICD_TYPER (read-only)", d + 4, ~0u, typer);
	wr_want("GICD_IIDR (read-only)", d + 8, ~0u, iidr);
	/* Affinity routing: the private interrupts live in the redistributors. */
	for (uint64_t r = 0x080; r < 0x400; r += 0x80)
		check_raz_wi("GICD word 0 with ARE", d + r, d + r + 4);
	check_raz_wi("GICD IPRIORITYR0-7 with ARE", d + 0x400, d + 0x420);
	check_raz_wi("GICD ITARGETSR with ARE", d + 0x800, d + 0xc00);
	check_raz_wi("GICD ICFGR0-1 with ARE", d + 0xc00, d + 0xc08);
	find_implemented(d + 0x400, 32, nirq);
	check_bits(d, 1, nirq / 32, false);
	check_priority(d + 0x400, 32, nirq);
	check_cfg_spis(d + 0xc00, 32, nirq);
	v3_irouter(d, nirq, typer & (1u << 25));
	check_ids(d + 0xffe8, 3);
	for (unsigned k = 0; k < nrd; k++)
		v3_rd(gic.gicr + GICR_FRAME * k, k, k == nrd - 1);
	static const struct {
		uint16_t off;
		uint8_t size;
		bool ok;
	} sizes[] = {{0x0000, 1, false}, {0x0004, 2, false}, {0x0100, 1, false},
		     {0x0421, 1, true},	 {0x0422, 2, false}, {0x0800, 2, false},
		     {0x0c08, 1, false}, {0x6100, 1, false}, {0x6104, 4, true}};
	for (unsigned i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		size_want("a GICD register", d + sizes[i].off, sizes[i].size, sizes[i].ok);
}

const char *gicregs_run(const struct attack_env *e)
{
	static char why[96];
	env = e;
	const char *err = gic_probe(e->fdt);
	if (err)
		return err;
	unsigned nirq = gic.nr_irqs & ~31u;
	if (gic.version == 2)
		v2(nirq);
	else
		v3(nirq);
	unsigned spis = 0;
	for (unsigned i = 32; i < nirq; i++)
		spis += implemented[i];
	e->say("gicregs: GICv%u, %u INTIDs, %u SPIs implemented, priority bits 0x%02x: %u checks, "
	       "%u failed",
	       gic.version, nirq, spis, prio_mask, nchecks, nbad);
	if (!spis)
		return "no SPI holds a priority: nothing implemented to check";
	if (nbad)
		return snprintf(why, sizeof(why), "%u of %u register checks failed", nbad, nchecks),
		       why;
	return NULL;
}
