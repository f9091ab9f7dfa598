/* SPDX-License-Identifier: Apache-2.0 */
/* NXP i.MX UART (i.MX6/7/8M): the console on i.MX8M EVKs. Polled, without waiting. */
#include "common/console.h"

#define URXD 0x00
#define UTXD 0x40
#define USR2 0x98
#define UTS 0xb4
#define URXD_CHARRDY (1u << 15)
#define USR2_RDR (1u << 0)
#define UTS_TXFULL (1u << 4)

static inline volatile uint32_t *reg(uint64_t base, unsigned off)
{
	return (volatile uint32_t *)(uintptr_t)(base + off);
}

static void imx_init(uint64_t base)
{
	(void)base;
}

static unsigned imx_tx_room(uint64_t base)
{
	return (*reg(base, UTS) & UTS_TXFULL) ? 0 : 1;
}

static void imx_tx_put(uint64_t base, char c)
{
	*reg(base, UTXD) = (uint8_t)c;
}

static int imx_getc(uint64_t base)
{
	if (!(*reg(base, USR2) & USR2_RDR))
		return -1;
	uint32_t v = *reg(base, URXD);
	return (v & URXD_CHARRDY) ? (int)(v & 0xff) : -1;
}

const struct uart_ops uart_imx_ops = {
    .init = imx_init,
    .tx_room = imx_tx_room,
    .tx_put = imx_tx_put,
    .getc = imx_getc,
};
