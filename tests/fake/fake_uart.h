/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A fake console UART for the host unit tests of common/console.c: it
 * stands in for every UART driver (struct uart_ops), keeps what it is given
 * to send, takes as many bytes per call as a test says (0: it stopped
 * draining) and hands out queued input.
 */
#ifndef TESTS_FAKE_UART_H
#define TESTS_FAKE_UART_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FAKE_UART_OUT_MAX (1u << 20)
extern char fake_uart_out[FAKE_UART_OUT_MAX + 1]; /* NUL-terminated */
extern size_t fake_uart_len;
extern unsigned fake_uart_room;	 /* what tx_room() answers */
extern bool fake_uart_tx_irq_on; /* the TX interrupt, as last set */
extern bool fake_uart_rx_irq_on;
extern uint64_t fake_uart_init_base; /* the base init() was given */

/* arch_console_later(): what it answers (true: the deadline is set), and
 * how often it was asked since the reset. */
extern bool fake_console_later;
extern unsigned fake_console_later_calls;
extern unsigned fake_console_later_offs; /* arch_console_later_off() calls */

/* Back to nothing sent, nothing queued, 64 bytes of room. */
void fake_uart_reset(void);
/* Characters typed on the console, read by getc() in order. */
void fake_uart_type(const char *s, size_t n);

#endif
