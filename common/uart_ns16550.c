/* SPDX-License-Identifier: Apache-2.0 */
/* 16550-compatible UART with 32-bit registers (reg-shift 2): DesignWare APB UARTs
 * on RK3399 and TI K3, and the BCM2711 mini UART (Raspberry Pi 4), which has
 * the same registers but an 8-byte FIFO. Receive and TX-FIFO-empty interrupts
 * (one line). */
#include <arch_inline.h>

#include "common/console.h"

#define THR 0x00
#define RBR 0x00
#define IER 0x04
#define IIR 0x08
#define LSR 0x14
#define USR 0x7c      /* DesignWare: reading it ends a busy-detect interrupt */
#define AUX_STAT 0x24 /* mini UART: FIFO levels */
#define IER_RDI (1u << 0)
#define IER_THRI (1u << 1)
#define AUX_IER_ON (3u << 2)
#define IIR_BUSY 0x7
#define LSR_DR (1u << 0)
#define LSR_THRE (1u << 5)

static inline uint32_t rd(uint64_t base, unsigned off)
{
	return arch_dev_read32(base + off);
}

static inline void wr(uint64_t base, unsigned off, uint32_t v)
{
	arch_dev_write32(base + off, v);
}

static void ns16550_init(uint64_t base)
{
	/* Keep the loader's baud rate and line settings. */
	(void)base;
}

/* Received data (and, with the FIFO on, the receive timeout): ends when
 * RBR is read empty. */
static void ns16550_enable_rx_irq(uint64_t base)
{
	wr(base, IER, rd(base, IER) | IER_RDI);
}

/* THRE: asserted while the transmit FIFO is empty; ends when THR is
 * written or the interrupt is disabled. */
static void ns16550_tx_irq(uint64_t base, bool on)
{
	uint32_t ier = rd(base, IER);
	wr(base, IER, on ? ier | IER_THRI : ier & ~IER_THRI);
}

/* THRE: the transmit FIFO is empty; every 16550A-compatible one holds 16. */
static unsigned ns16550_tx_room(uint64_t base)
{
	return (rd(base, LSR) & LSR_THRE) ? 16 : 0;
}

static void ns16550_tx_put(uint64_t base, char c)
{
	wr(base, THR, (uint8_t)c);
}

static int aux_getc(uint64_t base)
{
	return (rd(base, LSR) & LSR_DR) ? (int)(rd(base, RBR) & 0xff) : -1;
}

static int ns16550_getc(uint64_t base)
{
	int c = aux_getc(base);
	/* A DesignWare UART's busy-detect interrupt (an LCR write while it
	 * was busy) holds the line until USR is read; no other 16550 has
	 * this IIR value. */
	if (c < 0 && (rd(base, IIR) & 0xf) == IIR_BUSY)
		(void)rd(base, USR);
	return c;
}

const struct uart_ops uart_ns16550_ops = {
    .init = ns16550_init,
    .tx_room = ns16550_tx_room,
    .tx_put = ns16550_tx_put,
    .getc = ns16550_getc,
    .enable_rx_irq = ns16550_enable_rx_irq,
    .tx_irq = ns16550_tx_irq,
};

/* The mini UART: LSR's THRE only says one byte fits; its status register
 * gives the TX FIFO's level (bits 27:24) of 8. Its interrupts also need
 * IER bits 3:2, documented as unused (BCM2835 errata). */
static unsigned aux_tx_room(uint64_t base)
{
	uint32_t used = (rd(base, AUX_STAT) >> 24) & 0xf;
	return used < 8 ? 8 - used : 0;
}

static void aux_enable_rx_irq(uint64_t base)
{
	wr(base, IER, rd(base, IER) | IER_RDI | AUX_IER_ON);
}

static void aux_tx_irq(uint64_t base, bool on)
{
	uint32_t ier = rd(base, IER) | AUX_IER_ON;
	wr(base, IER, on ? ier | IER_THRI : ier & ~IER_THRI);
}

const struct uart_ops uart_bcm2835aux_ops = {
    .init = ns16550_init,
    .tx_room = aux_tx_room,
    .tx_put = ns16550_tx_put,
    .getc = aux_getc,
    .enable_rx_irq = aux_enable_rx_irq,
    .tx_irq = aux_tx_irq,
};
