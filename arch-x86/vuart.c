/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A domain's I/O ports: an emulated 16550 at COM1 (0x3f8), whose output is
 * shown a line at a time prefixed by the domain's name, and QEMU's debug
 * exit port (0xf4), which powers the domain off as it would the machine.
 * Other ports read as all-ones (nothing there) and ignore writes, reported
 * once per domain, port and direction.
 */
#include "svm.h"
#include "x86.h"
#include "common/lib.h"

#define DEBUG_EXIT_PORT 0xf4
#define LCR_DLAB	0x80
#define LSR_THRE_TEMT	0x60 /* the transmitter is always ready */

void vuart_flush(struct x86_dom *d)
{
	if (!d->line_len)
		return;
	d->line[d->line_len] = 0;
	x86_printf("[%s] %s\n", d->name, d->line);
	d->line_len = 0;
}

/* A guest's byte: printable ASCII and tabs are shown; control bytes (an
 * escape sequence could move the cursor or clear the screen over other
 * domains' lines) and bytes >= 0x7f are not, as on arm64 (docs/console.md). */
static void vuart_putc(struct x86_dom *d, char c)
{
	uint8_t b = (uint8_t)c;
	if (b != '\n' && b != '\t' && (b < 0x20 || b >= 0x7f))
		return;
	if (c != '\n')
		d->line[d->line_len++] = c;
	if (c == '\n' || d->line_len == VUART_LINE - 1)
		vuart_flush(d);
}

/* One register (16550 data sheet): DLAB selects the divisor latch. */
static void uart_reg(struct x86_dom *d, unsigned reg, bool in, uint64_t *val)
{
	bool dlab = d->uart_lcr & LCR_DLAB;
	uint8_t *r = reg == 0	? (dlab ? &d->uart_dll : NULL)
		     : reg == 1 ? (dlab ? &d->uart_dlm : &d->uart_ier)
		     : reg == 3 ? &d->uart_lcr
		     : reg == 4 ? &d->uart_mcr
		     : reg == 7 ? &d->uart_scr
				: NULL;
	if (!in) {
		if (r)
			*r = (uint8_t)*val;
		else if (reg == 0)
			vuart_putc(d, (char)*val);
		return;
	}
	*val = r ? *r : reg == 2 ? 0x01 /* IIR: nothing pending */ : reg == 5 ? LSR_THRE_TEMT : 0;
}

enum exit_action vuart_io(struct x86_dom *d, uint16_t port, bool in, uint64_t *val)
{
	if (port >= COM1_PORT && port < COM1_PORT + 8) {
		uart_reg(d, port - COM1_PORT, in, val);
		return EXIT_CONTINUE;
	}
	if (port == DEBUG_EXIT_PORT && !in) {
		vuart_flush(d);
		x86_printf("bulkhead: domain %s powered off (exit code %llu)\n", d->name,
			   (unsigned long long)*val);
		return EXIT_OFF;
	}
	if (in)
		*val = ~0ull;
	if (svm_report_once(d, in ? XR_PORT_READ : XR_PORT_WRITE, port)) {
		vuart_flush(d);
		x86_printf(
		    "bulkhead: domain %s: %s of I/O port 0x%x: nothing there (reported once)\n",
		    d->name, in ? "read" : "write", port);
	}
	return EXIT_CONTINUE;
}
