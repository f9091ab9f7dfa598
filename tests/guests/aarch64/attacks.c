/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The attack suite (tests/qemu/attacks.sh, tests/attacks/README.md): the
 * `attack` mode runs one attack after another against the hypervisor and a
 * neighbour, and after each pings the `victim` domain through their channel;
 * it prints `attack: <name> ... contained` only if the attack got exactly the
 * answer the architecture and Bulkhead's docs promise AND the victim's memory
 * checksums are unchanged AND its heartbeat advanced, else
 * `attack: <name> ... ESCAPED (<why>)`.
 *
 * The attacker runs 1:1 (memory-base), so the hypervisor's physical
 * addresses, given in bootargs, are IPAs it can aim at.
 */
#include <libfdt.h>

#include "attacks.h"
#include "common/hypercall.h"
#include "common/lib.h"
#include "irq.h"

#define say (env->say)

static const struct attack_env *env;

/* ---- bootargs: `key=0x...` words ---- */

static uint64_t arg(const char *key, uint64_t dflt)
{
	size_t n = strlen(key);
	for (const char *s = env->bootargs; s && *s;) {
		while (*s == ' ')
			s++;
		if (!strncmp(s, key, n) && s[n] == '=')
			return strtoul(s + n + 1, NULL, 0);
		while (*s && *s != ' ')
			s++;
	}
	return dflt;
}

/* ---- SMCCC ---- */

struct res {
	uint64_t x0, x1, x2, x3;
};

static struct res call(bool smc, uint64_t fid, uint64_t a1, uint64_t a2, uint64_t a3)
{
	register uint64_t x0 __asm__("x0") = fid;
	register uint64_t x1 __asm__("x1") = a1;
	register uint64_t x2 __asm__("x2") = a2;
	register uint64_t x3 __asm__("x3") = a3;
	if (smc)
		__asm__ volatile("smc #0"
				 : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)
				 :
				 : "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11", "x12", "x13",
				   "x14", "x15", "x16", "x17", "memory");
	else
		__asm__ volatile("hvc #0"
				 : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)
				 :
				 : "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11", "x12", "x13",
				   "x14", "x15", "x16", "x17", "memory");
	return (struct res){x0, x1, x2, x3};
}

static int64_t hc(uint64_t fid, uint64_t a1, uint64_t a2)
{
	return (int64_t)call(false, fid, a1, a2, 0).x0;
}

static int64_t psci(uint64_t fid, uint64_t a1, uint64_t a2, uint64_t a3)
{
	return (int64_t)call(env->psci_smc, fid, a1, a2, a3).x0;
}

#define PSCI_CPU_OFF	     0x84000002u
#define PSCI_CPU_ON_32	     0x84000003u
#define PSCI_CPU_ON	     0xC4000003u
#define PSCI_AFFINITY_INFO   0xC4000004u
#define PSCI_SYSTEM_RESET    0x84000009u
#define PSCI_SYSTEM_RESET2   0xC4000012u
#define PSCI_INVALID_PARAMS  (-2)
#define PSCI_ALREADY_ON	     (-4)
#define PSCI_INVALID_ADDRESS (-9)
#define AFF_OFF		     1

/* ---- time ---- */

static uint64_t ticks(void)
{
	isb();
	return read_sysreg(cntvct_el0);
}

static void delay_us(uint64_t us)
{
	uint64_t end = ticks() + us * read_sysreg(cntfrq_el0) / 1000000;
	while (ticks() < end)
		;
}

/* ---- the channel between attacker and victim ---- */

/* Words of the channel's memory. The attacker's words survive its restarts
 * (channel memory is zeroed only at boot). */
enum {
	SH_REQ,	      /* attacker: ping number */
	SH_ACK,	      /* victim: the ping it answered */
	SH_HB,	      /* victim: pings answered since it booted */
	SH_PAT_OK,    /* victim: pattern checksum equals the one at its boot */
	SH_CODE_OK,   /* victim: code checksum equals the one at its boot */
	SH_PAT,	      /* victim: pattern checksum */
	SH_CODE,      /* victim: code checksum */
	SH_REG,	      /* victim: its sub-page register */
	SH_GIC_OK,    /* victim: its GIC state as it set it */
	SH_STRAY,     /* victim: interrupts it did not ask for */
	SH_DONE,      /* attacker: finished, power off */
	SH_READY,     /* victim: set up */
	SH_LAST_HB,   /* attacker: the heartbeat of its last ping */
	SH_CONTAINED, /* attacker: counts, across its restarts */
	SH_ESCAPED,
	SH_NWORDS,
	SH_EXEC = 256, /* attacker: a RET to branch to (offset 1 KiB) */
};
#define READY_MAGIC 0x7e57ab1e
#define VICTIM_REG  0x5a

struct chan {
	volatile uint32_t *shm;
	uint64_t base, size;
	unsigned id, intid;
};

static bool find_chan(const char *peer, struct chan *c)
{
	const void *fdt = env->fdt;
	for (int n = fdt_node_offset_by_compatible(fdt, -1, "bulkhead,channel"); n >= 0;
	     n = fdt_node_offset_by_compatible(fdt, n, "bulkhead,channel")) {
		int len;
		const char *p = fdt_getprop(fdt, n, "bulkhead,peer", NULL);
		const fdt32_t *reg = fdt_getprop(fdt, n, "reg", &len);
		const fdt32_t *irq = fdt_getprop(fdt, n, "interrupts", NULL);
		const fdt32_t *id = fdt_getprop(fdt, n, "bulkhead,id", NULL);
		if (!p || strcmp(p, peer) || !reg || len != 16 || !irq || !id)
			continue;
		c->base = ((uint64_t)fdt32_to_cpu(reg[0]) << 32) | fdt32_to_cpu(reg[1]);
		c->size = ((uint64_t)fdt32_to_cpu(reg[2]) << 32) | fdt32_to_cpu(reg[3]);
		c->shm = (volatile uint32_t *)(uintptr_t)c->base;
		c->intid = 32 + fdt32_to_cpu(irq[1]);
		c->id = fdt32_to_cpu(id[0]);
		return true;
	}
	return false;
}

static int64_t notify(const struct chan *c)
{
	__asm__ volatile("dsb ish" ::: "memory");
	return hc(BH_HC_CHANNEL_NOTIFY, c->id, 0);
}

/* ---- checksums (victim) ---- */

#define PATTERN_OFF  0x100000 /* from the victim's RAM base */
#define PATTERN_SIZE 0x40000

extern char _text[], _etext[];

static uint64_t sum(const volatile uint64_t *p, uint64_t bytes)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	for (uint64_t i = 0; i < bytes / 8; i++)
		h = (h ^ p[i]) * 0x100000001b3ULL;
	return h;
}

/* ===================================================================== */
/* victim                                                                */
/* ===================================================================== */

static uint32_t victim_rings;

/* A tick every 100 ms, so a victim nobody pings still wakes to notice. */
static void on_victim_tick(uint32_t iar)
{
	(void)iar;
	vtimer_arm(vcount() + read_sysreg(cntfrq_el0) / 10);
}

static void on_victim_doorbell(uint32_t iar)
{
	(void)iar;
	__atomic_fetch_add(&victim_rings, 1, __ATOMIC_RELAXED);
}

/* Its passed-through device's interrupt, as it configured it: any change
 * made by someone else shows here. */
static uint32_t victim_gic_sig(unsigned intid)
{
	uint32_t en = (gicd_read(GICD_ISENABLER + intid / 32 * 4) >> (intid % 32)) & 1;
	uint32_t pend = (gicd_read(GICD_ISPENDR + intid / 32 * 4) >> (intid % 32)) & 1;
	uint32_t act = (gicd_read(GICD_ISACTIVER + intid / 32 * 4) >> (intid % 32)) & 1;
	uint32_t prio = (gicd_read(GICD_IPRIORITYR + (intid & ~3u)) >> (8 * (intid & 3))) & 0xff;
	uint32_t cfg = (gicd_read(GICD_ICFGR + intid / 16 * 4) >> (2 * (intid % 16))) & 3;
	uint32_t route =
	    gic.version == 3
		? (uint32_t)mmio_read64(gic.gicd + GICD_IROUTER + 8 * intid)
		: (gicd_read(GICD_ITARGETSR + (intid & ~3u)) >> (8 * (intid & 3))) & 0xff;
	return en | pend << 1 | act << 2 | cfg << 3 | prio << 8 | (route & 0xffff) << 16;
}

const char *victim_run(const struct attack_env *e)
{
	env = e;
	uint64_t reg = arg("reg", 0);
	unsigned dev_irq = (unsigned)arg("irq", 0);
	const char *err = gic_probe(e->fdt);
	if (err)
		return err;
	gic_dist_init();
	if ((err = gic_cpu_init()))
		return err;
	struct chan c;
	if (!find_chan("attacker", &c))
		return "no channel to attacker in the DT";
	irq_set_handler(c.intid, on_victim_doorbell);
	gic_set_priority(c.intid, 0x80);
	gic_route_to_self(c.intid);
	gic_enable(c.intid, true);
	if (dev_irq) { /* its device's line: enabled, it never rises (RTC match off) */
		gic_set_priority(dev_irq, 0x50);
		gic_route_to_self(dev_irq);
		gic_enable(dev_irq, true);
	}
	irq_set_handler(gic.timer_irq, on_victim_tick);
	gic_set_priority(gic.timer_irq, 0x80);
	gic_enable(gic.timer_irq, true);
	vtimer_arm(vcount() + read_sysreg(cntfrq_el0) / 10);
	uint32_t sig0 = dev_irq ? victim_gic_sig(dev_irq) : 0;
	if (reg)
		mmio_write32(reg, VICTIM_REG);

	volatile uint64_t *pat = (volatile uint64_t *)(uintptr_t)(e->mem_base + PATTERN_OFF);
	uint64_t x = 0x9e3779b97f4a7c15ULL;
	for (uint64_t i = 0; i < PATTERN_SIZE / 8; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		pat[i] = x;
	}
	uint64_t code_len = (uint64_t)(_etext - _text) & ~7ULL;
	uint64_t pat0 = sum(pat, PATTERN_SIZE);
	uint64_t code0 = sum((const volatile uint64_t *)(uintptr_t)_text, code_len);
	say("victim: pattern 0x%x bytes at 0x%lx, sum 0x%lx; code 0x%lx bytes, sum 0x%lx; "
	    "channel %u, doorbell %u",
	    PATTERN_SIZE, e->mem_base + PATTERN_OFF, pat0, code_len, code0, c.id, c.intid);
	c.shm[SH_READY] = READY_MAGIC;
	__asm__ volatile("dsb ish" ::: "memory");

	uint32_t hb = 0, last = c.shm[SH_REQ];
	/* A ping comes every few ms while the attacker lives: 20 s of silence
	 * means it is gone (e.g. stuck in a restart), so end rather than hang. */
	uint64_t idle_limit = 20 * read_sysreg(cntfrq_el0), idle_since = ticks();
	for (;;) {
		uint32_t req = __atomic_load_n(&c.shm[SH_REQ], __ATOMIC_ACQUIRE);
		if (req != last) {
			uint64_t p = sum(pat, PATTERN_SIZE);
			uint64_t k = sum((const volatile uint64_t *)(uintptr_t)_text, code_len);
			c.shm[SH_PAT_OK] = p == pat0;
			c.shm[SH_CODE_OK] = k == code0;
			c.shm[SH_PAT] = (uint32_t)p;
			c.shm[SH_CODE] = (uint32_t)k;
			c.shm[SH_REG] = reg ? mmio_read32(reg) : VICTIM_REG;
			c.shm[SH_GIC_OK] = !dev_irq || victim_gic_sig(dev_irq) == sig0;
			c.shm[SH_STRAY] = irq_stray.count;
			c.shm[SH_HB] = ++hb;
			__atomic_store_n(&c.shm[SH_ACK], req, __ATOMIC_RELEASE);
			notify(&c);
			last = req;
			idle_since = ticks();
		}
		if (c.shm[SH_DONE])
			break;
		if (ticks() - idle_since > idle_limit) {
			say("victim: no ping from the attacker for 20 s");
			break;
		}
		irq_wait();
	}
	vtimer_stop();
	say("victim: answered %u pings; pattern and code intact: %s", hb,
	    sum(pat, PATTERN_SIZE) == pat0 &&
		    sum((const volatile uint64_t *)(uintptr_t)_text, code_len) == code0
		? "yes"
		: "NO");
	return NULL;
}

/* ===================================================================== */
/* attacker                                                              */
/* ===================================================================== */

static struct {
	uint64_t ram, ram_end, victim, hyp, heap, own_reg, vreg, vdev;
	unsigned own_db, other_db, nr_irqs, nvcpus;
	struct chan c;
} A;

static char why[200];

#define CONSOLE_INTID 33 /* the console UART's SPI; the attacker's own vUART's */

/* Record the first deviation from what the attack must get. */
__attribute__((format(printf, 1, 2))) static void bad(const char *fmt, ...)
{
	if (why[0])
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
}

/* ---- exceptions an attack expects ---- */

static volatile struct {
	bool armed, resume_lr;
	unsigned n;
	uint64_t esr, far, elr, vector;
} tr;

bool attack_exception(struct frame *f, uint64_t vector)
{
	if (!tr.armed || cpu_slot() != 0 || (vector & 3) != 0 || tr.n >= 16)
		return false;
	if (tr.n++ == 0) {
		tr.esr = read_sysreg(esr_el1);
		tr.far = read_sysreg(far_el1);
		tr.elr = f->elr;
		tr.vector = vector;
	}
	f->elr = tr.resume_lr ? f->x[30] : f->elr + 4;
	return true;
}

static void arm(void)
{
	tr.n = 0;
	tr.resume_lr = false;
	tr.esr = tr.far = tr.elr = 0;
	__asm__ volatile("" ::: "memory");
	tr.armed = true;
	__asm__ volatile("" ::: "memory");
}

static void disarm(void)
{
	__asm__ volatile("" ::: "memory");
	tr.armed = false;
}

#define EC(esr)	   (((esr) >> 26) & 0x3f)
#define FSC(esr)   ((esr)&0x3f)
#define WNR(esr)   (((esr) >> 6) & 1)
#define EC_UNKNOWN 0x00
#define EC_IABT	   0x21
#define EC_DABT	   0x25
#define FSC_SEA	   0x10

/* Exactly one synchronous external data abort at `far` (WnR as given). */
static void want_sea(uint64_t far, bool write)
{
	if (tr.n != 1)
		bad("%u exceptions, expected one data abort at 0x%lx", tr.n, far);
	else if (EC(tr.esr) != EC_DABT || FSC(tr.esr) != FSC_SEA || tr.vector != 4)
		bad("ESR 0x%lx (vector %lu), expected a synchronous external data abort", tr.esr,
		    tr.vector);
	else if (tr.far != far)
		bad("FAR 0x%lx, expected 0x%lx", tr.far, far);
	else if (WNR(tr.esr) != write)
		bad("WnR %lu for a %s", WNR(tr.esr), write ? "write" : "read");
}

static void want_iabt(uint64_t far)
{
	if (tr.n != 1)
		bad("%u exceptions, expected one instruction abort at 0x%lx", tr.n, far);
	else if (EC(tr.esr) != EC_IABT || FSC(tr.esr) != FSC_SEA)
		bad("ESR 0x%lx, expected a synchronous external instruction abort", tr.esr);
	else if (tr.far != far)
		bad("FAR 0x%lx, expected 0x%lx", tr.far, far);
}

static void want_undef(void)
{
	if (tr.n != 1)
		bad("%u exceptions, expected one undefined instruction", tr.n);
	else if (EC(tr.esr) != EC_UNKNOWN)
		bad("ESR 0x%lx, expected an undefined instruction (EC 0)", tr.esr);
}

static void want_none(void)
{
	if (tr.n)
		bad("unexpected exception ESR 0x%lx FAR 0x%lx ELR 0x%lx", tr.esr, tr.far, tr.elr);
}

/* ---- accesses ---- */

enum op {
	LD1,
	LD2,
	LD4,
	LD8,
	ST1,
	ST2,
	ST4,
	ST8,
	LDP,
	STP,
	LDXR,
	STXR,
	LDR_POST,
	LDR_Q,
	DC_ZVA,
	EXEC,
};

static uint64_t op_result;

static void do_op(enum op op, uint64_t addr, uint64_t val)
{
	uint64_t v = 0, v2 = 0, a = addr;
	uint32_t status = 0;
	arm();
	switch (op) {
	case LD1:
		__asm__ volatile("ldrb %w0, [%1]" : "+r"(v) : "r"(a) : "memory");
		break;
	case LD2:
		__asm__ volatile("ldrh %w0, [%1]" : "+r"(v) : "r"(a) : "memory");
		break;
	case LD4:
		__asm__ volatile("ldr %w0, [%1]" : "+r"(v) : "r"(a) : "memory");
		break;
	case LD8:
		__asm__ volatile("ldr %0, [%1]" : "+r"(v) : "r"(a) : "memory");
		break;
	case ST1:
		__asm__ volatile("strb %w0, [%1]" ::"r"(val), "r"(a) : "memory");
		break;
	case ST2:
		__asm__ volatile("strh %w0, [%1]" ::"r"(val), "r"(a) : "memory");
		break;
	case ST4:
		__asm__ volatile("str %w0, [%1]" ::"r"(val), "r"(a) : "memory");
		break;
	case ST8:
		__asm__ volatile("str %0, [%1]" ::"r"(val), "r"(a) : "memory");
		break;
	case LDP:
		__asm__ volatile("ldp %w0, %w1, [%2]" : "+r"(v), "+r"(v2) : "r"(a) : "memory");
		break;
	case STP:
		__asm__ volatile("stp %w0, %w1, [%2]" ::"r"(val), "r"(val), "r"(a) : "memory");
		break;
	case LDXR:
		__asm__ volatile("ldxr %w0, [%1]" : "+r"(v) : "r"(a) : "memory");
		break;
	case STXR:
		__asm__ volatile("stxr %w0, %w1, [%2]"
				 : "+r"(status)
				 : "r"(val), "r"(a)
				 : "memory");
		break;
	case LDR_POST:
		__asm__ volatile("ldr %w0, [%1], #4" : "+r"(v), "+r"(a) : : "memory");
		break;
	case LDR_Q:
		__asm__ volatile("ldr q16, [%0]" : : "r"(a) : "memory", "v16");
		break;
	case DC_ZVA:
		__asm__ volatile("dc zva, %0" : : "r"(a) : "memory");
		break;
	case EXEC:
		tr.resume_lr = true;
		__asm__ volatile("blr %0"
				 :
				 : "r"(a)
				 : "x0", "x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8", "x9",
				   "x10", "x11", "x12", "x13", "x14", "x15", "x16", "x17", "x30",
				   "memory", "cc");
		break;
	}
	disarm();
	__asm__ volatile("clrex" ::: "memory");
	op_result = v;
}

static bool is_write(enum op op)
{
	return op == ST1 || op == ST2 || op == ST4 || op == ST8 || op == STP || op == STXR ||
	       op == DC_ZVA;
}

/* One access that must end in a synchronous external abort at addr. */
static void sea(enum op op, uint64_t addr)
{
	do_op(op, addr, 0x5555aaaa5555aaaaULL);
	want_sea(addr, is_write(op));
}

/* A Normal-memory alias of IPA space (level-1 block 8 + n maps PA n GiB up):
 * unaligned accesses and DC ZVA reach stage 2 there, as they cannot on the
 * Device mapping of 0-1 GiB. */
#define ALIAS_SLOT 8

static uint64_t alias(uint64_t ipa)
{
	static uint64_t mapped = ~0ULL;
	uint64_t gib = ipa >> 30;
	if (mapped != gib) {
		volatile uint64_t *l1 =
		    (volatile uint64_t *)(uintptr_t)(read_sysreg(ttbr0_el1) & 0xfffffffff000ULL);
		/* block, AF, attr 1 (Normal WB), inner shareable, UXN */
		l1[ALIAS_SLOT] = (gib << 30) | 1 | (1 << 10) | (1 << 2) | (3 << 8) | (1ULL << 54);
		__asm__ volatile("dsb ishst\n\ttlbi vmalle1\n\tdsb ish\n\tisb" ::: "memory");
		mapped = gib;
	}
	return ((uint64_t)ALIAS_SLOT << 30) | (ipa & ((1ULL << 30) - 1));
}

/* ---- the victim's heartbeat ---- */

static uint32_t stray_before;

static void ping_victim(void)
{
	volatile uint32_t *s = A.c.shm;
	uint32_t seq = s[SH_REQ] + 1;
	__atomic_store_n(&s[SH_REQ], seq, __ATOMIC_RELEASE);
	int64_t r = notify(&A.c);
	if (r)
		bad("CHANNEL_NOTIFY of its own channel returned %ld", r);
	uint64_t freq = read_sysreg(cntfrq_el0), start = ticks(), rung = start;
	while (__atomic_load_n(&s[SH_ACK], __ATOMIC_ACQUIRE) != seq) {
		uint64_t t = ticks();
		if (t - start > 3 * freq) {
			bad("victim did not answer ping %u within 3 s (heartbeat stuck at %u)", seq,
			    s[SH_HB]);
			return;
		}
		if (t - rung > freq / 5) { /* ring again: bounded, not lost */
			notify(&A.c);
			rung = t;
		}
	}
	if (s[SH_HB] <= s[SH_LAST_HB])
		bad("victim's heartbeat %u did not advance past %u (restarted?)", s[SH_HB],
		    s[SH_LAST_HB]);
	s[SH_LAST_HB] = s[SH_HB];
	if (!s[SH_PAT_OK])
		bad("victim's memory pattern checksum changed (now 0x%x)", s[SH_PAT]);
	if (!s[SH_CODE_OK])
		bad("victim's code checksum changed (now 0x%x)", s[SH_CODE]);
	if (s[SH_REG] != VICTIM_REG)
		bad("victim's sub-page register reads 0x%x, it wrote 0x%x", s[SH_REG], VICTIM_REG);
	if (!s[SH_GIC_OK])
		bad("victim's view of its device interrupt changed");
	if (s[SH_STRAY])
		bad("victim took %u interrupts it never asked for", s[SH_STRAY]);
	if (irq_stray.count != stray_before)
		bad("attacker took an interrupt it has no handler for (INTID %u)",
		    irq_stray.last_intid);
}

/* ---- known-open list and the verdict ---- */

static void verdict(const char *name)
{
	ping_victim();
	volatile uint32_t *s = A.c.shm;
	if (why[0]) {
		say("attack: %s ... ESCAPED (%s)", name, why);
		s[SH_ESCAPED]++;
	} else {
		say("attack: %s ... contained", name);
		s[SH_CONTAINED]++;
	}
	why[0] = 0;
	stray_before = irq_stray.count;
}

/* ===================================================================== */
/* attacks: stage 2                                                      */
/* ===================================================================== */

static void a_ram_below_read(void)
{
	sea(LD8, A.ram - 8);
}
static void a_ram_below_write(void)
{
	sea(ST8, A.ram - 8);
}

static void a_ram_last_word(void)
{
	uint64_t a = A.ram_end - 8;
	do_op(ST8, a, 0x1122334455667788ULL);
	want_none();
	do_op(LD8, a, 0);
	want_none();
	if (op_result != 0x1122334455667788ULL)
		bad("its own last RAM word reads 0x%lx", op_result);
}

static void a_ram_straddle(void)
{
	/* 8 bytes at base - 4 (Normal memory through the alias window: IPA
	 * alias works only below 4 GiB, so use the 1 GiB-aligned window). */
	uint64_t a = alias(A.ram - 4);
	do_op(LD8, a, 0);
	if (tr.n != 1 || EC(tr.esr) != EC_DABT || FSC(tr.esr) != FSC_SEA)
		bad("%u exceptions, ESR 0x%lx: expected one synchronous external abort", tr.n,
		    tr.esr);
	else if (tr.far < a || tr.far >= a + 4)
		bad("FAR 0x%lx, expected within the 4 bytes below its RAM (alias 0x%lx)", tr.far,
		    a);
}

static void a_chan_end_read(void)
{
	sea(LD4, A.c.base + A.c.size);
}
static void a_chan_end_write(void)
{
	sea(ST4, A.c.base + A.c.size);
}
static void a_victim_ram_read(void)
{
	sea(LD8, A.victim + PATTERN_OFF);
}
static void a_victim_ram_write(void)
{
	sea(ST8, A.victim + PATTERN_OFF + 0x100);
}
static void a_hyp_image_read(void)
{
	sea(LD8, A.hyp);
}
static void a_hyp_image_write(void)
{
	sea(ST8, A.hyp + 0x1000);
}
static void a_hyp_heap_read(void)
{
	sea(LD8, A.heap);
}
static void a_hyp_heap_write(void)
{
	sea(ST8, A.heap + 0x3ff000);
}
static void a_board_ram_base(void)
{
	sea(LD8, 0x40000000);
}

static void a_ipa_top(void)
{
	uint64_t top = (1ULL << 40) - 8; /* the last IPA of a 40-bit stage 2 */
	uint64_t a = alias(top);
	do_op(LD8, a, 0);
	want_sea(a, false);
}

static void a_ipa_beyond(void)
{
	uint64_t a = alias(1ULL << 40); /* beyond the stage-2 input range */
	do_op(ST8, a, 1);
	want_sea(a, true);
}

static void a_victim_device_read(void)
{
	sea(LD4, A.vdev);
}
static void a_victim_device_write(void)
{
	sea(ST4, A.vdev + 0x10);
}
static void a_console_next_page(void)
{
	sea(LD4, 0x09001000);
}
/* FR's offset on that page: the vector serves FR by the whole IPA, never
 * by the offset alone (arch-arm64/vectors.S: guest_fr_fast). */
static void a_console_next_page_fr(void)
{
	sea(LD4, 0x09001018);
}
static void a_subpage_neighbour_read(void)
{
	sea(LD4, A.vreg);
}
static void a_subpage_neighbour_write(void)
{
	sea(ST4, A.vreg);
}
static void a_subpage_neighbour_byte(void)
{
	sea(ST1, A.vreg + 3);
}
static void a_subpage_overlap8(void)
{
	sea(ST8, A.own_reg);
}
static void a_subpage_page_after(void)
{
	sea(LD4, (A.own_reg & ~0xfffULL) + 0x1000);
}
static void a_subpage_page_before(void)
{
	sea(LD4, (A.own_reg & ~0xfffULL) - 0x1000);
}

static void a_exec_channel(void)
{
	uint64_t a = A.c.base + SH_EXEC * 4;
	A.c.shm[SH_EXEC] = 0xd65f03c0; /* ret */
	__asm__ volatile("dc cvau, %0\n\tdsb ish\n\tic ivau, %0\n\tdsb ish\n\tisb" ::"r"(a)
			 : "memory");
	do_op(EXEC, a, 0);
	want_iabt(a);
}

static void a_exec_hyp(void)
{
	do_op(EXEC, A.hyp, 0);
	want_iabt(A.hyp);
}

static void a_exec_victim(void)
{
	do_op(EXEC, A.victim + PATTERN_OFF, 0);
	want_iabt(A.victim + PATTERN_OFF);
}

/* GIC frames not given to the guest */
static void a_gicd_beyond(void)
{
	sea(LD4, gic.gicd + (gic.version == 3 ? 0x10000 : 0x1000));
}
static void a_gich_read(void)
{
	sea(LD4, 0x08030000);
}
static void a_gich_write(void)
{
	sea(ST4, 0x08030100); /* GICH_LR0 */
}
static void a_gicv_phys(void)
{
	sea(LD4, 0x08040000);
}
static void a_v2m(void)
{
	sea(LD4, 0x08020000);
}
static void a_gicc_beyond(void)
{
	sea(LD4, gic.gicc + 0x2000);
}
static void a_gicr_beyond_read(void)
{
	sea(LD4, gic.gicr + 0x20000ULL * A.nvcpus);
}
static void a_gicr_beyond_write(void)
{
	sea(ST4, gic.gicr + 0x20000ULL * A.nvcpus + 0x10100);
}
static void a_its(void)
{
	sea(LD4, 0x08080000);
}

/* ===================================================================== */
/* attacks: accesses without a syndrome (ISV = 0) to emulated devices    */
/* ===================================================================== */

static void a_gicd_ldp(void)
{
	sea(LDP, gic.gicd + GICD_ISENABLER + 4);
}
static void a_gicd_stp(void)
{
	sea(STP, gic.gicd + GICD_ISENABLER + 4);
}
static void a_gicd_ldr_post(void)
{
	sea(LDR_POST, gic.gicd + GICD_TYPER);
}
static void a_gicd_ldr_q(void)
{
	sea(LDR_Q, gic.gicd + GICD_IPRIORITYR);
}

/* Exclusives on Device memory: the access reaches stage 2 without a usable
 * syndrome and must be refused like any other. */
static void a_gicd_ldxr(void)
{
	sea(LDXR, gic.gicd + GICD_ISENABLER + 4);
}
/* A store-exclusive with no exclusive monitor armed (its LDXR aborted) may
 * fail without an access (status 1) or abort; it must never write. */
static void a_gicd_stxr(void)
{
	uint64_t a = gic.gicd + GICD_ISENABLER + 4; /* SPIs 32-63: none is its own */
	do_op(LDXR, a, 0);
	uint32_t status = 0;
	arm();
	__asm__ volatile("stxr %w0, %w1, [%2]" : "+r"(status) : "r"(~0u), "r"(a) : "memory");
	disarm();
	if (tr.n)
		want_sea(a, true);
	else if (status != 1)
		bad("STXR to GICD without an abort returned status %u, expected 1 (failed)",
		    status);
	if (gicd_read(GICD_ISENABLER + 4))
		bad("ISENABLER1 reads 0x%x after the STXR", gicd_read(GICD_ISENABLER + 4));
}

static void a_gicd_dc_zva(void)
{
	uint64_t a = alias(gic.gicd + GICD_IPRIORITYR + 0x40);
	do_op(DC_ZVA, a, 0);
	if (tr.n != 1 || EC(tr.esr) != EC_DABT || FSC(tr.esr) != FSC_SEA)
		bad("%u exceptions, ESR 0x%lx: expected one synchronous external abort", tr.n,
		    tr.esr);
	else if ((tr.far & ~63ULL) != (a & ~63ULL))
		bad("FAR 0x%lx, expected in the block at 0x%lx", tr.far, a);
	/* and the priorities it would have zeroed are as they were: RAZ for
	 * SPIs that are not its own, so nothing to see but the abort */
}

static void a_gicr_ldp(void)
{
	sea(LDP, gic.gicr + 0x10000 + GICD_ISENABLER);
}
static void a_gicr_stp(void)
{
	sea(STP, gic.gicr + 0x10000 + GICD_ISENABLER);
}
static void a_vuart_ldp(void)
{
	sea(LDP, 0x09000000);
}
static void a_vuart_stp(void)
{
	sea(STP, 0x09000000);
}
static void a_subpage_ldp(void)
{
	sea(LDP, A.own_reg);
}
static void a_vuart_ldxr(void)
{
	sea(LDXR, 0x09000018);
}
/* UARTFR in a size the emulated PL011 refuses (its registers take 16 or
 * 32 bits): C injects an abort, and the vector's FR read (SAS 1 or 2 only)
 * must leave both to it. */
static void a_vuart_fr_byte(void)
{
	sea(LD1, 0x09000018);
}
static void a_vuart_fr_64(void)
{
	sea(LD8, 0x09000018);
}
static void a_subpage_ldxr(void)
{
	sea(LDXR, A.own_reg);
}
static void a_gicr_ldxr(void)
{
	sea(LDXR, gic.gicr + 0x10000 + GICD_ISENABLER);
}

/* ===================================================================== */
/* attacks: vGIC index and size edges                                    */
/* ===================================================================== */

static void word_raz(uint64_t off, uint32_t val)
{
	do_op(ST4, gic.gicd + off, val);
	want_none();
	do_op(LD4, gic.gicd + off, 0);
	want_none();
	if ((uint32_t)op_result)
		bad("GICD+0x%lx reads 0x%x after writing 0x%x, expected RAZ/WI", off,
		    (uint32_t)op_result, val);
}

static void a_ipriorityr_beyond(void)
{
	for (unsigned i = A.nr_irqs; i < 1024; i += 4)
		word_raz(GICD_IPRIORITYR + i, 0xffffffff);
}

static void a_icfgr_beyond(void)
{
	for (unsigned i = A.nr_irqs; i < 1024; i += 16)
		word_raz(GICD_ICFGR + i / 4, 0xffffffff);
}

static void a_itargetsr_beyond(void)
{
	for (unsigned i = A.nr_irqs; i < 1024; i += 4)
		word_raz(GICD_ITARGETSR + i, 0xffffffff);
}

static void a_irouter_beyond(void)
{
	for (unsigned i = A.nr_irqs; i < 1024; i++) {
		uint64_t a = gic.gicd + GICD_IROUTER + 8ULL * i;
		do_op(ST8, a, ~0ULL);
		do_op(LD8, a, 0);
		want_none();
		if (op_result)
			bad("IROUTER%u reads 0x%lx, expected RAZ/WI", i, op_result);
	}
}

static void bitmap_beyond(uint64_t set_reg)
{
	for (unsigned i = A.nr_irqs; i < 1024; i += 32)
		word_raz(set_reg + i / 8, 0xffffffff);
}

static void a_isenabler_beyond(void)
{
	bitmap_beyond(GICD_ISENABLER);
}
static void a_ispendr_beyond(void)
{
	bitmap_beyond(GICD_ISPENDR);
}
static void a_isactiver_beyond(void)
{
	bitmap_beyond(GICD_ISACTIVER);
}

static uint8_t prio_of(unsigned intid)
{
	return (uint8_t)(gicd_read(GICD_IPRIORITYR + (intid & ~3u)) >> (8 * (intid & 3)));
}

/* A word write at a byte offset across the owned doorbell's priority byte:
 * refused with an external abort (the distributor takes aligned words
 * only); the neighbours (not its own, or nonexistent) stay RAZ. */
static void a_ipriorityr_unaligned(void)
{
	unsigned first = A.own_db - 1;
	uint64_t a = alias(gic.gicd + GICD_IPRIORITYR + first);
	uint8_t own = prio_of(A.own_db);
	do_op(ST4, a, 0xa8a8a8a8);
	want_sea(a, true);
	for (unsigned i = first; i < first + 4 && i < 1020; i++) {
		uint8_t p = prio_of(i);
		if (i != A.own_db && p)
			bad("priority of INTID %u (not its own) reads 0x%x", i, p);
		if (i == A.own_db && p != own)
			bad("its own doorbell's priority reads 0x%x, was 0x%x", p, own);
	}
}

/* A word at ISENABLER + 6 straddles ISENABLER1 and ISENABLER2: refused
 * with an external abort; only its own SPIs (its UART's 33) may be
 * enabled, and nothing in the next register. */
static void a_isenabler_unaligned(void)
{
	uint64_t a = alias(gic.gicd + GICD_ISENABLER + 6);
	do_op(ST4, a, ~0u);
	want_sea(a, true);
	uint32_t e1 = gicd_read(GICD_ISENABLER + 4), e2 = gicd_read(GICD_ISENABLER + 8);
	gicd_write(GICD_ICENABLER + 4, ~0u);
	gicd_write(GICD_ICENABLER + 8, ~0u);
	if (e1 & ~(1u << (CONSOLE_INTID - 32)))
		bad("ISENABLER1 reads 0x%x: SPIs that are not its own enabled", e1);
	if (e2)
		bad("ISENABLER2 reads 0x%x", e2);
}

static void a_icfgr_byte(void)
{
	sea(ST1, gic.gicd + GICD_ICFGR + 8);
}
static void a_isenabler_half(void)
{
	sea(ST2, gic.gicd + GICD_ISENABLER + 4);
}
static void a_itargetsr_half(void)
{
	sea(ST2, gic.gicd + GICD_ITARGETSR + 32);
}
static void a_irouter_misaligned(void)
{
	uint64_t a = alias(gic.gicd + GICD_IROUTER + 8ULL * A.own_db + 4);
	do_op(ST8, a, 0);
	want_sea(a, true);
}

static void a_gicd_reserved_sweep(void)
{
	/* Reserved and implementation-defined words of the distributor. */
	static const uint32_t v2[][2] = {
	    {0x00c, 0x080}, {0xd00, 0xf00}, {0xf04, 0xf10}, {0xf30, 0xfd0}};
	static const uint32_t v3[][2] = {{0x00c, 0x080}, {0xd00, 0x6000}, {0x8000, 0xffd0}};
	const uint32_t(*r)[2] = gic.version == 3 ? v3 : v2;
	unsigned n = gic.version == 3 ? 3 : 4;
	for (unsigned k = 0; k < n; k++)
		for (uint32_t off = r[k][0]; off < r[k][1]; off += 0x40)
			word_raz(off, 0xffffffff);
}

static void a_gicd_private_via_gicd(void)
{
	/* GICv3 with affinity routing: SGI/PPI registers in GICD are RAZ/WI. */
	word_raz(GICD_ISENABLER, 0xffffffff);
	word_raz(GICD_IPRIORITYR, 0xffffffff);
}

static void a_gicr_lpi_tables(void)
{
	/* PROPBASER/PENDBASER pointing into the hypervisor, then EnableLPIs:
	 * no LPIs in the guest's GIC, so RAZ/WI. */
	static const uint32_t offs[] = {0x70, 0x74, 0x78, 0x7c, 0x00};
	uint64_t rd = gic.gicr;
	for (unsigned i = 0; i < ARRAY_SIZE(offs); i++) {
		uint32_t v = offs[i] == 0 ? 1 : (offs[i] & 4) ? 0 : (uint32_t)A.heap | 0x387;
		do_op(ST4, rd + offs[i], v);
		do_op(LD4, rd + offs[i], 0);
		want_none();
		if ((uint32_t)op_result)
			bad("GICR+0x%x reads 0x%x after writing 0x%x", offs[i], (uint32_t)op_result,
			    v);
	}
}

static void a_gicr_typer_unaligned(void)
{
	uint64_t a = alias(gic.gicr + 0x0a);
	do_op(LD4, a, 0);
	want_sea(a, false);
}

/* ===================================================================== */
/* attacks: other domains' and the hypervisor's INTIDs                   */
/* ===================================================================== */

static uint32_t taken[IRQ_NR > 1024 ? IRQ_NR : 1024];

static void on_any(uint32_t iar)
{
	unsigned i = gic_iar_intid(iar);
	if (i < 1024)
		__atomic_fetch_add(&taken[i], 1, __ATOMIC_RELAXED);
}

enum fop { F_ENABLE, F_PEND, F_ACTIVATE, F_CONFIG, F_PRIORITY, F_ROUTE };
static const char *const fop_names[] = {"enable", "pending",  "active",
					"config", "priority", "route"};

static uint32_t field(unsigned intid, enum fop op)
{
	switch (op) {
	case F_ENABLE:
		return (gicd_read(GICD_ISENABLER + intid / 32 * 4) >> (intid % 32)) & 1;
	case F_PEND:
		return (gicd_read(GICD_ISPENDR + intid / 32 * 4) >> (intid % 32)) & 1;
	case F_ACTIVATE:
		return (gicd_read(GICD_ISACTIVER + intid / 32 * 4) >> (intid % 32)) & 1;
	case F_CONFIG:
		return (gicd_read(GICD_ICFGR + intid / 16 * 4) >> (2 * (intid % 16))) & 3;
	case F_PRIORITY:
		return prio_of(intid);
	case F_ROUTE:
		if (gic.version == 3)
			return (uint32_t)mmio_read64(gic.gicd + GICD_IROUTER + 8ULL * intid);
		return (gicd_read(GICD_ITARGETSR + (intid & ~3u)) >> (8 * (intid & 3))) & 0xff;
	}
	return 0;
}

static void fwrite_op(unsigned intid, enum fop op)
{
	uint32_t bit = 1u << (intid % 32);
	switch (op) {
	case F_ENABLE:
		gicd_write(GICD_ISENABLER + intid / 32 * 4, bit);
		break;
	case F_PEND:
		gicd_write(GICD_ISPENDR + intid / 32 * 4, bit);
		break;
	case F_ACTIVATE:
		gicd_write(GICD_ISACTIVER + intid / 32 * 4, bit);
		break;
	case F_CONFIG:
		gicd_write(GICD_ICFGR + intid / 16 * 4, 3u << (2 * (intid % 16)));
		break;
	case F_PRIORITY:
		gicd_write(GICD_IPRIORITYR + (intid & ~3u), 0x10101010u);
		break;
	case F_ROUTE:
		if (gic.version == 3)
			mmio_write64(gic.gicd + GICD_IROUTER + 8ULL * intid, 1); /* to vCPU 1 */
		else
			gicd_write(GICD_ITARGETSR + (intid & ~3u), 0x02020202u); /* CPU 1 */
		break;
	}
}

/* Enable, pend, activate, configure, prioritise or route an INTID that is
 * not the attacker's: RAZ/WI, and it never arrives. Done with IRQs open. */
static void foreign(unsigned intid, enum fop op)
{
	irq_set_handler(intid, on_any);
	taken[intid] = 0;
	arm();
	fwrite_op(intid, op);
	if (op != F_ENABLE)
		fwrite_op(intid, F_ENABLE);
	if (op != F_PEND)
		fwrite_op(intid, F_PEND);
	disarm();
	want_none();
	irq_enable();
	delay_us(2000);
	irq_disable();
	for (enum fop f = F_ENABLE; f <= F_ROUTE; f++) {
		uint32_t v = field(intid, f);
		if (v)
			bad("INTID %u (not its own): %s reads 0x%x, expected RAZ/WI", intid,
			    fop_names[f], v);
	}
	if (taken[intid])
		bad("INTID %u (not its own) was delivered %u time(s)", intid, taken[intid]);
	irq_set_handler(intid, NULL);
}

#define FOREIGN(tag, expr)                                                                         \
	static void a_##tag##_enable(void)                                                         \
	{                                                                                          \
		foreign(expr, F_ENABLE);                                                           \
	}                                                                                          \
	static void a_##tag##_pend(void)                                                           \
	{                                                                                          \
		foreign(expr, F_PEND);                                                             \
	}                                                                                          \
	static void a_##tag##_activate(void)                                                       \
	{                                                                                          \
		foreign(expr, F_ACTIVATE);                                                         \
	}                                                                                          \
	static void a_##tag##_config(void)                                                         \
	{                                                                                          \
		foreign(expr, F_CONFIG);                                                           \
	}                                                                                          \
	static void a_##tag##_priority(void)                                                       \
	{                                                                                          \
		foreign(expr, F_PRIORITY);                                                         \
	}                                                                                          \
	static void a_##tag##_route(void)                                                          \
	{                                                                                          \
		foreign(expr, F_ROUTE);                                                            \
	}

#define VDEV_INTID 34 /* the victim's PL031's SPI 2 */
#define FREE_INTID 40 /* an SPI no domain has */
FOREIGN(vdev, VDEV_INTID)
FOREIGN(odb, A.other_db)
FOREIGN(free, FREE_INTID)

/* The console's SPI is the physical UART's, which stays the hypervisor's;
 * the attacker's INTID 33 is its own emulated UART's line: changes act on
 * that virtual line only (and this line still gets printed). */
static void a_console_spi_enable(void)
{
	fwrite_op(CONSOLE_INTID, F_ENABLE);
	if (field(CONSOLE_INTID, F_ENABLE) != 1)
		bad("its own UART line does not read enabled");
	gicd_write(GICD_ICENABLER + 4, 1u << 1);
	if (field(CONSOLE_INTID, F_ENABLE))
		bad("its own UART line does not read disabled after ICENABLER");
}

static void a_console_spi_pend(void)
{
	fwrite_op(CONSOLE_INTID, F_PEND);
	if (field(CONSOLE_INTID, F_PEND) != 1)
		bad("its own (disabled) UART line does not read pending");
	gicd_write(GICD_ICPENDR + 4, 1u << 1);
	if (field(CONSOLE_INTID, F_PEND))
		bad("its own UART line still pending after ICPENDR");
}

static void a_console_spi_route(void)
{
	if (gic.version == 3) {
		uint64_t a = gic.gicd + GICD_IROUTER + 8 * CONSOLE_INTID;
		mmio_write64(a, 0x100); /* Aff1 = 1: no such vCPU */
		uint64_t v = mmio_read64(a);
		if (v != 0x100)
			bad("IROUTER33 reads 0x%lx after writing 0x100", v);
		mmio_write64(a, 0);
	} else {
		uint64_t a = gic.gicd + GICD_ITARGETSR + 32;
		uint32_t old = mmio_read32(a);
		mmio_write32(a, (old & ~0xff00u) | 0x8000u); /* CPU interface 7: none */
		uint32_t v = (mmio_read32(a) >> 8) & 0xff;
		if (v)
			bad("ITARGETSR33 reads 0x%x after targeting interface 7 of 3", v);
		mmio_write32(a, old);
	}
}

static void want_ret(const char *what, int64_t got, int64_t exp);
static int64_t hc(uint64_t fid, uint64_t a1, uint64_t a2);

/* A line that would pass for the hypervisor's, through its UART and
 * through the console hypercall: it must come out with its "[attacker] "
 * prefix (attacks.sh checks the log). */
static void a_console_forge_uart(void)
{
	static const char line[] = "\nbulkhead: FORGED through the UART\n";
	arm();
	for (const char *p = line; *p; p++)
		mmio_write32(0x09000000, (uint8_t)*p); /* UARTDR */
	disarm();
	want_none();
}

static void a_console_forge_hc(void)
{
	static const char line[] = "\nbulkhead: FORGED through BH_HC_CONSOLE_WRITE\n";
	want_ret("CONSOLE_WRITE(forged line)",
		 hc(BH_HC_CONSOLE_WRITE, (uintptr_t)line, sizeof(line) - 1),
		 (int64_t)sizeof(line) - 1);
}

/* ===================================================================== */
/* attacks: SGIs                                                         */
/* ===================================================================== */

#define SGI_ID 3 /* wakes the sinks; the attacks use SGIs 4-15, one each */
static volatile uint32_t sgi_count[MAX_CPUS][16];
static volatile uint32_t sink_ready[MAX_CPUS];
static volatile bool sink_stop;
static unsigned sgi_next = 4;
static uint16_t sgi_none; /* SGIs that no vCPU may ever take */

static void on_sgi(uint32_t iar)
{
	sgi_count[cpu_slot()][gic_iar_intid(iar) & 15]++;
}

static void sink_job(unsigned slot)
{
	if (gic_cpu_init())
		return;
	for (unsigned i = 0; i < 16; i++) {
		gic_set_priority(i, 0x80);
		gic_enable(i, true);
	}
	sink_ready[slot] = 1;
	__asm__ volatile("dsb ish\n\tsev" ::: "memory");
	irq_enable();
	while (!sink_stop)
		__asm__ volatile("wfi" ::: "memory");
	irq_disable();
}

static unsigned sgi_id;

/* Send (SGI sgi_id) and wait for the expected deliveries, then a little
 * more for any that should not come (QEMU's vCPUs on a loaded host are
 * slow to wake: up to 200 ms). */
static void sgi_expect(void (*send)(void), uint32_t self, uint32_t v1, uint32_t v2)
{
	uint32_t want[3] = {self, v1, v2};
	__asm__ volatile("dsb ish" ::: "memory");
	irq_enable();
	arm();
	send();
	disarm();
	uint64_t end = ticks() + read_sysreg(cntfrq_el0) / 5;
	for (unsigned c = 0; c < 3; c++)
		while (sgi_count[c][sgi_id] < want[c] && ticks() < end)
			;
	delay_us(self + v1 + v2 ? 5000 : 20000);
	irq_disable();
	want_none();
	if (!(self + v1 + v2))
		sgi_none |= (uint16_t)(1u << sgi_id);
	if (sgi_count[0][sgi_id] != self || sgi_count[1][sgi_id] != v1 ||
	    sgi_count[2][sgi_id] != v2)
		bad("SGI %u taken %u/%u/%u times by vCPUs 0/1/2, expected %u/%u/%u", sgi_id,
		    sgi_count[0][sgi_id], sgi_count[1][sgi_id], sgi_count[2][sgi_id], self, v1, v2);
}

/* After all of them: no SGI that must not arrive came late. */
static void a_sgi_late(void)
{
	delay_us(50000);
	for (unsigned i = 0; i < 16; i++)
		if ((sgi_none >> i) & 1)
			for (unsigned c = 0; c < 3; c++)
				if (sgi_count[c][i])
					bad("SGI %u (sent to nobody) reached vCPU %u later", i, c);
}

static uint64_t sgi_val;
static void send_sgi1r(void)
{
	__asm__ volatile("msr S3_0_C12_C11_5, %0\n\tisb" ::"r"(sgi_val) : "memory");
}
static void send_asgi1r(void)
{
	__asm__ volatile("msr S3_0_C12_C11_6, %0\n\tisb" ::"r"(sgi_val) : "memory");
}
static void send_sgi0r(void)
{
	__asm__ volatile("msr S3_0_C12_C11_7, %0\n\tisb" ::"r"(sgi_val) : "memory");
}
static void send_sgir(void)
{
	gicd_write(GICD_SGIR, (uint32_t)sgi_val);
}

static unsigned next_sgi(void)
{
	sgi_id = sgi_next++ & 15;
	return sgi_id;
}
#define SGI1R(tl) (((uint64_t)next_sgi() << 24) | (tl))
static void a_sgi1r_aff1(void)
{
	sgi_val = SGI1R(7) | (1ULL << 16);
	sgi_expect(send_sgi1r, 0, 0, 0);
}
static void a_sgi1r_aff2(void)
{
	sgi_val = SGI1R(7) | (1ULL << 32);
	sgi_expect(send_sgi1r, 0, 0, 0);
}
static void a_sgi1r_aff3(void)
{
	sgi_val = SGI1R(7) | (1ULL << 48);
	sgi_expect(send_sgi1r, 0, 0, 0);
}
static void a_sgi1r_rs(void)
{
	sgi_val = SGI1R(7) | (1ULL << 44);
	sgi_expect(send_sgi1r, 0, 0, 0);
}
static void a_sgi1r_rs15(void)
{
	sgi_val = SGI1R(0xffff) | (15ULL << 44);
	sgi_expect(send_sgi1r, 0, 0, 0);
}
static void a_sgi1r_beyond(void)
{
	sgi_val = SGI1R(0xfff8);
	sgi_expect(send_sgi1r, 0, 0, 0);
}
static void a_sgi1r_irm(void)
{
	sgi_val = SGI1R(0) | (1ULL << 40) | (0xffULL << 16);
	sgi_expect(send_sgi1r, 0, 1, 1);
}
static void a_asgi1r(void)
{
	sgi_val = SGI1R(0x4) | (1ULL << 16);
	sgi_expect(send_asgi1r, 0, 0, 0);
}
static void a_sgi0r(void)
{
	sgi_val = SGI1R(0xfff8) | (1ULL << 32);
	sgi_expect(send_sgi0r, 0, 0, 0);
}

static void a_sgir_filter3(void)
{
	sgi_val = (3u << 24) | (0xffu << 16) | next_sgi();
	sgi_expect(send_sgir, 0, 0, 0);
}
static void a_sgir_beyond(void)
{
	sgi_val = (0xf8u << 16) | next_sgi();
	sgi_expect(send_sgir, 0, 0, 0);
}
static void a_sgir_others(void)
{
	sgi_val = (1u << 24) | (0xffu << 16) | next_sgi();
	sgi_expect(send_sgir, 0, 1, 1);
}

static void a_sgir_self(void)
{
	sgi_val = (2u << 24) | (0xffu << 16) | next_sgi();
	sgi_expect(send_sgir, 1, 0, 0);
}
static void a_sgir_list(void)
{
	sgi_val = (0x6u << 16) | next_sgi(); /* vCPUs 1 and 2 */
	sgi_expect(send_sgir, 0, 1, 1);
}
/* GICD_SGIR is served before the distributor's general path (traps.c:
 * sgir_fast): a byte or halfword store there must abort as before, and a
 * word next to it must not send. The register holds a whole SGIR value
 * (to itself), so one taken as a word would show. */
static void sgir_store_aborts(enum op op)
{
	sgi_val = (2u << 24) | next_sgi();
	__asm__ volatile("dsb ish" ::: "memory");
	irq_enable();
	do_op(op, gic.gicd + GICD_SGIR, sgi_val);
	delay_us(20000);
	irq_disable();
	want_sea(gic.gicd + GICD_SGIR, true);
	sgi_none |= (uint16_t)(1u << sgi_id);
	for (unsigned c = 0; c < 3; c++)
		if (sgi_count[c][sgi_id])
			bad("SGI %u taken by vCPU %u after a %u-byte store to SGIR", sgi_id, c,
			    op == ST1 ? 1 : 2);
}
static void a_sgir_byte(void)
{
	sgir_store_aborts(ST1);
}
static void a_sgir_half(void)
{
	sgir_store_aborts(ST2);
}
static void send_sgir_next(void)
{
	gicd_write(GICD_SGIR + 4, (uint32_t)sgi_val);
	gicd_write(GICD_SGIR - 4, (uint32_t)sgi_val);
}
static void a_sgir_neighbours(void)
{
	sgi_val = (2u << 24) | next_sgi();
	sgi_expect(send_sgir_next, 0, 0, 0);
	if (tr.n)
		bad("%u exceptions on word stores at SGIR+4 and SGIR-4 (RAZ/WI)", tr.n);
}

static void a_spendsgir_sources(void)
{
	/* Source CPUs 0-7 for its own SGI 3: only sources that exist (0-2) stick. */
	uint64_t a = gic.gicd + GICD_SPENDSGIR; /* SGIs 0-3 */
	gic_enable(SGI_ID, false);		/* kept pending in the model, not listed */
	mmio_write32(a, 0xffu << 24);
	uint32_t v = mmio_read32(a) >> 24;
	mmio_write32(gic.gicd + GICD_CPENDSGIR, 0xffu << 24);
	uint32_t after = mmio_read32(a) >> 24;
	gic_enable(SGI_ID, true);
	if (v != 0x07)
		bad("SPENDSGIR sources for SGI 3 read 0x%x, expected 0x07 (3 vCPUs)", v);
	if (after)
		bad("CPENDSGIR left sources 0x%x", after);
}

/* ===================================================================== */
/* attacks: PSCI                                                         */
/* ===================================================================== */

static void want_ret(const char *what, int64_t got, int64_t exp)
{
	if (got != exp)
		bad("%s returned %ld, expected %ld", what, got, exp);
}

static uint64_t entry(void)
{
	return (uintptr_t)secondary_entry;
}

static void a_cpu_on_aff0(void)
{
	want_ret("CPU_ON(3)", psci(PSCI_CPU_ON, 3, entry(), 1), PSCI_INVALID_PARAMS);
}
static void a_cpu_on_aff0_max(void)
{
	want_ret("CPU_ON(0xff)", psci(PSCI_CPU_ON, 0xff, entry(), 1), PSCI_INVALID_PARAMS);
}
static void a_cpu_on_aff1(void)
{
	want_ret("CPU_ON(0x101)", psci(PSCI_CPU_ON, 0x101, entry(), 1), PSCI_INVALID_PARAMS);
}
static void a_cpu_on_aff3(void)
{
	want_ret("CPU_ON(Aff3=1,1)", psci(PSCI_CPU_ON, (1ULL << 32) | 1, entry(), 1),
		 PSCI_INVALID_PARAMS);
}
static void a_cpu_on_high_bits(void)
{
	want_ret("CPU_ON(1<<56|1)", psci(PSCI_CPU_ON, (1ULL << 56) | 1, entry(), 1),
		 PSCI_INVALID_PARAMS);
}
static void a_cpu_on_self(void)
{
	want_ret("CPU_ON(self)", psci(PSCI_CPU_ON, 0, entry(), 1), PSCI_ALREADY_ON);
}
/* Bad entry points, aimed at a vCPU that is off (3 is not; 1 runs: an
 * accepted entry would answer ALREADY_ON, never start anything). */
static void a_cpu_on_entry_ram_end(void)
{
	want_ret("CPU_ON(entry=RAM end)", psci(PSCI_CPU_ON, 1, A.ram_end, 1), PSCI_INVALID_ADDRESS);
}
static void a_cpu_on_entry_below(void)
{
	want_ret("CPU_ON(entry=RAM base-4)", psci(PSCI_CPU_ON, 1, A.ram - 4, 1),
		 PSCI_INVALID_ADDRESS);
}
static void a_cpu_on_entry_channel(void)
{
	want_ret("CPU_ON(entry=channel)", psci(PSCI_CPU_ON, 1, A.c.base, 1), PSCI_INVALID_ADDRESS);
}
static void a_cpu_on_entry_mmio(void)
{
	want_ret("CPU_ON(entry=GICD)", psci(PSCI_CPU_ON, 1, gic.gicd, 1), PSCI_INVALID_ADDRESS);
}
static void a_cpu_on_entry_hyp(void)
{
	want_ret("CPU_ON(entry=hypervisor)", psci(PSCI_CPU_ON, 1, A.hyp, 1), PSCI_INVALID_ADDRESS);
}
static void a_cpu_on_entry_wrap(void)
{
	want_ret("CPU_ON(entry=2^64-4)", psci(PSCI_CPU_ON, 1, ~3ULL, 1), PSCI_INVALID_ADDRESS);
}
/* SMC32 CPU_ON: the entry is 32 bits; high bits set must not help an
 * address past the check (RAM end | 1 << 32 truncates to RAM end). */
static void a_cpu_on32_high_bits(void)
{
	want_ret("CPU_ON32(entry=RAM end | 0xdead << 32)",
		 psci(PSCI_CPU_ON_32, 1, (0xdeadULL << 32) | A.ram_end, 1), PSCI_INVALID_ADDRESS);
	want_ret("CPU_ON32(entry=entry | 1 << 32)",
		 psci(PSCI_CPU_ON_32, 1, (1ULL << 32) | entry(), 1), PSCI_ALREADY_ON);
}
static void a_affinity_foreign(void)
{
	want_ret("AFFINITY_INFO(3)", psci(PSCI_AFFINITY_INFO, 3, 0, 0), PSCI_INVALID_PARAMS);
	want_ret("AFFINITY_INFO(0x100)", psci(PSCI_AFFINITY_INFO, 0x100, 0, 0),
		 PSCI_INVALID_PARAMS);
	want_ret("AFFINITY_INFO(0, level 1)", psci(PSCI_AFFINITY_INFO, 0, 1, 0),
		 PSCI_INVALID_PARAMS);
}

/* ===================================================================== */
/* attacks: hypercalls                                                   */
/* ===================================================================== */

static const char hc_text[] = "hc-console-write: 32-bit truncated address\n";

static void a_hc_console_wrap(void)
{
	want_ret("CONSOLE_WRITE(2^64-16, 32)", hc(BH_HC_CONSOLE_WRITE, ~15ULL, 32), BH_E_INVALID);
}
static void a_hc_console_len_wrap(void)
{
	want_ret("CONSOLE_WRITE(RAM, 2^64-1)", hc(BH_HC_CONSOLE_WRITE, (uintptr_t)hc_text, ~0ULL),
		 BH_E_INVALID);
}
static void a_hc_console_len_257(void)
{
	want_ret("CONSOLE_WRITE(RAM, 257)", hc(BH_HC_CONSOLE_WRITE, (uintptr_t)hc_text, 257),
		 BH_E_INVALID);
}
static void a_hc_console_straddle(void)
{
	want_ret("CONSOLE_WRITE(RAM end-1, 2)", hc(BH_HC_CONSOLE_WRITE, A.ram_end - 1, 2),
		 BH_E_INVALID);
}
static void a_hc_console_hyp(void)
{
	want_ret("CONSOLE_WRITE(hypervisor, 16)", hc(BH_HC_CONSOLE_WRITE, A.hyp, 16), BH_E_INVALID);
}
static void a_hc_console_heap(void)
{
	want_ret("CONSOLE_WRITE(heap, 16)", hc(BH_HC_CONSOLE_WRITE, A.heap, 16), BH_E_INVALID);
}
static void a_hc_console_victim(void)
{
	want_ret("CONSOLE_WRITE(victim RAM, 16)",
		 hc(BH_HC_CONSOLE_WRITE, A.victim + PATTERN_OFF, 16), BH_E_INVALID);
}
static void a_hc_console_channel(void)
{
	want_ret("CONSOLE_WRITE(channel, 16)", hc(BH_HC_CONSOLE_WRITE, A.c.base, 16), BH_E_INVALID);
}
static void a_hc_console_device(void)
{
	want_ret("CONSOLE_WRITE(UART, 16)", hc(BH_HC_CONSOLE_WRITE, 0x09000000, 16), BH_E_INVALID);
}
static char hc_256[256];
static void a_hc_console_len_256(void)
{
	/* The largest write: 256 bytes ending in a newline, accepted whole. */
	for (unsigned i = 0; i < sizeof(hc_256); i++)
		hc_256[i] = (char)('a' + i % 26);
	hc_256[sizeof(hc_256) - 1] = '\n';
	want_ret("CONSOLE_WRITE(RAM, 256)", hc(BH_HC_CONSOLE_WRITE, (uintptr_t)hc_256, 256), 256);
}
static void a_hc_console_smc32(void)
{
	/* The SMC32 form takes 32-bit arguments: the high bits are dropped. */
	int64_t n =
	    (int64_t)call(false, BH_HC_32(BH_HC_CONSOLE_WRITE),
			  (0xffffffffULL << 32) | (uintptr_t)hc_text, sizeof(hc_text) - 1, 0)
		.x0;
	want_ret("CONSOLE_WRITE32(text | 0xffffffff << 32)", n, (int64_t)sizeof(hc_text) - 1);
}
static void a_hc_notify_foreign(void)
{
	want_ret("CHANNEL_NOTIFY(1: victim-bystander)", hc(BH_HC_CHANNEL_NOTIFY, A.c.id + 1, 0),
		 BH_E_INVALID);
}
static void a_hc_notify_wrap(void)
{
	want_ret("CHANNEL_NOTIFY(1 << 32 | own)",
		 hc(BH_HC_CHANNEL_NOTIFY, (1ULL << 32) | A.c.id, 0), BH_E_INVALID);
}
static void a_hc_notify_max(void)
{
	want_ret("CHANNEL_NOTIFY(2^64-1)", hc(BH_HC_CHANNEL_NOTIFY, ~0ULL, 0), BH_E_INVALID);
}
static void a_hc_notify_smc32(void)
{
	want_ret("CHANNEL_NOTIFY32(1 << 32 | foreign)",
		 (int64_t)(int32_t)call(false, BH_HC_32(BH_HC_CHANNEL_NOTIFY),
					(1ULL << 32) | (A.c.id + 1), 0, 0)
		     .x0,
		 BH_E_INVALID);
}
static void a_hc_query_victim(void)
{
	want_ret("DOMAIN_QUERY(victim)", hc(BH_HC_DOMAIN_QUERY, 1, 0), BH_E_DENIED);
}
/* Finding 12: a domain the policy does not let it query must not learn
 * whether a domain id exists: the same answer for both. */
static void a_hc_query_nonexistent(void)
{
	int64_t exists = hc(BH_HC_DOMAIN_QUERY, 2, 0), none = hc(BH_HC_DOMAIN_QUERY, 77, 0);
	if (exists != none)
		bad("DOMAIN_QUERY answers %ld for domain 2 (exists) and %ld for 77 (none): "
		    "existence leaks",
		    exists, none);
	if (none >= 0)
		bad("DOMAIN_QUERY(77) returned %ld", none);
}
static void a_hc_query_wrap(void)
{
	struct res r = call(false, BH_HC_DOMAIN_QUERY, (1ULL << 32) | 1, 0, 0);
	if ((int64_t)r.x0 >= 0)
		bad("DOMAIN_QUERY(1 << 32 | 1) returned %ld (state %lu)", (int64_t)r.x0, r.x1);
}
static void a_hc_restart_victim(void)
{
	want_ret("DOMAIN_RESTART(victim)", hc(BH_HC_DOMAIN_RESTART, 1, 0), BH_E_DENIED);
}
static void a_hc_restart_bystander(void)
{
	want_ret("DOMAIN_RESTART(bystander)", hc(BH_HC_DOMAIN_RESTART, 2, 0), BH_E_DENIED);
}
static void a_hc_restart_self(void)
{
	want_ret("DOMAIN_RESTART(self)", hc(BH_HC_DOMAIN_RESTART, 0, 0), BH_E_INVALID);
}
static void a_hc_restart_wrap(void)
{
	int64_t r = hc(BH_HC_DOMAIN_RESTART, (1ULL << 32) | 1, 0);
	if (r >= 0)
		bad("DOMAIN_RESTART(1 << 32 | 1) returned %ld", r);
}
static void a_hc_unknown_ids(void)
{
	for (uint32_t f = 0xC6000006; f < 0xC6000100; f++)
		if (hc(f, 0, 0) != BH_E_NOT_SUPPORTED) {
			bad("unknown call 0x%x did not return NOT_SUPPORTED", f);
			return;
		}
	for (uint32_t f = 0x86000006; f < 0x86000040; f++)
		if (hc(f, 0, 0) != BH_E_NOT_SUPPORTED) {
			bad("unknown call 0x%x did not return NOT_SUPPORTED", f);
			return;
		}
}
static void a_smc_firmware(void)
{
	/* SiP / OEM / TOS calls over SMC never reach the board's firmware. */
	static const uint32_t f[] = {0x82000000, 0xC2000001, 0x83000000, 0xB2000000, 0xBF00FF01};
	for (unsigned i = 0; i < ARRAY_SIZE(f); i++) {
		int64_t r = (int64_t)call(true, f[i], 0, 0, 0).x0;
		if (r != BH_E_NOT_SUPPORTED)
			bad("SMC 0x%x returned %ld, expected NOT_SUPPORTED", f[i], r);
	}
}

/* ===================================================================== */
/* attacks: system registers                                             */
/* ===================================================================== */

#define SYSREG_OP(name, insn)                                                                      \
	static void name(void)                                                                     \
	{                                                                                          \
		arm();                                                                             \
		__asm__ volatile(insn ::: "memory");                                               \
		disarm();                                                                          \
	}

/* DC ISW/CSW/CISW with a cache level beyond CLIDR and set/way bits all ones. */
static void a_setway_level(void)
{
	arm();
	for (uint64_t lvl = 1; lvl < 8; lvl++) {
		uint64_t v = (0xffffffffULL << 4) | (lvl << 1) | 0xf;
		__asm__ volatile("dc isw, %0\n\tdc csw, %0\n\tdc cisw, %0" ::"r"(v) : "memory");
	}
	disarm();
	want_none();
}

static void a_setway_set(void)
{
	arm();
	for (uint64_t w = 0; w < 64; w++) {
		uint64_t v = ~0ULL << 4 | w; /* every set/way bit, level 1 (L1: 0) */
		v &= ~0xeULL;
		__asm__ volatile("dc isw, %0" ::"r"(v) : "memory");
	}
	disarm();
	want_none();
}

static uint64_t sysreg_val;
/* Implementation-defined registers: trapped by HCR_EL2.TIDCP and RAZ/WI.
 * QEMU 7.2 does not implement TIDCP, so there the CPU's own register
 * answers: then a write must not stick (they are constants in QEMU). */
#define IMPDEF(fn, reg)                                                                            \
	static void fn(void)                                                                       \
	{                                                                                          \
		uint64_t v = ~0ULL, before = 0;                                                    \
		arm();                                                                             \
		__asm__ volatile("mrs %1, " reg "\n\tmsr " reg ", %2\n\tisb\n\tmrs %0, " reg       \
				 : "=r"(sysreg_val), "+r"(before)                                  \
				 : "r"(v)                                                          \
				 : "memory");                                                      \
		disarm();                                                                          \
		want_none();                                                                       \
		if (sysreg_val != before)                                                          \
			bad(reg " reads 0x%lx after writing all ones (0x%lx before)", sysreg_val,  \
			    before);                                                               \
	}
IMPDEF(a_cpuectlr, "S3_1_C15_C2_1")
IMPDEF(a_cpuactlr, "S3_1_C15_C2_0")
IMPDEF(a_l2ctlr, "S3_1_C11_C0_2")
IMPDEF(a_l2ectlr, "S3_1_C11_C0_3")
IMPDEF(a_l2actlr, "S3_1_C15_C0_0")

static void a_cbar(void)
{
	arm();
	__asm__ volatile("mrs %0, S3_1_C15_C3_0" : "=r"(sysreg_val)::"memory");
	disarm();
	want_none();
	/* RAZ when trapped (TIDCP); QEMU 7.2 gives the GIC base the DT names */
	if (sysreg_val && sysreg_val != gic.gicd)
		bad("CBAR_EL1 reads 0x%lx, expected RAZ or the GICD base 0x%lx", sysreg_val,
		    gic.gicd);
}

static void a_actlr(void)
{
	/* Not trapped: the CPU's own EL1 auxiliary control, which affects only
	 * this CPU (QEMU: RAZ/WI). */
	uint64_t old = read_sysreg(actlr_el1);
	arm();
	__asm__ volatile("msr actlr_el1, %0\n\tisb" ::"r"(~0ULL) : "memory");
	__asm__ volatile("msr actlr_el1, %0\n\tisb" ::"r"(old) : "memory");
	disarm();
	want_none();
}

/* The EL1 physical timer is the guest's own: no exception, what is written
 * holds, and an expiry's PPI comes to this vCPU (the victim's heartbeat and
 * state are checked after every attack as usual). */
#define PTIMER_INTID 30
static void on_ptimer(uint32_t iar)
{
	on_any(iar);
	write_sysreg(cntp_ctl_el0, read_sysreg(cntp_ctl_el0) | CNTV_CTL_IMASK);
	isb();
}
static void cntp(const char *name, void (*w)(void), uint64_t (*r)(void), uint64_t want,
		 bool fires)
{
	irq_set_handler(PTIMER_INTID, on_ptimer);
	taken[PTIMER_INTID] = 0;
	gic_set_priority(PTIMER_INTID, 0x80);
	gic_enable(PTIMER_INTID, true);
	arm();
	w();
	uint64_t v = r();
	disarm();
	want_none();
	/* TVAL = CVAL - CNTPCT, signed: just past an expiry 1 tick ahead. */
	bool ok = want == ~0ULL ? (int32_t)v <= 1 && (int32_t)v > -(int32_t)read_sysreg(cntfrq_el0)
				: v == want;
	if (!ok)
		bad("%s reads 0x%lx after the write", name, v);
	irq_enable();
	delay_us(2000);
	irq_disable();
	write_sysreg(cntp_ctl_el0, 0);
	write_sysreg(cntp_cval_el0, 0);
	isb();
	gic_enable(PTIMER_INTID, false);
	if (fires ? !taken[PTIMER_INTID] : taken[PTIMER_INTID] != 0)
		bad("the physical timer's PPI arrived %u time(s)", taken[PTIMER_INTID]);
}
static void w_ctl(void)
{
	write_sysreg(cntp_cval_el0, 0);
	write_sysreg(cntp_ctl_el0, 1);
	isb();
}
static uint64_t r_ctl(void)
{
	return read_sysreg(cntp_ctl_el0);
}
static void w_cval(void)
{
	write_sysreg(cntp_cval_el0, 1);
	isb();
}
static uint64_t r_cval(void)
{
	return read_sysreg(cntp_cval_el0);
}
static void w_tval(void)
{
	write_sysreg(cntp_tval_el0, 1);
	write_sysreg(cntp_ctl_el0, 1);
	isb();
}
static uint64_t r_tval(void)
{
	return read_sysreg(cntp_tval_el0);
}
static void a_cntp_ctl(void)
{
	cntp("CNTP_CTL_EL0", w_ctl, r_ctl, CNTV_CTL_ENABLE | CNTV_CTL_ISTATUS, true);
}
static void a_cntp_cval(void)
{
	cntp("CNTP_CVAL_EL0", w_cval, r_cval, 1, false);
}
static void a_cntp_tval(void)
{
	cntp("CNTP_TVAL_EL0", w_tval, r_tval, ~0ULL, true);
}

/* EL2's own registers from EL1: undefined (the CPU's, not a trap). */
#define UNDEF_OP(fn, insn)                                                                         \
	static void fn(void)                                                                       \
	{                                                                                          \
		uint64_t v = 0;                                                                    \
		arm();                                                                             \
		__asm__ volatile(insn : "+r"(v)::"memory");                                        \
		disarm();                                                                          \
		want_undef();                                                                      \
	}
UNDEF_OP(a_el2_vbar, "mrs %0, vbar_el2")
UNDEF_OP(a_el2_hcr_write, "msr hcr_el2, %0")
UNDEF_OP(a_el2_vttbr, "msr vttbr_el2, %0")
UNDEF_OP(a_el2_cntvoff, "msr cntvoff_el2, %0")
UNDEF_OP(a_ich_hcr, "mrs %0, S3_4_C12_C11_0")
UNDEF_OP(a_ich_lr0_write, "msr S3_4_C12_C12_0, %0")
UNDEF_OP(a_tlbi_alle2, "tlbi alle2")
UNDEF_OP(a_ras_erridr, "mrs %0, S3_0_C5_C3_0")
UNDEF_OP(a_ras_disr, "mrs %0, S3_0_C12_C1_1")
UNDEF_OP(a_amu_amcr, "mrs %0, S3_3_C13_C2_0")
UNDEF_OP(a_amu_cnt, "mrs %0, S3_3_C13_C4_0")

/* Finding 11: the PMU must not count what EL2 does for the guest (a
 * counter with PMEVTYPER.NSH = 1 would measure the hypervisor). Cycles,
 * EL1 only (counter 0) against EL1 + EL2 (counter 1), over 2000 hypercalls. */
/* One measurement: CPU_CYCLES over 2000 hypercalls with counter 0 (EL1+EL0)
 * and counter 1 (NSH asked: EL2 too). Returns counter 1's filter as read back. */
static uint64_t pmu_el2_measure(uint64_t *c0, uint64_t *c1)
{
	write_sysreg(pmcntenclr_el0, 0xffffffffULL);
	write_sysreg(pmevtyper0_el0, 0x11);		   /* CPU_CYCLES, EL1 + EL0 */
	write_sysreg(pmevtyper1_el0, 0x11 | (1ULL << 27)); /* + NSH: EL2 too */
	uint64_t typer1 = read_sysreg(pmevtyper1_el0);
	write_sysreg(pmcr_el0, 1 | 2); /* E, reset event counters */
	isb();
	write_sysreg(pmcntenset_el0, 3);
	isb();
	for (unsigned i = 0; i < 2000; i++)
		hc(BH_HC_VERSION, 0, 0);
	write_sysreg(pmcntenclr_el0, 3);
	isb();
	*c0 = read_sysreg(pmevcntr0_el0);
	*c1 = read_sysreg(pmevcntr1_el0);
	write_sysreg(pmcr_el0, 0);
	return typer1;
}

static void a_pmu_el2(void)
{
	uint64_t pmcr = read_sysreg(pmcr_el0), c0, c1;
	unsigned n = (pmcr >> 11) & 0x1f;
	unsigned pmuver = (unsigned)(read_sysreg(id_aa64dfr0_el1) >> 8) & 0xf;
	if (n < 2) {
		bad("PMCR_EL0.N = %u: fewer than 2 event counters for the guest", n);
		return;
	}
	/* PMUv3 (no HPMD): the hypervisor must clear NSH in what it writes, so
	 * the filter reads back without it: exact, whatever QEMU's timing. */
	uint64_t typer1 = pmu_el2_measure(&c0, &c1);
	if (pmuver < 4 && (typer1 & (1ULL << 27))) {
		bad("PMEVTYPER1 reads back 0x%lx: NSH (count at EL2) kept", typer1);
		return;
	}
	if (!c0) {
		bad("the cycle event does not count at EL1 (cannot tell)");
		return;
	}
	/* The counts: without -icount QEMU's cycles follow host time; a counter
	 * that really counts EL2 does so every time, so three in a row decide. */
	for (unsigned k = 0; c1 > c0 + c0 / 8; k++) {
		if (k == 2) {
			bad("a guest counter counts EL2: %lu cycles with NSH = 1, %lu without "
			    "(3 times; filter read back 0x%lx)",
			    c1, c0, typer1);
			return;
		}
		typer1 = pmu_el2_measure(&c0, &c1);
	}
}

static void a_pmu_counters_beyond(void)
{
	/* PMSELR beyond the counters the guest has: PMXEVCNTR is then
	 * UNDEFINED or RAZ/WI; either way nothing of EL2's. */
	unsigned n = (read_sysreg(pmcr_el0) >> 11) & 0x1f;
	uint64_t v = 0;
	arm();
	write_sysreg(pmselr_el0, 30);
	isb();
	__asm__ volatile("mrs %0, pmxevcntr_el0" : "+r"(v)::"memory");
	__asm__ volatile("msr pmxevcntr_el0, %0" ::"r"(~0ULL) : "memory");
	disarm();
	if (tr.n > 2 || (tr.n && EC(tr.esr) != EC_UNKNOWN))
		bad("ESR 0x%lx after %u exceptions", tr.esr, tr.n);
	if (!tr.n && v)
		bad("PMXEVCNTR with PMSELR = 30 (N = %u) reads 0x%lx", n, v);
}

/* A watchpoint on the hypervisor's image, matching at EL2 only: debug
 * exceptions never target EL2 from a guest's debug registers (MDCR_EL2.TDE
 * is 0), so the hypervisor runs on; nothing reaches the guest either. */
static void a_debug_watch_hyp(void)
{
	arm();
	write_sysreg(oslar_el1, 0);
	write_sysreg(dbgwvr0_el1, A.hyp & ~((1ULL << 21) - 1));
	/* E, PAC = 0 (no EL1/EL0), LSC = 3, BAS = 0xff, HMC, SSC = 3, MASK = 21 */
	write_sysreg(dbgwcr0_el1,
		     1 | (3 << 3) | (0xff << 5) | (3 << 14) | (1 << 13) | (21ULL << 24));
	write_sysreg(mdscr_el1, 1 << 15); /* MDE */
	isb();
	for (unsigned i = 0; i < 100; i++)
		hc(BH_HC_VERSION, 0, 0);
	write_sysreg(dbgwcr0_el1, 0);
	write_sysreg(mdscr_el1, 0);
	isb();
	disarm();
	want_none();
}

static void a_debug_break_hyp(void)
{
	arm();
	write_sysreg(oslar_el1, 0);
	write_sysreg(dbgbvr0_el1, A.hyp);
	/* E, PMC = 0, BAS = 0xf, HMC, SSC = 3: EL2 only */
	write_sysreg(dbgbcr0_el1, 1 | (0xf << 5) | (3 << 14) | (1 << 13));
	write_sysreg(mdscr_el1, 1 << 15);
	isb();
	for (unsigned i = 0; i < 100; i++)
		hc(BH_HC_VERSION, 0, 0);
	write_sysreg(dbgbcr0_el1, 0);
	write_sysreg(mdscr_el1, 0);
	isb();
	disarm();
	want_none();
}

/* ===================================================================== */
/* the table                                                             */
/* ===================================================================== */

static const struct attack {
	const char *name;
	void (*run)(void);
	unsigned gic; /* 0: both */
} attacks[] = {
    /* stage 2: every address class */
    {"s2-ram-below-base-read", a_ram_below_read, 0},
    {"s2-ram-below-base-write", a_ram_below_write, 0},
    {"s2-ram-last-word", a_ram_last_word, 0},
    {"s2-ram-straddle-base", a_ram_straddle, 0},
    {"s2-channel-end-read", a_chan_end_read, 0},
    {"s2-channel-end-write", a_chan_end_write, 0},
    {"s2-victim-ram-read", a_victim_ram_read, 0},
    {"s2-victim-ram-write", a_victim_ram_write, 0},
    {"s2-hyp-image-read", a_hyp_image_read, 0},
    {"s2-hyp-image-write", a_hyp_image_write, 0},
    {"s2-hyp-heap-read", a_hyp_heap_read, 0},
    {"s2-hyp-heap-write", a_hyp_heap_write, 0},
    {"s2-board-ram-base", a_board_ram_base, 0},
    {"s2-ipa-top", a_ipa_top, 0},
    {"s2-ipa-beyond-stage2", a_ipa_beyond, 0},
    {"s2-victim-device-read", a_victim_device_read, 0},
    {"s2-victim-device-write", a_victim_device_write, 0},
    {"s2-console-next-page", a_console_next_page, 0},
    {"s2-console-next-page-fr", a_console_next_page_fr, 0},
    {"s2-subpage-neighbour-read", a_subpage_neighbour_read, 0},
    {"s2-subpage-neighbour-write", a_subpage_neighbour_write, 0},
    {"s2-subpage-neighbour-byte", a_subpage_neighbour_byte, 0},
    {"s2-subpage-overlap-8byte", a_subpage_overlap8, 0},
    {"s2-subpage-page-after", a_subpage_page_after, 0},
    {"s2-subpage-page-before", a_subpage_page_before, 0},
    {"s2-exec-channel", a_exec_channel, 0},
    {"s2-exec-hyp-image", a_exec_hyp, 0},
    {"s2-exec-victim-ram", a_exec_victim, 0},
    {"s2-gicd-beyond-frame", a_gicd_beyond, 0},
    {"s2-gich-read", a_gich_read, 2},
    {"s2-gich-write", a_gich_write, 2},
    {"s2-gicv-physical-frame", a_gicv_phys, 2},
    {"s2-v2m-frame", a_v2m, 2},
    {"s2-gicc-beyond", a_gicc_beyond, 2},
    {"s2-gicr-beyond-vcpus-read", a_gicr_beyond_read, 3},
    {"s2-gicr-beyond-vcpus-write", a_gicr_beyond_write, 3},
    {"s2-its-frame", a_its, 3},
    /* no syndrome */
    {"isv0-gicd-ldp", a_gicd_ldp, 0},
    {"isv0-gicd-stp", a_gicd_stp, 0},
    {"isv0-gicd-ldr-postindex", a_gicd_ldr_post, 0},
    {"isv0-gicd-ldr-simd", a_gicd_ldr_q, 0},
    {"isv0-gicd-ldxr", a_gicd_ldxr, 0},
    {"isv0-gicd-stxr", a_gicd_stxr, 0},
    {"isv0-gicd-dc-zva", a_gicd_dc_zva, 0},
    {"isv0-gicr-ldp", a_gicr_ldp, 3},
    {"isv0-gicr-stp", a_gicr_stp, 3},
    {"console-forge-uart", a_console_forge_uart, 0},
    {"console-forge-hypercall", a_console_forge_hc, 0},
    {"console-uart-fr-byte", a_vuart_fr_byte, 0},
    {"console-uart-fr-64bit", a_vuart_fr_64, 0},
    {"isv0-console-uart-ldp", a_vuart_ldp, 0},
    {"isv0-console-uart-stp", a_vuart_stp, 0},
    {"isv0-subpage-ldp", a_subpage_ldp, 0},
    {"isv0-console-uart-ldxr", a_vuart_ldxr, 0},
    {"isv0-subpage-ldxr", a_subpage_ldxr, 0},
    {"isv0-gicr-ldxr", a_gicr_ldxr, 3},
    /* vGIC edges */
    {"vgic-ipriorityr-beyond-nr", a_ipriorityr_beyond, 0},
    {"vgic-icfgr-beyond-nr", a_icfgr_beyond, 0},
    {"vgic-itargetsr-beyond-nr", a_itargetsr_beyond, 2},
    {"vgic-irouter-beyond-nr", a_irouter_beyond, 3},
    {"vgic-isenabler-beyond-nr", a_isenabler_beyond, 0},
    {"vgic-ispendr-beyond-nr", a_ispendr_beyond, 0},
    {"vgic-isactiver-beyond-nr", a_isactiver_beyond, 0},
    {"vgic-ipriorityr-unaligned-word", a_ipriorityr_unaligned, 0},
    {"vgic-isenabler-unaligned-word", a_isenabler_unaligned, 0},
    {"vgic-icfgr-byte", a_icfgr_byte, 0},
    {"vgic-isenabler-halfword", a_isenabler_half, 0},
    {"vgic-itargetsr-halfword", a_itargetsr_half, 2},
    {"vgic-irouter-misaligned", a_irouter_misaligned, 3},
    {"vgic-gicd-reserved-sweep", a_gicd_reserved_sweep, 0},
    {"vgic-gicd-private-regs", a_gicd_private_via_gicd, 3},
    {"vgic-gicr-lpi-tables", a_gicr_lpi_tables, 3},
    {"vgic-gicr-unaligned-typer", a_gicr_typer_unaligned, 3},
    /* foreign INTIDs */
    {"irq-victim-device-enable", a_vdev_enable, 0},
    {"irq-victim-device-pend", a_vdev_pend, 0},
    {"irq-victim-device-activate", a_vdev_activate, 0},
    {"irq-victim-device-config", a_vdev_config, 0},
    {"irq-victim-device-priority", a_vdev_priority, 0},
    {"irq-victim-device-route", a_vdev_route, 0},
    {"irq-other-doorbell-enable", a_odb_enable, 0},
    {"irq-other-doorbell-pend", a_odb_pend, 0},
    {"irq-other-doorbell-activate", a_odb_activate, 0},
    {"irq-other-doorbell-config", a_odb_config, 0},
    {"irq-other-doorbell-priority", a_odb_priority, 0},
    {"irq-other-doorbell-route", a_odb_route, 0},
    {"irq-unassigned-spi-enable", a_free_enable, 0},
    {"irq-unassigned-spi-pend", a_free_pend, 0},
    {"irq-unassigned-spi-activate", a_free_activate, 0},
    {"irq-unassigned-spi-config", a_free_config, 0},
    {"irq-unassigned-spi-priority", a_free_priority, 0},
    {"irq-unassigned-spi-route", a_free_route, 0},
    {"irq-console-spi-enable", a_console_spi_enable, 0},
    {"irq-console-spi-pend", a_console_spi_pend, 0},
    {"irq-console-spi-route", a_console_spi_route, 0},
    /* SGIs */
    {"sgi1r-aff1", a_sgi1r_aff1, 3},
    {"sgi1r-aff2", a_sgi1r_aff2, 3},
    {"sgi1r-aff3", a_sgi1r_aff3, 3},
    {"sgi1r-range-selector", a_sgi1r_rs, 3},
    {"sgi1r-range-selector-15", a_sgi1r_rs15, 3},
    {"sgi1r-targets-beyond-nvcpus", a_sgi1r_beyond, 3},
    {"sgi1r-irm-broadcast", a_sgi1r_irm, 3},
    {"asgi1r-aff1", a_asgi1r, 3},
    {"sgi0r-aff2-beyond", a_sgi0r, 3},
    {"gicd-sgir-filter-reserved", a_sgir_filter3, 2},
    {"gicd-sgir-targets-beyond-nvcpus", a_sgir_beyond, 2},
    {"gicd-sgir-others", a_sgir_others, 2},
    {"gicd-sgir-self", a_sgir_self, 2},
    {"gicd-sgir-list", a_sgir_list, 2},
    {"gicd-sgir-byte-store", a_sgir_byte, 2},
    {"gicd-sgir-halfword-store", a_sgir_half, 2},
    {"gicd-sgir-neighbours", a_sgir_neighbours, 2},
    {"gicd-spendsgir-sources", a_spendsgir_sources, 2},
    {"sgi-none-arrives-late", a_sgi_late, 0},
    /* PSCI */
    {"psci-cpu-on-aff0-beyond", a_cpu_on_aff0, 0},
    {"psci-cpu-on-aff0-255", a_cpu_on_aff0_max, 0},
    {"psci-cpu-on-aff1", a_cpu_on_aff1, 0},
    {"psci-cpu-on-aff3", a_cpu_on_aff3, 0},
    {"psci-cpu-on-mpidr-high-bits", a_cpu_on_high_bits, 0},
    {"psci-cpu-on-self", a_cpu_on_self, 0},
    {"psci-cpu-on-entry-ram-end", a_cpu_on_entry_ram_end, 0},
    {"psci-cpu-on-entry-below-ram", a_cpu_on_entry_below, 0},
    {"psci-cpu-on-entry-channel", a_cpu_on_entry_channel, 0},
    {"psci-cpu-on-entry-mmio", a_cpu_on_entry_mmio, 0},
    {"psci-cpu-on-entry-hyp", a_cpu_on_entry_hyp, 0},
    {"psci-cpu-on-entry-wrap", a_cpu_on_entry_wrap, 0},
    {"psci-cpu-on32-entry-high-bits", a_cpu_on32_high_bits, 0},
    {"psci-affinity-info-foreign", a_affinity_foreign, 0},
    /* hypercalls */
    {"hc-console-write-wrap", a_hc_console_wrap, 0},
    {"hc-console-write-length-wrap", a_hc_console_len_wrap, 0},
    {"hc-console-write-length-256", a_hc_console_len_256, 0},
    {"hc-console-write-length-257", a_hc_console_len_257, 0},
    {"hc-console-write-ram-end-straddle", a_hc_console_straddle, 0},
    {"hc-console-write-hyp-image", a_hc_console_hyp, 0},
    {"hc-console-write-hyp-heap", a_hc_console_heap, 0},
    {"hc-console-write-victim-ram", a_hc_console_victim, 0},
    {"hc-console-write-channel", a_hc_console_channel, 0},
    {"hc-console-write-device", a_hc_console_device, 0},
    {"hc-console-write-smc32-high-bits", a_hc_console_smc32, 0},
    {"hc-notify-foreign-channel", a_hc_notify_foreign, 0},
    {"hc-notify-id-wrap", a_hc_notify_wrap, 0},
    {"hc-notify-id-max", a_hc_notify_max, 0},
    {"hc-notify-smc32-high-bits", a_hc_notify_smc32, 0},
    {"hc-query-victim-denied", a_hc_query_victim, 0},
    {"hc-query-nonexistent-domain", a_hc_query_nonexistent, 0},
    {"hc-query-id-wrap", a_hc_query_wrap, 0},
    {"hc-restart-victim-denied", a_hc_restart_victim, 0},
    {"hc-restart-bystander-denied", a_hc_restart_bystander, 0},
    {"hc-restart-self", a_hc_restart_self, 0},
    {"hc-restart-id-wrap", a_hc_restart_wrap, 0},
    {"hc-unknown-ids", a_hc_unknown_ids, 0},
    {"smc-firmware-services", a_smc_firmware, 0},
    /* system registers */
    {"sysreg-setway-level-beyond", a_setway_level, 0},
    {"sysreg-setway-set-way-beyond", a_setway_set, 0},
    {"sysreg-actlr-el1", a_actlr, 0},
    {"sysreg-cpuectlr", a_cpuectlr, 0},
    {"sysreg-cpuactlr", a_cpuactlr, 0},
    {"sysreg-l2ctlr", a_l2ctlr, 0},
    {"sysreg-l2ectlr", a_l2ectlr, 0},
    {"sysreg-l2actlr", a_l2actlr, 0},
    {"sysreg-cbar", a_cbar, 0},
    {"sysreg-cntp-ctl", a_cntp_ctl, 0},
    {"sysreg-cntp-cval", a_cntp_cval, 0},
    {"sysreg-cntp-tval", a_cntp_tval, 0},
    {"sysreg-el2-vbar-read", a_el2_vbar, 0},
    {"sysreg-el2-hcr-write", a_el2_hcr_write, 0},
    {"sysreg-el2-vttbr-write", a_el2_vttbr, 0},
    {"sysreg-el2-cntvoff-write", a_el2_cntvoff, 0},
    {"sysreg-ich-hcr-read", a_ich_hcr, 0},
    {"sysreg-ich-lr0-write", a_ich_lr0_write, 0},
    {"sysreg-tlbi-alle2", a_tlbi_alle2, 0},
    {"sysreg-ras-erridr", a_ras_erridr, 0},
    {"sysreg-ras-disr", a_ras_disr, 0},
    {"sysreg-amu-amcr", a_amu_amcr, 0},
    {"sysreg-amu-counter", a_amu_cnt, 0},
    {"sysreg-pmu-counts-el2", a_pmu_el2, 0},
    {"sysreg-pmu-counter-beyond-n", a_pmu_counters_beyond, 0},
    {"sysreg-debug-watchpoint-hyp", a_debug_watch_hyp, 0},
    {"sysreg-debug-breakpoint-hyp", a_debug_break_hyp, 0},
};

/* ===================================================================== */
/* restarts: SYSTEM_RESET2, then the CPU_ON / SYSTEM_RESET race          */
/* ===================================================================== */

#define RACE_ROUNDS 4

/* ---- a restart must look like the first boot (DESIGN: memory zeroed,
 * interrupt and timer state fresh, no register carried over) ---- */

#define SH_FIRST 64 /* words of the channel: first-boot register values */
enum {
	R_DBGBVR0,
	R_DBGBCR0,
	R_DBGWVR0,
	R_DBGWCR0,
	R_PMEVTYPER0,
	R_PMCNTEN,
	R_PMUSERENR,
	R_PMSELR,
	R_CNTV_CTL,
	R_N
};
static const char *const r_names[R_N] = {"DBGBVR0",   "DBGBCR0",    "DBGWVR0",
					 "DBGWCR0",   "PMEVTYPER0", "PMCNTENSET",
					 "PMUSERENR", "PMSELR",	    "CNTV_CTL"};

static void regs_read(uint64_t *r)
{
	r[R_DBGBVR0] = read_sysreg(dbgbvr0_el1);
	r[R_DBGBCR0] = read_sysreg(dbgbcr0_el1);
	r[R_DBGWVR0] = read_sysreg(dbgwvr0_el1);
	r[R_DBGWCR0] = read_sysreg(dbgwcr0_el1);
	r[R_PMEVTYPER0] = read_sysreg(pmevtyper0_el0);
	r[R_PMCNTEN] = read_sysreg(pmcntenset_el0);
	r[R_PMUSERENR] = read_sysreg(pmuserenr_el0);
	r[R_PMSELR] = read_sysreg(pmselr_el0);
	r[R_CNTV_CTL] = read_sysreg(cntv_ctl_el0) & 3; /* ISTATUS follows the counter */
}

/* RAM the loader does not write again: not the image, not its DT. */
static uint64_t marker_addr(void)
{
	uint64_t a = A.ram + 0x1800000, dt = (uintptr_t)env->fdt;
	if (dt + 0x200000 > a && dt < a + 0x1000)
		a = A.ram + 0x1000000;
	return a;
}
#define MARKER 0x5ca1ab1edeadbeefULL

/* First boot: remember what it found. */
static void fresh_record(void)
{
	uint64_t r[R_N];
	regs_read(r);
	for (unsigned i = 0; i < R_N; i++) {
		A.c.shm[SH_FIRST + 2 * i] = (uint32_t)r[i];
		A.c.shm[SH_FIRST + 2 * i + 1] = (uint32_t)(r[i] >> 32);
	}
}

/* Before the reset: leave traces everywhere a restart must wipe. */
static void fresh_dirty(void)
{
	write_sysreg(dbgbvr0_el1, 0x12340000);
	write_sysreg(dbgbcr0_el1, 0xf << 5); /* BAS, not enabled */
	write_sysreg(dbgwvr0_el1, 0x56780000);
	write_sysreg(dbgwcr0_el1, 0xff << 5);
	write_sysreg(pmevtyper0_el0, 0x11);
	write_sysreg(pmcntenset_el0, 1);
	write_sysreg(pmuserenr_el0, 0xf);
	write_sysreg(pmselr_el0, 5);
	/* an hour ahead: CVAL near 2^64 hangs QEMU 7.2 itself (its next-tick
	 * sum cval + CNTVOFF wraps and its timer fires in a loop) */
	write_sysreg(cntv_cval_el0, ticks() + 3600 * read_sysreg(cntfrq_el0));
	write_sysreg(cntv_ctl_el0, 1);
	isb();
	gic_set_priority(A.own_db, 0xa8);
	gic_enable(A.own_db, true);
	gic_set_pending(A.own_db, true);
	*(volatile uint64_t *)(uintptr_t)marker_addr() = MARKER;
	__asm__ volatile("dc civac, %0\n\tdsb sy" ::"r"(marker_addr()) : "memory");
}

/* After the restart, before this boot touches anything. */
static void fresh_check(void)
{
	char list[160] = "";
	size_t n = 0;
	uint64_t r[R_N];
	regs_read(r);
	for (unsigned i = 0; i < R_N; i++) {
		uint64_t first = A.c.shm[SH_FIRST + 2 * i] | (uint64_t)A.c.shm[SH_FIRST + 2 * i + 1]
								 << 32;
		if (r[i] != first && n < sizeof(list))
			n += (size_t)snprintf(list + n, sizeof(list) - n, " %s=0x%lx", r_names[i],
					      r[i]);
	}
	uint64_t m = *(volatile uint64_t *)(uintptr_t)marker_addr();
	if (m && n < sizeof(list))
		n += (size_t)snprintf(list + n, sizeof(list) - n, " RAM[0x%lx]=0x%lx",
				      marker_addr(), m);
	bool en = gicd_read(GICD_ISENABLER + A.own_db / 32 * 4) >> (A.own_db % 32) & 1;
	bool pend = gicd_read(GICD_ISPENDR + A.own_db / 32 * 4) >> (A.own_db % 32) & 1;
	if ((en || pend || prio_of(A.own_db)) && n < sizeof(list))
		n += (size_t)snprintf(list + n, sizeof(list) - n,
				      " doorbell enabled=%d pending=%d priority=0x%x", en, pend,
				      prio_of(A.own_db));
	if (list[0])
		bad("carried over the restart:%s", list);
}

/* CPU_ON entry of the racing vCPU 2: straight back off, no stack, no print. */
__asm__(".pushsection .text\n"
	".balign 4\n"
	"race_entry:\n"
	"	movz	x0, #0x0002\n"
	"	movk	x0, #0x8400, lsl #16\n"
	"	hvc	#0\n"
	"1:	wfi\n"
	"	b	1b\n"
	".popsection\n");
extern char race_entry[];

static void race_job(unsigned slot)
{
	(void)slot;
	for (;;)
		psci(PSCI_CPU_ON, 2, (uintptr_t)race_entry, 0);
}

/* After a restart: nothing of the last boot may run on (finding 10). */
static void check_fresh_boot(void)
{
	for (uint64_t m = 1; m < A.nvcpus; m++) {
		int64_t r = psci(PSCI_AFFINITY_INFO, m, 0, 0);
		if (r != AFF_OFF)
			bad("vCPU %lu is %ld (not OFF) right after the domain restarted", m, r);
	}
}

static void start_sinks(void)
{
	*env->secondary_job = sink_job;
	for (unsigned s = 1; s < A.nvcpus && s < MAX_CPUS; s++) {
		int64_t r = psci(PSCI_CPU_ON, s, entry(), s);
		if (r)
			bad("CPU_ON of its own vCPU %u returned %ld", s, r);
	}
	uint64_t end = ticks() + 5 * read_sysreg(cntfrq_el0);
	for (unsigned s = 1; s < A.nvcpus && s < MAX_CPUS; s++)
		while (!sink_ready[s] && ticks() < end)
			__asm__ volatile("wfe");
}

static void stop_sinks(void)
{
	sink_stop = true;
	__asm__ volatile("dsb ish" ::: "memory");
	gic_send_sgi_others(SGI_ID);
	uint64_t end = ticks() + 5 * read_sysreg(cntfrq_el0);
	for (uint64_t m = 1; m < A.nvcpus; m++)
		while (psci(PSCI_AFFINITY_INFO, m, 0, 0) != AFF_OFF && ticks() < end)
			;
}

const char *attack_run(const struct attack_env *e)
{
	static char fail[160];
	env = e;
	A.ram = e->mem_base;
	A.ram_end = e->mem_base + e->mem_size;
	A.victim = arg("victim", 0);
	A.hyp = arg("hyp", 0);
	A.heap = arg("heap", 0);
	A.own_reg = arg("reg", 0);
	A.vreg = arg("vreg", 0);
	A.vdev = arg("vdev", 0);
	A.nvcpus = e->ncpus;
	if (!A.victim || !A.hyp || !A.heap || !A.own_reg || !A.vreg || !A.vdev)
		return "bootargs need victim= hyp= heap= reg= vreg= vdev=";
	if (A.nvcpus != 3)
		return "the attacker needs exactly 3 vCPUs";
	const char *err = gic_probe(e->fdt);
	if (err)
		return err;
	if (!find_chan("victim", &A.c))
		return "no channel to victim in the DT";
	A.own_db = A.c.intid;
	if (e->restarts == 0)
		fresh_record();
	else if (e->restarts == 1)
		fresh_check(); /* judged below, once the victim is pinged */
	static char fresh_why[sizeof(why)];
	memcpy(fresh_why, why, sizeof(why));
	why[0] = 0;
	gic_dist_init();
	if ((err = gic_cpu_init()))
		return err;
	A.nr_irqs = gic.nr_irqs;
	A.other_db = A.c.intid - 1; /* channel 1 of the config: the next SPI down */
	for (unsigned i = 0; i < 16; i++) {
		irq_set_handler(i, on_sgi);
		gic_set_priority(i, 0x80);
		gic_enable(i, true);
	}
	gic_set_priority(A.own_db, 0x80);
	volatile uint32_t *s = A.c.shm;

	/* The victim must be up before anything is judged. */
	uint64_t end = ticks() + 20 * read_sysreg(cntfrq_el0);
	while (s[SH_READY] != READY_MAGIC && ticks() < end)
		delay_us(1000);
	if (s[SH_READY] != READY_MAGIC)
		return "the victim never got ready";
	stray_before = irq_stray.count;

	if (e->restarts == 0) {
		say("attacker: RAM 0x%lx-0x%lx, channel %u at 0x%lx (0x%lx bytes), doorbell %u, "
		    "%u INTIDs, hypervisor 0x%lx heap 0x%lx, victim 0x%lx",
		    A.ram, A.ram_end, A.c.id, A.c.base, A.c.size, A.own_db, A.nr_irqs, A.hyp,
		    A.heap, A.victim);
		ping_victim();
		if (why[0]) {
			snprintf(fail, sizeof(fail), "baseline: %s", why);
			return fail;
		}
		start_sinks();
		if (why[0]) {
			snprintf(fail, sizeof(fail), "secondaries: %s", why);
			return fail;
		}
		for (unsigned i = 0; i < ARRAY_SIZE(attacks); i++) {
			if (attacks[i].gic && attacks[i].gic != gic.version)
				continue;
			attacks[i].run();
			verdict(attacks[i].name);
		}
		stop_sinks();
		fresh_dirty();
		/* A vendor-specific SYSTEM_RESET2 type restarts this domain only. */
		say("attacker: SYSTEM_RESET2 vendor type 0x80000001");
		psci(PSCI_SYSTEM_RESET2, 0x80000001, 0xdead, 0);
		bad("SYSTEM_RESET2 (vendor type) returned");
		verdict("psci-system-reset2-vendor");
	} else if (e->restarts == 1) {
		check_fresh_boot();
		verdict("psci-system-reset2-vendor");
		memcpy(why, fresh_why, sizeof(why));
		verdict("restart-state-fresh");
	} else {
		/* Memory is zeroed by a restart: a round that went wrong is
		 * reported at once, the verdict comes after the last round. */
		check_fresh_boot();
		if (e->restarts > RACE_ROUNDS)
			verdict("psci-cpu-on-system-reset-race");
		else {
			ping_victim();
			if (why[0])
				verdict("psci-cpu-on-system-reset-race");
		}
	}
	if (e->restarts >= 1 && e->restarts <= RACE_ROUNDS) {
		/* vCPU 1 starts vCPU 2 in a loop (which goes straight back off)
		 * while this vCPU resets the domain at a different moment each round:
		 * at once, then 0.7, 1.4 and 2.1 ms later. */
		*env->secondary_job = race_job;
		int64_t r = psci(PSCI_CPU_ON, 1, entry(), 1);
		if (r)
			say("attacker: CPU_ON of vCPU 1 for the race returned %ld", r);
		/* round 1 resets while vCPU 1 may still be starting */
		delay_us(700 * (uint64_t)(e->restarts - 1));
		say("attacker: race round %ld: SYSTEM_RESET", e->restarts);
		psci(PSCI_SYSTEM_RESET, 0, 0, 0);
		bad("SYSTEM_RESET returned");
		verdict("psci-cpu-on-system-reset-race");
	}
	say("attack: summary %u contained, %u escaped", s[SH_CONTAINED], s[SH_ESCAPED]);
	s[SH_DONE] = 1;
	notify(&A.c);
	return NULL;
}
