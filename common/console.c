/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Console output multiplexer. Hypervisor lines and domain lines never
 * interleave mid-line: each domain's output is collected per line and written
 * whole, under one lock, with its "[name] " prefix.
 */
#include "common/console.h"
#include "common/domain.h"
#include "common/lib.h"
#include "common/percpu.h"
#include "common/spinlock.h"

static const struct uart_ops *uart;
static struct domain *open_line;
static unsigned focus;
static void close_open_line_locked(void);
static uint64_t uart_base;
static struct spinlock console_lock;

void console_init(enum uart_kind kind, uint64_t base)
{
	switch (kind) {
	case UART_PL011:
		uart = &uart_pl011_ops;
		break;
	case UART_NS16550:
		uart = &uart_ns16550_ops;
		break;
	case UART_CADENCE:
		uart = &uart_cadence_ops;
		break;
	case UART_IMX:
		uart = &uart_imx_ops;
		break;
	default:
		uart = NULL;
		return;
	}
	uart_base = base;
	uart->init(base);
}

static void put_locked(const char *s, size_t n)
{
	if (!uart)
		return;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n')
			uart->putc(uart_base, '\r');
		uart->putc(uart_base, s[i]);
	}
}

void console_write_raw(const char *s)
{
	spin_lock(&console_lock);
	put_locked(s, strlen(s));
	spin_unlock(&console_lock);
}

void bh_printf(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	spin_lock(&console_lock);
	close_open_line_locked();
	put_locked(buf, (size_t)MIN(n, (int)sizeof(buf) - 1));
	spin_unlock(&console_lock);
}

void bh_vlog(const char *fmt, va_list ap)
{
	char buf[512];
	int n = snprintf(buf, sizeof(buf), "bulkhead: ");
	n += vsnprintf(buf + n, sizeof(buf) - (size_t)n - 1, fmt, ap);
	if (n > (int)sizeof(buf) - 2)
		n = (int)sizeof(buf) - 2;
	buf[n++] = '\n';
	spin_lock(&console_lock);
	close_open_line_locked();
	put_locked(buf, (size_t)n);
	spin_unlock(&console_lock);
}

void bh_log(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	bh_vlog(fmt, ap);
	va_end(ap);
}

/*
 * Lines on screen never mix: the focused domain's output goes straight out
 * (an interactive prompt has no newline), every other domain's is collected
 * per line. `open_line` is the domain whose line is on screen, unfinished.
 * A line another domain finishes while the focused one is mid-line is held
 * (one per domain) until the focused line ends, or that domain finishes a
 * second line: only then does it cut into the focused line, which is
 * repeated whole, under a new prefix, when it goes on.
 */
static void close_open_line_locked(void)
{
	if (open_line) {
		put_locked("\n", 1);
		open_line = NULL;
	}
}

static void prefix_locked(struct domain *d)
{
	put_locked("[", 1);
	put_locked(d->name, strlen(d->name));
	put_locked("] ", 2);
}

static void flush_line_locked(struct domain *d, bool newline)
{
	if (open_line != d) {
		close_open_line_locked();
		prefix_locked(d);
		put_locked(d->con_open, d->con_open_len); /* what was cut, again */
	}
	put_locked(d->con_line, d->con_len);
	if (newline) {
		put_locked("\n", 1);
		open_line = NULL;
		d->con_open_len = 0;
	} else {
		open_line = d;
		unsigned n = MIN(d->con_len, (unsigned)sizeof(d->con_open) - d->con_open_len);
		memcpy(d->con_open + d->con_open_len, d->con_line, n);
		d->con_open_len += n;
	}
	d->con_len = 0;
}

static void flush_held_locked(struct domain *d)
{
	if (!d->con_holding)
		return;
	close_open_line_locked();
	prefix_locked(d);
	put_locked(d->con_held, d->con_held_len);
	put_locked("\n", 1);
	d->con_holding = false;
}

static void flush_all_held_locked(void)
{
	for (unsigned i = 0; i < ndomains; i++)
		flush_held_locked(&domains[i]);
}

void console_domain_putc(struct domain *d, char c)
{
	if (c == '\r')
		return;
	spin_lock(&console_lock);
	bool focused = ndomains && &domains[focus] == d;
	if (c == '\n') {
		if (!focused && open_line && open_line == &domains[focus]) {
			/* The focused domain is mid-line: hold this line, if we can. */
			flush_held_locked(d);
			if (open_line == &domains[focus]) {
				memcpy(d->con_held, d->con_line, d->con_len);
				d->con_held_len = d->con_len;
				d->con_holding = true;
				d->con_len = 0;
				spin_unlock(&console_lock);
				return;
			}
		}
		flush_line_locked(d, true);
		if (focused)
			flush_all_held_locked();
	} else {
		d->con_line[d->con_len++] = c;
		if (focused || d->con_len == sizeof(d->con_line))
			flush_line_locked(d, !focused);
	}
	spin_unlock(&console_lock);
}

void console_domain_flush(struct domain *d)
{
	spin_lock(&console_lock);
	flush_held_locked(d);
	if (d->con_len || open_line == d)
		flush_line_locked(d, true);
	if (&domains[focus] == d)
		flush_all_held_locked();
	spin_unlock(&console_lock);
}

int console_getc(void)
{
	return uart && uart->getc ? uart->getc(uart_base) : -1;
}

#define CTRL_A 0x01
#define SWITCH_PRESSES 3

static unsigned ctrl_a_run;

void console_enable_input(void)
{
	if (uart && uart->enable_rx_irq)
		uart->enable_rx_irq(uart_base);
	for (unsigned i = 0; i < ndomains; i++)
		if (domains[i].cfg->control)
			focus = i;
	if (ndomains > 1)
		bh_log("console input goes to domain %s; press Ctrl-A three times to switch",
		       domains[focus].name);
}

void console_rx_interrupt(void)
{
	int c;
	while ((c = console_getc()) >= 0) {
		if (ctrl_a_run == 1 && c == 's') { /* Ctrl-A s: exit statistics */
			ctrl_a_run = 0;
			stats_print();
			continue;
		}
		if (ctrl_a_run == 1 && c == 'q') { /* Ctrl-A q: power the machine off */
			bh_log("powering off at the console's request (Ctrl-A q)");
			arch_halt_system();
		}
		if (c == CTRL_A) {
			if (++ctrl_a_run == SWITCH_PRESSES) {
				ctrl_a_run = 0;
				spin_lock(&console_lock);
				flush_all_held_locked();
				/* The next domain that still runs (or restarts): typing
				 * into one that is off or stopped reaches no one. */
				for (unsigned k = 1; k <= ndomains; k++) {
					unsigned n = (focus + k) % ndomains;
					enum dom_state s = __atomic_load_n(&domains[n].state,
									   __ATOMIC_ACQUIRE);
					if (s == DOM_RUNNING || s == DOM_RESTARTING) {
						focus = n;
						break;
					}
				}
				spin_unlock(&console_lock);
				bh_log("console input now goes to domain %s", domains[focus].name);
			}
			continue;
		}
		/* Ctrl-A pressed fewer than three times: it was meant for the domain. */
		for (; ctrl_a_run; ctrl_a_run--)
			vuart_input(&domains[focus], CTRL_A);
		if (ndomains)
			vuart_input(&domains[focus], (char)c);
	}
}
