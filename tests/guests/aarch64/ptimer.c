/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The `ptimer` mode: a periodic task on the EL1 physical timer alone
 * (CNTP_CVAL/TVAL/CTL_EL0, CNTPCT_EL0, its PPI from the DT's timer node),
 * as RTOS ports use it. The virtual timer is never touched. Under Bulkhead
 * it checks the timer fresh at each boot, then restarts once (leaving its
 * timer asserted and its PPI pending) and checks again.
 */
#include "common/lib.h"
#include "irq.h"
#include "modes.h"

#define PTIMER_TICKS	  200
#define PTIMER_WAIT_S	  10 /* the whole run's limit: a lost tick fails, never hangs */
#define PSCI_SYSTEM_RESET 0x84000009u

static struct {
	uint32_t n;	  /* ticks taken */
	uint32_t early;	  /* ticks taken before their deadline */
	uint64_t cval;	  /* the next deadline */
	uint64_t period;  /* in counter ticks */
	uint64_t late;	  /* worst lateness, ticks */
	uint32_t bad_ctl; /* a CNTP_CTL read in the handler without ENABLE | ISTATUS */
} pt;

static uint64_t pcount(void)
{
	isb();
	return read_sysreg(cntpct_el0);
}

/* Each deadline the previous one + 1 period: lateness never accumulates. */
static void on_ptick(uint32_t iar)
{
	(void)iar;
	uint64_t now = pcount(), ctl = read_sysreg(cntp_ctl_el0);
	if (now < pt.cval)
		pt.early++;
	else if (now - pt.cval > pt.late)
		pt.late = now - pt.cval;
	if ((ctl & 5) != 5)
		pt.bad_ctl = (uint32_t)ctl | 0x100;
	pt.n++;
	pt.cval += pt.period;
	write_sysreg(cntp_cval_el0, pt.cval);
	isb();
}

static int64_t psci_call(bool smc, uint64_t fid)
{
	register uint64_t x0 __asm__("x0") = fid;
	if (smc)
		__asm__ volatile("smc #0" : "+r"(x0)::"x1", "x2", "x3", "memory");
	else
		__asm__ volatile("hvc #0" : "+r"(x0)::"x1", "x2", "x3", "memory");
	return (int64_t)x0;
}

/* This CPU's pending and active bits of a PPI, read before gic_cpu_init
 * clears anything: GICv2 GICD bank 0, GICv3 its redistributor's SGI frame. */
static const char *ppi_state(unsigned intid)
{
	uint64_t base = gic.gicd;
	if (gic.version == 3) {
		base = gic_find_redist();
		if (!base)
			return "no redistributor";
		base += 0x10000; /* GICR_SGI */
	}
	bool pend = (mmio_read32(base + GICD_ISPENDR) >> intid) & 1;
	bool act = (mmio_read32(base + GICD_ISACTIVER) >> intid) & 1;
	return act ? "active" : pend ? "pending" : NULL;
}

/* What the vCPU must find at (re)start: the timer off, its PPI quiet. */
static const char *fresh(const struct attack_env *e, unsigned intid)
{
	static char why[128];
	uint64_t ctl = read_sysreg(cntp_ctl_el0), cval = read_sysreg(cntp_cval_el0);
	if (ctl & CNTV_CTL_ENABLE)
		return snprintf(why, sizeof(why), "CNTP_CTL 0x%lx at entry: enabled", ctl), why;
	if (e->restarts >= 0 && cval)
		return snprintf(why, sizeof(why), "CNTP_CVAL 0x%lx at entry, not 0", cval), why;
	const char *st = ppi_state(intid);
	if (st)
		return snprintf(why, sizeof(why), "PPI %u %s at entry", intid, st), why;
	return NULL;
}

static const char *run_ticks(const struct attack_env *e, unsigned intid)
{
	static char why[160];
	uint64_t freq = read_sysreg(cntfrq_el0);
	pt.period = freq / 1000;
	irq_set_handler(intid, on_ptick);
	gic_set_priority(intid, 0x80);
	gic_enable(intid, true);
	/* TVAL is CVAL - CNTPCT: a write sets CVAL from now. */
	uint64_t before = pcount();
	write_sysreg(cntp_tval_el0, pt.period);
	isb();
	uint64_t start = read_sysreg(cntp_cval_el0);
	if (start < before + pt.period || start > pcount() + pt.period)
		return snprintf(why, sizeof(why), "CNTP_TVAL = %lu at CNTPCT 0x%lx set CVAL 0x%lx",
				pt.period, before, start),
		       why;
	pt.cval = start;
	uint64_t end = start + PTIMER_WAIT_S * freq;
	irq_disable();
	write_sysreg(cntp_ctl_el0, CNTV_CTL_ENABLE);
	isb();
	while (__atomic_load_n(&pt.n, __ATOMIC_ACQUIRE) < PTIMER_TICKS && pcount() < end) {
		/* Sleep only while the deadline is ahead: a lost tick fails on time. */
		if (pcount() < pt.cval)
			irq_wait();
		else {
			irq_enable();
			irq_disable();
		}
	}
	uint64_t last = pcount();
	if (read_sysreg(cntv_ctl_el0))
		return "CNTV_CTL not 0: the virtual timer was used";
	if (pt.n < PTIMER_TICKS)
		return snprintf(why, sizeof(why),
				"%u of %u ticks in %d s (CNTP_CTL 0x%lx, PPI %u %s)", pt.n,
				PTIMER_TICKS, PTIMER_WAIT_S, read_sysreg(cntp_ctl_el0), intid,
				gic_pending(intid) ? "pending" : "not pending"),
		       why;
	if (pt.early || pt.bad_ctl)
		return snprintf(why, sizeof(why), "%u ticks before their deadline, CNTP_CTL 0x%x",
				pt.early, pt.bad_ctl & 0xff),
		       why;
	/* Counted against the counter: n ticks span at least n - 1 periods. */
	if (last - start < (PTIMER_TICKS - 1) * pt.period)
		return snprintf(why, sizeof(why), "%u ticks in %lu counter ticks, < %u periods",
				pt.n, last - start, PTIMER_TICKS - 1),
		       why;
	e->say("ptimer: boot %ld: %u ticks on PPI %u over %lu us, worst %lu us late", e->restarts,
	       pt.n, intid, (last - start) * 1000000 / freq, pt.late * 1000000 / freq);
	return NULL;
}

const char *ptimer_run(const struct attack_env *e)
{
	const char *err = gic_probe(e->fdt);
	if (err)
		return err;
	unsigned intid = gic.ptimer_irq;
	err = fresh(e, intid);
	if (err)
		return err;
	gic_dist_init();
	err = gic_cpu_init();
	if (!err)
		err = run_ticks(e, intid);
	if (err || e->restarts != 0)
		return err;
	/* Leave the timer asserted, unmasked, its PPI pending: the next boot must
	 * see none of it. */
	write_sysreg(cntp_cval_el0, 0);
	write_sysreg(cntp_ctl_el0, CNTV_CTL_ENABLE);
	isb();
	e->say("ptimer: resetting with the timer asserted (PPI %u pending: %s)", intid,
	       gic_pending(intid) ? "yes" : "no");
	psci_call(e->psci_smc, PSCI_SYSTEM_RESET);
	return "SYSTEM_RESET returned";
}
