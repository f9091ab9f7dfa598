/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A domain's I/O ports: an emulated 16550 at COM1 (0x3f8), whose output
 * goes to the common console (common/console.c: lines prefixed by the
 * domain's name, its filter, focus and losses), and QEMU's debug exit port
 * (0xf4), which powers the domain off as it would the machine. Other ports
 * read as all-ones (nothing there) and ignore writes, reported once per
 * domain, port and direction (common/report.c).
 */
#include "svm.h"
#include "x86.h"
#include "common/console.h"
#include "common/domain.h"
#include "common/report.h"

#define DEBUG_EXIT_PORT 0xf4
#define LCR_DLAB	0x80
#define LSR_THRE_TEMT	0x60 /* the transmitter is always ready */
#define PORT_KEY_IN	(1u << 16)

/* One register (16550 data sheet): DLAB selects the divisor latch. Kept:
 * IER, LCR, MCR, SCR and the divisor (arch_domain.uart, by offset; DLL at
 * 0, DLM at 1 with DLAB, so IER at 8). */
static void uart_reg(struct domain *d, unsigned reg, bool in, uint64_t *val)
{
	uint8_t *u = d->arch.uart;
	bool dlab = u[3] & LCR_DLAB;
	unsigned slot = reg == 1 && !dlab ? 8 : reg;
	bool kept = (reg <= 1 && (dlab || reg == 1)) || reg == 3 || reg == 4 || reg == 7;
	if (!in) {
		if (kept)
			u[slot] = (uint8_t)*val;
		else if (reg == 0)
			console_domain_putc(d, (char)*val);
		return;
	}
	*val = kept	  ? u[slot]
	       : reg == 2 ? 0x01 /* IIR: nothing pending */
	       : reg == 5 ? LSR_THRE_TEMT
			  : 0;
}

enum trap_result vuart_io(struct vcpu *v, uint16_t port, bool in, uint64_t *val)
{
	struct domain *d = v->dom;
	if (port >= COM1_PORT && port < COM1_PORT + 8) {
		uart_reg(d, port - COM1_PORT, in, val);
		return TRAP_CONTINUE;
	}
	if (port == DEBUG_EXIT_PORT && !in) {
		domain_poweroff(d);
		return TRAP_LEAVE;
	}
	if (in)
		*val = ~0ull;
	if (report_once(d, REPORT_TRAP, port | (in ? PORT_KEY_IN : 0)))
		bh_log("domain %s: %s of I/O port 0x%x: nothing there (reported once)", d->name,
		       in ? "read" : "write", port);
	return TRAP_CONTINUE;
}
