/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Bulkhead's bare-metal AArch64 test guest: reads the DT it is given, runs
 * the test named by `test=<mode>` in /chosen/bootargs, and reports on the
 * PL011 with lines starting "TESTGUEST: ". The same binary runs under the
 * hypervisor and natively on QEMU virt at EL1 (`native` in bootargs), so
 * the two runs can be compared line by line.
 */
#include <libfdt.h>

#include "attacks.h"
#include "common/hypercall.h"
#include "common/lib.h"
#include "guest.h"
#include "irq.h"
#include "vnet.h"
#include "modes.h"

#define MPIDR_AFF_MASK 0xff00ffffffULL /* Aff3..Aff0, as the DT's cpu reg holds them */

#define PSCI_VERSION		0x84000000u
#define PSCI_CPU_SUSPEND	0x84000001u
#define PSCI_CPU_OFF		0x84000002u
#define PSCI_SYSTEM_OFF		0x84000008u
#define PSCI_SYSTEM_RESET	0x84000009u
#define PSCI_CPU_ON_64		0xC4000003u
#define PSCI_AFFINITY_INFO_64	0xC4000004u
#define PSCI_INVALID_PARAMETERS (-2)
#define PSCI_ALREADY_ON		(-4)
#define AFFINITY_OFF		1

#define ESR_EC(esr)	 (((esr) >> 26) & 0x3f)
#define ESR_DFSC(esr)	 ((esr)&0x3f)
#define EC_DABT_CUR	 0x25
#define DFSC_SEA	 0x10 /* synchronous external abort, not on a table walk */
#define VEC_CUR_SPX_SYNC 4

#define MAX_DT_CPUS  64
#define WAIT_SECONDS 5

static struct {
	uint64_t mem_base, mem_size;
	unsigned ncpus;
	uint64_t cpu_mpidr[MAX_DT_CPUS];
	bool psci_smc;
	const char *psci_method;
	const char *bootargs;
	int64_t restarts; /* /chosen/bulkhead,restarts, or -1 when absent (native) */
	char mode[32];
	bool native;	  /* no hypervisor: never issue Bulkhead hypercalls */
	uint64_t periods; /* rt: `periods=<n>`, 0 = forever */
	bool periods_given;
	uint64_t lose;	  /* rt: `lose=<n>`: lose the tick after period n (self-test) */
	char role[16];	  /* chan: `role=ping|pong|deny`; chan-flood: `flood|sink` */
	char phases[8];	  /* chan-flood: `phases=<digits>` */
	uint64_t seed;	  /* fuzz: `seed=<n>` */
	uint64_t count;	  /* reset-loop: `count=<n>` restarts */
	uint64_t rounds;  /* restart-state, cpuon-reset, hygiene: `rounds=<n>` restarts */
	char peer[16];	  /* hygiene: `peer=<label>`, the other end of its channel */
	uint64_t target;  /* hygiene role=restarter: `target=<id>`, the domain it restarts */
	char until[16];	  /* rt: `until=<label>`: stop once that peer says so (channel) */
	uint32_t ip;	  /* rt: `ip=a.b.c.d`: answer ARP and ping there (vnet.c) */
	bool ip_given;	  /* ip= was there (g.ip 0: not an address) */
	char while_up[16]; /* rt: `while-up=<id>,<id>`: run while one of them runs */
	const void *fdt;
	char why[160]; /* reason of the FAIL being reported */
} g = {.psci_method = "hvc (default)", .mode = "boot", .periods = 5000, .rounds = 3};

/* ---- console: polled PL011, one whole line at a time across CPUs ---- */

#define UART_BASE   0x09000000UL
#define UARTDR	    0x00
#define UARTFR	    0x18
#define UARTFR_TXFF (1u << 5)

/* The console: QEMU virt's PL011 until the DT's /chosen/stdout-path says
 * where it is (other boards: Bulkhead emulates a PL011 at the board UART's
 * address). */
static uint64_t uart_base = UART_BASE;
static uint32_t print_lock;

static void lock(void)
{
	while (__atomic_exchange_n(&print_lock, 1, __ATOMIC_ACQUIRE))
		;
}

static void unlock(void)
{
	__atomic_store_n(&print_lock, 0, __ATOMIC_RELEASE);
}

static void uart_putc(char c)
{
	volatile uint32_t *uart = (volatile uint32_t *)uart_base;

	while (uart[UARTFR / 4] & UARTFR_TXFF)
		;
	uart[UARTDR / 4] = (unsigned char)c;
}

static void uart_puts(const char *s)
{
	while (*s)
		uart_putc(*s++);
}

__attribute__((format(printf, 1, 2))) static void say(const char *fmt, ...)
{
	char line[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	lock();
	uart_puts("TESTGUEST: ");
	uart_puts(line);
	uart_putc('\n');
	unlock();
}

/* ---- SMCCC: PSCI over the DT's conduit, Bulkhead calls over HVC ---- */

struct smc_res {
	uint64_t x0, x1, x2, x3, x4;
};

/* x4 is read back too: BH_HC_SELF returns the physical CPU there. SMCCC 1.0
 * lets the callee corrupt x4-x17, so all of them are clobbered. */
static struct smc_res smccc(bool smc, uint64_t fid, uint64_t a1, uint64_t a2, uint64_t a3)
{
	register uint64_t x0 __asm__("x0") = fid;
	register uint64_t x1 __asm__("x1") = a1;
	register uint64_t x2 __asm__("x2") = a2;
	register uint64_t x3 __asm__("x3") = a3;
	register uint64_t x4 __asm__("x4") = 0;

	if (smc)
		__asm__ volatile("smc #0"
				 : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3), "+r"(x4)
				 :
				 : "x5", "x6", "x7", "x8", "x9", "x10", "x11", "x12", "x13", "x14",
				   "x15", "x16", "x17", "memory");
	else
		__asm__ volatile("hvc #0"
				 : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3), "+r"(x4)
				 :
				 : "x5", "x6", "x7", "x8", "x9", "x10", "x11", "x12", "x13", "x14",
				   "x15", "x16", "x17", "memory");
	return (struct smc_res){x0, x1, x2, x3, x4};
}

static int64_t psci(uint32_t fid, uint64_t a1, uint64_t a2, uint64_t a3)
{
	return (int64_t)smccc(g.psci_smc, fid, a1, a2, a3).x0;
}

static struct smc_res hcall(uint32_t fid, uint64_t a1, uint64_t a2)
{
	return smccc(false, fid, a1, a2, 0);
}

static __attribute__((noreturn)) void power_off(void)
{
	psci(PSCI_SYSTEM_OFF, 0, 0, 0);
	for (;;)
		__asm__ volatile("wfi");
}

/* ---- time ---- */

static uint64_t now(void)
{
	isb();
	return read_sysreg(cntvct_el0);
}

static uint64_t deadline_in(unsigned seconds)
{
	return now() + seconds * read_sysreg(cntfrq_el0);
}

static uint64_t ticks_to_us(uint64_t ticks)
{
	return ticks * 1000000 / read_sysreg(cntfrq_el0);
}

static uint64_t my_mpidr(void)
{
	return read_sysreg(mpidr_el1) & MPIDR_AFF_MASK;
}

static unsigned current_el(void)
{
	return (unsigned)(read_sysreg(CurrentEL) >> 2) & 3;
}

/* ---- results ---- */

enum result { RES_PASS, RES_FAIL, RES_SKIP /* a gic sub-check that does not apply */ };

/* Records why for the FAIL line; returns RES_FAIL so a check reads `return fail(...)`. */
__attribute__((format(printf, 1, 2))) static enum result fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(g.why, sizeof(g.why), fmt, ap);
	va_end(ap);
	return RES_FAIL;
}

/* libfdt is built with the stack protector: these are its hooks. */
uintptr_t __stack_chk_guard = 0x2f8e41d3b7a5c960ULL;

__attribute__((noreturn)) void __stack_chk_fail(void);
__attribute__((noreturn)) void __stack_chk_fail(void)
{
	say("FAIL %s: stack protector tripped", g.mode);
	power_off();
}

/* ---- exceptions ---- */

static const char *const vector_names[16] = {
    "current EL SP0 sync", "current EL SP0 IRQ", "current EL SP0 FIQ", "current EL SP0 SError",
    "current EL SPx sync", "current EL SPx IRQ", "current EL SPx FIQ", "current EL SPx SError",
    "lower EL A64 sync",   "lower EL A64 IRQ",	 "lower EL A64 FIQ",   "lower EL A64 SError",
    "lower EL A32 sync",   "lower EL A32 IRQ",	 "lower EL A32 FIQ",   "lower EL A32 SError",
};

/* oob-catch arms this; the handler records one synchronous exception and
 * skips the faulting instruction. */
static struct {
	bool armed, caught;
	uint64_t vector, esr, far, elr;
} expect;

static bool sstep_exception(struct frame *f);

void exception_entry(struct frame *f, uint64_t vector)
{
	static uint32_t fatal;
	uint64_t esr = read_sysreg(esr_el1);
	uint64_t far = read_sysreg(far_el1);

	if (sstep_exception(f) || attack_exception(f, vector) || modes_exception(f, vector) ||
	    el0_exception(f, vector))
		return;
	if (expect.armed && (vector & 3) == 0) {
		expect.armed = false;
		expect.caught = true;
		expect.vector = vector;
		expect.esr = esr;
		expect.far = far;
		expect.elr = f->elr;
		f->elr += 4;
		return;
	}
	if (__atomic_exchange_n(&fatal, 1, __ATOMIC_ACQUIRE))
		power_off(); /* faulted while reporting a fault */
	unlock();	     /* the fault may have hit while this CPU held it */
	say("UNEXPECTED exception ESR=0x%lx FAR=0x%lx ELR=0x%lx (%s)", esr, far, f->elr,
	    vector_names[vector & 15]);
	say("FAIL %s: unexpected exception", g.mode);
	power_off();
}

/* ---- device tree ---- */

static uint64_t dt_cells(const fdt32_t *p, int n)
{
	uint64_t v = 0;

	for (int i = 0; i < n; i++)
		v = (v << 32) | fdt32_to_cpu(p[i]);
	return v;
}

static bool dt_is(const void *fdt, int node, const char *device_type)
{
	const char *t = fdt_getprop(fdt, node, "device_type", NULL);
	return t && !strcmp(t, device_type);
}

static enum result dt_read(const void *fdt)
{
	int node, len;

	int err = fdt_check_header(fdt);
	if (err)
		return fail("no valid DT at 0x%lx: %s", (uint64_t)(uintptr_t)fdt,
			    fdt_strerror(err));
	g.fdt = fdt;

	int ac = fdt_address_cells(fdt, 0), sc = fdt_size_cells(fdt, 0);
	fdt_for_each_subnode(node, fdt, 0)
	{
		const fdt32_t *reg = fdt_getprop(fdt, node, "reg", &len);
		if (!dt_is(fdt, node, "memory") || !reg || len < (ac + sc) * 4)
			continue;
		g.mem_base = dt_cells(reg, ac);
		g.mem_size = dt_cells(reg + ac, sc);
		break;
	}
	if (!g.mem_size)
		return fail("no memory node with a reg in the DT");

	int cpus = fdt_path_offset(fdt, "/cpus");
	if (cpus < 0)
		return fail("no /cpus node in the DT");
	int cac = fdt_address_cells(fdt, cpus);
	fdt_for_each_subnode(node, fdt, cpus)
	{
		const fdt32_t *reg = fdt_getprop(fdt, node, "reg", &len);
		if (!dt_is(fdt, node, "cpu") || !reg || len < cac * 4)
			continue;
		if (g.ncpus == MAX_DT_CPUS)
			return fail("more than %d cpu nodes in /cpus", MAX_DT_CPUS);
		g.cpu_mpidr[g.ncpus++] = dt_cells(reg, cac) & MPIDR_AFF_MASK;
	}

	int psci_node = fdt_path_offset(fdt, "/psci");
	const char *method = psci_node >= 0 ? fdt_getprop(fdt, psci_node, "method", NULL) : NULL;
	if (method) {
		g.psci_method = method;
		g.psci_smc = !strcmp(method, "smc");
	}

	int chosen = fdt_path_offset(fdt, "/chosen");
	g.bootargs = chosen >= 0 ? fdt_getprop(fdt, chosen, "bootargs", NULL) : NULL;
	const fdt32_t *restarts =
	    chosen >= 0 ? fdt_getprop(fdt, chosen, "bulkhead,restarts", &len) : NULL;
	g.restarts = restarts && len == 4 ? (int64_t)fdt32_to_cpu(*restarts) : -1;
	const char *out = chosen >= 0 ? fdt_getprop(fdt, chosen, "stdout-path", &len) : NULL;
	if (out && len > 1) {
		int plen = 0;
		while (out[plen] && out[plen] != ':')
			plen++;
		node = fdt_path_offset_namelen(fdt, out, plen);
		int pac = node >= 0 ? fdt_address_cells(fdt, fdt_parent_offset(fdt, node)) : 0;
		const fdt32_t *reg = node >= 0 ? fdt_getprop(fdt, node, "reg", &len) : NULL;
		if (reg && pac > 0 && pac <= 2 && len >= pac * 4)
			uart_base = dt_cells(reg, pac);
	}
	return RES_PASS;
}

/* "a.b.c.d" (len characters) in host order, or 0 if it is not one. */
static uint32_t parse_ipv4(const char *s, size_t len)
{
	uint32_t ip = 0;
	const char *end = s + len;
	for (unsigned i = 0; i < 4; i++) {
		char *e;
		unsigned long b = strtoul(s, &e, 10);
		if (e == s || b > 255 || e > end || (i < 3 ? *e != '.' : e != end))
			return 0;
		ip = ip << 8 | (uint32_t)b;
		s = e + 1;
	}
	return ip;
}

/* Words of bootargs: `test=<mode>` picks the mode, `native` means no hypervisor,
 * `periods=<n>` sets the rt mode's length, `lose=<n>` makes it lose a tick. */
static void parse_bootargs(const char *s)
{
	snprintf(g.mode, sizeof(g.mode), "basic");
	while (s && *s) {
		while (*s == ' ')
			s++;
		size_t n = 0;
		while (s[n] && s[n] != ' ')
			n++;
		if (n == 6 && !strncmp(s, "native", 6))
			g.native = true;
		else if (n > 5 && !strncmp(s, "test=", 5))
			snprintf(g.mode, MIN(sizeof(g.mode), n - 5 + 1), "%s", s + 5);
		else if (n > 8 && !strncmp(s, "periods=", 8))
			g.periods = strtoul(s + 8, NULL, 0), g.periods_given = true;
		else if (n > 5 && !strncmp(s, "lose=", 5))
			g.lose = strtoul(s + 5, NULL, 0);
		else if (n > 5 && !strncmp(s, "seed=", 5))
			g.seed = strtoul(s + 5, NULL, 0);
		else if (n > 6 && !strncmp(s, "count=", 6))
			g.count = strtoul(s + 6, NULL, 0);
		else if (n > 7 && !strncmp(s, "rounds=", 7))
			g.rounds = strtoul(s + 7, NULL, 0);
		else if (n > 5 && !strncmp(s, "peer=", 5))
			snprintf(g.peer, MIN(sizeof(g.peer), n - 5 + 1), "%s", s + 5);
		else if (n > 6 && !strncmp(s, "until=", 6))
			snprintf(g.until, MIN(sizeof(g.until), n - 6 + 1), "%s", s + 6);
		else if (n > 3 && !strncmp(s, "ip=", 3))
			g.ip = parse_ipv4(s + 3, n - 3), g.ip_given = true;
		else if (n > 9 && !strncmp(s, "while-up=", 9))
			snprintf(g.while_up, MIN(sizeof(g.while_up), n - 9 + 1), "%s", s + 9);
		else if (n > 7 && !strncmp(s, "target=", 7))
			g.target = strtoul(s + 7, NULL, 0);
		else if (n > 5 && !strncmp(s, "role=", 5))
			snprintf(g.role, MIN(sizeof(g.role), n - 5 + 1), "%s", s + 5);
		else if (n > 7 && !strncmp(s, "phases=", 7))
			snprintf(g.phases, MIN(sizeof(g.phases), n - 7 + 1), "%s", s + 7);
		s += n;
	}
}

static bool in_dt_cpus(uint64_t mpidr)
{
	for (unsigned i = 0; i < g.ncpus; i++)
		if (g.cpu_mpidr[i] == mpidr)
			return true;
	return false;
}

/* ---- basic ---- */

static const char hc_message[] = "TESTGUEST: console write via hypercall\n";

static enum result mode_basic(void)
{
	unsigned el = current_el();
	say("hello from EL%u", el);
	say("MPIDR_EL1 0x%lx", read_sysreg(mpidr_el1));
	say("memory base 0x%lx size 0x%lx", g.mem_base, g.mem_size);
	say("cpus %u", g.ncpus);
	int64_t pv = psci(PSCI_VERSION, 0, 0, 0);
	say("psci method %s, PSCI_VERSION 0x%lx (%ld.%ld)", g.psci_method, (uint64_t)pv,
	    (pv >> 16) & 0xffff, pv & 0xffff);
	say("bootargs \"%s\"", g.bootargs ? g.bootargs : "");
	if (g.restarts >= 0)
		say("restarts %ld", g.restarts);

	if (el != 1)
		return fail("running at EL%u, expected EL1", el);
	if (!in_dt_cpus(my_mpidr()))
		return fail("MPIDR 0x%lx is not a /cpus reg", my_mpidr());
	if (pv < 0x10000)
		return fail("PSCI_VERSION 0x%lx, expected 1.0 or later", (uint64_t)pv);
	if (g.native)
		return RES_PASS;

	struct smc_res r = hcall(BH_HC_CALL_UID, 0, 0);
	say("call UID %08lx %08lx %08lx %08lx", r.x0, r.x1, r.x2, r.x3);
	if (r.x0 != BH_HC_UID0 || r.x1 != BH_HC_UID1 || r.x2 != BH_HC_UID2 || r.x3 != BH_HC_UID3)
		return fail("BH_HC_CALL_UID is not Bulkhead's UID");

	r = hcall(BH_HC_VERSION, 0, 0);
	say("Bulkhead hypercall ABI %lu.%lu", r.x0 >> 16, r.x0 & 0xffff);
	if (r.x0 >> 16 != BH_VERSION_MAJOR)
		return fail("BH_HC_VERSION 0x%lx: major version is not %d", r.x0, BH_VERSION_MAJOR);

	r = hcall(BH_HC_SELF, 0, 0);
	say("domain %lu vcpu %lu/%lu on pcpu %lu", r.x1, r.x2, r.x3, r.x4);
	if (r.x0 != BH_OK || r.x3 != g.ncpus || r.x2 >= r.x3)
		return fail("BH_HC_SELF returned %ld, vcpu %lu of %lu (DT has %u cpus)",
			    (int64_t)r.x0, r.x2, r.x3, g.ncpus);

	/* Our own RAM: the text must appear on the console as one line. */
	size_t n = sizeof(hc_message) - 1;
	lock();
	r = hcall(BH_HC_CONSOLE_WRITE, (uintptr_t)hc_message, n);
	unlock();
	if (r.x0 != n)
		return fail("BH_HC_CONSOLE_WRITE of %zu bytes in own RAM returned %ld", n,
			    (int64_t)r.x0);

	/* Outside our RAM, and straddling its end: refused, not followed. */
	uint64_t ram_end = g.mem_base + g.mem_size;
	r = hcall(BH_HC_CONSOLE_WRITE, ram_end + 0x1000, 16);
	say("BH_HC_CONSOLE_WRITE at 0x%lx returned %ld", ram_end + 0x1000, (int64_t)r.x0);
	if ((int64_t)r.x0 != BH_E_INVALID)
		return fail("BH_HC_CONSOLE_WRITE outside own RAM returned %ld, expected %d",
			    (int64_t)r.x0, BH_E_INVALID);
	r = hcall(BH_HC_CONSOLE_WRITE, ram_end - 8, 16);
	say("BH_HC_CONSOLE_WRITE at 0x%lx (across the end of RAM) returned %ld", ram_end - 8,
	    (int64_t)r.x0);
	if ((int64_t)r.x0 != BH_E_INVALID)
		return fail("BH_HC_CONSOLE_WRITE across the end of RAM returned %ld, expected %d",
			    (int64_t)r.x0, BH_E_INVALID);
	return RES_PASS;
}

/* ---- smp: secondary bring-up, also used by sgi-all ---- */

static uint32_t checked_in;
static struct {
	uint64_t mpidr; /* expected, set by the boot CPU */
	uint64_t seen_mpidr, seen_el;
} slots[MAX_CPUS];
/* What a secondary does after it checked in and before CPU_OFF (NULL: nothing).
 * Set by the mode before it starts the secondaries. */
static void (*secondary_job)(unsigned slot);

void secondary_main(uint64_t slot)
{
	uint64_t mpidr = my_mpidr();
	unsigned el = current_el();

	say("cpu 0x%lx up at EL%u", mpidr, el);
	slots[slot].seen_mpidr = mpidr;
	slots[slot].seen_el = el;
	__atomic_fetch_add(&checked_in, 1, __ATOMIC_RELEASE);
	__asm__ volatile("dsb ish\n\tsev" ::: "memory"); /* wake the boot CPU's WFE */
	if (secondary_job)
		secondary_job((unsigned)slot);
	int64_t r = psci(PSCI_CPU_OFF, 0, 0, 0);
	say("FAIL %s: CPU_OFF on cpu 0x%lx returned %ld", g.mode, mpidr, r);
	power_off();
}

/*
 * CPU_ON every DT CPU but this one (up to MAX_CPUS in all), slot 1.. in DT
 * order, and wait up to WAIT_SECONDS for each to check in at EL1 with the
 * MPIDR it was started for. *started = how many were started.
 */
static enum result start_secondaries(unsigned *started)
{
	uint64_t self = my_mpidr(), entry = (uintptr_t)secondary_entry;
	unsigned n_started = 0;

	*started = 0;
	for (unsigned i = 0; i < g.ncpus; i++) {
		if (g.cpu_mpidr[i] == self)
			continue;
		if (n_started + 1 == MAX_CPUS) {
			say("only %d CPUs have stacks: not starting the rest", MAX_CPUS);
			break;
		}
		unsigned slot = ++n_started;
		slots[slot].mpidr = g.cpu_mpidr[i];
		int64_t r = psci(PSCI_CPU_ON_64, g.cpu_mpidr[i], entry, slot);
		if (r != 0)
			return fail("CPU_ON 0x%lx returned %ld", g.cpu_mpidr[i], r);
		*started = n_started;
	}

	uint64_t deadline = deadline_in(WAIT_SECONDS);
	while (__atomic_load_n(&checked_in, __ATOMIC_ACQUIRE) < n_started && now() < deadline)
		__asm__ volatile("wfe");
	unsigned n = __atomic_load_n(&checked_in, __ATOMIC_ACQUIRE);
	if (n != n_started)
		return fail("%u of %u secondary CPUs checked in within %d s", n, n_started,
			    WAIT_SECONDS);
	for (unsigned s = 1; s <= n_started; s++)
		if (slots[s].seen_mpidr != slots[s].mpidr || slots[s].seen_el != 1)
			return fail("CPU_ON 0x%lx started a CPU with MPIDR 0x%lx at EL%lu",
				    slots[s].mpidr, slots[s].seen_mpidr, slots[s].seen_el);
	return RES_PASS;
}

/* Poll AFFINITY_INFO until each started secondary reports OFF, within WAIT_SECONDS. */
static enum result wait_secondaries_off(unsigned started)
{
	uint64_t deadline = deadline_in(WAIT_SECONDS);
	int64_t r;

	for (unsigned s = 1; s <= started; s++) {
		do
			r = psci(PSCI_AFFINITY_INFO_64, slots[s].mpidr, 0, 0);
		while (r != AFFINITY_OFF && now() < deadline);
		if (r != AFFINITY_OFF)
			return fail(
			    "AFFINITY_INFO 0x%lx is %ld %d s after CPU_OFF, expected 1 (OFF)",
			    slots[s].mpidr, r, WAIT_SECONDS);
	}
	return RES_PASS;
}

static enum result mode_smp(void)
{
	uint64_t self = my_mpidr(), entry = (uintptr_t)secondary_entry;
	uint64_t absent = 0;

	for (unsigned i = 0; i < g.ncpus; i++)
		absent = MAX(absent, g.cpu_mpidr[i] + 1);

	/* Negative checks first; context MAX_CPUS parks a CPU started by mistake. */
	int64_t r = psci(PSCI_CPU_ON_64, absent, entry, MAX_CPUS);
	say("CPU_ON 0x%lx (not in the DT) returned %ld", absent, r);
	if (r != PSCI_INVALID_PARAMETERS)
		return fail("CPU_ON of absent MPIDR 0x%lx returned %ld, expected %d", absent, r,
			    PSCI_INVALID_PARAMETERS);
	r = psci(PSCI_CPU_ON_64, self, entry, MAX_CPUS);
	say("CPU_ON 0x%lx (this CPU) returned %ld", self, r);
	if (r != PSCI_ALREADY_ON)
		return fail("CPU_ON of the running CPU returned %ld, expected %d", r,
			    PSCI_ALREADY_ON);

	unsigned started;
	if (start_secondaries(&started) != RES_PASS || wait_secondaries_off(started) != RES_PASS)
		return RES_FAIL;
	say("%u secondary CPUs checked in and are off", started);
	return RES_PASS;
}

/* ---- oob, oob-catch ---- */

static uint64_t oob_address(void)
{
	return g.mem_base + g.mem_size + 0x1000;
}

static enum result mode_oob(void)
{
	uint64_t addr = oob_address();
	if (addr >= IDMAP_END)
		return fail("0x%lx is beyond this guest's identity map", addr);
	/* No vectors: an injected abort cannot be handled, so the hypervisor must
	 * end the domain (its on-fault action) rather than inject. */
	write_sysreg(vbar_el1, 0);
	isb();
	say("reading 0x%lx", addr);
	uint64_t v = *(volatile uint64_t *)addr;
	return fail("read returned 0x%lx", v);
}

static enum result mode_oob_catch(void)
{
	uint64_t addr = oob_address(), v = 0, pc;
	if (addr >= IDMAP_END)
		return fail("0x%lx is beyond this guest's identity map", addr);
	say("reading 0x%lx", addr);
	expect.armed = true;
	__asm__ volatile("adr %1, 1f\n"
			 "1:\tldr %0, [%2]"
			 : "+r"(v), "=&r"(pc)
			 : "r"(addr)
			 : "memory");
	expect.armed = false;
	if (!expect.caught)
		return fail("read returned 0x%lx without an abort", v);
	say("caught abort ESR=0x%lx FAR=0x%lx", expect.esr, expect.far);
	if (expect.vector != VEC_CUR_SPX_SYNC)
		return fail("abort taken at the \"%s\" vector, expected \"%s\"",
			    vector_names[expect.vector], vector_names[VEC_CUR_SPX_SYNC]);
	if (ESR_EC(expect.esr) != EC_DABT_CUR || ESR_DFSC(expect.esr) != DFSC_SEA)
		return fail("ESR 0x%lx: EC 0x%lx DFSC 0x%lx, expected EC 0x%x DFSC 0x%x",
			    expect.esr, ESR_EC(expect.esr), ESR_DFSC(expect.esr), EC_DABT_CUR,
			    DFSC_SEA);
	if (expect.far != addr)
		return fail("FAR 0x%lx, expected 0x%lx", expect.far, addr);
	if (expect.elr != pc)
		return fail("ELR 0x%lx, expected the load at 0x%lx", expect.elr, pc);
	return RES_PASS;
}

/* ---- setway ---- */

struct cache_level {
	unsigned level, sets, ways, line_shift;
};

static unsigned data_cache_levels(struct cache_level *c)
{
	uint64_t clidr = read_sysreg(clidr_el1);
	bool ccidx = (read_sysreg(id_aa64mmfr2_el1) >> 20) & 0xf; /* 64-bit CCSIDR format */
	unsigned n = 0;

	for (unsigned level = 0; level < 7; level++) {
		unsigned ctype = (clidr >> (3 * level)) & 7;
		if (ctype == 0)
			break;
		if (ctype < 2) /* instruction cache only: no DC operations */
			continue;
		write_sysreg(csselr_el1, level << 1);
		isb();
		uint64_t ccsidr = read_sysreg(ccsidr_el1);
		c[n].level = level;
		c[n].line_shift = (ccsidr & 7) + 4;
		if (ccidx) {
			c[n].ways = ((ccsidr >> 3) & 0x1fffff) + 1;
			c[n].sets = ((ccsidr >> 32) & 0xffffff) + 1;
		} else {
			c[n].ways = ((ccsidr >> 3) & 0x3ff) + 1;
			c[n].sets = ((ccsidr >> 13) & 0x7fff) + 1;
		}
		n++;
	}
	return n;
}

#define SW_CSW	0
#define SW_CISW 1
#define SW_ISW	2

/*
 * One operation over every set and way of every level. No stores happen
 * inside (a leaf with everything in registers), so when ISW runs right after
 * CISW there are no dirty lines for it to discard.
 */
static __attribute__((noinline)) uint64_t setway_op(int op, const struct cache_level *c, unsigned n)
{
	uint64_t count = 0;

	for (unsigned i = 0; i < n; i++) {
		unsigned way_shift = 32 - (c[i].ways > 1 ? 32 - __builtin_clz(c[i].ways - 1) : 0);
		for (uint64_t way = 0; way < c[i].ways; way++) {
			for (uint64_t set = 0; set < c[i].sets; set++) {
				uint64_t sw = (way << way_shift) | (set << c[i].line_shift) |
					      (c[i].level << 1);
				if (op == SW_CSW)
					__asm__ volatile("dc csw, %0" ::"r"(sw));
				else if (op == SW_CISW)
					__asm__ volatile("dc cisw, %0" ::"r"(sw));
				else
					__asm__ volatile("dc isw, %0" ::"r"(sw));
				count++;
			}
		}
	}
	__asm__ volatile("dsb sy" ::: "memory");
	return count;
}

static enum result mode_setway(void)
{
	struct cache_level c[7];
	unsigned n = data_cache_levels(c);

	for (unsigned i = 0; i < n; i++)
		say("L%u data/unified cache: %u sets x %u ways x %u bytes", c[i].level + 1,
		    c[i].sets, c[i].ways, 1u << c[i].line_shift);
	uint64_t csw = setway_op(SW_CSW, c, n);
	uint64_t cisw = setway_op(SW_CISW, c, n);
	uint64_t isw = setway_op(SW_ISW, c, n);
	say("dc csw x%lu, dc cisw x%lu, dc isw x%lu done", csw, cisw, isw);
	return RES_PASS;
}

/* ---- sstep: the architecture's software step over trapped instructions ---- */

static struct {
	bool armed;
	uint64_t elr;
} sstep;

/* The step exception (EC 0x33, or 0x32 from EL0): where it was taken. The
 * block resumes there, unstepped (MDSCR_EL1.SS off, the SPSR's SS is 0). */
static bool sstep_exception(struct frame *f)
{
	uint64_t ec = read_sysreg(esr_el1) >> 26;
	if (!sstep.armed || (ec != 0x32 && ec != 0x33))
		return false;
	sstep.armed = false;
	sstep.elr = f->elr;
	write_sysreg(mdscr_el1, 0);
	__asm__ volatile("isb");
	return true;
}

/* Step one instruction, `insn` (with x0 = a, x1 = b; it may write x0), from
 * EL1 with MDSCR_EL1.SS and KDE and an ERET whose SPSR has SS set. Returns
 * how many instructions after it the step exception was taken: 0 is the
 * architecture (the exception right after the stepped instruction); a
 * hypervisor that emulates it and returns with SPSR_EL2.SS still set lets
 * one more run (1). -1: no step exception at all. */
#define SSTEP(name, insn)                                                                         \
	static int64_t name(uint64_t a, uint64_t b)                                               \
	{                                                                                          \
		uint64_t base, daif;                                                               \
		sstep.armed = true;                                                                \
		__asm__ volatile("mrs %1, daif\n"                                                 \
				 "mov x0, %2\n"                                                    \
				 "mov x1, %3\n"                                                    \
				 "msr mdscr_el1, %4\n"                                             \
				 "isb\n"                                                           \
				 "adr %0, 1f\n"                                                    \
				 "msr elr_el1, %0\n"                                               \
				 "msr spsr_el1, %5\n"                                              \
				 "adr %0, 2f\n"                                                    \
				 "isb\n"                                                           \
				 "eret\n"                                                          \
				 "1: " insn "\n"                                                   \
				 "2: nop\n"                                                        \
				 "nop\n"                                                           \
				 "nop\n"                                                           \
				 "msr daif, %1\n"                                                  \
				 : "=&r"(base), "=&r"(daif)                                        \
				 : "r"(a), "r"(b), "r"((1ul << 13) | 1ul), "r"((1ul << 21) | 0x1c5ul) \
				 : "x0", "x1", "memory");                                          \
		if (sstep.armed) {                                                                 \
			sstep.armed = false;                                                       \
			write_sysreg(mdscr_el1, 0);                                                \
			return -1;                                                                 \
		}                                                                                  \
		return (int64_t)(sstep.elr - base) / 4;                                            \
	}
SSTEP(sstep_ldr, "ldr w0, [x0]")
SSTEP(sstep_dc_csw, "dc csw, x1")
SSTEP(sstep_hvc, "hvc #0")
SSTEP(sstep_sgi1r, "msr S3_0_C12_C11_5, x1")

/* A GICv3 CPU interface's system registers (ID_AA64PFR0_EL1.GIC): an SGI
 * write then traps (ICH_HCR_EL2.TC); without them it is undefined. */
static bool gic_sysregs(void)
{
	return ((read_sysreg(id_aa64pfr0_el1) >> 24) & 0xf) != 0;
}

static enum result mode_sstep(void)
{
	struct {
		const char *what;
		int64_t late;
	} r[] = {
	    {"an emulated UART FR read", sstep_ldr(uart_base + 0x18, 0)},
	    {"an emulated UART CR read (the general path)", sstep_ldr(uart_base + 0x30, 0)},
	    {"a trapped DC CSW", sstep_dc_csw(0, 0)},
	    /* An exception-generating instruction: the step ends with it. */
	    {"an HVC (PSCI_VERSION)", g.psci_smc ? 0 : sstep_hvc(0x84000000, 0)},
	    /* SGI 0 to TargetList 0: nobody (vectors.S serves it: guest_sgi64). */
	    {"a trapped ICC_SGI1R_EL1 write", gic_sysregs() ? sstep_sgi1r(0, 0) : -2},
	};
	unsigned bad = 0;
	for (unsigned i = 0; i < sizeof(r) / sizeof(r[0]); i++) {
		if (r[i].late == -2)
			say("sstep: %s: skipped (no GICv3 system registers)", r[i].what);
		else if (r[i].late == 0)
			say("sstep: %s: the step exception right after it", r[i].what);
		else
			say("sstep: %s: the step exception %ld instructions late", r[i].what,
			    r[i].late);
		bad += r[i].late != 0 && r[i].late != -2;
	}
	return bad ? fail("sstep: %u stepped instructions not stepped as the architecture says",
			  bad)
		   : RES_PASS;
}

/* ---- hvc-flood ---- */

#define FLOOD_HVC 100000
#define FLOOD_SMC 1000

/* Unknown IDs, alternating SMC64 and SMC32 forms: an SMC32 result is in w0 only. */
static bool not_supported(uint32_t fid, uint64_t x0)
{
	return (fid & 0x40000000) ? (int64_t)x0 == -1 : (int32_t)x0 == -1;
}

/* Unknown call i of a sequence in the vendor hypervisor range (entity 6),
 * away from Bulkhead's own IDs and the 0xFF00-0xFFFF general queries,
 * alternating SMC64 and SMC32 forms: it must return NOT_SUPPORTED. */
static enum result unknown_hvc(unsigned i)
{
	uint32_t fid = ((i & 1) ? 0x86001000u : 0xC6001000u) + (i / 2) % 0xE000;
	uint64_t x0 = hcall(fid, i, 0).x0;
	if (!not_supported(fid, x0))
		return fail("HVC 0x%08x returned 0x%lx, expected -1 (NOT_SUPPORTED)", fid, x0);
	return RES_PASS;
}

static enum result mode_hvc_flood(void)
{
	/* Natively only the PSCI conduit's instruction is answered (QEMU returns
	 * NOT_SUPPORTED for unknown IDs there); the other one is undefined at EL1. */
	bool do_hvc = !g.native || !g.psci_smc, do_smc = !g.native || g.psci_smc;

	uint64_t t0 = now();
	for (unsigned i = 0; do_hvc && i < FLOOD_HVC; i++)
		if (unknown_hvc(i) != RES_PASS)
			return RES_FAIL;
	uint64_t t1 = now();
	/* SiP (entity 2) SMC32 and OEM (entity 3) SMC64 calls. */
	for (unsigned i = 0; do_smc && i < FLOOD_SMC; i++) {
		uint32_t fid = (i & 1) ? 0xC3000100u + i : 0x82001234u + i;
		uint64_t x0 = smccc(true, fid, i, 0, 0).x0;
		if (!not_supported(fid, x0))
			return fail("SMC 0x%08x returned 0x%lx, expected -1 (NOT_SUPPORTED)", fid,
				    x0);
	}
	uint64_t t2 = now();
	if (do_hvc)
		say("%d unknown HVCs returned NOT_SUPPORTED in %lu us", FLOOD_HVC,
		    ticks_to_us(t1 - t0));
	else
		say("unknown HVCs skipped: native, and the PSCI conduit is smc");
	if (do_smc)
		say("%d unknown SMCs returned NOT_SUPPORTED in %lu us", FLOOD_SMC,
		    ticks_to_us(t2 - t1));
	else
		say("unknown SMCs skipped: native, and the PSCI conduit is hvc");
	return RES_PASS;
}

/* ---- sysreset ---- */

/* Bulkhead reloads the domain on reset but counts restarts in its DT, so the
 * second boot can tell that the first one's reset worked and stop. */
static enum result mode_sysreset(void)
{
	if (g.restarts > 0) {
		say("restarted %ld time(s)", g.restarts);
		return RES_PASS;
	}
	say("resetting");
	int64_t r = psci(PSCI_SYSTEM_RESET, 0, 0, 0);
	return fail("SYSTEM_RESET returned %ld", r);
}

/* ---- interrupts: shared by gic, sgi-all, rt and bench ---- */

static uint64_t us_to_ticks(uint64_t us)
{
	return us * read_sysreg(cntfrq_el0) / 1000000;
}

static void delay_us(uint64_t us)
{
	uint64_t end = now() + us_to_ticks(us);
	while (now() < end)
		;
}

/* Poll, with IRQs as they are, until *p >= n or `us` microseconds have passed. */
static bool wait_count(const uint32_t *p, uint32_t n, uint64_t us)
{
	uint64_t end = now() + us_to_ticks(us);
	while (__atomic_load_n(p, __ATOMIC_ACQUIRE) < n)
		if (now() >= end)
			return __atomic_load_n(p, __ATOMIC_ACQUIRE) >= n;
	return true;
}

/* The GIC from the DT, its distributor, and this CPU's interface. */
static enum result irq_setup(void)
{
	const char *err = gic_probe(g.fdt);
	if (err)
		return fail("%s", err);
	gic_dist_init();
	err = gic_cpu_init();
	if (err)
		return fail("%s", err);
	if (gic.version == 3)
		say("GICv3: GICD 0x%lx, GICR 0x%lx (0x%lx bytes), %u INTIDs, virtual timer INTID "
		    "%u",
		    gic.gicd, gic.gicr, gic.gicr_size, gic.nr_irqs, gic.timer_irq);
	else
		say("GICv2: GICD 0x%lx, GICC 0x%lx, %u INTIDs, virtual timer INTID %u", gic.gicd,
		    gic.gicc, gic.nr_irqs, gic.timer_irq);
	return RES_PASS;
}

/* One word read that may abort (an emulated register the hypervisor refuses):
 * false if it did, with the abort's ESR in *val. */
static bool guarded_read32(uint64_t addr, uint32_t *val)
{
	uint64_t v = 0;

	expect.caught = false;
	expect.armed = true;
	__asm__ volatile("ldr %w0, [%1]" : "+r"(v) : "r"(addr) : "memory");
	expect.armed = false;
	if (expect.caught) {
		*val = (uint32_t)expect.esr;
		return false;
	}
	*val = (uint32_t)v;
	return true;
}

/* ---- gic ---- */

#define UARTIMSC    0x38
#define UART_TXIM   (1u << 5)
#define UART_INTID  33 /* SPI 1, unless the DT says otherwise */
#define PRIO_NORMAL 0x80
#define PRIO_LOW    0xa0
#define PRIO_HIGH   0x20
#define SGI_BURST   8 /* SGIs 0-7 at once: more than the hypervisor's list registers */
#define SGI_LOW	    9
#define SGI_HIGH    10
#define SGI_MASKED  11
#define SGI_SPLIT   12
#define SGI_SUSPEND 13

/* What the gic mode's handlers saw. */
static struct {
	uint32_t sgi[16]; /* SGIs taken, by INTID */
	uint32_t burst_order[SGI_BURST];
	uint32_t n_burst;
	char order[8]; /* preemption: '<' SGI 9 entered, 'H' SGI 10, '>' SGI 9 left */
	uint32_t n_order;
	uint32_t uart;	      /* PL011 interrupts taken */
	uint32_t foreign;     /* interrupts of SPIs the domain does not own */
	uint32_t timer;	      /* virtual timer interrupts */
	uint64_t timer_at;    /* CNTVCT at the timer handler's entry */
	uint64_t timer_ctl;   /* CNTV_CTL there (ISTATUS must be set) */
	uint32_t timer_level; /* timer interrupts completed with the line high */
	uint32_t race;	      /* timer-race: expiries taken */
	uint32_t race_spurious; /* timer-race: taken with ISTATUS clear */
	uint32_t split;	      /* SGI 12s taken with EOImode 1 */
	uint32_t split_iar;   /* the last one's IAR, for DIR */
} gt;

static void order_log(char c)
{
	uint32_t i = __atomic_fetch_add(&gt.n_order, 1, __ATOMIC_RELAXED);
	if (i < sizeof(gt.order) - 1)
		gt.order[i] = c;
}

static void on_sgi(uint32_t iar)
{
	unsigned id = gic_iar_intid(iar);
	if (id < SGI_BURST) {
		uint32_t i = __atomic_fetch_add(&gt.n_burst, 1, __ATOMIC_RELAXED);
		if (i < SGI_BURST)
			gt.burst_order[i] = id;
	}
	__atomic_fetch_add(&gt.sgi[id & 15], 1, __ATOMIC_RELEASE);
}

/* Runs at priority 0xa0 with IRQs unmasked: SGI 10 (0x20) must preempt it. */
static void on_sgi_low(uint32_t iar)
{
	on_sgi(iar);
	order_log('<');
	irq_enable();
	gic_send_sgi_self(SGI_HIGH);
	wait_count(&gt.sgi[SGI_HIGH], 1, 10000);
	irq_disable();
	order_log('>');
}

static void on_sgi_high(uint32_t iar)
{
	on_sgi(iar);
	order_log('H');
}

/* The first arrival is completed with the line still high: the level must
 * bring it back. The second one lowers the line first: no third. */
static void on_uart(uint32_t iar)
{
	(void)iar;
	if (__atomic_add_fetch(&gt.uart, 1, __ATOMIC_RELEASE) >= 2)
		mmio_write32(UART_BASE + UARTIMSC, 0);
}

static void on_foreign(uint32_t iar)
{
	(void)iar;
	__atomic_fetch_add(&gt.foreign, 1, __ATOMIC_RELEASE);
}

static void on_timer(uint32_t iar)
{
	(void)iar;
	gt.timer_at = now();
	gt.timer_ctl = read_sysreg(cntv_ctl_el0);
	vtimer_mask(); /* the line drops before the dispatcher's EOI */
	__atomic_fetch_add(&gt.timer, 1, __ATOMIC_RELEASE);
}

/* Like on_uart: the first arrival is completed with the timer condition
 * still met (CVAL in the past, unmasked), the second masks it. */
static void on_timer_level(uint32_t iar)
{
	(void)iar;
	if (__atomic_add_fetch(&gt.timer_level, 1, __ATOMIC_RELEASE) >= 2)
		vtimer_mask();
}

#define RACE_N	   1000
#define RACE_SPAN_US 100

/* Re-arms the timer 0-100 us ahead (a different offset each time), so the
 * next expiry lands before this handler's EOI, during the hypervisor's work
 * on it (GICv2: the EOI maintenance interrupt and the re-sample of the
 * level), or after it. */
static void on_timer_race(uint32_t iar)
{
	(void)iar;
	if (!(read_sysreg(cntv_ctl_el0) & CNTV_CTL_ISTATUS)) {
		__atomic_fetch_add(&gt.race_spurious, 1, __ATOMIC_RELEASE);
		return;
	}
	uint32_t k = __atomic_add_fetch(&gt.race, 1, __ATOMIC_RELEASE);
	if (k >= RACE_N) {
		vtimer_mask();
		return;
	}
	vtimer_set(now() + (uint64_t)k * 37 % us_to_ticks(RACE_SPAN_US));
}

static void on_split(uint32_t iar)
{
	gt.split_iar = iar;
	__atomic_fetch_add(&gt.split, 1, __ATOMIC_RELEASE);
}

/*
 * EOImode 1 (split priority drop and deactivation, as Linux uses at EL2 and
 * many RTOSes do): after the dispatcher's EOIR the SGI stays active, so a
 * second one waits; only DIR deactivates it, and then the second is taken.
 */
static enum result gic_eoimode1(void)
{
	irq_set_handler(SGI_SPLIT, on_split);
	gic_set_priority(SGI_SPLIT, PRIO_NORMAL);
	gic_enable(SGI_SPLIT, true);
	gic_set_eoimode(true);
	if (!gic_eoimode_split())
		return fail("EOImode reads 0 after it was set to 1");
	irq_enable();
	gic_send_sgi_self(SGI_SPLIT);
	if (!wait_count(&gt.split, 1, 100000))
		return fail("SGI %u not taken", SGI_SPLIT);
	bool active = gic_active(SGI_SPLIT);
	gic_send_sgi_self(SGI_SPLIT);
	delay_us(2000);
	uint32_t before_dir = gt.split;
	uint32_t first = gt.split_iar;
	gic_deactivate(first);
	bool second = wait_count(&gt.split, 2, 100000);
	if (second)
		gic_deactivate(gt.split_iar);
	delay_us(1000);
	bool still_active = gic_active(SGI_SPLIT);
	irq_disable();
	gic_set_eoimode(false);
	gic_enable(SGI_SPLIT, false);
	say("gic: eoimode1: active after EOIR %d, taken %u before DIR, %u after; active at the "
	    "end %d",
	    active, before_dir, gt.split, still_active);
	if (!active)
		return fail("SGI %u reads inactive after EOIR with EOImode 1 (before DIR)",
			    SGI_SPLIT);
	if (before_dir != 1)
		return fail("SGI %u taken again (%u times) while still active", SGI_SPLIT,
			    before_dir);
	if (!second)
		return fail("the second SGI %u was not taken after DIR deactivated the first",
			    SGI_SPLIT);
	if (gt.split != 2 || still_active)
		return fail("SGI %u: taken %u times (want 2), active at the end %d", SGI_SPLIT,
			    gt.split, still_active);
	return RES_PASS;
}

static enum result gic_sgi_burst(void)
{
	irq_disable();
	for (unsigned i = 0; i < SGI_BURST; i++) {
		irq_set_handler(i, on_sgi);
		gic_set_priority(i, PRIO_NORMAL);
		gic_enable(i, true);
	}
	for (unsigned i = 0; i < SGI_BURST; i++)
		gic_send_sgi_self(i);
	uint32_t pending = 0;
	for (unsigned i = 0; i < SGI_BURST; i++)
		pending |= (uint32_t)gic_pending(i) << i;
	irq_enable();
	wait_count(&gt.n_burst, SGI_BURST, 100000);
	delay_us(2000); /* time for any duplicate to show up */
	for (unsigned i = 0; i < SGI_BURST; i++)
		gic_enable(i, false);

	char taken[3 * SGI_BURST + 1] = "";
	for (unsigned i = 0; i < MIN(gt.n_burst, (uint32_t)SGI_BURST); i++)
		snprintf(taken + strlen(taken), sizeof(taken) - strlen(taken), " %u",
			 gt.burst_order[i]);
	say("gic: sgi-burst: pending while masked 0x%02x, taken in order:%s", pending, taken);
	for (unsigned i = 0; i < SGI_BURST; i++)
		if (gt.sgi[i] != 1)
			return fail("SGI %u taken %u times, expected once (%u of %u taken in all)",
				    i, gt.sgi[i], gt.n_burst, SGI_BURST);
	if (pending != (1u << SGI_BURST) - 1)
		return fail(
		    "ISPENDR0 showed 0x%02x pending while IRQs were masked, expected 0x%02x",
		    pending, (1u << SGI_BURST) - 1);
	return RES_PASS;
}

static enum result gic_preemption(void)
{
	irq_set_handler(SGI_LOW, on_sgi_low);
	irq_set_handler(SGI_HIGH, on_sgi_high);
	gic_set_priority(SGI_LOW, PRIO_LOW);
	gic_set_priority(SGI_HIGH, PRIO_HIGH);
	gic_enable(SGI_LOW, true);
	gic_enable(SGI_HIGH, true);
	irq_enable();
	gic_send_sgi_self(SGI_LOW);
	wait_count(&gt.n_order, 3, 100000);
	gic_enable(SGI_LOW, false);
	gic_enable(SGI_HIGH, false);
	say("gic: preemption: order \"%s\" (<: SGI 9 entered, H: SGI 10, >: SGI 9 left)", gt.order);
	if (strcmp(gt.order, "<H>"))
		return fail("order \"%s\", expected \"<H>\": SGI 10 (priority 0x%x) did not "
			    "preempt SGI 9's handler (running priority 0x%x)",
			    gt.order, PRIO_HIGH, PRIO_LOW);
	return RES_PASS;
}

static enum result gic_level(void)
{
	unsigned intid = dt_device_irq(g.fdt, "arm,pl011", UART_BASE);
	if (!intid)
		intid = UART_INTID;
	irq_set_handler(intid, on_uart);
	gic_set_priority(intid, PRIO_NORMAL);
	gic_route_to_self(intid);
	gic_enable(intid, true);
	if (!gic_enabled(intid))
		return fail("the PL011's INTID %u reads disabled after ISENABLER", intid);
	irq_enable();
	mmio_write32(UART_BASE + UARTIMSC, UART_TXIM); /* TXIS is set: the line goes high */
	bool twice = wait_count(&gt.uart, 2, 100000);
	uint32_t n = gt.uart;
	delay_us(2000);
	uint32_t after = gt.uart;
	mmio_write32(UART_BASE + UARTIMSC, 0);
	gic_enable(intid, false);
	say("gic: level: PL011 INTID %u taken %u time(s) with TXIM set, %u after IMSC=0", intid, n,
	    after - n);
	if (n == 0)
		return fail("no interrupt from the PL011 (INTID %u) with UARTIMSC.TXIM set", intid);
	if (!twice)
		return fail("INTID %u completed with its level still high was not taken again",
			    intid);
	if (after != 2)
		return fail("INTID %u taken %u times, expected 2: it did not stop once UARTIMSC "
			    "was cleared",
			    intid, after);
	return RES_PASS;
}

static enum result gic_ownership(void)
{
	static const unsigned spis[] = {40, 100};

	if (g.native) {
		snprintf(g.why, sizeof(g.why), "native: every SPI is the guest's");
		return RES_SKIP;
	}
	for (unsigned i = 0; i < ARRAY_SIZE(spis); i++) {
		unsigned intid = spis[i];
		if (intid >= gic.nr_irqs)
			continue;
		irq_set_handler(intid, on_foreign);
		gic_set_priority(intid, PRIO_NORMAL);
		gic_route_to_self(intid);
		gic_enable(intid, true);
		bool en = gic_enabled(intid);
		gic_set_pending(intid, true);
		bool pend = gic_pending(intid);
		say("gic: ownership: INTID %u after ISENABLER/ISPENDR: enabled %d pending %d",
		    intid, en, pend);
		if (en || pend)
			return fail(
			    "INTID %u (not the domain's) reads %s%s%s after the guest set it",
			    intid, en ? "enabled" : "", en && pend ? " and " : "",
			    pend ? "pending" : "");
	}
	irq_enable();
	delay_us(2000);
	for (unsigned i = 0; i < ARRAY_SIZE(spis); i++) {
		gic_set_pending(spis[i], false);
		gic_enable(spis[i], false);
	}
	if (gt.foreign)
		return fail("%u interrupt(s) of SPIs the domain does not own were delivered",
			    gt.foreign);
	return RES_PASS;
}

static enum result gic_id_regs(void)
{
	/* GICv3: 64 KiB frames, PIDR2 at 0xffe8; GICv2: a 4 KiB GICD, PIDR2 at 0xfe8. */
	uint64_t off = gic.version == 3 ? 0xffe8 : 0xfe8;
	uint32_t pidr2, iidr = gicd_read(GICD_IIDR), typer = gicd_read(GICD_TYPER);

	if (!guarded_read32(gic.gicd + off, &pidr2))
		return fail("reading GICD_PIDR2 (GICD + 0x%lx) aborted: ESR 0x%x", off, pidr2);
	say("gic: id-regs: GICD_PIDR2 0x%x (ArchRev %u), GICD_IIDR 0x%x, GICD_TYPER 0x%x", pidr2,
	    (pidr2 >> 4) & 0xf, iidr, typer);
	if (((pidr2 >> 4) & 0xf) != gic.version)
		return fail("GICD_PIDR2 0x%x: ArchRev %u, expected %u", pidr2, (pidr2 >> 4) & 0xf,
			    gic.version);
	if (gic.version == 3) {
		uint32_t rd_pidr2;
		if (!guarded_read32(gic.gicr + 0xffe8, &rd_pidr2))
			return fail("reading GICR_PIDR2 aborted: ESR 0x%x", rd_pidr2);
		if (((rd_pidr2 >> 4) & 0xf) != 3)
			return fail("GICR_PIDR2 0x%x: ArchRev %u, expected 3", rd_pidr2,
				    (rd_pidr2 >> 4) & 0xf);
	}
	return RES_PASS;
}

static enum result gic_masked_pending(void)
{
	irq_disable();
	irq_set_handler(SGI_MASKED, on_sgi);
	gic_set_priority(SGI_MASKED, PRIO_NORMAL);
	gic_enable(SGI_MASKED, false);
	bool enabled = gic_enabled(SGI_MASKED);
	gic_send_sgi_self(SGI_MASKED);
	bool pending = gic_pending(SGI_MASKED);
	uint32_t sources = 0;
	if (gic.version == 2) {
		/* SPENDSGIR2 byte 3 = SGI 11: a bit per sending CPU. */
		sources = (gicd_read(GICD_SPENDSGIR + 8) >> 24) & 0xff;
		gicd_write(GICD_CPENDSGIR + 8, 0xffu << 24);
	} else {
		gic_set_pending(SGI_MASKED, false);
	}
	bool cleared = !gic_pending(SGI_MASKED);
	irq_enable();
	delay_us(1000);
	if (gic.version == 2)
		say("gic: masked-pending: SGI %u disabled: enabled %d, pending %d (SPENDSGIR "
		    "sources 0x%x), cleared %d",
		    SGI_MASKED, enabled, pending, sources, cleared);
	else
		say("gic: masked-pending: SGI %u disabled: enabled %d, pending %d, cleared %d",
		    SGI_MASKED, enabled, pending, cleared);
	if (enabled && !g.native)
		return fail("SGI %u still reads enabled after ICENABLER", SGI_MASKED);
	if (enabled)
		say("gic: masked-pending: note: this GIC keeps SGIs enabled (allowed on GICv2)");
	if (!pending)
		return fail("SGI %u sent while disabled does not read pending in ISPENDR",
			    SGI_MASKED);
	if (gic.version == 2 && sources != 1u << gic_cpu_id())
		return fail("SPENDSGIR shows sources 0x%x for SGI %u, expected 0x%x (this CPU)",
			    sources, SGI_MASKED, 1u << gic_cpu_id());
	if (!cleared)
		return fail("SGI %u still pending after ICPENDR/CPENDSGIR", SGI_MASKED);
	if (gt.sgi[SGI_MASKED])
		return fail("SGI %u was taken after its pending state was cleared", SGI_MASKED);
	return RES_PASS;
}

static enum result gic_timer(void)
{
	uint64_t freq = read_sysreg(cntfrq_el0);
	isb();
	uint64_t vct = read_sysreg(cntvct_el0);
	uint64_t pct = read_sysreg(cntpct_el0);
	say("gic: timer: CNTVCT 0x%lx CNTPCT 0x%lx (virtual %lu us behind), CNTFRQ %lu Hz", vct,
	    pct, pct > vct ? ticks_to_us(pct - vct) : 0, freq);
	if (!g.native && vct >= pct)
		return fail("CNTVCT 0x%lx is not below CNTPCT 0x%lx: no per-domain CNTVOFF", vct,
			    pct);

	unsigned intid = gic.timer_irq;
	irq_set_handler(intid, on_timer);
	gic_set_priority(intid, PRIO_NORMAL);
	gic_enable(intid, true);
	uint64_t cval = now() + freq / 1000;
	irq_disable();
	vtimer_arm(cval);
	/* The timer is the wake-up (nothing else is enabled). Once CVAL has
	 * passed, wait with a limit instead: a lost interrupt must not hang us. */
	while (!__atomic_load_n(&gt.timer, __ATOMIC_ACQUIRE) && now() < cval)
		irq_wait();
	irq_enable();
	if (!wait_count(&gt.timer, 1, 100000))
		return fail("no timer interrupt 100 ms after CVAL 0x%lx (CNTV_CTL 0x%lx)", cval,
			    read_sysreg(cntv_ctl_el0));
	delay_us(2000); /* masked before EOI: it must not come back */
	vtimer_stop();
	gic_enable(intid, false);
	uint64_t at = gt.timer_at;
	say("gic: timer: INTID %u at CNTVCT 0x%lx, CVAL 0x%lx: %ld ticks (%lu us) late", intid, at,
	    cval, (int64_t)(at - cval), at >= cval ? ticks_to_us(at - cval) : 0);
	if (at < cval)
		return fail("timer interrupt at CNTVCT 0x%lx, %lu ticks before CVAL 0x%lx", at,
			    cval - at, cval);
	if (!(gt.timer_ctl & 4))
		return fail("CNTV_CTL 0x%lx in the handler: ISTATUS clear", gt.timer_ctl);
	if (gt.timer != 1)
		return fail("timer interrupt taken %u times, expected once (masked before EOI)",
			    gt.timer);
	return RES_PASS;
}

/*
 * The timer's PPI is level-sensitive too. A hypervisor that links the
 * virtual interrupt to the physical one (the guest's EOI deactivates it)
 * must still see it again when the guest completes it with the line high,
 * as a periodic task does when it falls more than a period behind.
 */
static enum result gic_timer_level(void)
{
	unsigned intid = gic.timer_irq;
	irq_set_handler(intid, on_timer_level);
	gic_set_priority(intid, PRIO_NORMAL);
	gic_enable(intid, true);
	irq_enable();
	vtimer_arm(now()); /* condition met at once */
	bool twice = wait_count(&gt.timer_level, 2, 100000);
	uint32_t n = gt.timer_level;
	delay_us(2000);
	uint32_t after = gt.timer_level;
	vtimer_stop();
	gic_enable(intid, false);
	say("gic: timer-level: INTID %u taken %u time(s) with CVAL in the past, %u after IMASK",
	    intid, n, after - n);
	if (n == 0)
		return fail("no timer interrupt with CVAL in the past");
	if (!twice)
		return fail("timer INTID %u completed with its condition still met was not taken "
			    "again within 100 ms: a periodic task that falls a period behind stops",
			    intid);
	if (after != 2)
		return fail(
		    "timer INTID %u taken %u times, expected 2: it did not stop once masked", intid,
		    after);
	return RES_PASS;
}

/*
 * Every expiry of the timer is delivered, wherever it falls in the path of
 * the previous one. Lost = the timer asserts (ISTATUS) and 100 ms later its
 * interrupt has not been taken; the limit runs from ISTATUS because QEMU may
 * expire the timer late on a loaded host.
 */
static enum result gic_timer_race(void)
{
	unsigned intid = gic.timer_irq;
	irq_set_handler(intid, on_timer_race);
	gic_set_priority(intid, PRIO_NORMAL);
	gic_enable(intid, true);
	irq_enable();
	uint64_t start = now(), asserted = 0;
	uint32_t seen = 0;
	enum result r = RES_PASS;
	vtimer_arm(start);
	for (;;) {
		uint64_t ctl = read_sysreg(cntv_ctl_el0), t = now();
		uint32_t k = __atomic_load_n(&gt.race, __ATOMIC_ACQUIRE);
		if (k >= RACE_N)
			break;
		if (k != seen) {
			seen = k;
			start = t;
			asserted = 0;
		} else if (!(ctl & CNTV_CTL_ISTATUS)) {
			if (t - start > 10 * read_sysreg(cntfrq_el0)) {
				r = fail("expiry %u: the timer has not expired in 10 s (CNTV_CTL 0x%lx)",
					 k + 1, ctl);
				break;
			}
		} else if (!asserted) {
			asserted = t;
		} else if (t - asserted > us_to_ticks(100000)) {
			r = fail("expiry %u: the timer asserted its interrupt (CNTV_CTL 0x%lx) and it "
				 "was not taken in 100 ms: lost",
				 k + 1, ctl);
			break;
		}
	}
	vtimer_stop();
	gic_enable(intid, false);
	say("gic: timer-race: %u of %u expiries taken, 0-%u us after each re-arm; %u with "
	    "ISTATUS clear",
	    gt.race, RACE_N, RACE_SPAN_US, gt.race_spurious);
	if (r == RES_PASS && gt.race_spurious)
		return fail("%u timer interrupts taken with CNTV_CTL.ISTATUS clear (spurious)",
			    gt.race_spurious);
	return r;
}

/*
 * CPU_SUSPEND (standby) called with IRQs masked while an interrupt is
 * already pending for this vCPU (an SGI it sent itself, a virtual timer
 * tick listed at an exit) must return (PSCI allows standby to return at
 * once), not sleep until the next physical interrupt: forever on a quiet
 * CPU. A watchdog, the EL1 physical timer 50 ms on (its PPI disabled
 * here: only its physical interrupt wakes the hypervisor), bounds a hang.
 */
static uint32_t susp_ticks;

static void on_susp_tick(uint32_t iar)
{
	(void)iar;
	vtimer_stop();
	__atomic_fetch_add(&susp_ticks, 1, __ATOMIC_RELEASE);
}

static enum result suspend_watched(const char *what, const uint32_t *taken)
{
	uint64_t freq = read_sysreg(cntfrq_el0), t0 = now();
	uint32_t before = *taken;
	write_sysreg(cntp_tval_el0, freq / 20);
	write_sysreg(cntp_ctl_el0, CNTV_CTL_ENABLE);
	isb();
	say("gic: suspend-pending: CPU_SUSPEND with %s pending (50 ms watchdog)", what);
	int64_t r = psci(PSCI_CPU_SUSPEND, 0, 0, 0);
	uint64_t took = now() - t0;
	write_sysreg(cntp_ctl_el0, 0);
	isb();
	irq_enable();
	delay_us(1000);
	irq_disable();
	uint32_t n = *taken - before;
	if (r)
		return fail("CPU_SUSPEND with %s pending returned %ld", what, r);
	if (took >= freq / 20)
		return fail("CPU_SUSPEND with %s pending hung until the watchdog (%lu us)", what,
			    ticks_to_us(took));
	if (n != 1)
		return fail("%s taken %u times once unmasked, expected once", what, n);
	return RES_PASS;
}

static enum result gic_suspend_pending(void)
{
	if (g.native) {
		snprintf(g.why, sizeof(g.why), "native: CPU_SUSPEND is the firmware's");
		return RES_SKIP;
	}
	irq_disable();
	irq_set_handler(SGI_SUSPEND, on_sgi);
	gic_set_priority(SGI_SUSPEND, PRIO_NORMAL);
	gic_enable(SGI_SUSPEND, true);
	gic_send_sgi_self(SGI_SUSPEND);
	enum result r = suspend_watched("SGI 13 sent to itself", &gt.sgi[SGI_SUSPEND]);
	gic_enable(SGI_SUSPEND, false);
	if (r != RES_PASS)
		return r;
	unsigned t = gic.timer_irq;
	irq_set_handler(t, on_susp_tick);
	gic_set_priority(t, PRIO_NORMAL);
	gic_enable(t, true);
	vtimer_arm(now()); /* CVAL passed: listed at an exit while masked */
	delay_us(1000);
	r = suspend_watched("the virtual timer's tick", &susp_ticks);
	vtimer_stop();
	gic_enable(t, false);
	return r;
}

static enum result mode_gic(void)
{
	static const struct {
		const char *name;
		enum result (*run)(void);
	} checks[] = {
	    {"sgi-burst", gic_sgi_burst}, {"preemption", gic_preemption},
	    {"level", gic_level},	  {"ownership", gic_ownership},
	    {"id-regs", gic_id_regs},	  {"masked-pending", gic_masked_pending},
	    {"timer", gic_timer},	  {"timer-level", gic_timer_level},
	    {"timer-race", gic_timer_race}, {"eoimode1", gic_eoimode1},
	    {"suspend-pending", gic_suspend_pending},
	};
	const char *first_failed = NULL;

	if (irq_setup() != RES_PASS)
		return RES_FAIL;
	for (unsigned i = 0; i < ARRAY_SIZE(checks); i++) {
		g.why[0] = 0;
		enum result r = checks[i].run();
		if (r == RES_PASS) {
			say("gic: %s: ok", checks[i].name);
		} else if (r == RES_SKIP) {
			say("gic: %s: skipped (%s)", checks[i].name, g.why);
		} else {
			say("gic: %s: FAIL %s", checks[i].name, g.why);
			if (!first_failed)
				first_failed = checks[i].name;
		}
		irq_disable();
	}
	say("gic: %u spurious, %u unexpected interrupt(s)", irq_spurious, irq_stray.count);
	if (first_failed)
		return fail("check %s failed (see its line)", first_failed);
	if (irq_stray.count)
		return fail("%u unexpected interrupt(s), the last INTID %u", irq_stray.count,
			    irq_stray.last_intid);
	return RES_PASS;
}

/* ---- sgi-all ---- */

#define SGI_ALL_ID 5
#define SGI_REPLY  6

static struct {
	uint32_t ready;		 /* secondaries with their GIC CPU interface up */
	uint32_t done;		 /* the boot CPU is done: take the last SGI and go off */
	uint32_t got[MAX_CPUS];	 /* SGI 5s taken, by slot */
	uint32_t from[MAX_CPUS]; /* the last one's sender CPU ID (GICv2 IAR[12:10]) */
	uint32_t id[MAX_CPUS];	 /* each CPU's own GICv2 CPU interface number */
	uint32_t replies;	 /* SGI 6s the boot CPU took */
	uint32_t reply_from;	 /* the last one's sender CPU ID */
	const char *err[MAX_CPUS];
} sa;

static void on_sgi_all(uint32_t iar)
{
	unsigned slot = cpu_slot();
	sa.from[slot] = gic_iar_source(iar);
	__atomic_fetch_add(&sa.got[slot], 1, __ATOMIC_RELEASE);
	/* Until the broadcast, answer the boot CPU: SGIs the other way, with
	 * sender IDs other than 0. */
	if (slot && !__atomic_load_n(&sa.done, __ATOMIC_ACQUIRE))
		gic_send_sgi(SGI_REPLY, 0);
	__asm__ volatile("dsb ish\n\tsev" ::: "memory"); /* wake the boot CPU's WFE */
}

static void on_sgi_reply(uint32_t iar)
{
	sa.reply_from = gic_iar_source(iar);
	__atomic_fetch_add(&sa.replies, 1, __ATOMIC_RELEASE);
}

static void sgi_all_secondary(unsigned slot)
{
	sa.err[slot] = gic_cpu_init();
	sa.id[slot] = gic_cpu_id();
	if (!sa.err[slot]) {
		gic_set_priority(SGI_ALL_ID, PRIO_NORMAL);
		gic_enable(SGI_ALL_ID, true);
	}
	irq_disable();
	__atomic_fetch_add(&sa.ready, 1, __ATOMIC_RELEASE);
	__asm__ volatile("dsb ish\n\tsev" ::: "memory");
	while (!sa.err[slot] && !__atomic_load_n(&sa.done, __ATOMIC_ACQUIRE))
		irq_wait();
}

/* Wait (WFE: the handlers SEV) until slot s has taken n SGIs, up to 1 s. */
static bool wait_got(unsigned s, uint32_t n)
{
	uint64_t deadline = deadline_in(1);
	while (__atomic_load_n(&sa.got[s], __ATOMIC_ACQUIRE) < n && now() < deadline)
		__asm__ volatile("wfe");
	return __atomic_load_n(&sa.got[s], __ATOMIC_ACQUIRE) >= n;
}

static enum result mode_sgi_all(void)
{
	unsigned started, self_id;

	if (irq_setup() != RES_PASS)
		return RES_FAIL;
	self_id = gic_cpu_id();
	irq_set_handler(SGI_ALL_ID, on_sgi_all);
	irq_set_handler(SGI_REPLY, on_sgi_reply);
	/* Enabled here too: a broadcast to "all but self" must not reach us. */
	gic_set_priority(SGI_ALL_ID, PRIO_NORMAL);
	gic_enable(SGI_ALL_ID, true);
	gic_set_priority(SGI_REPLY, PRIO_NORMAL);
	gic_enable(SGI_REPLY, true);
	irq_enable();

	secondary_job = sgi_all_secondary;
	if (start_secondaries(&started) != RES_PASS)
		return RES_FAIL;
	uint64_t deadline = deadline_in(WAIT_SECONDS);
	while (__atomic_load_n(&sa.ready, __ATOMIC_ACQUIRE) < started && now() < deadline)
		__asm__ volatile("wfe");
	if (sa.ready < started)
		return fail("%u of %u secondaries set up their GIC within %d s", sa.ready, started,
			    WAIT_SECONDS);
	for (unsigned s = 1; s <= started; s++)
		if (sa.err[s])
			return fail("cpu 0x%lx: %s", slots[s].mpidr, sa.err[s]);

	for (unsigned s = 1; s <= started; s++) {
		uint32_t before[MAX_CPUS];
		for (unsigned o = 0; o <= started; o++)
			before[o] = sa.got[o];
		gic_send_sgi(SGI_ALL_ID, s);
		if (!wait_got(s, before[s] + 1))
			return fail("SGI %u sent to cpu 0x%lx alone was not taken within 1 s",
				    SGI_ALL_ID, slots[s].mpidr);
		for (unsigned o = 0; o <= started; o++)
			if (o != s && sa.got[o] != before[o])
				return fail("SGI %u sent to cpu 0x%lx alone was also taken by "
					    "cpu 0x%lx",
					    SGI_ALL_ID, slots[s].mpidr,
					    o ? slots[o].mpidr : my_mpidr());
		uint64_t deadline = deadline_in(1);
		while (__atomic_load_n(&sa.replies, __ATOMIC_ACQUIRE) < s && now() < deadline)
			__asm__ volatile("wfe");
		if (gic.version == 2)
			say("sgi-all: SGI %u to cpu 0x%lx: taken, sender CPU %u; its reply SGI %u: "
			    "sender CPU %u",
			    SGI_ALL_ID, slots[s].mpidr, sa.from[s], SGI_REPLY, sa.reply_from);
		else
			say("sgi-all: SGI %u to cpu 0x%lx: taken; its reply SGI %u: taken",
			    SGI_ALL_ID, slots[s].mpidr, SGI_REPLY);
		if (gic.version == 2 && sa.from[s] != self_id)
			return fail("cpu 0x%lx saw SGI %u from CPU %u in GICC_IAR, expected %u "
				    "(the boot CPU)",
				    slots[s].mpidr, SGI_ALL_ID, sa.from[s], self_id);
		if (sa.replies != s)
			return fail(
			    "%u reply SGI(s) from cpu 0x%lx taken by the boot CPU, expected 1",
			    sa.replies - (s - 1), slots[s].mpidr);
		if (gic.version == 2 && sa.reply_from != sa.id[s])
			return fail("the boot CPU saw SGI %u from CPU %u in GICC_IAR, expected %u "
				    "(cpu 0x%lx)",
				    SGI_REPLY, sa.reply_from, sa.id[s], slots[s].mpidr);
	}

	/* Last: one broadcast, after which the secondaries go off. */
	__atomic_store_n(&sa.done, 1, __ATOMIC_RELEASE);
	gic_send_sgi_others(SGI_ALL_ID);
	for (unsigned s = 1; s <= started; s++) {
		if (!wait_got(s, 2))
			return fail("broadcast SGI %u not taken by cpu 0x%lx within 1 s",
				    SGI_ALL_ID, slots[s].mpidr);
		if (gic.version == 2 && sa.from[s] != self_id)
			return fail("cpu 0x%lx saw broadcast SGI %u from CPU %u, expected %u",
				    slots[s].mpidr, SGI_ALL_ID, sa.from[s], self_id);
	}
	delay_us(2000);
	say("sgi-all: broadcast SGI %u (all but self): taken by %u CPU(s), %u time(s) by this one",
	    SGI_ALL_ID, started, sa.got[0]);
	if (sa.got[0])
		return fail("the broadcast to all but self reached the sender");
	for (unsigned s = 1; s <= started; s++)
		if (sa.got[s] != 2)
			return fail("cpu 0x%lx took SGI %u %u times, expected 2", slots[s].mpidr,
				    SGI_ALL_ID, sa.got[s]);
	if (wait_secondaries_off(started) != RES_PASS)
		return RES_FAIL;
	say("sgi-all: %u secondary CPUs took their SGIs and are off", started);
	return RES_PASS;
}

/* ---- rt ---- */

#define RT_REPORT_EVERY 1000
#define RT_LOST_US	100000 /* asserted this long and not taken: the tick is lost */
#define RT_EXPIRY_S	10     /* the timer itself not expired this long after its deadline */

static struct {
	uint64_t period, deadline;
	uint64_t worst;	 /* ticks */
	uint64_t ticks;	 /* periods elapsed */
	uint64_t target; /* stop after this many; 0 = never */
	uint64_t early;	 /* interrupts taken before their deadline */
	uint64_t early_by;
	uint64_t lose; /* after this period the next tick is lost on purpose; 0 = never */
} rt;

/* Deadlines advance by exactly one period from the previous deadline, never
 * from "now", so lateness never accumulates into drift. */
static void on_rt_tick(uint32_t iar)
{
	(void)iar;
	uint64_t t = now(), d = rt.deadline;
	if (t < d) {
		rt.early++;
		rt.early_by = d - t;
	} else if (t - d > rt.worst) {
		rt.worst = t - d;
	}
	uint64_t n = __atomic_add_fetch(&rt.ticks, 1, __ATOMIC_RELEASE);
	if (rt.target && n >= rt.target) {
		vtimer_stop();
		return;
	}
	if (n == rt.lose) /* self-test: the next tick asserts but is never taken */
		gic_enable(gic.timer_irq, false);
	rt.deadline = d + rt.period;
	vtimer_set(rt.deadline); /* the line drops before the dispatcher's EOI */
}

/*
 * The deadline of tick n + 1 has passed by the counter: wait for the tick,
 * polling rather than in WFI, so that a lost tick fails instead of hanging.
 * The interrupt is due once the timer asserts it (CNTV_CTL.ISTATUS), and the
 * limit runs from then, not from the deadline: on hardware the two coincide,
 * but an emulator's timer expires when the host gets round to it (QEMU without
 * -icount, on a loaded machine: over 100 ms after CVAL), and until then there
 * is nothing for the hypervisor to deliver.
 */
static enum result rt_wait_tick(uint64_t n)
{
	uint64_t start = now(), asserted = 0;
	enum result r = RES_PASS;
	irq_enable();
	for (;;) {
		uint64_t ctl = read_sysreg(cntv_ctl_el0), t = now();
		if (__atomic_load_n(&rt.ticks, __ATOMIC_ACQUIRE) != n)
			break; /* taken (after the read above: ctl is not stale) */
		if ((ctl & (CNTV_CTL_ENABLE | CNTV_CTL_IMASK)) != CNTV_CTL_ENABLE) {
			r = fail("period %lu: CNTV_CTL 0x%lx: the timer was disabled or masked "
				 "behind the task's back",
				 n + 1, ctl);
			break;
		}
		if (!(ctl & CNTV_CTL_ISTATUS)) {
			if (t - start > RT_EXPIRY_S * read_sysreg(cntfrq_el0)) {
				r = fail("period %lu: the timer has not expired %u s after its "
					 "deadline (CNTV_CTL 0x%lx, CVAL 0x%lx, CNTVCT 0x%lx)",
					 n + 1, RT_EXPIRY_S, ctl, read_sysreg(cntv_cval_el0), t);
				break;
			}
			continue;
		}
		if (!asserted) {
			asserted = t;
		} else if (t - asserted > us_to_ticks(RT_LOST_US)) {
			r = fail(
			    "period %lu: the timer interrupt, asserted (CNTV_CTL 0x%lx) for "
			    "%u ms, was not taken: the tick is lost (CVAL 0x%lx, CNTVCT 0x%lx)",
			    n + 1, ctl, RT_LOST_US / 1000, read_sysreg(cntv_cval_el0), t);
			break;
		}
	}
	irq_disable();
	return r;
}

/* rt `until=<peer>`: the channel to that peer (below, with the channels). */
static bool until_setup(void);
static bool until_said_stop(void);

/*
 * rt `ip=`: the task on a virtual network (vnet.c). The device's interrupt
 * only wakes the task from its WFI; the frames are handled in the task's loop
 * with IRQs enabled and a budget per call, so a tick always preempts them
 * and the deadlines do not depend on the traffic.
 */
#define RT_NET_BUDGET 8

static void on_net_irq(uint32_t iar)
{
	(void)iar;
	vnet_irq_ack();
}

static enum result rt_net_setup(void)
{
	const char *why = vnet_init(g.fdt, g.ip);
	if (why)
		return fail("ip=: %s", why);
	unsigned intid = vnet_intid();
	irq_set_handler(intid, on_net_irq);
	gic_set_priority(intid, PRIO_LOW); /* below the tick */
	gic_route_to_self(intid);
	gic_enable(intid, true);
	const uint8_t *m = vnet_mac();
	say("rt: net: virtio-net, INTID %u, MAC %02x:%02x:%02x:%02x:%02x:%02x, answering ARP and "
	    "ping at %u.%u.%u.%u",
	    intid, m[0], m[1], m[2], m[3], m[4], m[5], g.ip >> 24, g.ip >> 16 & 255,
	    g.ip >> 8 & 255, g.ip & 255);
	return RES_PASS;
}

/* Once per report: the frames answered, when that changed (frames merely
 * ignored, such as other hosts' multicast, print nothing), and a broken device. */
static void rt_net_report(void)
{
	static struct vnet_stats last;
	static bool said_broken;
	const struct vnet_stats *st = vnet_stats();
	if (st->arp != last.arp || st->icmp != last.icmp || st->bad != last.bad ||
	    st->tx_full != last.tx_full) {
		say("rt: net: %u frames in, %u ARP and %u echo replies, %u ignored, %u bad, %u "
		    "replies dropped",
		    st->rx, st->arp, st->icmp, st->ignored, st->bad, st->tx_full);
		last = *st;
	}
	if (vnet_broken() && !said_broken) {
		say("rt: net: the device went to DEVICE_NEEDS_RESET: no more frames");
		said_broken = true;
	}
}

/* rt `while-up=<id>,...`: 1 while one of those domains runs (or restarts), 0
 * once all are off or stopped, -1 (with g.why) if a query is refused. */
static int rt_peers_up(void)
{
	int up = 0;
	for (const char *s = g.while_up; *s;) {
		char *e;
		uint64_t id = strtoul(s, &e, 0);
		if (e == s || (*e && *e != ',')) {
			fail("while-up=%s: not a list of domain ids", g.while_up);
			return -1;
		}
		struct smc_res r = hcall(BH_HC_DOMAIN_QUERY, id, 0);
		if ((int64_t)r.x0) {
			fail("while-up=%s: domain %lu cannot be queried (%ld): the policy must allow "
			     "this domain's type domain { query } on it",
			     g.while_up, id, (int64_t)r.x0);
			return -1;
		}
		up |= r.x1 == BH_DOM_RUNNING || r.x1 == BH_DOM_RESTARTING;
		s = *e == ',' ? e + 1 : e + strlen(e);
	}
	return up;
}

static enum result mode_rt(void)
{
	if (irq_setup() != RES_PASS)
		return RES_FAIL;
	if (g.until[0] && !until_setup())
		return fail("until=%s: no channel to %s in the DT", g.until, g.until);
	if (g.ip_given && !g.ip)
		return fail("ip= is not an IPv4 address (a.b.c.d)");
	if (g.while_up[0] && g.native)
		return fail("while-up= needs Bulkhead (BH_HC_DOMAIN_QUERY)");
	if ((g.ip && rt_net_setup() != RES_PASS) || (g.while_up[0] && rt_peers_up() < 0))
		return RES_FAIL;
	bool peers_down = false;
	rt.period = read_sysreg(cntfrq_el0) / 1000;
	rt.target = g.periods;
	rt.lose = g.lose;
	say("rt: period 1 ms (%lu ticks), %lu periods%s", rt.period, rt.target,
	    rt.target ? "" : " (forever)");
	if (rt.lose)
		say("rt: self-test: the tick after period %lu will be lost", rt.lose);
	irq_set_handler(gic.timer_irq, on_rt_tick);
	gic_set_priority(gic.timer_irq, PRIO_NORMAL);
	gic_enable(gic.timer_irq, true);

	uint64_t next_report = RT_REPORT_EVERY;
	irq_disable();
	rt.deadline = now() + rt.period;
	vtimer_arm(rt.deadline);
	for (;;) {
		uint64_t n = __atomic_load_n(&rt.ticks, __ATOMIC_ACQUIRE);
		if ((rt.target && n >= rt.target) || (g.until[0] && until_said_stop()) ||
		    peers_down)
			break;
		if (n >= next_report) {
			irq_enable(); /* ticks go on while the line is printed */
			say("rt: %lu periods, worst lateness %lu us", next_report,
			    ticks_to_us(rt.worst));
			if (g.ip)
				rt_net_report();
			peers_down = g.while_up[0] && rt_peers_up() == 0;
			irq_disable();
			next_report += RT_REPORT_EVERY;
			continue;
		}
		if (g.ip) {
			irq_enable();
			bool more = vnet_poll(RT_NET_BUDGET);
			irq_disable();
			if (more)
				continue;
		}
		if (now() < __atomic_load_n(&rt.deadline, __ATOMIC_ACQUIRE) &&
		    !(rt.lose && n >= rt.lose)) {
			irq_wait(); /* the next tick is in the future: sleep until it */
			continue;
		}
		if (rt_wait_tick(n) != RES_PASS)
			return RES_FAIL;
	}
	vtimer_stop();
	irq_enable();
	gic_enable(gic.timer_irq, false);
	if (g.until[0])
		say("rt: %s said stop", g.until);
	if (peers_down)
		say("rt: domains %s are down", g.while_up);
	if (g.ip)
		rt_net_report();
	say("rt: done %lu periods, worst lateness %lu us", rt.ticks, ticks_to_us(rt.worst));
	say("rt: worst lateness %lu ticks (%lu ns)", rt.worst,
	    rt.worst * 1000000000 / read_sysreg(cntfrq_el0));
	if (rt.early)
		return fail(
		    "%lu timer interrupt(s) before their deadline (the last %lu ticks early)",
		    rt.early, rt.early_by);
	return RES_PASS;
}

/* ---- bench ---- */

#define BENCH_N		 1000
#define BENCH_N_TIMER	 200
#define TIMER_DELTA	 100 /* ticks: far enough that the WFI is always reached */
#define SGI_BENCH	 1
#define PMU_INST_RETIRED 0x08
#define PMEVTYPER_NSH	 (1u << 27) /* also count at EL2 */
#define PMCR_E		 (1u << 0)
#define PMCR_P		 (1u << 1) /* reset the event counters */

#define LAT_TICKS	 10000 /* timer deadlines measured */
#define LAT_DELTA	 100   /* ticks from arming to the deadline, as TIMER_DELTA */
#define IPI_ROUNDS	 1000
#define SGI_IPI		 2 /* boot CPU -> the other vCPU */
#define SGI_IPI_BACK	 3 /* and back */

static uint32_t bench_irqs;
/* CNTVCT at the IRQ vector's first instructions (start.S) and at the bench
 * handler's entry: where a latency ends. */
volatile uint64_t irq_vector_vct;
static volatile uint64_t bench_handler_vct;

static void on_bench_irq(uint32_t iar)
{
	bench_handler_vct = read_sysreg(cntvct_el0);
	if (gic_iar_intid(iar) == gic.timer_irq)
		vtimer_stop();
	__atomic_fetch_add(&bench_irqs, 1, __ATOMIC_RELEASE);
}

/* Latencies, in counter ticks, then sorted for the median and the maximum. */
static uint32_t lat_a[LAT_TICKS], lat_b[LAT_TICKS];

static void sort_u32(uint32_t *a, unsigned n)
{
	for (unsigned gap = n / 2; gap; gap /= 2) /* Shell sort: n is 10,000 */
		for (unsigned i = gap; i < n; i++) {
			uint32_t x = a[i];
			unsigned j = i;
			for (; j >= gap && a[j - gap] > x; j -= gap)
				a[j] = a[j - gap];
			a[j] = x;
		}
}

/* "bench-lat NAME ns median=M max=X": virtual time, which under -icount
 * shift=0 is instructions retired on all CPUs (1 ns each), at the counter's
 * resolution (16 ns at QEMU virt's 62.5 MHz). */
static void say_lat(const char *name, uint32_t *a, unsigned n)
{
	uint64_t f = read_sysreg(cntfrq_el0);
	sort_u32(a, n);
	say("bench-lat %s ns median=%lu max=%lu", name, (uint64_t)a[n / 2] * 1000000000 / f,
	    (uint64_t)a[n - 1] * 1000000000 / f);
}

/* The virtual timer's deadline to the guest: to its IRQ vector (the
 * physical timer interrupt, however the hypervisor forwards it) and to the
 * handler (after the acknowledge and dispatch), each tick a fresh deadline
 * LAT_DELTA ticks ahead, this vCPU waiting in WFI as a real-time loop does. */
static bool bench_timer_latency(void)
{
	for (unsigned k = 0; k < LAT_TICKS; k++) {
		uint32_t before = bench_irqs;
		irq_disable();
		uint64_t deadline = read_sysreg(cntvct_el0) + LAT_DELTA;
		vtimer_arm(deadline);
		for (unsigned spin = 0; __atomic_load_n(&bench_irqs, __ATOMIC_ACQUIRE) == before;
		     spin++) {
			if (spin == 1000000)
				return false;
			irq_wait();
		}
		irq_enable();
		lat_a[k] = (uint32_t)(irq_vector_vct - deadline);
		lat_b[k] = (uint32_t)(bench_handler_vct - deadline);
	}
	say_lat("timer-to-vector", lat_a, LAT_TICKS);
	say_lat("timer-to-handler", lat_b, LAT_TICKS);
	return true;
}

static bool op_empty(void)
{
	return true;
}

static bool op_hvc(void)
{
	hcall(BH_HC_VERSION, 0, 0);
	return true;
}

static bool op_mmio(void)
{
	mmio_read32(UART_BASE + UARTFR);
	return true;
}

/* An emulated register read the general way, in C (the region walk, the
 * model: GICD_TYPER), which the FR read (op_mmio, served in the
 * hypervisor's vector) no longer shows. */
static bool op_mmio_gicd(void)
{
	mmio_read32(gic.gicd + 0x4);
	return true;
}

static bool op_psci(void)
{
	return psci(PSCI_VERSION, 0, 0, 0) >= 0x10000;
}

static bool op_sgi_self(void)
{
	uint32_t before = bench_irqs;
	gic_send_sgi_self(SGI_BENCH);
	for (unsigned spin = 0; __atomic_load_n(&bench_irqs, __ATOMIC_ACQUIRE) == before; spin++)
		if (spin == 1000000)
			return false;
	return true;
}

static bool op_timer(void)
{
	uint32_t before = bench_irqs;
	irq_disable();
	vtimer_arm(read_sysreg(cntvct_el0) + TIMER_DELTA);
	while (__atomic_load_n(&bench_irqs, __ATOMIC_ACQUIRE) == before)
		irq_wait();
	irq_enable();
	return true;
}

static bool op_sysreg_trap(void)
{
	__asm__ volatile("dc cisw, %0" ::"r"(0ULL) : "memory"); /* L1, set 0, way 0 */
	return true;
}

static void pmu_read(uint64_t *c0, uint64_t *c1)
{
	isb();
	*c0 = read_sysreg(pmevcntr0_el0);
	*c1 = read_sysreg(pmevcntr1_el0);
}

static enum result mode_bench(void)
{
	static const struct {
		const char *name;
		bool (*op)(void);
		unsigned n;
	} ops[] = {
	    {"empty", op_empty, BENCH_N},
	    {"hvc", op_hvc, BENCH_N},
	    {"mmio", op_mmio, BENCH_N},
	    {"mmio-gicd", op_mmio_gicd, BENCH_N},
	    {"psci", op_psci, BENCH_N},
	    {"sgi-self", op_sgi_self, BENCH_N},
	    {"timer", op_timer, BENCH_N_TIMER},
	    {"sysreg-trap", op_sysreg_trap, BENCH_N},
	};
	uint64_t c0, c1, e0, e1;

	if (irq_setup() != RES_PASS)
		return RES_FAIL;
	irq_set_handler(SGI_BENCH, on_bench_irq);
	irq_set_handler(gic.timer_irq, on_bench_irq);
	gic_set_priority(SGI_BENCH, PRIO_NORMAL);
	gic_set_priority(gic.timer_irq, PRIO_NORMAL);
	gic_enable(SGI_BENCH, true);
	gic_enable(gic.timer_irq, true);
	irq_enable();

	uint64_t pmcr = read_sysreg(pmcr_el0);
	unsigned counters = (pmcr >> 11) & 0x1f;
	say("bench: PMCR_EL0 0x%lx, %u event counters", pmcr, counters);
	if (counters < 2) {
		say("bench: PMU not counting (fewer than 2 event counters)");
		return RES_PASS;
	}
	write_sysreg(pmevtyper0_el0, PMU_INST_RETIRED);
	write_sysreg(pmevtyper1_el0, PMU_INST_RETIRED | PMEVTYPER_NSH);
	write_sysreg(pmcntenset_el0, 3);
	write_sysreg(pmcr_el0, pmcr | PMCR_E | PMCR_P);
	pmu_read(&c0, &c1);
	for (volatile int i = 0; i < 100; i++)
		;
	pmu_read(&e0, &e1);
	if (e0 == c0) {
		say("bench: PMU not counting (run under -icount)");
		return RES_PASS;
	}

	bool native_hvc = !g.native || !g.psci_smc; /* natively HVC exists only as conduit */
	for (unsigned i = 0; i < ARRAY_SIZE(ops); i++) {
		if (ops[i].op == op_hvc && !native_hvc) {
			say("bench hvc skipped: native, and the PSCI conduit is smc");
			continue;
		}
		pmu_read(&c0, &c1);
		for (unsigned k = 0; k < ops[i].n; k++)
			if (!ops[i].op())
				return fail("bench %s: iteration %u did not complete", ops[i].name,
					    k);
		pmu_read(&e0, &e1);
		uint64_t el1 = e0 - c0, all = e1 - c1, n = ops[i].n;
		uint64_t el2 = all > el1 ? all - el1 : 0;
		say("bench %s el1=%lu el2=%lu", ops[i].name, (el1 + n / 2) / n, (el2 + n / 2) / n);
	}
	write_sysreg(pmcntenclr_el0, 3);
	if (!bench_timer_latency())
		return fail("bench timer latency: a tick did not come");
	return RES_PASS;
}

/* ---- bench-ipi: an SGI to another vCPU and its answer (2 vCPUs) ---- */

static struct {
	uint32_t ready, done, left, got, back;
	volatile uint64_t t_handler, t_back; /* CNTVCT at each handler's entry */
	const char *err;
} bi;

static void on_ipi(uint32_t iar)
{
	(void)iar;
	bi.t_handler = read_sysreg(cntvct_el0);
	__atomic_fetch_add(&bi.got, 1, __ATOMIC_RELEASE);
	gic_send_sgi(SGI_IPI_BACK, 0);
}

static void on_ipi_back(uint32_t iar)
{
	(void)iar;
	bi.t_back = read_sysreg(cntvct_el0);
	__atomic_fetch_add(&bi.back, 1, __ATOMIC_RELEASE);
}

static void ipi_secondary(unsigned slot)
{
	(void)slot;
	bi.err = gic_cpu_init();
	if (!bi.err) {
		gic_set_priority(SGI_IPI, PRIO_NORMAL);
		gic_enable(SGI_IPI, true);
	}
	irq_disable();
	__atomic_fetch_add(&bi.ready, 1, __ATOMIC_RELEASE);
	__asm__ volatile("dsb ish\n\tsev" ::: "memory");
	while (!bi.err && !__atomic_load_n(&bi.done, __ATOMIC_ACQUIRE))
		irq_wait();
	__atomic_store_n(&bi.left, 1, __ATOMIC_RELEASE);
	__asm__ volatile("dsb ish\n\tsev" ::: "memory");
}

/* Both vCPUs wait in WFI (as an idle OS does): the send is the sender's
 * SGI register write, the handler's entry its first instruction on the
 * other vCPU; the round ends at the sender's handler of the answer. */
static enum result mode_bench_ipi(void)
{
	unsigned started;

	if (irq_setup() != RES_PASS)
		return RES_FAIL;
	irq_set_handler(SGI_IPI, on_ipi);
	irq_set_handler(SGI_IPI_BACK, on_ipi_back);
	gic_set_priority(SGI_IPI_BACK, PRIO_NORMAL);
	gic_enable(SGI_IPI_BACK, true);
	irq_enable();
	secondary_job = ipi_secondary;
	if (start_secondaries(&started) != RES_PASS)
		return RES_FAIL;
	if (started < 1)
		return fail("bench-ipi needs 2 CPUs");
	uint64_t deadline = deadline_in(WAIT_SECONDS);
	while (__atomic_load_n(&bi.ready, __ATOMIC_ACQUIRE) < 1 && now() < deadline)
		__asm__ volatile("wfe");
	if (!bi.ready || bi.err)
		return fail("the other vCPU did not set up its GIC: %s", bi.err ? bi.err : "timeout");
	for (unsigned r = 0; r < IPI_ROUNDS; r++) {
		uint32_t before = bi.back;
		irq_disable();
		uint64_t t0 = read_sysreg(cntvct_el0);
		gic_send_sgi(SGI_IPI, 1);
		for (unsigned spin = 0; __atomic_load_n(&bi.back, __ATOMIC_ACQUIRE) == before;
		     spin++) {
			if (spin == 1000000)
				return fail("bench-ipi: round %u did not complete", r);
			irq_wait();
		}
		irq_enable();
		lat_a[r] = (uint32_t)(bi.t_handler - t0);
		lat_b[r] = (uint32_t)(bi.t_back - t0);
	}
	__atomic_store_n(&bi.done, 1, __ATOMIC_RELEASE);
	gic_send_sgi(SGI_IPI, 1); /* wake it: it sees done and goes off */
	/* WFE, not AFFINITY_INFO polls: under -icount a busy CPU never lets
	 * the other run (QEMU switches CPUs when one waits). */
	deadline = deadline_in(WAIT_SECONDS);
	while (!__atomic_load_n(&bi.left, __ATOMIC_ACQUIRE) && now() < deadline)
		__asm__ volatile("wfe");
	if (!bi.left)
		return fail("bench-ipi: the other vCPU did not finish");
	say_lat("ipi-to-handler", lat_a, IPI_ROUNDS);
	say_lat("ipi-round", lat_b, IPI_ROUNDS);
	return RES_PASS;
}

/* ---- chan: channels between domains and the policy (tests/qemu/channels.sh) ---- */

#define CHAN_ROUNDS 50
#define CHAN_DONE   0xc0ffeeu

struct chan {
	volatile uint32_t *shm;
	uint64_t size;
	unsigned id, intid;
	const char *peer;
};

static uint32_t chan_rings[1024 - 32];

static void on_doorbell(uint32_t iar)
{
	__atomic_fetch_add(&chan_rings[gic_iar_intid(iar) - 32], 1, __ATOMIC_RELEASE);
}

/* The channel to `peer` from this domain's DT, its doorbell routed here and
 * enabled if `enable`. */
static bool chan_find_as(const char *peer, struct chan *c, bool enable)
{
	for (int n = fdt_node_offset_by_compatible(g.fdt, -1, "bulkhead,channel"); n >= 0;
	     n = fdt_node_offset_by_compatible(g.fdt, n, "bulkhead,channel")) {
		int len;
		const char *p = fdt_getprop(g.fdt, n, "bulkhead,peer", &len);
		const fdt32_t *reg = fdt_getprop(g.fdt, n, "reg", &len);
		const fdt32_t *irq = fdt_getprop(g.fdt, n, "interrupts", NULL);
		const fdt32_t *id = fdt_getprop(g.fdt, n, "bulkhead,id", NULL);
		if (!p || strcmp(p, peer) || !reg || len != 16 || !irq || !id)
			continue;
		c->shm = (volatile uint32_t *)(uintptr_t)(((uint64_t)fdt32_to_cpu(reg[0]) << 32) |
							   fdt32_to_cpu(reg[1]));
		c->size = ((uint64_t)fdt32_to_cpu(reg[2]) << 32) | fdt32_to_cpu(reg[3]);
		c->intid = 32 + fdt32_to_cpu(irq[1]);
		c->id = fdt32_to_cpu(id[0]);
		c->peer = p;
		irq_set_handler(c->intid, on_doorbell);
		gic_set_priority(c->intid, PRIO_NORMAL);
		gic_route_to_self(c->intid);
		gic_enable(c->intid, enable);
		say("chan: channel %u to %s: 0x%lx bytes at 0x%lx, doorbell INTID %u", c->id, p,
		    c->size, (uint64_t)(uintptr_t)c->shm, c->intid);
		return true;
	}
	return false;
}

static bool chan_find(const char *peer, struct chan *c)
{
	return chan_find_as(peer, c, true);
}

static int64_t chan_notify(const struct chan *c)
{
	__asm__ volatile("dsb ish" ::: "memory"); /* the message before the doorbell */
	return (int64_t)hcall(BH_HC_CHANNEL_NOTIFY, c->id, 0).x0;
}

static bool wait_rings(const struct chan *c, uint32_t n)
{
	return wait_count(&chan_rings[c->intid - 32], n, WAIT_SECONDS * 1000000ULL);
}

/* rt `until=<peer>`: the peer writes CHAN_DONE in word UNTIL_WORD of their
 * channel when the task is to stop (the doorbell is not used). */
#define UNTIL_WORD 1
static struct chan until_chan;

static bool until_setup(void)
{
	return chan_find_as(g.until, &until_chan, false);
}

static bool until_said_stop(void)
{
	return until_chan.shm[UNTIL_WORD] == CHAN_DONE;
}

static int64_t my_domain_id(void)
{
	return (int64_t)hcall(BH_HC_SELF, 0, 0).x1;
}

static enum result chan_ping(void)
{
	struct chan p, d;
	if (!chan_find("pong", &p) || !chan_find("deny", &d))
		return fail("no channel node to pong and to deny in the DT");
	/* A doorbell rung before pong has set up its GIC would be lost there. */
	if (!wait_count((const uint32_t *)(uintptr_t)&p.shm[2], CHAN_DONE,
			WAIT_SECONDS * 1000000ULL))
		return fail("pong never said it was ready");
	for (uint32_t i = 1; i <= CHAN_ROUNDS; i++) {
		p.shm[0] = i;
		int64_t r = chan_notify(&p);
		if (r)
			return fail("CHANNEL_NOTIFY to pong returned %ld (round %u)", r, i);
		if (!wait_rings(&p, i))
			return fail("no doorbell from pong in round %u", i);
		if (p.shm[1] != i)
			return fail("pong's echo is %u, expected %u", p.shm[1], i);
	}
	say("chan: %u round trips with pong", CHAN_ROUNDS);

	struct smc_res q = hcall(BH_HC_DOMAIN_QUERY, 1, 0);
	if ((int64_t)q.x0 != 0)
		return fail("DOMAIN_QUERY of pong (allowed) returned %ld", (int64_t)q.x0);
	int64_t r = (int64_t)hcall(BH_HC_DOMAIN_RESTART, 1, 0).x0;
	if (r != BH_E_DENIED)
		return fail("DOMAIN_RESTART of pong (no rule) returned %ld, expected DENIED", r);
	r = (int64_t)hcall(BH_HC_CHANNEL_NOTIFY, 99, 0).x0;
	if (r != BH_E_INVALID)
		return fail("CHANNEL_NOTIFY of channel 99 returned %ld, expected INVALID", r);
	r = (int64_t)hcall(BH_HC_DOMAIN_RESTART, (uint64_t)my_domain_id(), 0).x0;
	if (r != BH_E_INVALID)
		return fail("DOMAIN_RESTART of itself returned %ld, expected INVALID", r);
	r = (int64_t)hcall(BH_HC_DOMAIN_QUERY, 77, 0).x0;
	if (r != BH_E_DENIED)
		return fail("DOMAIN_QUERY of domain 77 (none) returned %ld, expected DENIED", r);

	/* deny: once it has seen its calls refused, restart it (allowed). */
	if (!wait_count((const uint32_t *)(uintptr_t)d.shm, CHAN_DONE, WAIT_SECONDS * 1000000ULL))
		return fail("deny never wrote its done mark");
	r = (int64_t)hcall(BH_HC_DOMAIN_RESTART, 2, 0).x0;
	if (r)
		return fail("DOMAIN_RESTART of deny (allowed) returned %ld", r);
	uint64_t end = now() + us_to_ticks(WAIT_SECONDS * 1000000ULL);
	/* Back: running its second life, or (a loaded host may be slow to look)
	 * already done with it and powered off, but restarted either way. */
	do {
		q = hcall(BH_HC_DOMAIN_QUERY, 2, 0);
	} while ((q.x2 < 1 || (q.x1 != BH_DOM_RUNNING && q.x1 != BH_DOM_OFF)) && now() < end);
	if ((int64_t)q.x0 || q.x2 < 1 || (q.x1 != BH_DOM_RUNNING && q.x1 != BH_DOM_OFF))
		return fail("deny: state %lu, %lu restarts after DOMAIN_RESTART", q.x1, q.x2);
	say("chan: deny restarted (state %lu, restarts %lu)", q.x1, q.x2);
	return RES_PASS;
}

static enum result chan_pong(void)
{
	struct chan p;
	if (!chan_find("ping", &p))
		return fail("no channel node to ping in the DT");
	p.shm[2] = CHAN_DONE; /* ready: the doorbell is enabled */
	__asm__ volatile("dsb ish" ::: "memory");
	for (uint32_t i = 1; i <= CHAN_ROUNDS; i++) {
		if (!wait_rings(&p, i))
			return fail("no doorbell from ping in round %u", i);
		if (p.shm[0] != i)
			return fail("ping's message is %u, expected %u", p.shm[0], i);
		p.shm[1] = i;
		int64_t r = chan_notify(&p);
		if (r)
			return fail("CHANNEL_NOTIFY to ping returned %ld (round %u)", r, i);
	}
	say("chan: answered %u rounds", CHAN_ROUNDS);
	return RES_PASS;
}

static enum result chan_deny(void)
{
	struct chan d;
	if (!chan_find("ping", &d))
		return fail("no channel node to ping in the DT");
	if (g.restarts > 0) {
		say("chan: restarted by a peer (%ld restart(s))", g.restarts);
		return RES_PASS;
	}
	int64_t r = chan_notify(&d);
	int64_t q = (int64_t)hcall(BH_HC_DOMAIN_QUERY, 0, 0).x0;
	int64_t s = (int64_t)hcall(BH_HC_DOMAIN_RESTART, 0, 0).x0;
	int64_t own = (int64_t)hcall(BH_HC_DOMAIN_QUERY, (uint64_t)my_domain_id(), 0).x0;
	say("chan: notify %ld, query ping %ld, restart ping %ld, query self %ld", r, q, s, own);
	if (r != BH_E_DENIED || q != BH_E_DENIED || s != BH_E_DENIED)
		return fail("calls no rule allows were not all DENIED");
	/* Ids that exist (0-2) and ids that do not must answer alike: else any
	 * domain could list the others. */
	for (uint64_t id = 0; id < 8; id++) {
		if (id == (uint64_t)my_domain_id())
			continue;
		int64_t qi = (int64_t)hcall(BH_HC_DOMAIN_QUERY, id, 0).x0;
		int64_t ri = (int64_t)hcall(BH_HC_DOMAIN_RESTART, id, 0).x0;
		if (qi != BH_E_DENIED || ri != BH_E_DENIED)
			return fail("domain id %lu: query %ld, restart %ld: an answer other than "
				    "DENIED tells whether the id exists",
				    id, qi, ri);
	}
	say("chan: ids 0-7 but its own: query and restart all DENIED");
	if (own)
		return fail("DOMAIN_QUERY of itself returned %ld", own);
	d.shm[0] = CHAN_DONE;
	__asm__ volatile("dsb ish" ::: "memory");
	delay_us(10 * 1000000ULL);
	return fail("not restarted by ping within 10 s");
}

static enum result mode_chan(void)
{
	if (g.native)
		return fail("test=chan needs Bulkhead");
	if (irq_setup() != RES_PASS)
		return RES_FAIL;
	irq_enable();
	if (!strcmp(g.role, "ping"))
		return chan_ping();
	if (!strcmp(g.role, "pong"))
		return chan_pong();
	if (!strcmp(g.role, "deny"))
		return chan_deny();
	return fail("role=\"%s\": expected ping, pong or deny", g.role);
}

/* ---- chan-flood: a doorbell rung in a tight loop (tests/qemu/channel-flood.sh) ---- */

#define FLOOD_NOTIFIES 100000
/* Words of the channel's memory: the sink's phase (it is ready for the
 * flooder's phase n) and the flooder's (it has finished phase n). */
#define FLOOD_SINK  8
#define FLOOD_FLOOD 9

/* Phases (`phases=<digits>`, e.g. 12 or 3): 1, the sink's doorbell disabled;
 * 2, enabled but the sink's IRQs masked (it stays pending); 3, enabled and
 * taken (the rate limit decides how many get through). */
static bool flood_phase(char n)
{
	return strchr(g.phases[0] ? g.phases : "12", n) != NULL;
}

/* One ring of c's doorbell, i-th of a flood: counted as accepted or refused
 * (BUSY: max-notify-rate); any other answer fails. */
static enum result notify_counted(const struct chan *c, uint32_t i, uint32_t *ok, uint32_t *busy)
{
	int64_t r = (int64_t)hcall(BH_HC_CHANNEL_NOTIFY, c->id, 0).x0;
	if (r == BH_OK)
		(*ok)++;
	else if (r == BH_E_BUSY)
		(*busy)++;
	else
		return fail("CHANNEL_NOTIFY returned %ld (notify %u)", r, i);
	return RES_PASS;
}

static enum result flood_flooder(void)
{
	struct chan c;
	if (!chan_find_as("sink", &c, false))
		return fail("no channel node to sink in the DT");
	for (uint32_t ph = 1; ph <= 3; ph++) {
		if (!flood_phase((char)('0' + ph)))
			continue;
		if (!wait_count((const uint32_t *)(uintptr_t)&c.shm[FLOOD_SINK], ph,
				2 * WAIT_SECONDS * 1000000ULL))
			return fail("the sink never got ready for phase %u", ph);
		uint32_t ok = 0, busy = 0;
		uint64_t t0 = now();
		for (uint32_t i = 0; i < FLOOD_NOTIFIES; i++)
			if (notify_counted(&c, i, &ok, &busy) != RES_PASS)
				return RES_FAIL;
		uint64_t ms = (now() - t0) * 1000 / read_sysreg(cntfrq_el0);
		say("flood: phase %u: %u notifies in %lu ms: %u ok, %u busy", ph, FLOOD_NOTIFIES,
		    ms, ok, busy);
		__atomic_store_n(&c.shm[FLOOD_FLOOD], ph, __ATOMIC_RELEASE);
	}
	return RES_PASS;
}

static enum result flood_sink(void)
{
	struct chan c;
	irq_disable();
	if (!chan_find_as("flood", &c, false))
		return fail("no channel node to flood in the DT");
	uint32_t *rings = &chan_rings[c.intid - 32];
	for (uint32_t ph = 1; ph <= 3; ph++) {
		if (!flood_phase((char)('0' + ph)))
			continue;
		if (ph >= 2)
			gic_enable(c.intid, true);
		if (ph == 3)
			irq_enable();
		uint32_t before = *rings;
		__atomic_store_n(&c.shm[FLOOD_SINK], ph, __ATOMIC_RELEASE);
		if (!wait_count((const uint32_t *)(uintptr_t)&c.shm[FLOOD_FLOOD], ph,
				60 * 1000000ULL))
			return fail("the flooder never finished phase %u", ph);
		if (ph == 1) {
			if (!gic_pending(c.intid))
				return fail("phase 1: the disabled doorbell does not read pending");
			say("sink: phase 1: doorbell pending while disabled, %u taken", *rings);
			continue;
		}
		if (ph == 2) {
			/* Unmasked now: what was rung must arrive, coalesced. */
			irq_enable();
			delay_us(10000);
			irq_disable();
		} else {
			delay_us(10000);
		}
		uint32_t got = *rings - before;
		say("sink: phase %u: %u doorbell(s) taken", ph, got);
		if (got == 0)
			return fail("phase %u: the rung doorbell never arrived", ph);
		if (ph == 2 && got > 2)
			return fail("phase %u: %u doorbells for one pending edge", ph, got);
	}
	return RES_PASS;
}

static enum result mode_chan_flood(void)
{
	if (g.native)
		return fail("test=chan-flood needs Bulkhead");
	if (irq_setup() != RES_PASS)
		return RES_FAIL;
	if (!strcmp(g.role, "flood"))
		return flood_flooder();
	if (!strcmp(g.role, "sink"))
		return flood_sink();
	return fail("role=\"%s\": expected flood or sink", g.role);
}

/* ---- shared-page: two domains' devices in one register page (tests/qemu/shared-page.sh) ---- */

/* The test's board DT splits QEMU's PL061 into 4-byte "devices": a owns
 * GPIODIR, b the GPIOIS right after it; a also owns fw-cfg, and b a range
 * in fw-cfg's page where QEMU decodes nothing (an access there aborts). */
#define SP_REG_A   0x09030400UL
#define SP_REG_B   0x09030404UL
#define SP_FWCFG   0x09020000UL
#define SP_HOLE	   0x09020100UL
#define SP_B_VALUE 0x5a
#define SP_A_HIGH  0x33
/* Words of their channel's memory: b's register is set; a is done; b is done. */
#define SP_B_READY 0
#define SP_A_DONE  1
#define SP_B_DONE  2

/* One access of `size` bytes, a fault caught: true if it faulted. */
static bool probe_access(uint64_t addr, unsigned size, bool write, uint64_t *val)
{
	uint64_t v = write ? *val : 0;
	expect.armed = true;
	expect.caught = false;
	switch (size | (write ? 16 : 0)) {
	case 1: __asm__ volatile("ldrb %w0, [%1]" : "+r"(v) : "r"(addr) : "memory"); break;
	case 2: __asm__ volatile("ldrh %w0, [%1]" : "+r"(v) : "r"(addr) : "memory"); break;
	case 4: __asm__ volatile("ldr %w0, [%1]" : "+r"(v) : "r"(addr) : "memory"); break;
	case 8: __asm__ volatile("ldr %0, [%1]" : "+r"(v) : "r"(addr) : "memory"); break;
	case 18: __asm__ volatile("strh %w0, [%1]" ::"r"(v), "r"(addr) : "memory"); break;
	case 20: __asm__ volatile("str %w0, [%1]" ::"r"(v), "r"(addr) : "memory"); break;
	case 24: __asm__ volatile("str %0, [%1]" ::"r"(v), "r"(addr) : "memory"); break;
	}
	expect.armed = false;
	if (!write)
		*val = v;
	return expect.caught;
}

static enum result shared_a(void)
{
	struct chan c;
	if (!chan_find_as("b", &c, false))
		return fail("no channel node to b in the DT");
	if (!wait_count((const uint32_t *)(uintptr_t)&c.shm[SP_B_READY], 1,
			2 * WAIT_SECONDS * 1000000ULL))
		return fail("b never set its register");
	/* Its own forwarded device works: fw-cfg's signature (selector key 0,
	 * written big-endian; then the data register byte by byte). */
	uint64_t key = 0, sig = 0;
	if (probe_access(SP_FWCFG + 8, 2, true, &key))
		return fail("fw-cfg selector write aborted");
	for (unsigned i = 0; i < 4; i++) {
		uint64_t ch;
		if (probe_access(SP_FWCFG, 1, false, &ch))
			return fail("fw-cfg data read aborted");
		sig |= (ch & 0xff) << (8 * i);
	}
	char sig_text[5] = {(char)sig, (char)(sig >> 8), (char)(sig >> 16), (char)(sig >> 24), 0};
	say("a: fw-cfg signature \"%s\"", sig_text);
	uint64_t v = 0;
	bool read_aborted = probe_access(SP_REG_A, 8, false, &v);
	if (read_aborted)
		say("a: 8-byte read at its 4-byte register: abort");
	else
		say("a: 8-byte read at its 4-byte register returned 0x%lx (b's register: 0x%lx)", v,
		    v >> 32);
	uint64_t w = ((uint64_t)SP_A_HIGH << 32) | 0x11;
	bool write_aborted = probe_access(SP_REG_A, 8, true, &w);
	say("a: 8-byte write at its 4-byte register: %s", write_aborted ? "abort" : "done");
	uint64_t own = 0x22;
	bool own_ok =
	    !probe_access(SP_REG_A, 4, true, &own) && !probe_access(SP_REG_A, 4, false, &own);
	__atomic_store_n(&c.shm[SP_A_DONE], 1, __ATOMIC_RELEASE);
	if (!wait_count((const uint32_t *)(uintptr_t)&c.shm[SP_B_DONE], 1,
			2 * WAIT_SECONDS * 1000000ULL))
		return fail("b never finished");
	if (sig != 0x554d4551) /* "QEMU" */
		return fail("fw-cfg signature 0x%lx, expected \"QEMU\"", sig);
	if (!read_aborted || !write_aborted)
		return fail("8-byte accesses reaching past its 4-byte register were not refused");
	if (!own_ok || (own & 0xff) != 0x22)
		return fail("its own register reads 0x%lx after writing 0x22", own);
	return RES_PASS;
}

static enum result shared_b(void)
{
	struct chan c;
	if (!chan_find_as("a", &c, false))
		return fail("no channel node to a in the DT");
	uint64_t v = SP_B_VALUE;
	if (probe_access(SP_REG_B, 4, true, &v) || probe_access(SP_REG_B, 4, false, &v))
		return fail("its own register aborted");
	if (v != SP_B_VALUE)
		return fail("its own register reads 0x%lx after writing 0x%x", v, SP_B_VALUE);
	__atomic_store_n(&c.shm[SP_B_READY], 1, __ATOMIC_RELEASE);
	if (!wait_count((const uint32_t *)(uintptr_t)&c.shm[SP_A_DONE], 1,
			2 * WAIT_SECONDS * 1000000ULL))
		return fail("a never finished");
	probe_access(SP_REG_B, 4, false, &v);
	say("b: its register reads 0x%lx (wrote 0x%x)", v, SP_B_VALUE);
	bool changed = v != SP_B_VALUE;
	/* Forwarded to an address that aborts at the device: the hypervisor must
	 * survive it and give this domain the abort. */
	say("b: reading 0x%lx, which QEMU does not decode", SP_HOLE);
	bool aborted = probe_access(SP_HOLE, 4, false, &v);
	if (aborted)
		say("b: caught abort ESR=0x%lx FAR=0x%lx", expect.esr, expect.far);
	else
		say("b: the read returned 0x%lx without an abort", v);
	__atomic_store_n(&c.shm[SP_B_DONE], 1, __ATOMIC_RELEASE);
	if (changed)
		return fail("a changed b's register");
	if (!aborted)
		return fail("the aborting device access was not reported as an abort");
	if (ESR_EC(expect.esr) != EC_DABT_CUR || ESR_DFSC(expect.esr) != DFSC_SEA ||
	    expect.far != SP_HOLE)
		return fail("ESR 0x%lx FAR 0x%lx: expected a synchronous external abort at 0x%lx",
			    expect.esr, expect.far, SP_HOLE);
	return RES_PASS;
}

static enum result mode_shared_page(void)
{
	if (g.native)
		return fail("test=shared-page needs Bulkhead");
	if (irq_setup() != RES_PASS)
		return RES_FAIL;
	if (!strcmp(g.role, "a"))
		return shared_a();
	if (!strcmp(g.role, "b"))
		return shared_b();
	return fail("role=\"%s\": expected a or b", g.role);
}

/* ---- fuzz: a hostile guest (tests/qemu/guest-fuzz.sh) ---- */

#define FUZZ_OPS 20000

static uint64_t fuzz_state;

static uint64_t fuzz_rand(void)
{
	/* xorshift64*: reproducible from the seed */
	fuzz_state ^= fuzz_state >> 12;
	fuzz_state ^= fuzz_state << 25;
	fuzz_state ^= fuzz_state >> 27;
	return fuzz_state * 0x2545f4914f6cdd1dULL;
}

/* One access of `size` bytes at addr, any fault caught; true if it faulted. */
static bool fuzz_access(uint64_t addr, unsigned size, bool write, uint64_t val)
{
	expect.armed = true;
	expect.caught = false;
	switch (size | (write ? 16 : 0)) {
	case 1: __asm__ volatile("ldrb %w0, [%1]" : "+r"(val) : "r"(addr) : "memory"); break;
	case 2: __asm__ volatile("ldrh %w0, [%1]" : "+r"(val) : "r"(addr) : "memory"); break;
	case 4: __asm__ volatile("ldr %w0, [%1]" : "+r"(val) : "r"(addr) : "memory"); break;
	case 8: __asm__ volatile("ldr %0, [%1]" : "+r"(val) : "r"(addr) : "memory"); break;
	case 17: __asm__ volatile("strb %w0, [%1]" ::"r"(val), "r"(addr) : "memory"); break;
	case 18: __asm__ volatile("strh %w0, [%1]" ::"r"(val), "r"(addr) : "memory"); break;
	case 20: __asm__ volatile("str %w0, [%1]" ::"r"(val), "r"(addr) : "memory"); break;
	case 24: __asm__ volatile("str %0, [%1]" ::"r"(val), "r"(addr) : "memory"); break;
	}
	expect.armed = false;
	return expect.caught;
}

/* Random values, with the interesting ones (0, all ones, single bits) often. */
static uint64_t fuzz_value(void)
{
	switch (fuzz_rand() % 4) {
	case 0: return 0;
	case 1: return ~0ULL;
	case 2: return 1ULL << (fuzz_rand() % 64);
	default: return fuzz_rand();
	}
}

/*
 * Random accesses to the emulated GIC registers (any offset, size, value,
 * alignment), random SGI register writes, random hypercalls and PSCI calls
 * with random arguments (not those that end or restart the domain, start a
 * vCPU at a random address or wait for an interrupt): the hypervisor must
 * survive all of it, and so must every other domain.
 */
static enum result mode_fuzz(void)
{
	static const uint32_t calls[] = {
	    0x84000000, 0x84000004, 0x84000006, 0x8400000a, 0xc4000004, 0x80000000, 0x80000001,
	    0x8600ff00, 0x8600ff01, 0x8600ff03, 0xc6000000, 0xc6000001, 0xc6000002, 0xc6000003,
	    0xc6000004, 0xc6000005, 0x86000000, 0x86000003, 0x86000004, 0x86000005, 0xc6000006,
	    0x86001234, 0xc600ffff, 0x8400001f, 0xc4000005, 0x82000000, 0xf2000000, 0xbf00ff00};
	if (g.native)
		return fail("test=fuzz needs Bulkhead");
	const char *err = gic_probe(g.fdt);
	if (err)
		return fail("%s", err);
	fuzz_state = g.seed ? g.seed : 1;
	say("fuzz: seed %lu, %u operations", g.seed, FUZZ_OPS);
	unsigned faults = 0, mmio = 0, hcalls = 0, sgis = 0;
	for (unsigned i = 0; i < FUZZ_OPS; i++) {
		unsigned op = (unsigned)(fuzz_rand() % 8);
		if (op < 5) {
			/* GICD (v2: 4 KiB; v3: 64 KiB) or, on GICv3, this domain's GICRs. */
			uint64_t base = gic.gicd, size = gic.version == 3 ? 0x10000 : 0x1000;
			if (gic.version == 3 && (fuzz_rand() & 1)) {
				base = gic.gicr;
				size = gic.gicr_size;
			}
			/* Half near the registers a GIC implements (most of a frame is
			 * reserved), half anywhere in it. */
			static const uint32_t regs[] = {
			    0x0000, 0x0004, 0x0008, 0x000c, 0x0010, 0x0014, 0x0040, 0x0080,
			    0x0100, 0x0180, 0x0200, 0x0280, 0x0300, 0x0380, 0x0400, 0x07f8,
			    0x0800, 0x0c00, 0x0cf8, 0x0e00, 0x0f00, 0x0f10, 0x0f20, 0x6000,
			    0x7fd8, 0xffd0, 0xffe8, 0x10080, 0x10100, 0x10180, 0x10200, 0x10280,
			    0x10300, 0x10380, 0x10400, 0x10c00, 0x10d00};
			unsigned sz = 1u << (fuzz_rand() % 4);
			uint64_t off = fuzz_rand() % size;
			if (fuzz_rand() & 1)
				off = (regs[fuzz_rand() % ARRAY_SIZE(regs)] + fuzz_rand() % 0x40) %
				      size;
			if (fuzz_rand() % 4) /* mostly aligned: those reach the emulation */
				off &= ~(uint64_t)(sz - 1);
			if (off + sz > size)
				off = size - sz;
			faults += fuzz_access(base + off, sz, fuzz_rand() & 1, fuzz_value());
			mmio++;
		} else if (op < 7) {
			uint32_t fid = calls[fuzz_rand() % ARRAY_SIZE(calls)];
			if (fid == 0xc6000002 || fid == 0x86000002)
				continue; /* console write: random bytes would land on the console */
			smccc(false, fid, fuzz_value(), fuzz_value(), fuzz_value());
			hcalls++;
		} else if (gic.version == 3) {
			write_sysreg(ICC_SGI1R_EL1, fuzz_value());
			isb();
			sgis++;
		}
	}
	/* Still a working domain: the hypervisor answers as before. */
	struct smc_res r = hcall(BH_HC_VERSION, 0, 0);
	say("fuzz: %u register accesses (%u faulted), %u calls, %u SGI writes; version 0x%lx",
	    mmio, faults, hcalls, sgis, r.x0);
	if (r.x0 != ((BH_VERSION_MAJOR << 16) | BH_VERSION_MINOR))
		return fail("BH_HC_VERSION after fuzzing returned 0x%lx", r.x0);
	return RES_PASS;
}

/* ---- console: flood and forge ---- */

/* Prints numbered lines as fast as it can, forever (or `periods=<n>` lines):
 * the console's other domains must not notice. */
static void flood_line(uint64_t n)
{
	say("flood: line %lu ..................................................", n);
}

static enum result mode_flood(void)
{
	uint64_t limit = g.periods_given ? g.periods : 0;
	for (uint64_t n = 1; !limit || n <= limit; n++)
		flood_line(n);
	return RES_PASS;
}

/* Bytes that would, passed to a terminal unfiltered, erase or overwrite the
 * line start and show a line that seems to come from the domain "rt". */
static const char *const forgeries[] = {
    "\r[rt] TESTGUEST: forged-cr\n",
    "\x1b[2K\x1b[G[rt] TESTGUEST: forged-esc\n",
    "x\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b[rt] TESTGUEST: forged-bs\n",
    "\x1b[1A\x1b[2K\r[rt] TESTGUEST: forged-up\n",
    "\x9b" "2K\x9b" "1G[rt] TESTGUEST: forged-c1\n",
    "\xc2\x9b" "2K\xc2\x9b" "1G[rt] TESTGUEST: forged-c1utf8\n",
    "\x1b]0;forged-title\x07\x1b" "c[rt] TESTGUEST: forged-osc\n",
    "partial line, then\x1b[99D\x1b[K[rt] TESTGUEST: forged-left\n",
};

static enum result mode_forge(void)
{
	for (unsigned i = 0; i < ARRAY_SIZE(forgeries); i++) {
		lock();
		uart_puts(forgeries[i]);
		unlock();
	}
	say("forge: %u forgeries sent", (unsigned)ARRAY_SIZE(forgeries));
	return RES_PASS;
}

/* ---- reset-loop: a domain restarting itself over and over (guest-reports.sh) ---- */

static enum result mode_reset_loop(void)
{
	if (g.restarts < 0)
		return fail("test=reset-loop needs Bulkhead (bulkhead,restarts in /chosen)");
	if ((uint64_t)g.restarts >= g.count) {
		say("reset-loop: restarted %ld times", g.restarts);
		return RES_PASS;
	}
	psci(PSCI_SYSTEM_RESET, 0, 0, 0);
	return fail("SYSTEM_RESET returned");
}

/* ---- report-flood, hvc-one: guest-triggered reports (tests/qemu/guest-reports.sh) ---- */

#define FLOOD_BAD   1000
#define HVC_ONE_FID 0x8600FACEu /* outside hvc-flood's IDs */

/* A 64-bit load that must abort: false if it returned instead. */
static bool aborting_read64(uint64_t addr)
{
	uint64_t v = 0;
	expect.caught = false;
	expect.armed = true;
	__asm__ volatile("ldr %0, [%1]" : "+r"(v) : "r"(addr) : "memory");
	expect.armed = false;
	return expect.caught;
}

/* Iteration i: a 64-bit read of the (emulated) UART's 32-bit FR register and
 * a read past RAM (at oob), both refused with an abort the hypervisor reports. */
static enum result bad_accesses(uint64_t oob, uint64_t i)
{
	if (!aborting_read64(UART_BASE + UARTFR))
		return fail("64-bit read of UARTFR returned (iteration %lu)", i);
	if (!aborting_read64(oob))
		return fail("read of 0x%lx returned (iteration %lu)", oob, i);
	return RES_PASS;
}

/* Where bad_accesses reads past RAM, if this guest's map reaches it. */
static enum result oob_mapped(uint64_t *oob)
{
	*oob = oob_address();
	if (*oob >= IDMAP_END)
		return fail("0x%lx is beyond this guest's identity map", *oob);
	return RES_PASS;
}

static enum result mode_report_flood(void)
{
	uint64_t oob;
	if (g.native)
		return fail("test=report-flood needs Bulkhead");
	if (oob_mapped(&oob) != RES_PASS)
		return RES_FAIL;
	for (unsigned i = 0; i < FLOOD_BAD; i++)
		if (bad_accesses(oob, i) != RES_PASS)
			return RES_FAIL;
	say("report-flood: %u bad device accesses and %u reads outside RAM, each aborted",
	    FLOOD_BAD, FLOOD_BAD);
	return RES_PASS;
}

/* One unknown HVC, 2 s after boot: by then a flooding neighbour has used up
 * any table or budget the two domains might share. */
static enum result mode_hvc_one(void)
{
	delay_us(2000000);
	uint64_t x0 = hcall(HVC_ONE_FID, 0, 0).x0;
	if (!not_supported(HVC_ONE_FID, x0))
		return fail("HVC 0x%08x returned 0x%lx, expected NOT_SUPPORTED", HVC_ONE_FID, x0);
	say("hvc-one: HVC 0x%08x returned NOT_SUPPORTED", HVC_ONE_FID);
	return RES_PASS;
}

/* ---- spi-route: the guest re-routes its own passed-through SPI (the QEMU
 * virt PL061's) to vCPUs that do not exist (tests/qemu/spi-route.sh) ---- */

#define PL061_BASE   0x09030000UL
#define GPIODATA_ALL 0x3fc
#define GPIOIS	     0x404
#define GPIOIEV	     0x40c
#define GPIOIE	     0x410
#define GPIOIC	     0x41c
#define ROUTE_ROUNDS 20

static uint32_t gpio_irqs;

static void on_gpio(uint32_t iar)
{
	(void)iar;
	mmio_write32(PL061_BASE + GPIOIE, 0); /* the level source: mask it at the device */
	mmio_write32(PL061_BASE + GPIOIC, 0xff);
	__atomic_fetch_add(&gpio_irqs, 1, __ATOMIC_RELEASE);
}

/* A bogus route for round r: an affinity no vCPU has, or IRM = 1 (GICv3);
 * no target, or only CPUs the domain does not have (GICv2). */
static void route_bogus(unsigned intid, unsigned r)
{
	static const uint64_t v3[] = {0x7f, 0xff00000000ULL | 1, 1ULL << 31, 0x0100};
	static const uint8_t v2[] = {0x00, 0xfe, 0x80, 0x40};
	if (gic.version == 3)
		mmio_write64(gic.gicd + GICD_IROUTER + 8 * intid, v3[r % 4]);
	else
		mmio_write32(gic.gicd + GICD_ITARGETSR + (intid & ~3u),
			     (mmio_read32(gic.gicd + GICD_ITARGETSR + (intid & ~3u)) &
			      ~(0xffu << 8 * (intid & 3))) |
				 (uint32_t)v2[r % 4] << 8 * (intid & 3));
}

/* The GIC, and the PL061's SPI (in *intid) routed here and enabled, IRQs on. */
static enum result spi_route_setup(unsigned *intid)
{
	*intid = dt_device_irq(g.fdt, "arm,pl061", PL061_BASE);
	if (!*intid)
		return fail("no arm,pl061 at 0x%lx with an interrupt in the DT", PL061_BASE);
	if (irq_setup() != RES_PASS)
		return RES_FAIL;
	irq_set_handler(*intid, on_gpio);
	gic_set_priority(*intid, PRIO_NORMAL);
	gic_route_to_self(*intid);
	gic_enable(*intid, true);
	irq_enable();
	return RES_PASS;
}

/* Round r (counted from 0 by the caller): route the SPI nowhere, raise the
 * PL061's line, wait 2 ms, route it back here and take it. */
static enum result spi_route_round(unsigned intid, uint64_t r)
{
	route_bogus(intid, (unsigned)r);
	/* Raise the PL061's line: GPIO 0 level-sensitive, active at its level now. */
	uint32_t data = mmio_read32(PL061_BASE + GPIODATA_ALL) & 1;
	mmio_write32(PL061_BASE + GPIOIS, 1);
	mmio_write32(PL061_BASE + GPIOIEV, data);
	mmio_write32(PL061_BASE + GPIOIE, 1);
	delay_us(2000);
	gic_route_to_self(intid); /* now it may come here */
	if (!wait_count(&gpio_irqs, (uint32_t)r + 1, 1000000))
		return fail("round %lu: the PL061's INTID %u never came once routed back", r,
			    intid);
	return RES_PASS;
}

static enum result mode_spi_route(void)
{
	unsigned intid;
	if (spi_route_setup(&intid) != RES_PASS)
		return RES_FAIL;
	for (unsigned r = 0; r < ROUTE_ROUNDS; r++)
		if (spi_route_round(intid, r) != RES_PASS)
			return RES_FAIL;
	gic_enable(intid, false);
	say("spi-route: INTID %u taken %u times, each after a bogus route", intid, gpio_irqs);
	return RES_PASS;
}

/* ---- starve: every attack at once on a real-time neighbour (tests/qemu/starvation.sh) ---- */

/* Per round, in rotation: bad device accesses and reads past RAM (each pair
 * two aborts the hypervisor reports), unknown hypercalls, rings of the
 * doorbell of the channel to the domain labelled "rt", console lines, and
 * one spi-route round (its SPI routed nowhere and raised, then taken). */
#define STARVE_BAD    16
#define STARVE_HVC    64
#define STARVE_NOTIFY 64
#define STARVE_LINES  8

static enum result mode_starve(void)
{
	unsigned intid;
	uint64_t oob;
	struct chan c;
	if (g.native)
		return fail("test=starve needs Bulkhead");
	if (oob_mapped(&oob) != RES_PASS || spi_route_setup(&intid) != RES_PASS)
		return RES_FAIL;
	if (!chan_find_as("rt", &c, false))
		return fail("no channel node to rt in the DT");
	uint64_t rounds = 0, t0 = now(), end = t0 + us_to_ticks(g.periods * 1000);
	uint32_t ok = 0, busy = 0;
	say("starve: attacking for %lu ms", g.periods);
	for (; now() < end; rounds++) {
		for (unsigned i = 0; i < STARVE_BAD; i++)
			if (bad_accesses(oob, rounds * STARVE_BAD + i) != RES_PASS)
				return RES_FAIL;
		for (unsigned i = 0; i < STARVE_HVC; i++)
			if (unknown_hvc((unsigned)(rounds * STARVE_HVC + i)) != RES_PASS)
				return RES_FAIL;
		for (unsigned i = 0; i < STARVE_NOTIFY; i++)
			if (notify_counted(&c, (uint32_t)(rounds * STARVE_NOTIFY + i), &ok,
					   &busy) != RES_PASS)
				return RES_FAIL;
		for (unsigned i = 0; i < STARVE_LINES; i++)
			flood_line(rounds * STARVE_LINES + i + 1);
		if (spi_route_round(intid, rounds) != RES_PASS)
			return RES_FAIL;
	}
	gic_enable(intid, false);
	say("starve: %lu rounds in %lu ms: %lu bad accesses, %lu reads past RAM, %lu unknown "
	    "HVCs, %u notifies (%u busy), %lu console lines, %lu SPI re-routes",
	    rounds, ticks_to_us(now() - t0) / 1000, rounds * STARVE_BAD, rounds * STARVE_BAD,
	    rounds * STARVE_HVC, ok + busy, busy, rounds * STARVE_LINES, rounds);
	return RES_PASS;
}

/* ---- pmu-el2: the guest's PMU must not see the hypervisor (EL2) ---- */

#define PMU_EL2_N 200

static enum result mode_pmu_el2(void)
{
	uint64_t pmcr = read_sysreg(pmcr_el0), c0, c1, e0, e1;
	if ((pmcr >> 11 & 0x1f) < 2)
		return fail("PMCR_EL0 0x%lx: fewer than 2 event counters", pmcr);
	write_sysreg(pmevtyper0_el0, PMU_INST_RETIRED);
	write_sysreg(pmevtyper1_el0, PMU_INST_RETIRED | PMEVTYPER_NSH);
	write_sysreg(pmcntenset_el0, 3);
	write_sysreg(pmcr_el0, pmcr | PMCR_E | PMCR_P);
	pmu_read(&c0, &c1);
	for (unsigned i = 0; i < PMU_EL2_N; i++)
		hcall(BH_HC_VERSION, 0, 0);
	pmu_read(&e0, &e1);
	write_sysreg(pmcntenclr_el0, 3);
	uint64_t el1 = e0 - c0, all = e1 - c1;
	say("pmu-el2: %u hypercalls: EL1 counter %lu, EL1+EL2 (NSH) counter %lu", PMU_EL2_N, el1,
	    all);
	if (el1 == 0)
		return fail("the PMU does not count (run under -icount)");
	if (all != el1)
		return fail("the NSH counter saw %ld instructions outside EL1",
			    (int64_t)(all - el1));
	return RES_PASS;
}

/* ---- sme: SME is not offered to guests (tests/qemu/guest-reports.sh) ---- */

static enum result mode_sme(void)
{
	unsigned sme = (unsigned)(read_sysreg(id_aa64pfr1_el1) >> 24) & 0xf;
	if (!sme)
		return fail("this CPU has no SME (ID_AA64PFR1_EL1.SME = 0): use -cpu max");
	/* Not trapped at EL1 (CPACR_EL1.SMEN = 0b11): the access reaches EL2's trap. */
	write_sysreg(cpacr_el1, read_sysreg(cpacr_el1) | 3ULL << 24);
	__asm__ volatile("isb");
	uint64_t v = 0;
	expect.caught = false;
	expect.armed = true;
	__asm__ volatile("mrs %0, S3_3_C4_C2_2" : "+r"(v)::"memory"); /* SVCR */
	expect.armed = false;
	if (!expect.caught)
		return fail("reading SVCR returned 0x%lx", v);
	say("sme: reading SVCR: exception, ESR 0x%lx", expect.esr);
	if (ESR_EC(expect.esr) != 0)
		return fail("ESR 0x%lx: EC 0x%lx, expected 0 (undefined instruction)", expect.esr,
			    ESR_EC(expect.esr));
	return RES_PASS;
}

/* ---- ras: RAS error records are not the guest's (tests/qemu/guest-reports.sh) ---- */

static enum result mode_ras(void)
{
	if (!((read_sysreg(id_aa64pfr0_el1) >> 28) & 0xf))
		return fail("this CPU has no RAS extension: use -cpu max");
	/* Only ERRIDR_EL1: QEMU implements no record registers (UNDEFINED). */
	uint64_t idr = read_sysreg(S3_0_C5_C3_0);
	say("ras: ERRIDR_EL1 0x%lx", idr);
	if (idr & 0xffff)
		return fail("ERRIDR_EL1 says %lu error records", idr & 0xffff);
	return RES_PASS;
}

/* ---- smccc: the CPU-vulnerability workaround queries (tests/qemu/smccc.sh) ---- */

#define PSCI_FEATURES	    0x8400000Au
#define SMCCC_VERSION_FID   0x80000000u
#define SMCCC_ARCH_FEATURES 0x80000001u

static enum result mode_smccc(void)
{
	static const uint32_t wa[3] = {0x80008000u, 0x80007fffu, 0x80003fffu};
	unsigned csv2 = (unsigned)(read_sysreg(id_aa64pfr0_el1) >> 56) & 0xf;
	unsigned ecbhb = (unsigned)(read_sysreg(id_aa64mmfr1_el1) >> 60) & 0xf;
	say("smccc: ID_AA64PFR0_EL1.CSV2 %u, ID_AA64MMFR1_EL1.ECBHB %u", csv2, ecbhb);
	/* The firmware (or hypervisor) says first whether SMCCC 1.1 is there: an
	 * unknown call may be an undefined instruction (QEMU's PSCI natively). */
	int64_t f = psci(PSCI_FEATURES, SMCCC_VERSION_FID, 0, 0);
	if (f != 0) {
		say("smccc: no SMCCC 1.1 (PSCI_FEATURES(SMCCC_VERSION) = %ld)", f);
		return RES_PASS;
	}
	int32_t r[3];
	for (unsigned i = 0; i < 3; i++)
		r[i] = (int32_t)smccc(g.psci_smc, SMCCC_ARCH_FEATURES, wa[i], 0, 0).x0;
	say("smccc: ARCH_FEATURES WORKAROUND_1 %d, WORKAROUND_2 %d, WORKAROUND_3 %d", r[0], r[1],
	    r[2]);
	/* A workaround offered (0: needed, 1: not needed but safe) must be callable. */
	for (unsigned i = 0; i < 3; i += 2)
		if (r[i] == 0 || r[i] == 1)
			smccc(g.psci_smc, wa[i], 0, 0, 0);
	say("smccc: offered workarounds called and returned");
	return RES_PASS;
}

/* ---- restart-state: nothing of an earlier life survives a restart ---- */

/* What the boot CPU held at entry, saved by start.S before any C ran. */
extern struct {
	uint64_t q[64]; /* q0-q31 */
	uint64_t fpsr, fpcr, elr_el1, spsr_el1, tpidr_el1, sp_el0;
} entry_state;
extern char _text[], _end[];

#define MARK	       0x6d61726b65720000ULL /* "marker": what this life leaves */
#define RTC_BASE       0x09010000UL	     /* QEMU virt's PL031 */
#define RTC_DR	       0x00
#define RTC_MR	       0x04
#define RTC_IMSC       0x10
#define RTC_RIS	       0x14
#define RTC_ICR	       0x1c
#define SGI_LEFT       3 /* acknowledged and left active across the reset */
#define SGI_LEFT_PEND  4 /* left pending */
/* By encoding (the assembler knows their names only for ARMv8.3+ / GICv3):
 * S3_0_C2_C1_0 APIAKeyLo_EL1, S3_0_C2_C2_3 APDBKeyHi_EL1, S3_0_C2_C3_0
 * APGAKeyLo_EL1, S3_0_C12_C12_5 ICC_SRE_EL1, S3_0_C12_C11_3 ICC_RPR_EL1. */

/* The words of a RAM page this mode samples: its first line and one more that
 * moves from page to page (16 words of 512: fast even for 1 GiB). */
static uint64_t sample_addr(uint64_t page, unsigned i)
{
	uint64_t line = i < 8 ? 0 : (((page >> 12) * 37) % 63 + 1) * 64;
	return page + line + (i & 7) * 8;
}

/* Pages this guest's own image (with .bss and stacks) or its DT occupy. */
static bool page_is_mine(uint64_t page)
{
	uint64_t img0 = (uintptr_t)_text, img1 = (uintptr_t)_end;
	uint64_t dt0 = (uintptr_t)g.fdt, dt1 = dt0 + fdt_totalsize(g.fdt);
	return (page < img1 && page + 4096 > img0) || (page < dt1 && page + 4096 > dt0);
}

/* Sampled words of RAM outside the image and DT that are not zero. */
static uint64_t ram_dirty(void)
{
	uint64_t n = 0;
	for (uint64_t p = g.mem_base; p < g.mem_base + g.mem_size && p < IDMAP_END; p += 4096) {
		if (page_is_mine(p))
			continue;
		for (unsigned i = 0; i < 16; i++) {
			uint64_t v = *(volatile uint64_t *)(uintptr_t)sample_addr(p, i);
			if (v && n++ < 4)
				say("restart-state: RAM 0x%lx = 0x%lx (%s)", sample_addr(p, i), v,
				    v == (MARK ^ sample_addr(p, i)) ? "this domain's earlier life"
								   : "not ours: the loader's?");
		}
	}
	return n;
}

static void ram_mark(void)
{
	for (uint64_t p = g.mem_base; p < g.mem_base + g.mem_size && p < IDMAP_END; p += 4096)
		if (!page_is_mine(p))
			for (unsigned i = 0; i < 16; i++)
				*(volatile uint64_t *)(uintptr_t)sample_addr(p, i) =
				    MARK ^ sample_addr(p, i);
	__asm__ volatile("dsb sy" ::: "memory");
}

static bool has_pmu(void)
{
	unsigned v = (read_sysreg(id_aa64dfr0_el1) >> 8) & 0xf;
	return v && v != 0xf;
}

static bool has_pauth(void)
{
	return read_sysreg(id_aa64isar1_el1) & (0xffULL << 4); /* APA, API */
}

/* EL1/EL0 registers no code of this guest touches before this mode runs:
 * printed in the same order at every boot, compared by the harness. */
static void sysregs_read(uint64_t *r)
{
	unsigned n = 0;
	r[n++] = read_sysreg(tpidr_el0);
	r[n++] = read_sysreg(tpidrro_el0);
	r[n++] = read_sysreg(contextidr_el1);
	r[n++] = read_sysreg(par_el1);
	r[n++] = read_sysreg(afsr0_el1);
	r[n++] = read_sysreg(amair_el1);
	r[n++] = read_sysreg(csselr_el1);
	r[n++] = read_sysreg(mdscr_el1);
	r[n++] = read_sysreg(dbgbvr0_el1);
	r[n++] = read_sysreg(dbgbcr0_el1);
	r[n++] = read_sysreg(dbgwvr0_el1);
	r[n++] = read_sysreg(dbgwcr0_el1);
	r[n++] = read_sysreg(oslsr_el1);
	r[n++] = read_sysreg(cntv_cval_el0);
	r[n++] = read_sysreg(cntv_ctl_el0);
	if (has_pmu()) {
		r[n++] = read_sysreg(pmcr_el0);
		r[n++] = read_sysreg(pmcntenset_el0);
		r[n++] = read_sysreg(pmintenset_el1);
		r[n++] = read_sysreg(pmovsset_el0);
		r[n++] = read_sysreg(pmuserenr_el0);
		r[n++] = read_sysreg(pmselr_el0);
		r[n++] = read_sysreg(pmccfiltr_el0);
		r[n++] = read_sysreg(pmevtyper0_el0);
		r[n++] = read_sysreg(pmevcntr0_el0);
		r[n++] = read_sysreg(pmccntr_el0);
	}
	if (has_pauth()) {
		r[n++] = read_sysreg(S3_0_C2_C1_0);
		r[n++] = read_sysreg(S3_0_C2_C2_3);
		r[n++] = read_sysreg(S3_0_C2_C3_0);
	}
	while (n < 28)
		r[n++] = 0;
}

static const char *const sysreg_names[28] = {
    "TPIDR_EL0",      "TPIDRRO_EL0",   "CONTEXTIDR_EL1", "PAR_EL1",	  "AFSR0_EL1",
    "AMAIR_EL1",      "CSSELR_EL1",    "MDSCR_EL1",	 "DBGBVR0_EL1",	  "DBGBCR0_EL1",
    "DBGWVR0_EL1",    "DBGWCR0_EL1",   "OSLSR_EL1",	 "CNTV_CVAL_EL0", "CNTV_CTL_EL0",
    "PMCR_EL0",	      "PMCNTENSET",    "PMINTENSET",	 "PMOVSSET",	  "PMUSERENR",
    "PMSELR",	      "PMCCFILTR",     "PMEVTYPER0",	 "PMEVCNTR0",	  "PMCCNTR",
    "APIAKeyLo_EL1", "APDBKeyHi_EL1", "APGAKeyLo_EL1"};

/* Leave a mark in every register sysregs_read reads. */
static void sysregs_mark(void)
{
	write_sysreg(tpidr_el0, MARK | 1);
	write_sysreg(tpidrro_el0, MARK | 2);
	write_sysreg(contextidr_el1, 0x55);
	write_sysreg(par_el1, 0x40aaa000);
	write_sysreg(afsr0_el1, 0x5);
	write_sysreg(amair_el1, MARK | 3);
	write_sysreg(csselr_el1, 1); /* L1 instruction cache */
	write_sysreg(mdscr_el1, 1u << 12); /* TDCC; MDE stays 0: no debug exceptions */
	write_sysreg(dbgbvr0_el1, 0x40123450);
	write_sysreg(dbgbcr0_el1, 0x1e6); /* BAS, PMC; E = 0 */
	write_sysreg(dbgwvr0_el1, 0x40123458);
	write_sysreg(dbgwcr0_el1, 0x1fe6); /* BAS, LSC, PAC; E = 0 */
	write_sysreg(oslar_el1, read_sysreg(oslsr_el1) & 2 ? 0 : 1); /* flip the OS lock */
	write_sysreg(cntv_cval_el0, MARK);
	write_sysreg(cntv_ctl_el0, 2); /* IMASK, not enabled */
	if (has_pmu()) {
		write_sysreg(pmcr_el0, (1u << 6) | (1u << 3)); /* LC, D; not enabled */
		write_sysreg(pmevtyper0_el0, 0x08);
		write_sysreg(pmevcntr0_el0, 0x12345678);
		write_sysreg(pmccntr_el0, 0x123456789ULL);
		write_sysreg(pmccfiltr_el0, 1u << 31);
		write_sysreg(pmcntenset_el0, 1);
		write_sysreg(pmintenset_el1, 1);
		write_sysreg(pmovsset_el0, 2);
		write_sysreg(pmuserenr_el0, 0xf);
		write_sysreg(pmselr_el0, 5);
	}
	if (has_pauth()) {
		write_sysreg(S3_0_C2_C1_0, MARK | 4);
		write_sysreg(S3_0_C2_C2_3, MARK | 5);
		write_sysreg(S3_0_C2_C3_0, MARK | 6);
	}
	isb();
}

/* Print the registers, 5 to a line: the harness compares every boot's lines. */
static void sysregs_print(const char *what)
{
	uint64_t r[28];
	sysregs_read(r);
	for (unsigned i = 0; i < 28; i += 5) {
		char line[200];
		int n = 0;
		for (unsigned k = i; k < i + 5 && k < 28; k++)
			n += snprintf(line + n, sizeof(line) - (size_t)n, " %s=0x%lx",
				      sysreg_names[k], r[k]);
		say("restart-state: %s%s end", what, line); /* "end": the line is whole */
	}
}

/* What start.S saved: FP/SIMD and the exception registers must be fresh. */
static enum result entry_state_check(void)
{
	unsigned dirty = 0;
	for (unsigned i = 0; i < 64; i++)
		if (entry_state.q[i] && dirty++ < 2)
			say("restart-state: q%u %s half = 0x%lx at entry", i / 2,
			    i & 1 ? "high" : "low", entry_state.q[i]);
	say("restart-state: entry FPSR=0x%lx FPCR=0x%lx ELR_EL1=0x%lx SPSR_EL1=0x%lx "
	    "TPIDR_EL1=0x%lx SP_EL0=0x%lx",
	    entry_state.fpsr, entry_state.fpcr, entry_state.elr_el1, entry_state.spsr_el1,
	    entry_state.tpidr_el1, entry_state.sp_el0);
	if (dirty)
		return fail("%u FP/SIMD register halves not zero at entry", dirty);
	if (entry_state.fpsr || entry_state.fpcr || entry_state.elr_el1 || entry_state.spsr_el1 ||
	    entry_state.tpidr_el1 || entry_state.sp_el0)
		return fail("FPSR, FPCR, ELR_EL1, SPSR_EL1, TPIDR_EL1 or SP_EL0 not zero at entry");
	return RES_PASS;
}

/* Before this boot touches its GIC: nothing active or pending, idle priority. */
static enum result gic_fresh_check(void)
{
	const char *err = gic_probe(g.fdt);
	if (err)
		return fail("%s", err);
	uint32_t ctlr = gicd_read(0), act_spi = gicd_read(0x300 + 4), act_priv, pend_priv, rpr;
	if (gic.version == 3) {
		uint64_t rd = gic_find_redist();
		if (!rd)
			return fail("no redistributor with this CPU's affinity");
		act_priv = mmio_read32(rd + 0x10000 + 0x300);
		pend_priv = mmio_read32(rd + 0x10000 + 0x200);
		write_sysreg(S3_0_C12_C12_5, read_sysreg(S3_0_C12_C12_5) | 1);
		isb();
		rpr = (uint32_t)read_sysreg(S3_0_C12_C11_3);
	} else {
		act_priv = gicd_read(0x300);
		pend_priv = gicd_read(0x200) & 0xffff0000u; /* SGIs: see SPENDSGIR */
		rpr = mmio_read32(gic.gicc + 0x14);
	}
	say("restart-state: GIC at entry: GICD_CTLR 0x%x, active 0x%x/0x%x, pending PPIs 0x%x, "
	    "running priority 0x%x",
	    ctlr, act_priv, act_spi, pend_priv, rpr);
	if (ctlr & 3)
		return fail("GICD_CTLR 0x%x: groups enabled at entry", ctlr);
	if (act_priv || act_spi)
		return fail("interrupts active at entry (0x%x, SPIs 32-63 0x%x)", act_priv, act_spi);
	if ((rpr & 0xff) != 0xff)
		return fail("running priority 0x%x at entry: an earlier life's interrupt is active",
			    rpr);
	return RES_PASS;
}

/* Every SPI's state as the distributor shows it (group, enable, pending,
 * active, priority, trigger, route), as one FNV-1a digest: printed in a regs
 * line, which the harness requires equal at every boot. */
static uint64_t spi_digest;

static void spi_mix(uint32_t v)
{
	for (unsigned i = 0; i < 4; i++)
		spi_digest = (spi_digest ^ ((v >> (8 * i)) & 0xff)) * 0x100000001b3ULL;
}

static void spi_state_print(void)
{
	spi_digest = 0xcbf29ce484222325ULL;
	for (unsigned w = 1; w < gic.nr_irqs / 32; w++) {
		for (unsigned r = GICD_IGROUPR; r <= GICD_ISACTIVER; r += 0x80)
			spi_mix(gicd_read(r + 4 * w)); /* the set registers and the clear ones */
		for (unsigned k = 0; k < 8; k++)
			spi_mix(gicd_read(GICD_IPRIORITYR + 32 * w + 4 * k));
		spi_mix(gicd_read(GICD_ICFGR + 8 * w));
		spi_mix(gicd_read(GICD_ICFGR + 8 * w + 4));
	}
	for (unsigned i = 32; i < gic.nr_irqs; i += gic.version == 3 ? 1 : 4)
		spi_mix(gic.version == 3 ? (uint32_t)mmio_read64(gic.gicd + GICD_IROUTER + 8 * i)
					 : gicd_read(GICD_ITARGETSR + i));
	say("restart-state: regs GICD_SPIS=0x%lx end", spi_digest);
}

/* Every SPI of the distributor, the domain's own and not, left in another
 * state than reset's: group flipped, enabled, pending, active, priority,
 * edge, routed elsewhere (to no vCPU). Interrupts stay masked here. */
static void spi_state_dirty(void)
{
	for (unsigned w = 1; w < gic.nr_irqs / 32; w++) {
		gicd_write(GICD_IGROUPR + 4 * w, ~gicd_read(GICD_IGROUPR + 4 * w));
		gicd_write(GICD_ISENABLER + 4 * w, ~0u);
		gicd_write(GICD_ISPENDR + 4 * w, ~0u);
		gicd_write(GICD_ISACTIVER + 4 * w, ~0u);
		for (unsigned k = 0; k < 8; k++)
			gicd_write(GICD_IPRIORITYR + 32 * w + 4 * k, 0xa0a0a0a0u);
		gicd_write(GICD_ICFGR + 8 * w, ~0u);
		gicd_write(GICD_ICFGR + 8 * w + 4, ~0u);
	}
	for (unsigned i = 32; i < gic.nr_irqs; i++) {
		if (gic.version == 3)
			mmio_write64(gic.gicd + GICD_IROUTER + 8 * i, 7); /* Aff0 7: no such vCPU */
		else if (i % 4 == 0)
			gicd_write(GICD_ITARGETSR + i, 0);
	}
}

static uint32_t rtc_irqs;

static void on_rtc(uint32_t iar)
{
	(void)iar;
	mmio_write32(RTC_BASE + RTC_ICR, 1);
	rtc_irqs++;
}

/* Raise the PL031's interrupt now: a match register equal to the counter. */
static bool rtc_fire(void)
{
	mmio_write32(RTC_BASE + RTC_IMSC, 1);
	for (unsigned i = 0; i < 3; i++) {
		mmio_write32(RTC_BASE + RTC_MR, mmio_read32(RTC_BASE + RTC_DR));
		if (mmio_read32(RTC_BASE + RTC_RIS) & 1)
			return true;
	}
	return false;
}

/* The passed-through RTC's SPI must come at every boot, even though the last
 * life left it active. On boots that will reset, leave it (and an SGI)
 * acknowledged but never completed, and another SGI pending. */
static enum result rtc_check(unsigned intid, bool leave_dirty)
{
	irq_set_handler(intid, on_rtc);
	gic_set_priority(intid, PRIO_LOW);
	gic_route_to_self(intid);
	mmio_write32(RTC_BASE + RTC_ICR, 1);
	gic_enable(intid, true);
	irq_enable();
	if (!rtc_fire())
		return fail("the RTC's interrupt status did not rise");
	bool got = wait_count(&rtc_irqs, 1, 200000);
	irq_disable();
	if (!got)
		return fail("the passed-through RTC's interrupt %u never came", intid);
	say("restart-state: passed-through RTC interrupt %u taken at boot %ld", intid, g.restarts + 1);
	if (!leave_dirty)
		return RES_PASS;
	gic_set_priority(SGI_LEFT, PRIO_HIGH);
	gic_enable(SGI_LEFT, true);
	gic_enable(SGI_LEFT_PEND, true);
	if (!rtc_fire())
		return fail("the RTC's interrupt status did not rise");
	uint32_t iar = 1023;
	for (uint64_t end = now() + us_to_ticks(200000); now() < end;)
		if (gic_iar_intid(iar = gic_ack()) == intid)
			break;
	if (gic_iar_intid(iar) != intid)
		return fail("the RTC's interrupt %u did not come a second time", intid);
	gic_send_sgi_self(SGI_LEFT);
	delay_us(1000);
	iar = gic_ack();
	if (gic_iar_intid(iar) != SGI_LEFT)
		return fail("SGI %u not taken (IAR 0x%x)", SGI_LEFT, iar);
	gic_send_sgi_self(SGI_LEFT_PEND);
	say("restart-state: leaving RTC interrupt %u and SGI %u active, SGI %u pending", intid,
	    SGI_LEFT, SGI_LEFT_PEND);
	return RES_PASS;
}

/* Marks in every FP/SIMD register and in ELR/SPSR_EL1, TPIDR_EL1, SP_EL0,
 * then PSCI SYSTEM_RESET in the same asm: no compiled code in between. */
static __attribute__((noreturn)) void reset_with_marks(void)
{
	register uint64_t x0 __asm__("x0") = PSCI_SYSTEM_RESET;
	register uint64_t m __asm__("x9") = MARK;
	__asm__ volatile("dup v0.2d, x9\n"
			 "mov v1.16b, v0.16b\n mov v2.16b, v0.16b\n mov v3.16b, v0.16b\n"
			 "mov v4.16b, v0.16b\n mov v5.16b, v0.16b\n mov v6.16b, v0.16b\n"
			 "mov v7.16b, v0.16b\n mov v8.16b, v0.16b\n mov v9.16b, v0.16b\n"
			 "mov v10.16b, v0.16b\n mov v11.16b, v0.16b\n mov v12.16b, v0.16b\n"
			 "mov v13.16b, v0.16b\n mov v14.16b, v0.16b\n mov v15.16b, v0.16b\n"
			 "mov v16.16b, v0.16b\n mov v17.16b, v0.16b\n mov v18.16b, v0.16b\n"
			 "mov v19.16b, v0.16b\n mov v20.16b, v0.16b\n mov v21.16b, v0.16b\n"
			 "mov v22.16b, v0.16b\n mov v23.16b, v0.16b\n mov v24.16b, v0.16b\n"
			 "mov v25.16b, v0.16b\n mov v26.16b, v0.16b\n mov v27.16b, v0.16b\n"
			 "mov v28.16b, v0.16b\n mov v29.16b, v0.16b\n mov v30.16b, v0.16b\n"
			 "mov v31.16b, v0.16b\n"
			 "mov x10, #0x9f\n orr x10, x10, #0x08000000\n msr fpsr, x10\n"
			 "mov x10, #0x03000000\n msr fpcr, x10\n"
			 "msr elr_el1, x9\n mov x10, #0x3c5\n msr spsr_el1, x10\n"
			 "msr tpidr_el1, x9\n msr sp_el0, x9\n isb\n"
			 "cbnz %1, 1f\n hvc #0\n b 2f\n1: smc #0\n2:"
			 : "+r"(x0)
			 : "r"((uint64_t)g.psci_smc), "r"(m)
			 : "x10", "memory");
	say("FAIL %s: SYSTEM_RESET returned %ld", g.mode, (int64_t)x0);
	power_off();
}

/*
 * Each boot: its RAM (outside its image and DT) reads zero, FP/SIMD and the
 * exception registers are zero at entry, the GIC has nothing active, and the
 * passed-through RTC (if the DT gives one) interrupts. Then, until `rounds`
 * restarts were seen, it marks RAM and registers, leaves interrupts active
 * and pending, and resets, whatever the checks found (each failed check
 * prints a FAIL line). The harness compares the registers printed at every
 * boot with the first boot's.
 */
static unsigned problems;

/* A failed check: reported at once, and the restarts go on, so one run shows
 * every kind of leftover at every boot. */
static void check(enum result r)
{
	if (r != RES_PASS) {
		problems++;
		say("FAIL %s: %s (boot %ld)", g.mode, g.why, g.restarts + 1);
	}
}

static enum result mode_restart_state(void)
{
	if (g.restarts < 0)
		return fail("no /chosen/bulkhead,restarts: this mode needs the hypervisor");
	say("restart-state: boot %ld of %lu", g.restarts + 1, g.rounds + 1);
	check(entry_state_check());
	uint64_t dirty = ram_dirty();
	say("restart-state: %lu sampled RAM words not zero", dirty);
	if (dirty)
		check(fail("%lu sampled words of RAM outside the image and DT are not zero", dirty));
	sysregs_print("regs");
	check(gic_fresh_check());
	spi_state_print();
	enum result r = irq_setup();
	if (r != RES_PASS)
		return r;
	bool last = (uint64_t)g.restarts >= g.rounds;
	unsigned rtc = dt_device_irq(g.fdt, "arm,pl031", RTC_BASE);
	if (rtc)
		check(rtc_check(rtc, !last));
	if (last) {
		say("restart-state: reached restart %ld", g.restarts);
		return problems ? fail("%u checks failed at this boot", problems) : RES_PASS;
	}
	spi_state_dirty();
	ram_mark();
	sysregs_mark();
	sysregs_print("marked");
	reset_with_marks();
}

/* ---- cpuon-reset: CPU_ON immediately followed by SYSTEM_RESET ---- */

/* Until `rounds` restarts were seen: start vCPU 1 and reset at once, so the
 * reset meets it pending or just entered. Each restart must come. */
static enum result mode_cpuon_reset(void)
{
	if (g.restarts < 0)
		return fail("no /chosen/bulkhead,restarts: this mode needs the hypervisor");
	if (g.ncpus < 2)
		return fail("needs 2 CPUs");
	if ((uint64_t)g.restarts >= g.rounds) {
		say("cpuon-reset: %ld restarts", g.restarts);
		return RES_PASS;
	}
	if (g.restarts % 10 == 0)
		say("cpuon-reset: boot %ld", g.restarts + 1);
	uint64_t other = g.cpu_mpidr[0] == my_mpidr() ? g.cpu_mpidr[1] : g.cpu_mpidr[0];
	slots[1].mpidr = other;
	int64_t r = psci(PSCI_CPU_ON_64, other, (uintptr_t)secondary_entry, 1);
	if (r != 0)
		return fail("CPU_ON 0x%lx returned %ld", other, r);
	/* Alternate: at once, or after a few microseconds (the other vCPU entering). */
	if (g.restarts & 1)
		delay_us((uint64_t)(g.restarts % 7) * 3);
	r = psci(PSCI_SYSTEM_RESET, 0, 0, 0);
	return fail("SYSTEM_RESET returned %ld", r);
}

/* ---- hygiene: 100 restarts of each kind, every boot as fresh as the first ---- */

/*
 * tests/qemu/restart-hygiene.sh. role=reboot (PSCI SYSTEM_RESET), role=fault
 * (an access outside its RAM with no vectors: on-fault = "restart") and
 * role=victim (restarted by its peer) each check at every boot, before
 * touching anything: RAM sampled zero outside image and DT, FP/SIMD and the
 * exception registers zero at entry, the virtual GIC (distributor, this
 * CPU's private interrupts, its CPU interface), the virtual timer and the
 * emulated PL011 at reset values, the counter near 0; and print one digest
 * of all those registers, which the harness requires equal at every boot.
 * Then, until `rounds` restarts, they dirty all of it and restart their way.
 * role=restarter restarts its `peer=` (domain `target=`) each time that one
 * says it is ready (word 0 of their channel: its boot number), waits for
 * every other domain it may query to be off, then tells its `until=` peer
 * (the rt task) to stop.
 */

#define HYG_READY	 0 /* channel word: the victim's boot number, once it is dirty */
#define HYG_WAIT_S	 10
#define HYG_PRIO	 0xa0
#define HYG_SGI_ACTIVE	 3
#define HYG_SGI_PENDING	 4
#define UART_IBRD	 0x24
#define UART_FBRD	 0x28
#define UART_LCRH	 0x2c
#define UART_CR		 0x30
#define UART_IFLS	 0x34
#define UART_IMSC	 0x38
#define UART_RIS	 0x3c
#define UART_MIS	 0x40
#define UART_DMACR	 0x48
#define GICC_CTLR_OFF	 0x00
#define GICC_PMR_OFF	 0x04
#define GICC_BPR_OFF	 0x08
#define GICC_RPR_OFF	 0x14
#define GICC_HPPIR_OFF	 0x18
#define GICC_APR0_OFF	 0xd0

static uint64_t hyg_hash = 0xcbf29ce484222325ULL; /* FNV-1a over every register read */

static uint32_t hyg(uint32_t v)
{
	for (unsigned i = 0; i < 4; i++)
		hyg_hash = (hyg_hash ^ ((v >> (8 * i)) & 0xff)) * 0x100000001b3ULL;
	return v;
}

/* A register that must read `want` at entry: hashed, and a FAIL if not. */
static void hyg_expect(const char *what, unsigned idx, uint32_t v, uint32_t want)
{
	hyg(v);
	if (v != want)
		check(fail("%s[%u] = 0x%x at entry, reset value 0x%x", what, idx, v, want));
}

/* The virtual GIC, before this boot writes any of it. */
static void hyg_gic_check(void)
{
	const char *err = gic_probe(g.fdt);
	if (err) {
		check(fail("%s", err));
		return;
	}
	hyg(gicd_read(GICD_CTLR));
	if (gicd_read(GICD_CTLR) & 3)
		check(fail("GICD_CTLR 0x%x: groups enabled at entry", gicd_read(GICD_CTLR)));
	uint64_t priv = gic.gicd; /* where SGIs/PPIs live: GICD (v2, banked) or the SGI frame */
	if (gic.version == 3) {
		uint64_t rd = gic_find_redist();
		if (!rd) {
			check(fail("no redistributor with this CPU's affinity"));
			return;
		}
		priv = rd + 0x10000;
		hyg(mmio_read32(rd + 0x14)); /* GICR_WAKER: asleep again */
	}
	/* Private interrupts (word 0) from their bank, SPIs from the distributor. */
	for (unsigned w = 0; w < gic.nr_irqs / 32; w++) {
		uint64_t b = w ? gic.gicd : priv;
		hyg(mmio_read32(b + GICD_IGROUPR + 4 * w));
		hyg_expect("ISENABLER", w, mmio_read32(b + GICD_ISENABLER + 4 * w), 0);
		hyg_expect("ISPENDR", w, mmio_read32(b + GICD_ISPENDR + 4 * w), 0);
		hyg_expect("ISACTIVER", w, mmio_read32(b + GICD_ISACTIVER + 4 * w), 0);
		for (unsigned k = 0; k < 8; k++)
			hyg_expect("IPRIORITYR", 8 * w + k,
				   mmio_read32(b + GICD_IPRIORITYR + 32 * w + 4 * k), 0);
		hyg(mmio_read32(b + GICD_ICFGR + 8 * w));
		hyg(mmio_read32(b + GICD_ICFGR + 8 * w + 4));
	}
	if (gic.version == 3) {
		for (unsigned i = 32; i < gic.nr_irqs; i++) {
			uint64_t r = mmio_read64(gic.gicd + GICD_IROUTER + 8 * i);
			hyg((uint32_t)r);
			hyg((uint32_t)(r >> 32));
		}
		write_sysreg(S3_0_C12_C12_5, read_sysreg(S3_0_C12_C12_5) | 1); /* ICC_SRE_EL1.SRE */
		isb();
		hyg((uint32_t)read_sysreg(S3_0_C4_C6_0));	 /* ICC_PMR_EL1 */
		hyg((uint32_t)read_sysreg(S3_0_C12_C12_3));	 /* ICC_BPR1_EL1 */
		hyg((uint32_t)read_sysreg(S3_0_C12_C12_4));	 /* ICC_CTLR_EL1 */
		hyg_expect("ICC_IGRPEN1_EL1", 0, (uint32_t)read_sysreg(S3_0_C12_C12_7), 0);
		hyg_expect("ICC_AP1R0_EL1", 0, (uint32_t)read_sysreg(S3_0_C12_C9_0), 0);
		hyg_expect("ICC_RPR_EL1", 0, (uint32_t)read_sysreg(S3_0_C12_C11_3) & 0xff, 0xff);
		hyg_expect("ICC_HPPIR1_EL1", 0, (uint32_t)read_sysreg(S3_0_C12_C12_2) & 0xffffff,
			   1023);
	} else {
		for (unsigned i = 32; i < gic.nr_irqs; i += 4)
			hyg(gicd_read(GICD_ITARGETSR + i));
		for (unsigned k = 0; k < 4; k++)
			hyg_expect("SPENDSGIR", k, gicd_read(GICD_SPENDSGIR + 4 * k), 0);
		hyg_expect("GICC_CTLR", 0, mmio_read32(gic.gicc + GICC_CTLR_OFF), 0);
		hyg(mmio_read32(gic.gicc + GICC_PMR_OFF));
		hyg(mmio_read32(gic.gicc + GICC_BPR_OFF));
		hyg_expect("GICC_APR0", 0, mmio_read32(gic.gicc + GICC_APR0_OFF), 0);
		hyg_expect("GICC_RPR", 0, mmio_read32(gic.gicc + GICC_RPR_OFF) & 0xff, 0xff);
		hyg_expect("GICC_HPPIR", 0, mmio_read32(gic.gicc + GICC_HPPIR_OFF) & 0x3ff, 1023);
	}
}

/* The virtual timer and the emulated PL011; the counter started near 0. */
static void hyg_timer_uart_check(uint64_t entry_count)
{
	hyg_expect("CNTV_CTL_EL0", 0, (uint32_t)read_sysreg(cntv_ctl_el0), 0);
	/* The EL1 physical timer is the guest's too: reset the same way. */
	hyg_expect("CNTP_CTL_EL0", 0, (uint32_t)read_sysreg(cntp_ctl_el0), 0);
	hyg_expect("CNTP_CVAL_EL0", 0, (uint32_t)read_sysreg(cntp_cval_el0), 0);
	uint64_t cval = read_sysreg(cntv_cval_el0);
	hyg((uint32_t)cval);
	hyg((uint32_t)(cval >> 32));
	/* CNTVOFF is set at every start: a counter that went on from the last
	 * life would be seconds ahead. 2 s of slack for a loaded host. */
	if (entry_count > 2 * read_sysreg(cntfrq_el0))
		check(fail("CNTVCT 0x%lx at entry: the counter did not restart near 0", entry_count));
	static const struct {
		const char *name;
		unsigned off;
		uint32_t want;
	} uart[] = {{"UARTIBRD", UART_IBRD, 0},	  {"UARTFBRD", UART_FBRD, 0},
		    {"UARTLCR_H", UART_LCRH, 0},  {"UARTCR", UART_CR, 0x300},
		    {"UARTIFLS", UART_IFLS, 0x12}, {"UARTIMSC", UART_IMSC, 0},
		    {"UARTMIS", UART_MIS, 0},	  {"UARTDMACR", UART_DMACR, 0}};
	for (unsigned i = 0; i < ARRAY_SIZE(uart); i++)
		hyg_expect(uart[i].name, 0, mmio_read32(UART_BASE + uart[i].off), uart[i].want);
	hyg(mmio_read32(UART_BASE + UART_RIS));
}

/* Leave everything checked above in another state than reset's. */
static void hyg_dirty(void)
{
	ram_mark();
	sysregs_mark();
	if (irq_setup() != RES_PASS) {
		check(RES_FAIL);
		return;
	}
	uint64_t priv = gic.version == 3 ? gic_find_redist() + 0x10000 : gic.gicd;
	for (unsigned w = 0; w < gic.nr_irqs / 32; w++) {
		uint64_t b = w ? gic.gicd : priv;
		for (unsigned k = 0; k < 8; k++)
			mmio_write32(b + GICD_IPRIORITYR + 32 * w + 4 * k, HYG_PRIO * 0x01010101u);
		mmio_write32(b + GICD_ICFGR + 8 * w + 4, ~0u);
		mmio_write32(b + GICD_ISENABLER + 4 * w, ~0u);
		mmio_write32(b + GICD_ISPENDR + 4 * w, w ? ~0u : 0xffff0000u);
	}
	for (unsigned i = 32; i < gic.nr_irqs; i++)
		gic_route_to_self(i);
	/* An SGI taken and never completed, another pending. */
	gic_send_sgi_self(HYG_SGI_ACTIVE);
	delay_us(1000);
	uint32_t iar = 1023;
	for (unsigned i = 0; i < 64 && gic_iar_intid(iar) != HYG_SGI_ACTIVE; i++)
		iar = gic_ack(); /* the SGI, or a higher one from the PPIs made pending */
	gic_send_sgi_self(HYG_SGI_PENDING);
	if (gic.version == 3) {
		write_sysreg(S3_0_C4_C6_0, 0xe0);
		write_sysreg(S3_0_C12_C12_3, 3);
		write_sysreg(S3_0_C12_C12_4, 2); /* EOImode 1 */
	} else {
		mmio_write32(gic.gicc + GICC_PMR_OFF, 0xe0);
		mmio_write32(gic.gicc + GICC_BPR_OFF, 3);
	}
	/* The timer expired and asserting, at another compare value. */
	write_sysreg(cntv_cval_el0, now() - 1);
	write_sysreg(cntv_ctl_el0, CNTV_CTL_ENABLE);
	write_sysreg(cntp_cval_el0, read_sysreg(cntpct_el0) - 1);
	write_sysreg(cntp_ctl_el0, CNTV_CTL_ENABLE);
	isb();
	/* Every writable PL011 register, the TX and RX interrupts unmasked. */
	mmio_write32(UART_BASE + UART_IBRD, 0x1a);
	mmio_write32(UART_BASE + UART_FBRD, 0x3);
	mmio_write32(UART_BASE + UART_LCRH, 0x70);
	mmio_write32(UART_BASE + UART_IFLS, 0x24);
	mmio_write32(UART_BASE + UART_IMSC, 0x7f0);
	mmio_write32(UART_BASE + UART_DMACR, 7);
	mmio_write32(UART_BASE + UART_CR, 0x381);
	__asm__ volatile("dsb sy" ::: "memory");
}

static enum result hyg_restarter(void)
{
	struct chan c;
	if (irq_setup() != RES_PASS)
		return RES_FAIL;
	if (!chan_find_as(g.peer, &c, false))
		return fail("peer=%s: no channel to it in the DT", g.peer);
	for (uint64_t i = 1; i <= g.rounds + 1; i++) {
		uint64_t end = now() + us_to_ticks(HYG_WAIT_S * 1000000ULL);
		while (c.shm[HYG_READY] != i && now() < end)
			__asm__ volatile("wfe");
		if (c.shm[HYG_READY] != i)
			return fail("%s not ready for restart %lu within %u s (word 0x%x)", g.peer,
				    i, HYG_WAIT_S, c.shm[HYG_READY]);
		if (i > g.rounds)
			break; /* its last boot: it checks and powers off */
		int64_t r = (int64_t)hcall(BH_HC_DOMAIN_RESTART, g.target, 0).x0;
		if (r)
			return fail("DOMAIN_RESTART of %s returned %ld (restart %lu)", g.peer, r, i);
	}
	say("hygiene: restarted %s %lu times", g.peer, g.rounds);
	/* Every domain it may query (the other restarting ones), and the victim:
	 * off, with the restarts they were to make. */
	uint64_t end = now() + us_to_ticks(6 * HYG_WAIT_S * 1000000ULL);
	for (uint64_t id = 0; id < 16; id++) {
		if (id == (uint64_t)my_domain_id())
			continue;
		struct smc_res q;
		do {
			q = hcall(BH_HC_DOMAIN_QUERY, id, 0);
		} while ((int64_t)q.x0 == 0 && q.x1 != BH_DOM_OFF && now() < end &&
			 (delay_us(1000), true));
		if ((int64_t)q.x0)
			continue; /* not ours to query: the rt task */
		say("hygiene: domain %lu: state %lu, %lu restarts", id, q.x1, q.x2);
		if (q.x1 != BH_DOM_OFF)
			return fail("domain %lu did not power off", id);
		if (q.x2 != g.rounds)
			return fail("domain %lu made %lu restarts, not %lu", id, q.x2, g.rounds);
	}
	if (g.until[0]) {
		struct chan u;
		if (!chan_find_as(g.until, &u, false))
			return fail("until=%s: no channel to it in the DT", g.until);
		u.shm[UNTIL_WORD] = CHAN_DONE;
		__asm__ volatile("dsb sy\n sev" ::: "memory");
		say("hygiene: told %s to stop", g.until);
	}
	return RES_PASS;
}

static enum result mode_hygiene(void)
{
	uint64_t entry_count = read_sysreg(cntvct_el0);
	if (g.restarts < 0)
		return fail("no /chosen/bulkhead,restarts: this mode needs the hypervisor");
	if (!strcmp(g.role, "restarter"))
		return hyg_restarter();
	bool victim = !strcmp(g.role, "victim");
	if (strcmp(g.role, "reboot") && strcmp(g.role, "fault") && !victim)
		return fail("role=\"%s\": expected reboot, fault, victim or restarter", g.role);
	check(entry_state_check());
	uint64_t dirty = ram_dirty();
	if (dirty)
		check(fail("%lu sampled words of RAM outside the image and DT are not zero", dirty));
	hyg_gic_check();
	hyg_timer_uart_check(entry_count);
	uint64_t rest[28];
	sysregs_read(rest);
	for (unsigned i = 0; i < 28; i++)
		hyg((uint32_t)rest[i]), hyg((uint32_t)(rest[i] >> 32));
	/* One line per boot: the harness wants the same state digest at each. */
	say("hygiene: %s boot %ld: counter %lu us, state 0x%016lx, %u problems", g.role,
	    g.restarts + 1, ticks_to_us(entry_count), hyg_hash, problems);
	struct chan c;
	if (victim && !chan_find_as(g.peer, &c, false))
		return fail("peer=%s: no channel to it in the DT", g.peer);
	if ((uint64_t)g.restarts >= g.rounds) {
		if (victim) {
			c.shm[HYG_READY] = (uint32_t)g.restarts + 1;
			__asm__ volatile("dsb sy\n sev" ::: "memory");
		}
		say("hygiene: %s: %ld restarts, %s", g.role, g.restarts,
		    problems ? "FAIL" : "every boot fresh");
		return problems ? fail("%u checks failed at this boot", problems) : RES_PASS;
	}
	hyg_dirty();
	if (victim) {
		c.shm[HYG_READY] = (uint32_t)g.restarts + 1; /* restart me */
		__asm__ volatile("dsb sy\n sev" ::: "memory");
		delay_us(HYG_WAIT_S * 1000000ULL);
		return fail("not restarted by %s within %u s", g.peer, HYG_WAIT_S);
	}
	if (!strcmp(g.role, "fault")) {
		write_sysreg(vbar_el1, 0); /* no vectors: the hypervisor must act */
		isb();
		uint64_t v = *(volatile uint64_t *)oob_address();
		return fail("read outside RAM returned 0x%lx", v);
	}
	reset_with_marks();
}

/* ---- attack, victim: the attack suite (attacks.c, tests/qemu/attacks.sh) ---- */

static enum result run_env(const char *(*run)(const struct attack_env *))
{
	struct attack_env e = {.fdt = g.fdt,
			       .bootargs = g.bootargs,
			       .mem_base = g.mem_base,
			       .mem_size = g.mem_size,
			       .ncpus = g.ncpus,
			       .psci_smc = g.psci_smc,
			       .native = g.native,
			       .uart = uart_base,
			       .restarts = g.restarts,
			       .say = say,
			       .secondary_job = &secondary_job};
	const char *why = run(&e);
	return why ? fail("%s", why) : RES_PASS;
}

static enum result run_attacks(const char *(*run)(const struct attack_env *))
{
	if (g.native)
		return fail("test=%s needs Bulkhead", g.mode);
	return run_env(run);
}

/* ---- modes in their own files (modes.h) ---- */

static enum result mode_el0abort(void)
{
	return run_env(el0abort_run);
}

static enum result mode_ptimer(void)
{
	return run_env(ptimer_run);
}

static enum result mode_gicregs(void)
{
	return run_env(gicregs_run);
}

static enum result mode_trapregs(void)
{
	return run_env(trapregs_mode);
}

static enum result mode_attack(void)
{
	return run_attacks(attack_run);
}

static enum result mode_victim(void)
{
	return run_attacks(victim_run);
}

static enum result mode_net_attack(void)
{
	return run_attacks(netattack_run);
}

static enum result mode_net_probe(void)
{
	return run_attacks(netprobe_run);
}

static enum result mode_net_bench(void)
{
	return run_attacks(netbench_run);
}

/* A prompt, then nothing: no newline, no other UART access, no timer, as
 * a monitor waiting for input. Its text must show within milliseconds
 * (tests/qemu/console-prompt.sh); it never ends. */
static enum result mode_prompt(void)
{
	lock();
	uart_puts("TESTGUEST-PROMPT> ");
	unlock();
	for (;;)
		__asm__ volatile("wfi");
	return RES_FAIL; /* not reached */
}

/* ---- dispatch ---- */

static const struct {
	const char *name;
	enum result (*run)(void);
} modes[] = {
    {"basic", mode_basic},	 {"smp", mode_smp},
    {"oob", mode_oob},		 {"oob-catch", mode_oob_catch},
    {"setway", mode_setway},	 {"sstep", mode_sstep},	 {"hvc-flood", mode_hvc_flood},
    {"sysreset", mode_sysreset}, {"gic", mode_gic},
    {"sgi-all", mode_sgi_all},	 {"rt", mode_rt},
    {"bench", mode_bench},	 {"bench-ipi", mode_bench_ipi},	 {"chan", mode_chan},
    {"fuzz", mode_fuzz},	 {"chan-flood", mode_chan_flood},
    {"shared-page", mode_shared_page},	 {"flood", mode_flood},
    {"forge", mode_forge},
    {"report-flood", mode_report_flood},
    {"hvc-one", mode_hvc_one},	 {"spi-route", mode_spi_route},
    {"pmu-el2", mode_pmu_el2},	 {"sme", mode_sme},
    {"smccc", mode_smccc},	 {"ras", mode_ras},
    {"reset-loop", mode_reset_loop},
    {"restart-state", mode_restart_state},
    {"cpuon-reset", mode_cpuon_reset},
    {"starve", mode_starve},
    {"hygiene", mode_hygiene},
    {"attack", mode_attack},
    {"victim", mode_victim},
    {"net-attack", mode_net_attack},
    {"net-probe", mode_net_probe},
    {"net-bench", mode_net_bench},
    {"ptimer", mode_ptimer},
    {"gicregs", mode_gicregs},
    {"trapregs", mode_trapregs},
    {"el0abort", mode_el0abort},
    {"prompt", mode_prompt},
};

void guest_main(uint64_t dtb)
{
	if (dt_read((const void *)(uintptr_t)dtb) != RES_PASS) {
		say("FAIL dt: %s", g.why);
		power_off();
	}
	parse_bootargs(g.bootargs);
	say("mode %s", g.mode);

	enum result r = fail("unknown mode (bootargs \"test=%s\")", g.mode);
	for (unsigned i = 0; i < ARRAY_SIZE(modes); i++)
		if (!strcmp(g.mode, modes[i].name))
			r = modes[i].run();
	if (r == RES_PASS)
		say("PASS %s", g.mode);
	else
		say("FAIL %s: %s", g.mode, g.why);
	power_off();
}
