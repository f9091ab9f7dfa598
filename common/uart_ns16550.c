/* SPDX-License-Identifier: Apache-2.0 */
/* 16550-compatible UART with 32-bit registers (reg-shift 2): DesignWare APB UARTs
 * on RK3399 and TI K3, the BCM2711 mini-UART's register layout. Polled. */
#include "common/console.h"

#define THR 0x00
#define RBR 0x00
#define LSR 0x14
#define LSR_DR (1u << 0)
#define LSR_THRE (1u << 5)

static inline volatile uint32_t *reg(uint64_t base, unsigned off)
{
	return (volatile uint32_t *)(uintptr_t)(base + off);
}

static void ns16550_init(uint64_t base)
{
	(void)base;
}

/* THRE: the transmit FIFO is empty; every 16550A-compatible one holds 16. */
static unsigned ns16550_tx_room(uint64_t base)
{
	return (*reg(base, LSR) & LSR_THRE) ? 16 : 0;
}

static void ns16550_tx_put(uint64_t base, char c)
{
	*reg(base, THR) = (uint8_t)c;
}

static int ns16550_getc(uint64_t base)
{
	if (!(*reg(base, LSR) & LSR_DR))
		return -1;
	return (int)(*reg(base, RBR) & 0xff);
}

const struct uart_ops uart_ns16550_ops = {
    .init = ns16550_init,
    .tx_room = ns16550_tx_room,
    .tx_put = ns16550_tx_put,
    .getc = ns16550_getc,
};
