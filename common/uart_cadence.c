/* SPDX-License-Identifier: Apache-2.0 */
/* Cadence UART (Xilinx ZynqMP ttyPS0): polled output, and a receive
 * interrupt (one line) for console input. Register map: Zynq UltraScale+
 * TRM (UG1085), UART chapter. */
#include "common/console.h"

#define CR 0x00
#define IER 0x08
#define IDR 0x0c
#define ISR 0x14
#define RXWM 0x20
#define SR 0x2c
#define FIFO 0x30
#define CR_RXEN (1u << 2)
#define CR_RXDIS (1u << 3)
#define CR_TXEN (1u << 4)
#define CR_TXDIS (1u << 5)
#define SR_RXEMPTY (1u << 1)
#define SR_TXFULL (1u << 4)
/* Interrupts (IER, IDR, IMR, ISR): RX FIFO at its trigger level, RX timeout. */
#define INT_RTRIG (1u << 0)
#define INT_TIMEOUT (1u << 8)

static inline volatile uint32_t *reg(uint64_t base, unsigned off)
{
	return (volatile uint32_t *)(uintptr_t)(base + off);
}

static void cadence_init(uint64_t base)
{
	/* Keep the loader's baud rate and line settings, but make sure both
	 * directions are on: out of reset (QEMU -kernel, no U-Boot) they are not. */
	uint32_t cr = *reg(base, CR);
	*reg(base, CR) = (cr & ~(CR_RXDIS | CR_TXDIS)) | CR_RXEN | CR_TXEN;
}

static void cadence_enable_rx_irq(uint64_t base)
{
	*reg(base, IDR) = ~0u;	    /* nothing else the loader may have left on */
	*reg(base, RXWM) = 1;	    /* interrupt from the first character */
	*reg(base, ISR) = ~0u;	    /* stale status is write-one-to-clear */
	*reg(base, IER) = INT_RTRIG;
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
	if (*reg(base, SR) & SR_RXEMPTY) {
		/* Drained: the trigger status is sticky, so acknowledge it here
		 * (console_interrupt reads until -1), then look once more for a
		 * character that came in between. */
		*reg(base, ISR) = INT_RTRIG | INT_TIMEOUT;
		if (*reg(base, SR) & SR_RXEMPTY)
			return -1;
	}
	return (int)(*reg(base, FIFO) & 0xff);
}

const struct uart_ops uart_cadence_ops = {
    .init = cadence_init,
    .tx_room = cadence_tx_room,
    .tx_put = cadence_tx_put,
    .getc = cadence_getc,
    .enable_rx_irq = cadence_enable_rx_irq,
};
