/* SPDX-License-Identifier: Apache-2.0 */
/* NXP i.MX UART (i.MX6/7/8M): the console on i.MX8M EVKs. Receive-data-ready
 * and TX-FIFO-empty interrupts (one line). */
#include <arch_inline.h>

#include "common/console.h"

#define URXD 0x00
#define UTXD 0x40
#define UCR1 0x80
#define UCR4 0x8c
#define USR2 0x98
#define UTS 0xb4
#define URXD_CHARRDY (1u << 15)
#define UCR1_TXMPTYEN (1u << 6)
#define UCR4_DREN (1u << 0)
#define USR2_RDR (1u << 0)
#define USR2_TXFE (1u << 14)
#define UTS_TXFULL (1u << 4)

static inline uint32_t rd(uint64_t base, unsigned off)
{
	return arch_dev_read32(base + off);
}

static inline void wr(uint64_t base, unsigned off, uint32_t v)
{
	arch_dev_write32(base + off, v);
}

static void imx_init(uint64_t base)
{
	/* Keep the loader's baud rate, line settings and FIFO levels. */
	(void)base;
}

/* DREN: asserted while the RX FIFO holds a character (USR2.RDR), whatever
 * the FIFO trigger level the loader left; ends when URXD is read empty. */
static void imx_enable_rx_irq(uint64_t base)
{
	wr(base, UCR4, rd(base, UCR4) | UCR4_DREN);
}

/* TXMPTYEN: asserted while the TX FIFO is empty (USR2.TXFE); ends when
 * UTXD is written or the interrupt is disabled. */
static void imx_tx_irq(uint64_t base, bool on)
{
	uint32_t ucr1 = rd(base, UCR1);
	wr(base, UCR1, on ? ucr1 | UCR1_TXMPTYEN : ucr1 & ~UCR1_TXMPTYEN);
}

/* An empty TX FIFO takes 32 bytes; otherwise one while it is not full. */
static unsigned imx_tx_room(uint64_t base)
{
	if (rd(base, USR2) & USR2_TXFE)
		return 32;
	return (rd(base, UTS) & UTS_TXFULL) ? 0 : 1;
}

static void imx_tx_put(uint64_t base, char c)
{
	wr(base, UTXD, (uint8_t)c);
}

static int imx_getc(uint64_t base)
{
	if (!(rd(base, USR2) & USR2_RDR))
		return -1;
	uint32_t v = rd(base, URXD);
	return (v & URXD_CHARRDY) ? (int)(v & 0xff) : -1;
}

const struct uart_ops uart_imx_ops = {
    .init = imx_init,
    .tx_room = imx_tx_room,
    .tx_put = imx_tx_put,
    .getc = imx_getc,
    .enable_rx_irq = imx_enable_rx_irq,
    .tx_irq = imx_tx_irq,
};
