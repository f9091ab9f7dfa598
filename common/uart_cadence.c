/* SPDX-License-Identifier: Apache-2.0 */
/* Cadence UART (Xilinx ZynqMP ttyPS0). Polled. */
#include "common/console.h"

#define SR 0x2c
#define FIFO 0x30
#define SR_RXEMPTY (1u << 1)
#define SR_TXFULL (1u << 4)

static inline volatile uint32_t *reg(uint64_t base, unsigned off)
{
	return (volatile uint32_t *)(uintptr_t)(base + off);
}

static void cadence_init(uint64_t base)
{
	(void)base;
}

static void cadence_putc(uint64_t base, char c)
{
	while (*reg(base, SR) & SR_TXFULL)
		;
	*reg(base, FIFO) = (uint8_t)c;
}

static int cadence_getc(uint64_t base)
{
	if (*reg(base, SR) & SR_RXEMPTY)
		return -1;
	return (int)(*reg(base, FIFO) & 0xff);
}

const struct uart_ops uart_cadence_ops = {cadence_init, cadence_putc, cadence_getc, NULL};
