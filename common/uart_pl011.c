/* SPDX-License-Identifier: Apache-2.0 */
/* Arm PL011 UART: the console on QEMU virt, Raspberry Pi 4, Versal... Receive
 * and TX-FIFO-room interrupts (one line). */
#include "common/console.h"

#define UARTDR 0x00
#define UARTFR 0x18
#define UARTIMSC 0x38
#define UARTICR 0x44
#define FR_RXFE (1u << 4)
#define FR_TXFF (1u << 5)
#define IMSC_TXIM (1u << 5)

static inline volatile uint32_t *reg(uint64_t base, unsigned off)
{
	return (volatile uint32_t *)(uintptr_t)(base + off);
}

static void pl011_init(uint64_t base)
{
	/* Keep the loader's baud rate and line settings; we only poll. */
	(void)base;
}

static void pl011_enable_rx_irq(uint64_t base)
{
	*reg(base, UARTIMSC) |= (1u << 4) | (1u << 6); /* RXIM, RTIM */
}

static unsigned pl011_tx_room(uint64_t base)
{
	return (*reg(base, UARTFR) & FR_TXFF) ? 0 : 1;
}

static void pl011_tx_put(uint64_t base, char c)
{
	*reg(base, UARTDR) = (uint8_t)c;
}

/* TXIM: asserted while the TX FIFO is at or below its trigger level. */
static void pl011_tx_irq(uint64_t base, bool on)
{
	if (on)
		*reg(base, UARTIMSC) |= IMSC_TXIM;
	else
		*reg(base, UARTIMSC) &= ~IMSC_TXIM;
}

static int pl011_getc(uint64_t base)
{
	if (*reg(base, UARTFR) & FR_RXFE)
		return -1;
	return (int)(*reg(base, UARTDR) & 0xff);
}

const struct uart_ops uart_pl011_ops = {
    .init = pl011_init,
    .tx_room = pl011_tx_room,
    .tx_put = pl011_tx_put,
    .getc = pl011_getc,
    .enable_rx_irq = pl011_enable_rx_irq,
    .tx_irq = pl011_tx_irq,
};
