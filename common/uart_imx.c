/* SPDX-License-Identifier: Apache-2.0 */
/* NXP i.MX UART (i.MX6/7/8M): the console on i.MX8M EVKs. Polled. */
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

static void imx_putc(uint64_t base, char c)
{
	while (*reg(base, UTS) & UTS_TXFULL)
		;
	*reg(base, UTXD) = (uint8_t)c;
}

static int imx_getc(uint64_t base)
{
	if (!(*reg(base, USR2) & USR2_RDR))
		return -1;
	uint32_t v = *reg(base, URXD);
	return (v & URXD_CHARRDY) ? (int)(v & 0xff) : -1;
}

const struct uart_ops uart_imx_ops = {imx_init, imx_putc, imx_getc, NULL};
