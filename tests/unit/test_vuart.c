// SPDX-License-Identifier: Apache-2.0
/*
 * The emulated PL011's receive side (common/vuart.c) on the fake
 * architecture: what the console hands a domain (vuart_input) is read back
 * by the guest through DR, in order, with FR and the RX interrupt saying
 * whether anything waits; what does not fit is dropped and said once.
 */
#include "check.h"
#include "tests/fake/fake_env.h"
#include "tests/fake/harness.h"

static uint32_t uart_r(struct vcpu *v, uint64_t off)
{
	uint64_t val = 0;
	bool handled = false;
	fake_enter(v);
	if (!vmmio_dispatch(v, board.uart_base + off, 4, false, &val, &handled) || !handled)
		CHECK_FAIL("read of UART register 0x%llx refused", (unsigned long long)off);
	return (uint32_t)val;
}

static void uart_w(struct vcpu *v, uint64_t off, uint32_t val)
{
	uint64_t w = val;
	bool handled = false;
	fake_enter(v);
	if (!vmmio_dispatch(v, board.uart_base + off, 4, true, &w, &handled) || !handled)
		CHECK_FAIL("write of UART register 0x%llx refused", (unsigned long long)off);
}

#define FR_RXFE (1u << 4)
#define FR_TXFE (1u << 7)

/* A pasted block of lines longer than a real PL011's FIFO, typed while the
 * guest is busy, is read back whole and in order. */
static void test_long_paste_kept(void)
{
	fake_setup(3);
	struct domain *d = &domains[0];
	struct vcpu *v = h_vcpu(d, 0);
	char typed[1000];
	for (unsigned i = 0; i < sizeof(typed); i++)
		typed[i] = (char)(i % 79 == 78 ? '\n' : 'a' + i % 26);
	CHECK(uart_r(v, 0x18) & FR_RXFE);
	for (unsigned i = 0; i < sizeof(typed); i++)
		vuart_input(d, typed[i]);
	CHECK_EQ(fake_nlog, 0); /* nothing dropped */
	unsigned i = 0;
	for (; i < sizeof(typed) && !(uart_r(v, 0x18) & FR_RXFE); i++)
		if (uart_r(v, 0x00) != (uint8_t)typed[i])
			break;
	CHECK_EQ(i, sizeof(typed));
	CHECK(uart_r(v, 0x18) & FR_RXFE);
	/* The other domain saw none of it. */
	CHECK(uart_r(h_vcpu(&domains[1], 0), 0x18) & FR_RXFE);
}

/* Past the buffer: the excess is dropped, said once (not per character),
 * and said again only after the guest read and it overflows anew. */
static void test_overflow_said_once(void)
{
	fake_setup(3);
	struct domain *d = &domains[0];
	struct vcpu *v = h_vcpu(d, 0);
	for (unsigned i = 0; i < 3000; i++)
		vuart_input(d, 'x');
	CHECK_EQ(fake_nlog, 1);
	CHECK(strstr(fake_log, "domain ") && strstr(fake_log, "console input dropped"));
	unsigned n = 0;
	while (!(uart_r(v, 0x18) & FR_RXFE) && n < 5000) {
		uart_r(v, 0x00);
		n++;
	}
	CHECK(n >= 1000 && n < 3000);
	for (unsigned i = 0; i < 3000; i++)
		vuart_input(d, 'y');
	CHECK_EQ(fake_nlog, 2);
}

/* Output, a character at a time (FR poll, DR write): the console is
 * pumped once per burst, not per character: not at the poll right after a
 * DR write, but at a second FR read in a row (the guest waits) and at any
 * other register access (Linux's console ends a write with one); every
 * byte reaches the console either way. */
static void test_output_bursts(void)
{
	fake_setup(3);
	struct domain *d = &domains[0];
	struct vcpu *v = h_vcpu(d, 0);
	CHECK(uart_r(v, 0x18) & FR_TXFE);
	for (const char *s = "ab"; *s; s++) {
		uart_r(v, 0x18);
		uart_w(v, 0x00, (uint8_t)*s);
	}
	CHECK_EQ(fake_npump, 0); /* the polls before each character */
	CHECK(!(uart_r(v, 0x18) & FR_TXFE)); /* after the last: "b" not sent yet */
	CHECK_EQ(fake_npump, 0);
	uart_r(v, 0x18); /* a second poll: the guest waits for it */
	CHECK_EQ(fake_npump, 1);
	CHECK(uart_r(v, 0x18) & FR_TXFE);
	uart_w(v, 0x00, 'c');
	uart_r(v, 0x18);
	uart_w(v, 0x30, 0x301); /* CR: the end of Linux's console write */
	CHECK_EQ(fake_npump, 2);
	CHECK_EQ(fake_con_len[0], 3);
	CHECK(memcmp(fake_con[0], "abc", 3) == 0);
	CHECK_EQ(fake_con_len[1], 0);
}

/* Another CPU's console input at the racy point of a DR read: after the
 * reader worked out its interrupt line's level, before it set it. The link
 * wraps arch_irq_set_level (tests/unit/Makefile) so the input comes there;
 * if the reader holds the domain's lock, the input waits for it (as it
 * would spin on another CPU) and comes once the access is over. Either way
 * a character then waits, so the line must end high. */
static struct domain *race_dom;
static bool race_deferred;
void __real_arch_irq_set_level(struct domain *d, unsigned line, bool level);
void __wrap_arch_irq_set_level(struct domain *d, unsigned line, bool level)
{
	struct domain *r = race_dom;
	race_dom = NULL;
	if (r && r->lock.owner != r->lock.next)
		race_deferred = true; /* it waits for the lock */
	else if (r)
		vuart_input(r, 'z');
	__real_arch_irq_set_level(d, line, level);
}

static void test_input_racing_dr_read(void)
{
	fake_setup(3);
	struct domain *d = &domains[0];
	struct vcpu *v = h_vcpu(d, 0);
	uart_w(v, 0x38, 1u << 4); /* IMSC: RX */
	vuart_input(d, 'a');
	struct virq *q = vgic_irq(&d->vcpu[0], d->vuart.intid);
	CHECK(q && q->level);
	race_dom = d;
	race_deferred = false;
	CHECK_EQ(uart_r(v, 0x00), 'a'); /* reads the last character: low */
	CHECK(!race_dom);
	if (race_deferred)
		vuart_input(d, 'z');
	CHECK(!(uart_r(v, 0x18) & FR_RXFE)); /* 'z' waits */
	CHECK(q->level);
	CHECK_EQ(uart_r(v, 0x00), 'z');
	CHECK(!q->level);
}

int main(void)
{
	RUN(test_long_paste_kept);
	RUN(test_overflow_said_once);
	RUN(test_output_bursts);
	RUN(test_input_racing_dr_read);
	return check_summary("test_vuart");
}
