/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The hypervisor console: one physical UART, shared by the hypervisor's own
 * messages and every domain's output (each line prefixed by the domain name).
 */
#ifndef COMMON_CONSOLE_H
#define COMMON_CONSOLE_H

#include <stdarg.h>
#include <stdint.h>

#include "dt/dt.h"

struct domain;

/* A UART driver: one small file per kind (common/uart_*.c). */
struct uart_ops {
	void (*init)(uint64_t base);
	void (*putc)(uint64_t base, char c);
	int (*getc)(uint64_t base); /* -1 if nothing waiting */
	void (*enable_rx_irq)(uint64_t base); /* NULL: input not supported */
};

extern const struct uart_ops uart_pl011_ops;
extern const struct uart_ops uart_ns16550_ops;
extern const struct uart_ops uart_cadence_ops;
extern const struct uart_ops uart_imx_ops;

void console_init(enum uart_kind kind, uint64_t base);
/* Hypervisor messages: "bulkhead: ..." lines. */
void bh_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void bh_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void bh_vlog(const char *fmt, va_list ap);
void console_write_raw(const char *s);
/* One character of a domain's output; lines are prefixed "[name] ". */
void console_domain_putc(struct domain *d, char c);
void console_domain_flush(struct domain *d);
int console_getc(void);
/* The console UART's receive interrupt: input goes to the focused domain.
 * Ctrl-A three times in a row moves the focus to the next domain. */
void console_rx_interrupt(void);
void console_enable_input(void);

#endif
