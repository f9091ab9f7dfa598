/* SPDX-License-Identifier: Apache-2.0 */
/* Cadence UART (Xilinx ZynqMP ttyPS0). Polled, without waiting. */
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

static unsigned cadence_tx_room(uint64_t base)
{
	return (*reg(base, SR) & SR_TXFULL) ? 0 : 1;
}

static void cadence_tx_put(uint64_t base, char c)
{
	*reg(base, FIFO) = (uint8_t)c;
}

static int cadence_getc(uint64_t base)
{
	if (*reg(base, SR) & SR_RXEMPTY)
		return -1;
	return (int)(*reg(base, FIFO) & 0xff);
}

const struct uart_ops uart_cadence_ops = {
    .init = cadence_init,
    .tx_room = cadence_tx_room,
    .tx_put = cadence_tx_put,
    .getc = cadence_getc,
};
