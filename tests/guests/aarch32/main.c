/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Bulkhead's bare-metal AArch32 test guest: in one boot, checks what a
 * hypervisor most often gets wrong for an AArch32 EL1 guest, one line each on
 * the PL011 ("TESTGUEST32: <check>: ok", "... FAIL <why>" or "... skipped
 * (<why>)"), then a verdict and PSCI SYSTEM_OFF. The same image runs natively
 * on QEMU virt, where the checks that need Bulkhead are skipped.
 */
#include <stdarg.h>

#include "common/hypercall.h"
#include "common/lib.h"
#include "guest32.h"

#define PSCI_VERSION		0x84000000u
#define PSCI_CPU_OFF		0x84000002u
#define PSCI_CPU_ON		0x84000003u
#define PSCI_AFFINITY_INFO	0x84000004u
#define PSCI_SYSTEM_OFF		0x84000008u
#define PSCI_FEATURES		0x8400000au
#define SMCCC_VERSION		0x80000000u
#define SMCCC_NOT_SUPPORTED	0xffffffffu /* -1, as a 32-bit register holds it */
#define PSCI_INVALID_PARAMETERS 0xfffffffeu
#define AFFINITY_OFF		1

/* SMCCC function ID bit 30: set for the SMC64/HVC64 convention, which AArch32 cannot use. */
#define SMCCC_64	       (1u << 30)
#define BH_HC_VERSION_32       (BH_HC_VERSION & ~SMCCC_64)
#define BH_HC_CONSOLE_WRITE_32 (BH_HC_CONSOLE_WRITE & ~SMCCC_64)
#define BH_VERSION_EXPECTED    ((BH_VERSION_MAJOR << 16) | BH_VERSION_MINOR)

#define SECONDARY_MPIDR	  1
#define SECONDARY_CONTEXT 0x5eed
#define TIMER_INTID	  27 /* the virtual timer's PPI */
#define PTIMER_INTID	  30 /* the EL1 physical timer's PPI */
#define SGI_INTID	  3
#define FDT_MAGIC	  0xd00dfeed /* big endian in memory: bytes d0 0d fe ed */
/* Neither RAM nor a device: a domain's RAM (at most 256 MiB at 0x40000000) ends below it. */
#define OUTSIDE_RAM 0x7f000000u

#define UARTDR	    0x00
#define UARTFR	    0x18
#define UARTFR_TXFF (1u << 5)

/* DFSR: short-descriptor FS = DFSR[10]:DFSR[3:0]; LPAE (bit 9) STATUS = DFSR[5:0]. */
#define DFSR_WNR       (1u << 11)
#define DFSR_LPAE      (1u << 9)
#define DFSR_FS(v)     ((((v) >> 6) & 0x10) | ((v)&0xf))
#define DFSR_STATUS(v) ((v)&0x3f)
#define SCTLR_SPAN     (1u << 23)
#define CPSR_PAN       (1u << 22)
#define FS_SEA	       0x08 /* synchronous external abort, short-descriptor format */
#define STATUS_SEA     0x10 /* synchronous external abort, long-descriptor format */

enum result { RES_OK, RES_FAIL, RES_SKIP };

static struct {
	bool native;	   /* no hypervisor answers BH_HC_CALL_UID */
	uint32_t uid[4];   /* what BH_HC_CALL_UID returned */
	uint32_t freq;	   /* CNTFRQ */
	unsigned gic;	   /* GIC version, once the timer check has set it up */
	const char *check; /* running now: named by an unexpected exception's report */
	char why[128];	   /* of the FAIL or skip being reported */
} g = {.check = "boot"};

/* Called from start.S. */
void guest_main(void);
void secondary_main(uint32_t context, uint32_t cpsr, uint32_t mpidr);
void irq_entry(void);
void dabt_entry(uint32_t insn, uint32_t spsr);
void und_entry(uint32_t insn, uint32_t spsr);
__attribute__((noreturn)) void exception_unexpected(unsigned vector, uint32_t lr, uint32_t spsr);

struct boot_info boot_info;

/* ---- console: polled PL011 ---- */

static void uart_putc(char c)
{
	while (mmio_read32(UART_BASE + UARTFR) & UARTFR_TXFF)
		;
	mmio_write32(UART_BASE + UARTDR, (unsigned char)c);
}

static void uart_puts(const char *s)
{
	while (*s)
		uart_putc(*s++);
}

/* One line "TESTGUEST32: <text>". Only the boot CPU prints, so no lock. */
void say(const char *f, ...)
{
	char line[192];
	va_list ap;

	va_start(ap, f);
	vsnprintf(line, sizeof(line), f, ap);
	va_end(ap);
	uart_puts("TESTGUEST32: ");
	uart_puts(line);
	uart_putc('\n');
}

__attribute__((format(printf, 1, 2))) static enum result fail(const char *f, ...)
{
	va_list ap;

	va_start(ap, f);
	vsnprintf(g.why, sizeof(g.why), f, ap);
	va_end(ap);
	return RES_FAIL;
}

static enum result skip(const char *why)
{
	snprintf(g.why, sizeof(g.why), "%s", why);
	return RES_SKIP;
}

/* ---- SMCCC over HVC, 32-bit convention: r0 = function ID, r1-r3 arguments, r0-r3 results ---- */

struct smccc_res {
	uint32_t r0, r1, r2, r3;
};

static struct smccc_res hvc(uint32_t fid, uint32_t a1, uint32_t a2, uint32_t a3)
{
	register uint32_t r0 __asm__("r0") = fid;
	register uint32_t r1 __asm__("r1") = a1;
	register uint32_t r2 __asm__("r2") = a2;
	register uint32_t r3 __asm__("r3") = a3;

	/* SMCCC keeps r4-r14; r12 is clobbered too, as a call may. */
	__asm__ volatile(".arch_extension virt\n\thvc #0"
			 : "+r"(r0), "+r"(r1), "+r"(r2), "+r"(r3)
			 :
			 : "r12", "memory");
	return (struct smccc_res){r0, r1, r2, r3};
}

static uint32_t psci(uint32_t fid, uint32_t a1, uint32_t a2, uint32_t a3)
{
	return hvc(fid, a1, a2, a3).r0;
}

static __attribute__((noreturn)) void power_off(void)
{
	psci(PSCI_SYSTEM_OFF, 0, 0, 0);
	for (;;)
		__asm__ volatile("wfi");
}

/* ---- time ---- */

uint64_t deadline_in_us(uint32_t us)
{
	return read_cntvct() + (uint64_t)us * g.freq / 1000000;
}

bool expired(uint64_t deadline)
{
	return read_cntvct() >= deadline;
}

static uint32_t ticks_to_us(uint64_t ticks)
{
	return g.freq ? (uint32_t)(ticks * 1000000 / g.freq) : 0;
}

/* ---- exceptions ---- */

/* An abort or undefined instruction a check expects: armed before, recorded by the handler. */
struct expect {
	bool armed;
	unsigned count;
	uint32_t insn, spsr, far, fsr, cpsr; /* cpsr: the handler's own */
};
static volatile struct expect abt, und;

static void arm_expect(volatile struct expect *e)
{
	e->count = 0;
	e->insn = e->spsr = e->far = e->fsr = 0;
	e->armed = true;
}

static const char *const vector_names[8] = {
    "reset",	  "undefined instruction", "SVC", "prefetch abort",
    "data abort", "reserved (0x14)",	   "IRQ", "FIQ",
};

void exception_unexpected(unsigned vector, uint32_t lr, uint32_t spsr)
{
	static volatile bool reporting;

	if (reporting)
		power_off(); /* faulted while reporting a fault */
	reporting = true;
	say("UNEXPECTED %s exception: LR 0x%08lx SPSR 0x%08lx DFSR 0x%08lx DFAR 0x%08lx IFSR "
	    "0x%08lx IFAR 0x%08lx",
	    vector_names[vector & 7], lr, spsr, read_dfsr(), read_dfar(), read_ifsr(), read_ifar());
	say("FAIL %s: unexpected exception", g.check);
	power_off();
}

void dabt_entry(uint32_t insn, uint32_t spsr)
{
	if (!abt.armed)
		exception_unexpected(4, insn + 8, spsr);
	abt.armed = false;
	abt.count++;
	abt.insn = insn;
	abt.spsr = spsr;
	abt.far = read_dfar();
	abt.fsr = read_dfsr();
	uint32_t cpsr;
	__asm__ volatile("mrs %0, cpsr" : "=r"(cpsr));
	abt.cpsr = cpsr;
}

void und_entry(uint32_t insn, uint32_t spsr)
{
	if (!und.armed)
		exception_unexpected(1, insn + ((spsr & PSR_T) ? 2 : 4), spsr);
	und.armed = false;
	und.count++;
	und.insn = insn;
	und.spsr = spsr;
}

static volatile struct {
	unsigned count, spurious;
	unsigned intid;
	uint64_t at;	   /* CNTVCT at handler entry */
	uint32_t cntv_ctl; /* CNTV_CTL (CNTP_CTL) at entry, for a timer interrupt */
	uint64_t pct;	   /* CNTPCT at handler entry */
} irq;

static void irq_reset(void)
{
	irq.count = irq.spurious = 0;
	irq.intid = INTID_SPURIOUS;
	irq.at = 0;
	irq.cntv_ctl = 0;
}

void irq_entry(void)
{
	uint64_t t = read_cntvct(), pct = read_cntpct();
	uint32_t iar = gic_ack();
	unsigned intid = gic_intid(iar);

	if (intid >= 1020 && intid <= INTID_SPURIOUS) {
		irq.spurious++;
		return;
	}
	/* The timer holds its level until masked: mask it before the EOI, or it is back at once. */
	if (intid == TIMER_INTID) {
		irq.cntv_ctl = read_cntv_ctl();
		write_cntv_ctl(irq.cntv_ctl | CNTV_CTL_IMASK);
		isb();
	} else if (intid == PTIMER_INTID) {
		irq.cntv_ctl = read_cntp_ctl();
		write_cntp_ctl(irq.cntv_ctl | CNTV_CTL_IMASK);
		isb();
	}
	irq.intid = intid;
	irq.at = t;
	irq.pct = pct;
	irq.count++;
	gic_eoi(iar);
}

/* IRQs unmasked, polling: bounded even if the interrupt never comes. */
static void wait_irq_polled(uint64_t deadline)
{
	__asm__ volatile("cpsie i" ::: "memory");
	while (!irq.count && !expired(deadline))
		;
	__asm__ volatile("cpsid i" ::: "memory");
}

/* IRQs open until the timer's interrupt is taken, or it has asserted
 * (ISTATUS) for 100 ms, or 10 s have passed since cval without it asserting.
 * Returns when it was first seen asserted (0: never). */
static uint64_t wait_timer_polled(uint64_t cval)
{
	uint64_t asserted = 0;
	__asm__ volatile("cpsie i" ::: "memory");
	while (!irq.count) {
		uint64_t now = read_cntvct();
		if (!asserted && (read_cntv_ctl() & CNTV_CTL_ISTATUS))
			asserted = now ? now : 1;
		if (asserted ? now - asserted > g.freq / 10 : now > cval + g.freq * 10)
			break;
	}
	__asm__ volatile("cpsid i" ::: "memory");
	return asserted;
}

/*
 * WFI until the interrupt is taken. IRQs stay masked across the test and the
 * WFI, and are opened only after it: a pending interrupt ends a WFI even when
 * masked, so one that arrives just before the WFI cannot be taken there and
 * leave it sleeping until some later interrupt.
 */
static void wait_irq_wfi(uint64_t deadline)
{
	while (!irq.count && !expired(deadline)) {
		__asm__ volatile("wfi" ::: "memory");
		__asm__ volatile("cpsie i\n\tisb\n\tcpsid i" ::: "memory");
	}
}

/* ---- checks ---- */

static enum result check_boot(void)
{
	const struct boot_info *b = &boot_info;

	say("MIDR 0x%08lx MPIDR 0x%08lx r2 (DTB) 0x%08lx CNTFRQ %lu Hz", read_midr(), read_mpidr(),
	    b->r2, g.freq);
	if (b->load_addr != LINK_ADDR)
		say("loaded at 0x%08lx, moved itself to 0x%08x", b->load_addr, LINK_ADDR);
	if ((b->cpsr & PSR_MODE_MASK) != PSR_MODE_SVC)
		return fail("entered in mode 0x%02lx, not SVC (0x13)", b->cpsr & PSR_MODE_MASK);
	if (b->cpsr & PSR_T)
		return fail("entered in Thumb state (CPSR 0x%08lx)", b->cpsr);
	if (b->r0 != 0 || b->r1 != 0xffffffff)
		return fail("r0 0x%08lx r1 0x%08lx, expected 0 and 0xffffffff", b->r0, b->r1);
	if (b->r2 & 3)
		return fail("r2 0x%08lx is not word aligned", b->r2);
	/* Our .bss and stacks lie beyond the header's end address: a DTB there is gone. */
	if (b->r2 >= (uint32_t)_text && b->r2 < (uint32_t)_end)
		return fail(
		    "the DTB at r2 0x%08lx overlaps the image, .bss or stacks (0x%08lx-0x%08lx)",
		    b->r2, (uint32_t)_text, (uint32_t)_end);
	arm_expect(&abt);
	uint32_t magic = probe_read(b->r2, 0);
	abt.armed = false;
	if (abt.count)
		return fail("reading the DTB at r2 0x%08lx aborted (DFSR 0x%08lx)", b->r2, abt.fsr);
	if (__builtin_bswap32(magic) != FDT_MAGIC)
		return fail("the word at r2 0x%08lx reads 0x%08lx, not the FDT magic (d0 0d fe ed)",
			    b->r2, magic);
	return RES_OK;
}

/* "1.1", or "not supported" for a -1 answer. */
static const char *version_str(char *buf, size_t size, uint32_t v)
{
	if (v == SMCCC_NOT_SUPPORTED)
		return "not supported";
	snprintf(buf, size, "%lu.%lu", v >> 16, v & 0xffff);
	return buf;
}

/*
 * SMCCC_VERSION is discovered through PSCI_FEATURES: an implementation
 * without it is SMCCC 1.0. QEMU's own PSCI (native runs) is such a one, so
 * 1.1 is required only under a hypervisor; natively the two answers must
 * merely agree.
 */
static enum result check_psci(void)
{
	char pvs[24], svs[24];
	uint32_t pv = psci(PSCI_VERSION, 0, 0, 0);
	uint32_t sf = psci(PSCI_FEATURES, SMCCC_VERSION, 0, 0);
	uint32_t sv = psci(SMCCC_VERSION, 0, 0, 0);
	uint32_t on = psci(PSCI_FEATURES, PSCI_CPU_ON, 0, 0);

	say("PSCI_VERSION 0x%08lx (%s), SMCCC_VERSION 0x%08lx (%s; PSCI_FEATURES 0x%lx), "
	    "PSCI_FEATURES(CPU_ON) 0x%lx",
	    pv, version_str(pvs, sizeof(pvs), pv), sv, version_str(svs, sizeof(svs), sv), sf, on);
	if (pv == SMCCC_NOT_SUPPORTED || pv < 0x10000)
		return fail("PSCI_VERSION 0x%08lx, expected 1.0 or later", pv);
	if (sf & (1u << 31)) {
		if (!g.native)
			return fail(
			    "PSCI_FEATURES(SMCCC_VERSION) returned %ld: SMCCC 1.0, expected "
			    "1.1 or later",
			    (int32_t)sf);
		if (sv != SMCCC_NOT_SUPPORTED)
			return fail(
			    "SMCCC_VERSION answers 0x%08lx but PSCI_FEATURES says it is not "
			    "implemented (%ld)",
			    sv, (int32_t)sf);
		say("psci: SMCCC 1.0 (no SMCCC_VERSION): accepted natively");
	} else if (sv == SMCCC_NOT_SUPPORTED || sv < 0x10001) {
		return fail("SMCCC_VERSION 0x%08lx, expected 1.1 or later", sv);
	}
	if (on & (1u << 31))
		return fail("PSCI_FEATURES(CPU_ON) returned %ld: CPU_ON not supported",
			    (int32_t)on);
	return RES_OK;
}

static const char hc_message[] = "TESTGUEST32: console write via hypercall\n";

static enum result check_hypercall(void)
{
	if (g.native)
		return skip("native");
	say("call UID %08lx %08lx %08lx %08lx", g.uid[0], g.uid[1], g.uid[2], g.uid[3]);
	if (g.uid[0] != BH_HC_UID0 || g.uid[1] != BH_HC_UID1 || g.uid[2] != BH_HC_UID2 ||
	    g.uid[3] != BH_HC_UID3)
		return fail("BH_HC_CALL_UID is not Bulkhead's UID");

	uint32_t v = hvc(BH_HC_VERSION_32, 0, 0, 0).r0;
	say("BH_HC_VERSION (SMC32 ID 0x%08x) 0x%08lx", BH_HC_VERSION_32, v);
	if (v != BH_VERSION_EXPECTED)
		return fail("BH_HC_VERSION (SMC32 ID 0x%08x) returned 0x%08lx, expected 0x%08x",
			    BH_HC_VERSION_32, v, BH_VERSION_EXPECTED);

	/* SMCCC: an SMC64/HVC64 function ID from AArch32 is not supported. */
	v = hvc(BH_HC_VERSION, 0, 0, 0).r0;
	if (v != SMCCC_NOT_SUPPORTED)
		return fail("SMC64 ID 0x%08x from AArch32 returned 0x%08lx, expected NOT_SUPPORTED "
			    "(0xffffffff)",
			    BH_HC_VERSION, v);

	uint32_t n = sizeof(hc_message) - 1;
	v = hvc(BH_HC_CONSOLE_WRITE_32, (uint32_t)hc_message, n, 0).r0;
	if (v != n)
		return fail("BH_HC_CONSOLE_WRITE (SMC32 ID 0x%08x) of %lu bytes returned 0x%08lx",
			    BH_HC_CONSOLE_WRITE_32, n, v);
	return RES_OK;
}

/* Written by the secondary CPU, read by the boot CPU; caches are off, barriers order it. */
static volatile struct {
	uint32_t arrived;
	uint32_t context, cpsr, mpidr;
	uint32_t off_returned, off_ret;
} smp;

void secondary_main(uint32_t context, uint32_t cpsr, uint32_t mpidr)
{
	smp.context = context;
	smp.cpsr = cpsr;
	smp.mpidr = mpidr;
	dmb();
	smp.arrived = 1;
	dsb();
	uint32_t r = psci(PSCI_CPU_OFF, 0, 0, 0);
	smp.off_ret = r;
	dmb();
	smp.off_returned = 1;
	dsb();
	for (;;)
		__asm__ volatile("wfi");
}

static enum result check_smp(void)
{
	uint32_t r =
	    psci(PSCI_CPU_ON, SECONDARY_MPIDR, (uint32_t)secondary_entry, SECONDARY_CONTEXT);
	if (r == PSCI_INVALID_PARAMETERS)
		return skip("one CPU");
	if (r != 0)
		return fail("CPU_ON of MPIDR 1 returned %ld", (int32_t)r);

	uint64_t start = read_cntvct(), end = deadline_in_us(1000000);
	while (!smp.arrived && !expired(end))
		;
	dmb();
	if (!smp.arrived)
		return fail("MPIDR 1 was started but did not check in within 1 s");
	uint32_t mode = smp.cpsr & PSR_MODE_MASK;
	say("cpu 0x%lx up after %lu us: CPSR 0x%08lx (mode 0x%02lx, %s state), r0 0x%lx", smp.mpidr,
	    ticks_to_us(read_cntvct() - start), smp.cpsr, mode,
	    (smp.cpsr & PSR_T) ? "Thumb" : "ARM", smp.context);
	if (mode != PSR_MODE_SVC)
		return fail("secondary entered in mode 0x%02lx, not SVC (0x13)", mode);
	if (smp.cpsr & PSR_T)
		return fail("secondary entered in Thumb state for an ARM entry point");
	if (smp.context != SECONDARY_CONTEXT)
		return fail("secondary's r0 0x%08lx, not the context ID 0x%x", smp.context,
			    SECONDARY_CONTEXT);
	if ((smp.mpidr & 0xffffff) != SECONDARY_MPIDR)
		return fail("secondary's MPIDR 0x%08lx, started as affinity %u", smp.mpidr,
			    SECONDARY_MPIDR);

	uint32_t a;
	start = read_cntvct();
	end = deadline_in_us(1000000);
	do
		a = psci(PSCI_AFFINITY_INFO, SECONDARY_MPIDR, 0, 0);
	while (a != AFFINITY_OFF && !smp.off_returned && !expired(end));
	if (smp.off_returned)
		return fail("CPU_OFF returned %ld on the secondary", (int32_t)smp.off_ret);
	if (a != AFFINITY_OFF)
		return fail("AFFINITY_INFO(1) still returns %ld 1 s after the secondary's CPU_OFF",
			    (int32_t)a);
	say("cpu 0x%lx OFF after %lu us", smp.mpidr, ticks_to_us(read_cntvct() - start));
	return RES_OK;
}

static enum result need_gic(void)
{
	static bool tried;
	static char why[96];

	if (!tried) {
		tried = true;
		g.gic = gic_init(why, sizeof(why));
		if (g.gic)
			say("GICv%u, GICD 0x%08x", g.gic, GICD_BASE);
	}
	return g.gic ? RES_OK : fail("no usable GIC: %s", why);
}

/* One virtual timer interrupt 1 ms ahead; returns how late it came in *late_us. */
static enum result timer_once(bool use_wfi, uint32_t *late_us)
{
	const char *how = use_wfi ? "WFI" : "polled";

	irq_reset();
	uint64_t cval = read_cntvct() + g.freq / 1000;
	write_cntv_cval(cval);
	write_cntv_ctl(CNTV_CTL_ENABLE);
	isb();
	/* Lost = asserted (ISTATUS) for 100 ms and not taken; the limit runs
	 * from ISTATUS, not CVAL: QEMU without -icount expires the timer when
	 * the host schedules it, over 100 ms late on a loaded machine. */
	uint64_t asserted = 0;
	if (use_wfi)
		wait_irq_wfi(cval + g.freq * 10);
	else
		asserted = wait_timer_polled(cval);
	uint32_t ctl = read_cntv_ctl();
	write_cntv_ctl(0);
	isb();

	if (!irq.count && !asserted && !(ctl & CNTV_CTL_ISTATUS))
		return fail("%s: the timer had not expired 10 s after CVAL (CNTV_CTL 0x%lx)", how, ctl);
	if (!irq.count)
		return fail("%s: no interrupt within 100 ms of the timer asserting (CNTV_CTL 0x%lx)",
			    how, ctl);
	if (irq.intid != TIMER_INTID)
		return fail("%s: took INTID %u, expected %u", how, irq.intid, TIMER_INTID);
	if (irq.at < cval)
		return fail("%s: fired %lu ticks before CVAL", how, (uint32_t)(cval - irq.at));
	if (!(irq.cntv_ctl & CNTV_CTL_ISTATUS))
		return fail("%s: CNTV_CTL 0x%lx in the handler: ISTATUS clear", how, irq.cntv_ctl);
	*late_us = ticks_to_us(irq.at - cval);
	return RES_OK;
}

/*
 * Polled first: that proves delivery with a bounded wait. Only then WFI, whose
 * only wake-up is this interrupt: a hypervisor that fails to wake a vCPU
 * idling in WFI hangs there, but cannot hide a lost interrupt behind it.
 */
static enum result check_timer(void)
{
	uint32_t polled_us, wfi_us;

	if (need_gic() != RES_OK)
		return RES_FAIL;
	if (!g.freq)
		return fail("CNTFRQ is 0");
	gic_enable_private(TIMER_INTID);
	if (timer_once(false, &polled_us) != RES_OK || timer_once(true, &wfi_us) != RES_OK)
		return RES_FAIL;
	say("timer: INTID %u at or after CVAL: %lu us late polled, %lu us late from WFI",
	    TIMER_INTID, polled_us, wfi_us);
	return RES_OK;
}

static enum result check_sgi(void)
{
	if (need_gic() != RES_OK)
		return RES_FAIL;
	gic_enable_private(SGI_INTID);
	irq_reset();
	/* 2 s: a loaded host may not run this vCPU for a while. */
	uint64_t start = read_cntvct(), end = deadline_in_us(2000000);
	gic_send_sgi_self(SGI_INTID);
	wait_irq_polled(end);
	if (!irq.count)
		return fail("SGI %u to itself not taken within 2 s", SGI_INTID);
	if (irq.intid != SGI_INTID)
		return fail("took INTID %u, expected SGI %u", irq.intid, SGI_INTID);
	say("sgi: SGI %u taken %lu us after sending (%s)", SGI_INTID, ticks_to_us(irq.at - start),
	    g.gic == 3 ? "ICC_SGI1R" : "GICD_SGIR");
	return RES_OK;
}

/* Set/way operations cannot be virtualized: a hypervisor traps and emulates them. */
static enum result check_setway(void)
{
	uint32_t clidr = read_clidr();
	unsigned ctype1 = clidr & 7; /* 2: data, 3: separate I and D, 4: unified */
	unsigned sets = 1, ways = 1, line_shift = 4, way_shift = 32;
	uint32_t ccsidr = 0;

	if (ctype1 >= 2) {
		write_csselr(0); /* level 1, data or unified */
		isb();
		ccsidr = read_ccsidr();
		line_shift = (ccsidr & 7) + 4;
		ways = ((ccsidr >> 3) & 0x3ff) + 1;
		sets = ((ccsidr >> 13) & 0x7fff) + 1;
		if (ways > 1)
			way_shift = (unsigned)__builtin_clz(ways - 1);
	}
	unsigned nsets = sets < 4 ? sets : 4, nways = ways < 4 ? ways : 4, n = 0;
	for (unsigned w = 0; w < nways; w++)
		for (unsigned s = 0; s < nsets; s++, n++)
			write_dccisw((way_shift < 32 ? w << way_shift : 0) | (s << line_shift) |
				     (0 << 1));
	dsb();
	isb();
	say("setway: %u DCCISW done (L1 CLIDR 0x%08lx CCSIDR 0x%08lx: %u sets, %u ways, %u-byte "
	    "lines)",
	    n, clidr, ccsidr, sets, ways, 1u << line_shift);
	return RES_OK;
}

/*
 * The EL1 physical timer (CP15 CNTP_*) is the guest's own: off at entry,
 * CVAL and TVAL as written, its interrupt (PPI 30) at or after CVAL in
 * CNTPCT's time, with ISTATUS set.
 */
static enum result check_ptimer(void)
{
	uint32_t ctl = read_cntp_ctl();
	if (ctl & CNTV_CTL_ENABLE)
		return fail("CNTP_CTL 0x%lx at entry: enabled", ctl);
	if (need_gic() != RES_OK)
		return RES_FAIL;
	gic_enable_private(PTIMER_INTID);
	irq_reset();
	write_cntp_tval(g.freq);
	isb();
	uint64_t cval = read_cntp_cval(), pct = read_cntpct();
	if (cval < pct || cval > pct + g.freq)
		return fail("CNTP_CVAL 0x%llx after TVAL = 1 s at CNTPCT 0x%llx", cval, pct);
	cval = pct + g.freq / 1000;
	write_cntp_cval(cval);
	write_cntp_ctl(CNTV_CTL_ENABLE);
	isb();
	if (read_cntp_cval() != cval)
		return fail("CNTP_CVAL reads 0x%llx, 0x%llx written", read_cntp_cval(), cval);
	wait_irq_polled(deadline_in_us(1000000));
	ctl = read_cntp_ctl();
	write_cntp_ctl(0);
	isb();
	if (!irq.count)
		return fail("no physical timer interrupt 1 s after CVAL (CNTP_CTL 0x%lx)", ctl);
	if (irq.intid != PTIMER_INTID)
		return fail("took INTID %u, expected %u", irq.intid, PTIMER_INTID);
	if (irq.pct < cval)
		return fail("fired %lu ticks before CVAL", (uint32_t)(cval - irq.pct));
	if (!(irq.cntv_ctl & CNTV_CTL_ISTATUS))
		return fail("CNTP_CTL 0x%lx in the handler: ISTATUS clear", irq.cntv_ctl);
	say("ptimer: INTID %u %lu us after CVAL 0x%llx (CNTPCT)", PTIMER_INTID,
	    ticks_to_us(irq.pct - cval), cval);
	return RES_OK;
}

/* The PMU on PMUv3 (Armv8.0) CPUs: Bulkhead traps every access and clears
 * the filters' NSH bit (count at EL2), so it must read back clear. */
#define PMEVTYPER_NSH (1u << 27)
static enum result check_pmu(void)
{
	if (g.native)
		return skip("native");
	unsigned perfmon = (read_id_dfr0() >> 24) & 0xf;
	if (perfmon != 3)
		return skip("not a PMUv3 CPU: EL2 is hidden by MDCR_EL2.HPMD there");
	uint32_t pmcr = read_pmcr();
	if (((pmcr >> 11) & 0x1f) < 2)
		return skip("fewer than 2 event counters");
	write_pmselr(1);
	isb();
	write_pmxevtyper(0x08 | PMEVTYPER_NSH); /* INST_RETIRED, at EL2 too */
	isb();
	uint32_t typer = read_pmxevtyper();
	write_pmccfiltr(PMEVTYPER_NSH);
	isb();
	uint32_t ccfilt = read_pmccfiltr();
	write_pmxevtyper(0);
	write_pmccfiltr(0);
	say("pmu: PMCR 0x%08lx; PMEVTYPER1 0x%08lx and PMCCFILTR 0x%08lx after writing NSH", pmcr,
	    typer, ccfilt);
	if ((typer & 0xffff) != 0x08)
		return fail("PMEVTYPER1 reads 0x%08lx: the event written was 0x08", typer);
	if ((typer | ccfilt) & PMEVTYPER_NSH)
		return fail("NSH reads back set: the counters would count EL2");
	return RES_OK;
}

static bool is_sea(uint32_t dfsr)
{
	return (dfsr & DFSR_LPAE) ? DFSR_STATUS(dfsr) == STATUS_SEA : DFSR_FS(dfsr) == FS_SEA;
}

static enum result check_abort(void)
{
	if (g.native)
		return skip("native");
	/* With PAN (ID_MMFR3.PAN) and SCTLR.SPAN clear, the abort's entry must
	 * set CPSR.PAN, as the hardware's own entries do. */
	bool pan = (read_id_mmfr3() >> 16) & 0xf;
	uint32_t sctlr = read_sctlr();
	if (pan)
		write_sctlr(sctlr & ~SCTLR_SPAN);
	__asm__ volatile("isb");
	arm_expect(&abt);
	uint32_t v = probe_read(OUTSIDE_RAM, 0x5a5a5a5a);
	abt.armed = false;
	write_sctlr(sctlr);
	__asm__ volatile("isb");
	if (!abt.count)
		return fail("the load from 0x%08x returned 0x%08lx without an abort", OUTSIDE_RAM,
			    v);
	say("abort: DFAR 0x%08lx DFSR 0x%08lx at 0x%08lx, SPSR 0x%08lx (TTBCR 0x%08lx)", abt.far,
	    abt.fsr, abt.insn, abt.spsr, read_ttbcr());
	if (abt.far != OUTSIDE_RAM)
		return fail("DFAR 0x%08lx, expected 0x%08x", abt.far, OUTSIDE_RAM);
	if (abt.insn != (uint32_t)probe_read_insn)
		return fail("abort reported at 0x%08lx (LR_abt - 8), the load is at 0x%08lx",
			    abt.insn, (uint32_t)probe_read_insn);
	if (!is_sea(abt.fsr))
		return fail("DFSR 0x%08lx is not a synchronous external abort", abt.fsr);
	if (abt.fsr & DFSR_WNR)
		return fail("DFSR 0x%08lx has WnR set for a load", abt.fsr);
	if (pan && !(abt.cpsr & CPSR_PAN))
		return fail("SCTLR.SPAN clear, but the abort entered with CPSR 0x%08lx: PAN clear",
			    abt.cpsr);
	if (pan)
		say("abort: SCTLR.SPAN clear: CPSR.PAN set on entry");
	/* SPSR_abt is printed above but not checked: see vec_dabt in start.S
	 * (QEMU 7.2 does not show an injected exception's SPSR to AArch32). */
	return RES_OK;
}

static enum result check_undef(void)
{
	arm_expect(&und);
	probe_udf();
	und.armed = false;
	if (und.count != 1)
		return fail("UDF #0 at 0x%08lx raised %u undefined instruction exceptions",
			    (uint32_t)probe_udf_insn, und.count);
	if (und.insn != (uint32_t)probe_udf_insn)
		return fail("undefined instruction reported at 0x%08lx (LR_und - 4), UDF is at "
			    "0x%08lx",
			    und.insn, (uint32_t)probe_udf_insn);
	if ((und.spsr & PSR_MODE_MASK) != PSR_MODE_SVC || (und.spsr & PSR_T))
		return fail("SPSR_und 0x%08lx: the UDF ran in SVC mode, ARM state", und.spsr);
	return RES_OK;
}

/* ---- attacks: the AArch32 paths of the attack suite (tests/attacks/README.md) ---- */

static unsigned a32_contained, a32_escaped;
static char a32_why[120];

__attribute__((format(printf, 1, 2))) static void a32_bad(const char *f, ...)
{
	if (a32_why[0])
		return;
	va_list ap;
	va_start(ap, f);
	vsnprintf(a32_why, sizeof(a32_why), f, ap);
	va_end(ap);
}

static void a32_verdict(const char *name)
{
	if (a32_why[0]) {
		say("attack: %s ... ESCAPED (%s)", name, a32_why);
		a32_escaped++;
	} else {
		say("attack: %s ... contained", name);
		a32_contained++;
	}
	a32_why[0] = '\0';
}

/* One SGI 3 through the trapped MCRR ICC_SGI1R that must reach nobody here
 * (GICv3), or be an undefined instruction (GICv2: no such register). */
static void a32_sgi1r(uint64_t val)
{
	gic_enable_private(SGI_INTID);
	irq_reset();
	arm_expect(&und);
	write_icc_sgi1r(val | ((uint64_t)SGI_INTID << 24));
	isb();
	und.armed = false;
	wait_irq_polled(deadline_in_us(20000));
	if (g.gic == 3 && und.count)
		a32_bad("MCRR ICC_SGI1R raised an undefined instruction on GICv3");
	if (g.gic == 2 && und.count != 1)
		a32_bad("MCRR ICC_SGI1R on GICv2: %u undefined instruction exceptions, expected 1",
			und.count);
	if (irq.count)
		a32_bad("SGI %u reached this vCPU (INTID %u, %u times)", SGI_INTID, irq.intid,
			irq.count);
}

static void a32_expect(const char *what, uint32_t got, uint32_t want)
{
	if (got != want)
		a32_bad("%s returned %ld, expected %ld", what, (int32_t)got, (int32_t)want);
}

/* A load/store without a syndrome (LDRD, LDM, STRD) at the distributor: a
 * synchronous external abort at that address. */
static void a32_isv0(int kind)
{
	uint32_t a = GICD_BASE + 0x100;
	arm_expect(&abt);
	register uint32_t base __asm__("r0") = a;
	/* Only caller-saved registers: see tests/attacks/README.md (AArch32) */
	if (kind == 0)
		__asm__ volatile("ldrd r2, r3, [%0]" ::"r"(base) : "r2", "r3", "memory");
	else if (kind == 1)
		__asm__ volatile("ldm %0, {r2, r3}" ::"r"(base) : "r2", "r3", "memory");
	else
		__asm__ volatile("mov r2, #0\n\tmov r3, #0\n\tstrd r2, r3, [%0]" ::"r"(base)
				 : "r2", "r3", "memory");
	abt.armed = false;
	if (abt.count != 1)
		a32_bad("%u data aborts, expected 1", abt.count);
	else if (abt.far != a || !is_sea(abt.fsr))
		a32_bad("DFAR 0x%08lx DFSR 0x%08lx, expected a synchronous external abort at "
			"0x%08lx",
			abt.far, abt.fsr, a);
}

/* An SMC32 call returns in r0-r3 only (docs/hypercalls.md): r4-r7 and the
 * rest keep the caller's values. */
static uint32_t a32_call_keeps(uint32_t fid, uint32_t a1)
{
	register uint32_t r0 __asm__("r0") = fid;
	register uint32_t r1 __asm__("r1") = a1;
	uint32_t k[4];
	register uint32_t *kp __asm__("r8") = k;
	__asm__ volatile(
	    "push {r4-r7}\n\t"
	    "movw r4, #0x4444\n\tmovw r5, #0x5555\n\t"
	    "movw r6, #0x6666\n\tmovw r7, #0x7777\n\t"
	    ".arch_extension virt\n\thvc #0\n\t"
	    "str r4, [%2]\n\tstr r5, [%2, #4]\n\tstr r6, [%2, #8]\n\tstr r7, [%2, #12]\n\t"
	    "pop {r4-r7}"
	    : "+r"(r0), "+r"(r1)
	    : "r"(kp)
	    : "r2", "r3", "r12", "memory");
	if (k[0] != 0x4444 || k[1] != 0x5555 || k[2] != 0x6666 || k[3] != 0x7777)
		a32_bad("call 0x%08lx changed r4-r7 to 0x%lx 0x%lx 0x%lx 0x%lx", fid, k[0], k[1],
			k[2], k[3]);
	return r0;
}

static enum result check_attacks(void)
{
	if (g.native)
		return skip("native");
	if (need_gic() != RES_OK)
		return RES_FAIL;
	a32_sgi1r(1ull << 16 | 1); /* Aff1 = 1, target 0 */
	a32_verdict("a32-sgi1r-mcrr-aff1");
	a32_sgi1r(1ull << 48 | 1); /* Aff3 = 1 */
	a32_verdict("a32-sgi1r-mcrr-aff3");
	a32_sgi1r(1ull << 44 | 1); /* RS = 1: vCPU 16 */
	a32_verdict("a32-sgi1r-mcrr-range-selector");
	a32_sgi1r(1ull << 40 | 1); /* IRM: everyone but itself */
	a32_verdict("a32-sgi1r-mcrr-irm-not-self");

	/* The physical timer is the guest's own: MCRR CNTP_CVAL and MCR CNTP_CTL
	 * (masked: no interrupt) hold what was written, no undef. */
	uint64_t cval = 0;
	arm_expect(&und);
	write_cntp_cval(1);
	cval = read_cntp_cval();
	und.armed = false;
	if (und.count || cval != 1)
		a32_bad("CNTP_CVAL (MCRR) reads 0x%llx after writing 1 (%u undefs)", cval,
			und.count);
	a32_verdict("a32-cntp-cval-mcrr");
	arm_expect(&und);
	write_cntp_ctl(CNTV_CTL_ENABLE | CNTV_CTL_IMASK);
	isb();
	uint32_t ctl = read_cntp_ctl();
	write_cntp_ctl(0);
	isb();
	und.armed = false;
	if (und.count || ctl != (CNTV_CTL_ENABLE | CNTV_CTL_IMASK | CNTV_CTL_ISTATUS))
		a32_bad("CNTP_CTL reads 0x%lx after writing 3, CVAL passed (%u undefs)", ctl,
			und.count);
	a32_verdict("a32-cntp-ctl-mcr");

	/* Set/way with a level beyond CLIDR and every set/way bit: done as
	 * clean+invalidate or ignored, never an exception. */
	arm_expect(&und);
	write_dccisw(0xfffffffe);
	write_dccisw(0xfffffff0 | (7u << 1));
	__asm__ volatile("mcr p15, 0, %0, c7, c6, 2" ::"r"(0xffffffffu) : "memory"); /* DCISW */
	dsb();
	und.armed = false;
	if (und.count)
		a32_bad("set/way operations raised %u undefined instructions", und.count);
	a32_verdict("a32-setway-beyond");

	/* L2CTLR (p15, 1, c9, c0, 2): trapped (TIDCP) and RAZ/WI, or on QEMU
	 * 7.2, which has no TIDCP, the CPU's constant: a write must not stick. */
	uint32_t before = 0, after = 0;
	arm_expect(&und);
	__asm__ volatile("mrc p15, 1, %0, c9, c0, 2" : "=r"(before)::"memory");
	__asm__ volatile("mcr p15, 1, %0, c9, c0, 2" ::"r"(~0u) : "memory");
	__asm__ volatile("mrc p15, 1, %0, c9, c0, 2" : "=r"(after)::"memory");
	und.armed = false;
	if (und.count || after != before)
		a32_bad("L2CTLR reads 0x%08lx after writing all ones (0x%08lx before, %u undefs)",
			after, before, und.count);
	a32_verdict("a32-l2ctlr");

	/* Hypercalls in the SMC32 convention with 32-bit wrapping ranges. */
	a32_expect("CONSOLE_WRITE(0xfffffff0, 32)",
		   hvc(BH_HC_32(BH_HC_CONSOLE_WRITE), 0xfffffff0u, 32, 0).r0,
		   (uint32_t)BH_E_INVALID);
	a32_verdict("a32-hc-console-write-wrap");
	a32_expect("CONSOLE_WRITE(text, 0xffffffff)",
		   hvc(BH_HC_32(BH_HC_CONSOLE_WRITE), (uint32_t)hc_message, 0xffffffffu, 0).r0,
		   (uint32_t)BH_E_INVALID);
	a32_verdict("a32-hc-console-write-length-wrap");
	a32_expect("CHANNEL_NOTIFY(0xffffffff)",
		   hvc(BH_HC_32(BH_HC_CHANNEL_NOTIFY), 0xffffffffu, 0, 0).r0,
		   (uint32_t)BH_E_INVALID);
	a32_verdict("a32-hc-notify-bad-id");
	a32_expect(
	    "DOMAIN_RESTART(self)",
	    hvc(BH_HC_32(BH_HC_DOMAIN_RESTART), hvc(BH_HC_32(BH_HC_SELF), 0, 0, 0).r1, 0, 0).r0,
	    (uint32_t)BH_E_INVALID);
	a32_verdict("a32-hc-restart-self");
	a32_expect("BH_HC_VERSION (SMC64 ID)", hvc(BH_HC_VERSION, 0, 0, 0).r0, SMCCC_NOT_SUPPORTED);
	a32_verdict("a32-hc-smc64-id");
	static const uint32_t keep[] = {BH_HC_32(BH_HC_VERSION),
					BH_HC_32(BH_HC_SELF),
					BH_HC_32(BH_HC_CHANNEL_NOTIFY),
					BH_HC_32(BH_HC_DOMAIN_QUERY),
					BH_HC_CALL_UID,
					PSCI_VERSION,
					PSCI_AFFINITY_INFO};
	for (unsigned i = 0; i < sizeof(keep) / sizeof(keep[0]); i++)
		a32_call_keeps(keep[i], 0);
	a32_verdict("a32-hc-preserves-r4-r7");

	/* PSCI CPU_ON: a foreign MPIDR; entry points outside its RAM. */
	a32_expect("CPU_ON(0x100)", psci(PSCI_CPU_ON, 0x100, (uint32_t)secondary_entry, 0),
		   PSCI_INVALID_PARAMETERS);
	a32_verdict("a32-psci-cpu-on-aff1");
	a32_expect("CPU_ON(0, entry 0x8000000)", psci(PSCI_CPU_ON, 0, GICD_BASE, 0),
		   0xfffffff7u /* INVALID_ADDRESS */);
	a32_verdict("a32-psci-cpu-on-entry-mmio");
	a32_expect("CPU_ON(0, entry 0xfffffffc)", psci(PSCI_CPU_ON, 0, 0xfffffffcu, 0),
		   0xfffffff7u);
	a32_verdict("a32-psci-cpu-on-entry-top");

	a32_isv0(0);
	a32_verdict("a32-isv0-gicd-ldrd");
	a32_isv0(1);
	a32_verdict("a32-isv0-gicd-ldm");
	a32_isv0(2);
	a32_verdict("a32-isv0-gicd-strd");
	say("attack: a32 summary %u contained, %u escaped", a32_contained, a32_escaped);
	return a32_escaped ? fail("%u attacks escaped", a32_escaped) : RES_OK;
}

static const struct {
	const char *name;
	enum result (*run)(void);
} checks[] = {
    {"boot", check_boot},     {"psci", check_psci},	{"hypercall", check_hypercall},
    {"smp", check_smp},	      {"timer", check_timer},	{"sgi", check_sgi},
    {"setway", check_setway}, {"ptimer", check_ptimer}, {"abort", check_abort},
    {"undef", check_undef},   {"pmu", check_pmu},
    {"attacks", check_attacks},
};

void guest_main(void)
{
	const char *first_failed = NULL;

	g.freq = read_cntfrq();
	/* Bulkhead answers with its UID; without a hypervisor QEMU's PSCI returns NOT_SUPPORTED. */
	struct smccc_res uid = hvc(BH_HC_CALL_UID, 0, 0, 0);
	g.uid[0] = uid.r0;
	g.uid[1] = uid.r1;
	g.uid[2] = uid.r2;
	g.uid[3] = uid.r3;
	g.native = uid.r0 == SMCCC_NOT_SUPPORTED;
	say("AArch32 test guest, %s",
	    g.native ? "native (BH_HC_CALL_UID not supported)" : "under a hypervisor");

	for (unsigned i = 0; i < sizeof(checks) / sizeof(checks[0]); i++) {
		g.check = checks[i].name;
		g.why[0] = '\0';
		enum result r = checks[i].run();
		if (r == RES_OK) {
			say("%s: ok", g.check);
		} else if (r == RES_SKIP) {
			say("%s: skipped (%s)", g.check, g.why);
		} else {
			say("%s: FAIL %s", g.check, g.why);
			if (!first_failed)
				first_failed = g.check;
		}
	}
	if (first_failed)
		say("FAIL %s", first_failed);
	else
		say("PASS");
	power_off();
}
