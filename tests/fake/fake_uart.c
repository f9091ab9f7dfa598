/* SPDX-License-Identifier: Apache-2.0 */
/* The fake console UART (see fake_uart.h): every driver's ops are this one. */
#include <stdlib.h>
#include <string.h>

#include "common/console.h"
#include "tests/fake/fake_uart.h"

char fake_uart_out[FAKE_UART_OUT_MAX + 1];
size_t fake_uart_len;
unsigned fake_uart_room;
bool fake_uart_tx_irq_on, fake_uart_rx_irq_on;
uint64_t fake_uart_init_base;
static char input[256];
static size_t input_head, input_len;

bool fake_console_later = true;
unsigned fake_console_later_calls;
bool arch_console_later(void)
{
	fake_console_later_calls++;
	return fake_console_later;
}
unsigned fake_console_later_offs;
void arch_console_later_off(void)
{
	fake_console_later_offs++;
}

void fake_uart_reset(void)
{
	fake_console_later = true;
	fake_console_later_calls = fake_console_later_offs = 0;
	fake_uart_len = 0;
	fake_uart_out[0] = 0;
	fake_uart_room = 64;
	fake_uart_tx_irq_on = fake_uart_rx_irq_on = false;
	fake_uart_init_base = 0;
	input_head = input_len = 0;
}

void fake_uart_type(const char *s, size_t n)
{
	if (input_len + n > sizeof(input))
		abort(); /* more typed than the queue holds: grow it */
	memcpy(input + input_len, s, n);
	input_len += n;
}

static void fake_init(uint64_t base)
{
	fake_uart_init_base = base;
}

static unsigned fake_tx_room(uint64_t base)
{
	(void)base;
	return fake_uart_room;
}

static void fake_tx_put(uint64_t base, char c)
{
	(void)base;
	if (fake_uart_len == FAKE_UART_OUT_MAX)
		abort(); /* a test sent more than it can check: grow the buffer */
	fake_uart_out[fake_uart_len++] = c;
	fake_uart_out[fake_uart_len] = 0;
}

static int fake_getc(uint64_t base)
{
	(void)base;
	return input_head < input_len ? (unsigned char)input[input_head++] : -1;
}

static void fake_enable_rx_irq(uint64_t base)
{
	(void)base;
	fake_uart_rx_irq_on = true;
}

static void fake_tx_irq(uint64_t base, bool on)
{
	(void)base;
	fake_uart_tx_irq_on = on;
}

/* Every driver the console may pick (console_init's kind) is this one. */
#define FAKE_OPS                                                                                   \
	{                                                                                          \
		.init = fake_init, .tx_room = fake_tx_room, .tx_put = fake_tx_put,                 \
		.getc = fake_getc, .enable_rx_irq = fake_enable_rx_irq, .tx_irq = fake_tx_irq,     \
	}
const struct uart_ops uart_pl011_ops = FAKE_OPS;
const struct uart_ops uart_ns16550_ops = FAKE_OPS;
const struct uart_ops uart_cadence_ops = FAKE_OPS;
const struct uart_ops uart_imx_ops = FAKE_OPS;
const struct uart_ops uart_bcm2835aux_ops = FAKE_OPS;
