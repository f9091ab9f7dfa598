/* SPDX-License-Identifier: Apache-2.0 */
/* Arm PL011 UART: the console on QEMU virt, Raspberry Pi 4, Versal... Receive
 * and TX-FIFO-room interrupts (one line). */
#include <arch_inline.h>

#include "common/console.h"

#define UARTDR 0x00
#define UARTFR 0x18
#define UARTLCRH 0x2c
#define UARTIMSC 0x38
#define FR_RXFE (1u << 4)
#define FR_TXFF (1u << 5)
#define FR_TXFE (1u << 7)
#define LCRH_FEN (1u << 4)
#define UARTCR 0x30
#define CR_UARTEN (1u << 0)
#define FR_BUSY (1u << 3)
#define BUSY_MS 5 /* a few characters at 9600 baud */
#define IMSC_TXIM (1u << 5)

/* What an empty TX FIFO takes: 16 bytes (the smallest PL011's FIFO), or
 * the one holding register if the FIFOs stayed off. */
static unsigned fifo_room;

/* Keep the loader's baud rate and line settings, but turn the FIFOs on if
 * it left them off (QEMU's -kernel boot), as Linux and Xen do: a burst then
 * costs one room query per 16 bytes, not one per byte. LCRH changes only
 * while the UART is idle and disabled (PL011 TRM, UARTCR); a UART still
 * busy after the bounded wait keeps its FIFOs off. */
__attribute__((cold)) static void pl011_init(uint64_t base)
{
	uint32_t lcrh = arch_dev_read32(base + UARTLCRH);
	if (!(lcrh & LCRH_FEN)) {
		uint64_t until = arch_counter() + arch_counter_freq() * BUSY_MS / 1000;
		bool busy;
		while ((busy = arch_dev_read32(base + UARTFR) & FR_BUSY) && arch_counter() < until)
			;
		if (!busy) {
			uint32_t cr = arch_dev_read32(base + UARTCR);
			arch_dev_write32(base + UARTCR, cr & ~CR_UARTEN);
			arch_dev_write32(base + UARTLCRH, lcrh | LCRH_FEN);
			arch_dev_write32(base + UARTCR, cr);
		}
	}
	fifo_room = (arch_dev_read32(base + UARTLCRH) & LCRH_FEN) ? 16 : 1;
}

static void pl011_enable_rx_irq(uint64_t base)
{
	/* RXIM, RTIM */
	arch_dev_write32(base + UARTIMSC, arch_dev_read32(base + UARTIMSC) | (1u << 4) | (1u << 6));
}

static unsigned pl011_tx_room(uint64_t base)
{
	uint32_t fr = arch_dev_read32(base + UARTFR);
	return (fr & FR_TXFE) ? fifo_room : (fr & FR_TXFF) ? 0 : 1;
}

static void pl011_tx_put(uint64_t base, char c)
{
	arch_dev_write32(base + UARTDR, (uint8_t)c);
}

/* TXIM: asserted while the TX FIFO is at or below its trigger level. */
static void pl011_tx_irq(uint64_t base, bool on)
{
	uint32_t imsc = arch_dev_read32(base + UARTIMSC);
	arch_dev_write32(base + UARTIMSC, on ? imsc | IMSC_TXIM : imsc & ~IMSC_TXIM);
}

static int pl011_getc(uint64_t base)
{
	if (arch_dev_read32(base + UARTFR) & FR_RXFE)
		return -1;
	return (int)(arch_dev_read32(base + UARTDR) & 0xff);
}

const struct uart_ops uart_pl011_ops = {
    .init = pl011_init,
    .tx_room = pl011_tx_room,
    .tx_put = pl011_tx_put,
    .getc = pl011_getc,
    .enable_rx_irq = pl011_enable_rx_irq,
    .tx_irq = pl011_tx_irq,
};
