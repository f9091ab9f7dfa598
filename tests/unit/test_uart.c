// SPDX-License-Identifier: Apache-2.0
/*
 * The console UART drivers (common/uart_ns16550.c: 16550/DesignWare and the
 * BCM2835 mini UART; common/uart_imx.c; common/uart_pl011.c) under the console multiplexer
 * (common/console.c), each against a register model of its UART on the fake
 * architecture (tests/fake/arch_inline.h sends arch_dev_read32/write32 here).
 * A model keeps an RX FIFO of typed bytes, a TX FIFO of its real depth that
 * the "wire" drains one byte per tick, and its interrupt line computed from
 * its enable bits as the hardware does; a byte written into a full FIFO is an
 * overrun (lost on real hardware), an access to a register the UART does not
 * have is counted. The test plays the GIC: while the line is asserted, it
 * calls console_interrupt(), and fails on a storm (the line still asserted
 * after a call that changed nothing).
 *
 * Checked per UART: input reaches the focused domain byte for byte; Ctrl-A
 * three times moves the focus, fewer reach the domain, Ctrl-A s is taken;
 * a burst larger than the FIFO goes out whole, through the TX interrupt,
 * never overrunning the FIFO, in about one interrupt per FIFO-full; the TX
 * interrupt is off and the line low once all is sent. A DesignWare
 * busy-detect interrupt is ended (USR read), not taken forever.
 */
#include "check.h"
#include "common/console.h"
#include "common/domain.h"
#include "tests/fake/harness.h"

/* What console.c needs of the rest of the hypervisor. */
uint64_t fake_counter; /* tests/fake/arch_inline.h: arch_counter() */
void (*fake_counter_hook)(void);
static struct domain the_domains[BH_MAX_DOMAINS];
struct domain *domains = the_domains;
unsigned ndomains;
static struct dom_cfg cfgs[BH_MAX_DOMAINS];

static char typed[BH_MAX_DOMAINS][64];
static unsigned ntyped[BH_MAX_DOMAINS];

void vuart_input(struct domain *d, char c)
{
	unsigned i = (unsigned)(d - domains);
	if (i < BH_MAX_DOMAINS && ntyped[i] < sizeof(typed[i]) - 1)
		typed[i][ntyped[i]++] = c;
}

static unsigned stats_prints;
void stats_print(void)
{
	stats_prints++;
}

void arch_halt_system(void)
{
	printf("arch_halt_system\n");
	exit(4); /* no test powers the machine off */
}

bool arch_console_later(void)
{
	return true; /* a deadline is set: held output waits for its line's end */
}
void arch_console_later_off(void)
{
}

/* ---- register models ---- */

enum model_kind { M_16550, M_AUX, M_IMX, M_PL011 };

static struct model {
	enum model_kind kind;
	uint64_t base;
	unsigned depth; /* TX FIFO */
	char rx[64];
	unsigned rx_head, rx_len;
	char tx[64];
	unsigned tx_len;
	char wire[4096]; /* bytes the UART sent, NUL-terminated */
	size_t wire_len;
	unsigned overruns, bad_reg, usr_reads;
	unsigned long activity; /* bytes moved, enable bits changed */
	uint32_t ier, ucr1, ucr4, imsc, lcrh, cr;
	bool busy_always;	   /* PL011: FR.BUSY stuck on */
	unsigned lcrh_while_on; /* PL011: LCRH written while UARTEN was set */
	bool busy; /* DesignWare busy-detect interrupt pending (until USR is read) */
} m;

static void tx_push(uint32_t v)
{
	if (m.tx_len == m.depth) {
		m.overruns++;
		return;
	}
	m.tx[m.tx_len++] = (char)v;
	m.activity++;
}

static int rx_pop(void)
{
	if (!m.rx_len)
		return -1;
	m.rx_len--;
	m.activity++;
	return (unsigned char)m.rx[m.rx_head++ % sizeof(m.rx)];
}

/* 16550 / DesignWare (and the mini UART, whose registers these are). */
static bool ns_line(void)
{
	/* The mini UART interrupts only with IER bits 3:2 set (BCM2835 errata). */
	if (m.kind == M_AUX && (m.ier & 0xc) != 0xc)
		return false;
	return ((m.ier & 1) && m.rx_len) || ((m.ier & 2) && !m.tx_len) || m.busy;
}

static uint32_t ns_read(unsigned off)
{
	switch (off) {
	case 0x00: {
		int c = rx_pop();
		return c < 0 ? 0 : (uint32_t)c;
	}
	case 0x04:
		return m.ier;
	case 0x08: /* IIR: FIFOs on; busy detect, RX data, THR empty */
		if (m.busy)
			return 0xc7;
		if ((m.ier & 1) && m.rx_len)
			return 0xc4;
		return (m.ier & 2) && !m.tx_len ? 0xc2 : 0xc1;
	case 0x14: { /* LSR: DR, THRE, TEMT; the mini UART's bit 5: room for a byte */
		uint32_t v = m.rx_len ? 1 : 0;
		if (m.kind == M_AUX ? m.tx_len < m.depth : !m.tx_len)
			v |= 1u << 5;
		return v | (m.tx_len ? 0 : 1u << 6);
	}
	case 0x24:
		if (m.kind == M_AUX) /* AUX_MU_STAT: TX and RX FIFO levels */
			return (uint32_t)m.tx_len << 24 | (uint32_t)m.rx_len << 16;
		break;
	case 0x7c:
		if (m.kind == M_16550) { /* DesignWare USR: ends busy detect */
			m.usr_reads++;
			m.activity += m.busy;
			m.busy = false;
			return 0;
		}
		break;
	}
	m.bad_reg++;
	return 0;
}

static void ns_write(unsigned off, uint32_t v)
{
	if (off == 0x00)
		tx_push(v);
	else if (off == 0x04) {
		m.activity += m.ier != (v & 0xf);
		m.ier = v & 0xf;
	} else
		m.bad_reg++;
}

/* i.MX UART */
#define UCR1_TXMPTYEN (1u << 6)
#define UCR4_DREN (1u << 0)

static bool imx_line(void)
{
	return ((m.ucr4 & UCR4_DREN) && m.rx_len) || ((m.ucr1 & UCR1_TXMPTYEN) && !m.tx_len);
}

static uint32_t imx_read(unsigned off)
{
	switch (off) {
	case 0x00: { /* URXD: CHARRDY and the byte */
		int c = rx_pop();
		return c < 0 ? 0 : 1u << 15 | (uint32_t)c;
	}
	case 0x80:
		return m.ucr1;
	case 0x8c:
		return m.ucr4;
	case 0x98: /* USR2: RDR, TXDC, TXFE */
		return (m.rx_len ? 1u : 0) | (m.tx_len ? 0 : 1u << 3 | 1u << 14);
	case 0xb4: /* UTS: TXFULL, RXEMPTY, TXEMPTY */
		return (m.tx_len == m.depth ? 1u << 4 : 0) | (m.rx_len ? 0 : 1u << 5) |
		       (m.tx_len ? 0 : 1u << 6);
	}
	m.bad_reg++;
	return 0;
}

static void imx_write(unsigned off, uint32_t v)
{
	if (off == 0x40)
		tx_push(v);
	else if (off == 0x80) {
		m.activity += m.ucr1 != v;
		m.ucr1 = v;
	} else if (off == 0x8c) {
		m.activity += m.ucr4 != v;
		m.ucr4 = v;
	} else
		m.bad_reg++;
}

/* Arm PL011: TX interrupt at or below half the FIFO (IFLS's reset value);
 * with the FIFOs off (LCRH.FEN clear) it holds one byte. */
#define PL011_RX_INTS ((1u << 4) | (1u << 6))
#define PL011_TXIM (1u << 5)

static uint32_t pl011_ris(void)
{
	return (m.rx_len ? PL011_RX_INTS : 0) | (m.tx_len <= m.depth / 2 ? PL011_TXIM : 0);
}

static uint32_t pl011_read(unsigned off)
{
	switch (off) {
	case 0x00: {
		int c = rx_pop();
		return c < 0 ? 0 : (uint32_t)c;
	}
	case 0x18: /* FR: BUSY, RXFE, TXFF, TXFE */
		return (m.tx_len || m.busy_always ? 1u << 3 : 0) | (m.rx_len ? 0 : 1u << 4) |
		       (m.tx_len == m.depth ? 1u << 5 : 0) | (m.tx_len ? 0 : 1u << 7);
	case 0x2c:
		return m.lcrh;
	case 0x30:
		return m.cr;
	case 0x38:
		return m.imsc;
	case 0x40:
		return pl011_ris() & m.imsc;
	}
	m.bad_reg++;
	return 0;
}

static void pl011_write(unsigned off, uint32_t v)
{
	if (off == 0x00)
		tx_push(v);
	else if (off == 0x38) {
		m.activity += m.imsc != (v & 0x7ff);
		m.imsc = v & 0x7ff;
	} else if (off == 0x2c) { /* LCRH: FEN sets the FIFOs' depth */
		m.lcrh_while_on += m.cr & 1;
		m.lcrh = v & 0xff;
		m.depth = (m.lcrh & (1u << 4)) ? 16 : 1;
	} else if (off == 0x30)
		m.cr = v & 0xffff;
	else
		m.bad_reg++;
}

uint32_t fake_dev_read32(uint64_t pa)
{
	if (pa < m.base || pa - m.base >= 0x100 || (pa & 3)) {
		m.bad_reg++;
		return 0;
	}
	unsigned off = (unsigned)(pa - m.base);
	return m.kind == M_IMX ? imx_read(off) : m.kind == M_PL011 ? pl011_read(off) : ns_read(off);
}

static void (*dev_write_hook)(void); /* another CPU, at a register write */

void fake_dev_write32(uint64_t pa, uint32_t v)
{
	if (dev_write_hook)
		dev_write_hook();
	if (pa < m.base || pa - m.base >= 0x100 || (pa & 3))
		m.bad_reg++;
	else if (m.kind == M_IMX)
		imx_write((unsigned)(pa - m.base), v);
	else if (m.kind == M_PL011)
		pl011_write((unsigned)(pa - m.base), v);
	else
		ns_write((unsigned)(pa - m.base), v);
}

static bool line(void)
{
	if (m.kind == M_PL011)
		return (pl011_ris() & m.imsc) != 0;
	return m.kind == M_IMX ? imx_line() : ns_line();
}

static bool rx_irq_enabled(void)
{
	if (m.kind == M_PL011)
		return (m.imsc & PL011_RX_INTS) == PL011_RX_INTS;
	return m.kind == M_IMX ? (m.ucr4 & UCR4_DREN) != 0 : (m.ier & 1) != 0;
}

static bool tx_irq_enabled(void)
{
	if (m.kind == M_PL011)
		return (m.imsc & PL011_TXIM) != 0;
	return m.kind == M_IMX ? (m.ucr1 & UCR1_TXMPTYEN) != 0 : (m.ier & 2) != 0;
}

/* One character time: the wire takes the TX FIFO's first byte. */
static void tick(void)
{
	if (!m.tx_len)
		return;
	if (m.wire_len < sizeof(m.wire) - 1)
		m.wire[m.wire_len++] = m.tx[0];
	m.wire[m.wire_len] = 0;
	memmove(m.tx, m.tx + 1, --m.tx_len);
}

/* The GIC and time: interrupts taken while the line is up, the wire
 * draining otherwise, until all is sent and the line is low. Returns the
 * interrupts taken. */
static unsigned settle(void)
{
	unsigned irqs = 0;
	for (unsigned step = 0; step < 100000; step++) {
		if (line()) {
			unsigned long before = m.activity;
			console_interrupt();
			irqs++;
			if (m.activity == before && line()) {
				CHECK_FAIL("interrupt storm: the line stays asserted and "
					   "console_interrupt() changed nothing");
				return irqs;
			}
			continue;
		}
		if (!m.tx_len)
			return irqs;
		tick();
	}
	CHECK_FAIL("the UART never went quiet");
	return irqs;
}

/* Everything sent since the last call. */
static const char *sent(void)
{
	static char buf[sizeof(m.wire)];
	memcpy(buf, m.wire, m.wire_len + 1);
	m.wire_len = 0;
	m.wire[0] = 0;
	return buf;
}

static void type(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		m.rx[(m.rx_head + m.rx_len) % sizeof(m.rx)] = s[i];
		m.rx_len++;
	}
}

static struct domain *const dom0 = &the_domains[0], *const rt = &the_domains[1],
			    *const lin = &the_domains[2];

static bool pl011_busy_at_boot; /* the PL011 model's FR.BUSY never clears */

/* Three running domains, dom0 focused; the UART as the loader left it. */
static void boot(enum model_kind kind, enum uart_kind uart, uint64_t base, unsigned depth)
{
	memset(&m, 0, sizeof(m));
	m.kind = kind;
	m.base = base;
	m.depth = depth;
	m.lcrh = depth > 1 ? 1u << 4 : 0; /* PL011: FIFOs on (FEN) unless one byte deep */
	m.cr = 0x301;			  /* PL011: UARTEN, TXE, RXE */
	m.busy_always = pl011_busy_at_boot;
	h_console_domain(dom0, &cfgs[0], "dom0", true);
	h_console_domain(rt, &cfgs[1], "rt", false);
	h_console_domain(lin, &cfgs[2], "lin", false);
	ndomains = 3;
	console_init(uart, base);
	CHECK(!rx_irq_enabled());
	console_enable_input();
	CHECK(rx_irq_enabled());
	settle();
	CHECK_STR(sent(), "bulkhead: console input goes to domain dom0; press Ctrl-A three "
			  "times to switch\r\n");
	CHECK(!line());
}

static void input_and_focus(void)
{
	/* Bytes typed: the line rises; one interrupt hands them all to dom0. */
	type("ls -l\r", 6);
	CHECK(line());
	CHECK_EQ(settle(), 1);
	CHECK_STR(typed[0], "ls -l\r");
	CHECK_EQ(m.rx_len, 0);
	CHECK(!line());
	/* Ctrl-A three times: rt has the focus, and says so. */
	type("\x01\x01\x01", 3);
	settle();
	CHECK_STR(sent(), "bulkhead: console input now goes to domain rt\r\n");
	type("x", 1);
	settle();
	CHECK_STR(typed[1], "x");
	/* Fewer than three: they were meant for the domain. */
	type("\x01y\x01\x01z", 5);
	settle();
	CHECK_STR(typed[1], "x\x01y\x01\x01z");
	/* Ctrl-A s: the statistics, nothing to the domain. */
	type("\x01s", 2);
	settle();
	CHECK_EQ(stats_prints, 1);
	CHECK_STR(typed[1], "x\x01y\x01\x01z");
	CHECK_STR(typed[0], "ls -l\r"); /* dom0 got nothing after the switch */
	CHECK_EQ(ntyped[2], 0);
}

/* A burst larger than any FIFO: all of it goes out through the TX
 * interrupt, with nothing else happening on the console. */
static void burst(void)
{
	char line160[200], want[220];
	for (unsigned i = 0; i < 150; i++)
		line160[i] = (char)('a' + i % 26);
	line160[150] = '\n';
	line160[151] = 0;
	console_domain_write(lin, line160, 151);
	CHECK(tx_irq_enabled());
	CHECK(m.tx_len > 0);
	unsigned irqs = settle();
	snprintf(want, sizeof(want), "[lin] %.150s\r\n", line160);
	CHECK_STR(sent(), want);
	/* About one interrupt per FIFO-full (PL011: half), never one per byte. */
	CHECK(irqs <= 158 / (m.kind == M_PL011 && m.depth > 1 ? m.depth / 2 : m.depth) + 2);
	CHECK(!tx_irq_enabled());
	CHECK(!line());
	CHECK_EQ(m.overruns, 0);
}

static void run(enum model_kind kind, enum uart_kind uart, uint64_t base, unsigned depth)
{
	boot(kind, uart, base, depth);
	input_and_focus();
	burst();
	CHECK_EQ(m.overruns, 0);
	CHECK_EQ(m.bad_reg, 0);
}

static void test_ns16550(void)
{
	run(M_16550, UART_NS16550, 0xff1a0000, 16);
	/* A DesignWare busy-detect interrupt is never asked for: USR unread. */
	CHECK_EQ(m.usr_reads, 0);
}

/* A DesignWare busy-detect interrupt (the loader wrote LCR while the UART
 * was busy) is ended, not taken forever, and input still flows. */
static void test_dw_busy_detect(void)
{
	boot(M_16550, UART_NS16550, 0xff1a0000, 16);
	m.busy = true;
	CHECK(line());
	settle();
	CHECK(!m.busy);
	CHECK(!line());
	CHECK_EQ(m.usr_reads, 1);
	type("q", 1);
	settle();
	CHECK_STR(typed[0], "q");
}

static void test_bcm2835aux(void)
{
	run(M_AUX, UART_BCM2835AUX, 0xfe215040, 8);
}

static void test_imx(void)
{
	run(M_IMX, UART_IMX, 0x30890000, 32);
}

/* The PL011 with its FIFOs on (U-Boot leaves them so): kept as they are,
 * an empty FIFO filled, never overrun. */
static void test_pl011(void)
{
	run(M_PL011, UART_PL011, 0x9000000, 16);
	CHECK_EQ(m.lcrh, 1u << 4);
	CHECK_EQ(m.cr, 0x301);
}

/* FIFOs off (QEMU's -kernel boot): turned on at init, with the UART
 * disabled while LCRH changes and enabled again as it was. */
static void test_pl011_fifo_off(void)
{
	run(M_PL011, UART_PL011, 0x9000000, 1);
	CHECK_EQ(m.lcrh, 1u << 4);
	CHECK_EQ(m.depth, 16);
	CHECK_EQ(m.cr, 0x301);
	CHECK_EQ(m.lcrh_while_on, 0);
}

/* A UART that never stops being busy: the wait is bounded, the FIFOs stay
 * off, output still goes out a byte at a time. */
static void test_pl011_busy(void)
{
	pl011_busy_at_boot = true;
	run(M_PL011, UART_PL011, 0x9000000, 1);
	CHECK_EQ(m.lcrh, 0);
	CHECK_EQ(m.depth, 1);
	CHECK_EQ(m.cr, 0x301);
}

/* Another CPU's domain writing a line a byte at a time (its vUART's DR
 * writes: the ring append alone, held until its newline) while this CPU's
 * pumps run: each time this CPU reads the counter, one more byte. */
static unsigned elsewhere_left, elsewhere_put;
static void write_elsewhere(void)
{
	if (elsewhere_left) {
		elsewhere_left--;
		elsewhere_put++;
		domain_con_put(rt, 'q');
	}
}

/* The TX interrupt is for bytes there are to send. Bytes another CPU's
 * domain is still writing into its ring are not: that CPU pumps for them
 * itself. Wanted for them, the interrupt fired again after every pump that
 * found a new byte: 68,000 interrupts in one Linux boot under `make bench`. */
static void test_pl011_writer_elsewhere(void)
{
	boot(M_PL011, UART_PL011, 0x9000000, 16);
	elsewhere_left = 200;
	fake_counter_hook = write_elsewhere;
	console_domain_write(lin, "hello\n", 6);
	unsigned irqs = settle(); /* fails with "interrupt storm" if it re-fires */
	fake_counter_hook = NULL;
	CHECK(irqs <= 2);
	CHECK(!tx_irq_enabled());
	CHECK_STR(sent(), "[lin] hello\r\n");
	/* The other CPU's newline: its whole line, every byte of it. */
	CHECK(elsewhere_put > 0);
	console_domain_putc(rt, '\n');
	settle();
	char want[256] = "[rt] ";
	memset(want + 5, 'q', elsewhere_put);
	strcpy(want + 5 + elsewhere_put, "\r\n");
	CHECK_STR(sent(), want);
	CHECK(!line());
}

/* A domain's line written on another CPU while this one holds the console
 * lock for a hypervisor message: the writer's pump gives way to the holder
 * (pump_pending), so the holder must pump for it once it lets go. The TX
 * interrupt no longer stands in (it is wanted only for composed bytes), and
 * a line written through the console hypercall arms no deadline. */
static unsigned held_reads;
static void write_while_held(void)
{
	if (++held_reads < 2)
		return; /* the first read is before the message composes the rings */
	fake_counter_hook = NULL;
	console_domain_write(rt, "late\n", 5);
}

static void test_pl011_write_while_held(void)
{
	boot(M_PL011, UART_PL011, 0x9000000, 16);
	fake_counter_hook = write_while_held; /* hyp_write reads the counter, lock held */
	held_reads = 0;
	bh_log("x");
	settle();
	CHECK_STR(sent(), "bulkhead: x\r\n[rt] late\r\n");
	CHECK(!tx_irq_enabled());
}

/* A domain's line written on another CPU while this one holds the console
 * lock to enable input (at the UART's register write): the writer's pump
 * gives way, so console_enable_input() must run it as it lets go. One
 * domain: with more, its own message after would pump and hide a miss. */
static void write_at_enable(void)
{
	dev_write_hook = NULL;
	console_domain_write(dom0, "late\n", 5);
}

static void test_pl011_write_while_enabling(void)
{
	boot(M_PL011, UART_PL011, 0x9000000, 16);
	ndomains = 1;
	dev_write_hook = write_at_enable;
	console_enable_input();
	CHECK(!dev_write_hook); /* it wrote a register, lock held */
	CHECK_EQ(dom0->con_in_tail, dom0->con_in_head); /* composed on release */
	settle();
	CHECK_STR(sent(), "[dom0] late\r\n");
}

/* The history copy (common/control.c's console command) holds the console
 * lock without calling out, so the test leaves it what a pump asked for
 * meanwhile leaves: pump_pending set, here by a pump that gave up (another
 * CPU asking again at each of its tries, at its counter reads), and a
 * line another CPU wrote after. Letting the lock go, it must pump. */
static unsigned asks;
static void emit_none(const char *line, void *arg)
{
	(void)line;
	(void)arg;
}

static void ask_pump(void)
{
	asks++;
	console_pump(); /* the lock is held: it only asks */
}

static void test_pl011_history_runs_pending_pump(void)
{
	boot(M_PL011, UART_PL011, 0x9000000, 16);
	console_domain_write(rt, "early\n", 6);
	settle();
	CHECK_STR(sent(), "[rt] early\r\n");
	fake_counter_hook = ask_pump;
	asks = 0;
	console_pump(); /* gives up after its tries, the pump still asked for */
	fake_counter_hook = NULL;
	CHECK(asks >= 2);
	for (const char *s = "late\n"; *s; s++)
		domain_con_put(rt, *s); /* another CPU's line; its pump is the one asked */
	CHECK(rt->con_in_tail != rt->con_in_head);
	console_domain_history(rt, emit_none, NULL);
	CHECK_EQ(rt->con_in_tail, rt->con_in_head); /* composed on release */
	settle();
	CHECK_STR(sent(), "[rt] late\r\n");
}

int main(void)
{
	RUN_ISOLATED(test_ns16550);
	RUN_ISOLATED(test_dw_busy_detect);
	RUN_ISOLATED(test_bcm2835aux);
	RUN_ISOLATED(test_imx);
	RUN_ISOLATED(test_pl011);
	RUN_ISOLATED(test_pl011_fifo_off);
	RUN_ISOLATED(test_pl011_busy);
	RUN_ISOLATED(test_pl011_writer_elsewhere);
	RUN_ISOLATED(test_pl011_write_while_held);
	RUN_ISOLATED(test_pl011_write_while_enabling);
	RUN_ISOLATED(test_pl011_history_runs_pending_pump);
	return check_summary("test_uart");
}
