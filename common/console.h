/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The hypervisor console: one physical UART, shared by the hypervisor's own
 * messages and every domain's output (each line prefixed by the domain name).
 */
#ifndef COMMON_CONSOLE_H
#define COMMON_CONSOLE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dt/dt.h"

struct domain;

/* A UART driver: one small file per kind (common/uart_*.c). Nothing in it
 * waits: the console gives the UART only what it takes now. */
struct uart_ops {
	void (*init)(uint64_t base);
	unsigned (*tx_room)(uint64_t base); /* bytes the TX FIFO takes now (0: full) */
	void (*tx_put)(uint64_t base, char c);
	int (*getc)(uint64_t base); /* -1 if nothing waiting */
	void (*enable_rx_irq)(uint64_t base); /* NULL: input not supported */
	void (*tx_irq)(uint64_t base, bool on); /* NULL: no TX interrupt */
};

extern const struct uart_ops uart_pl011_ops;
extern const struct uart_ops uart_ns16550_ops;
extern const struct uart_ops uart_cadence_ops;
extern const struct uart_ops uart_imx_ops;
extern const struct uart_ops uart_bcm2835aux_ops;

void console_init(enum uart_kind kind, uint64_t base);
/* Hypervisor messages: "bulkhead: ..." lines. They wait for room in the
 * console's buffer at most a bounded time, then count as lost. */
void bh_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void bh_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void bh_vlog(const char *fmt, va_list ap);
/* bh_log("domain NAME: " fmt, ...): the prefix is in the image once. */
void bh_dlog(const char *name, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void console_write_raw(const char *s);
/* Before the machine stops: everything out, waiting while the UART drains. */
void console_sync(void);
/* A domain's output; lines are prefixed "[name] ". Never waits for the UART
 * or another domain: a full buffer drops (counted, reported later). */
void console_domain_write(struct domain *d, const char *s, size_t n);
/* The same for one byte, moved on only at a newline, once a line's worth
 * waits, or at the next console_pump()/console_domain_tx(). */
void console_domain_putc(struct domain *d, char c);
/* After domain_con_put (domain.h), when the byte is not held: compose now. */
void console_domain_burst_end(struct domain *d);
/* The end of d's output so far (power-off, restart): its lines end. */
void console_domain_flush(struct domain *d);
/* Its recent complete lines (at most CON_HIST_LINE - 1 characters each, a
 * longer one split), oldest first; emit gets each without '\n'. Callers are
 * serialised (one control device). */
#define CON_HIST_LINE 160
void console_domain_history(struct domain *d, void (*emit)(const char *line, void *arg),
			    void *arg);
/* Moves buffered output towards the UART if the console is free. */
void console_pump(void);
/* d's output not yet composed, as its emulated UART's TX FIFO shows it:
 * FULL (the guest should wait, at EL1) never while the UART is stuck. */
enum con_tx { CON_TX_EMPTY, CON_TX_SOME, CON_TX_FULL };
#define CON_TX_ROOM 32u /* FULL: at most this much room left in its ring */
enum con_tx console_domain_tx(struct domain *d);
int console_getc(void);
/* The console UART's interrupt: input goes to the focused domain (Ctrl-A
 * three times in a row moves the focus to the next domain); room in the TX
 * FIFO is used. */
void console_interrupt(void);
void console_enable_input(void);

#endif
