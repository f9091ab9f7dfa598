/* SPDX-License-Identifier: Apache-2.0 */
/* The hypervisor's console on x86: a 16550 UART on COM1 (I/O port 0x3f8),
 * 115200 8N1, polled. */
#include "x86.h"
#include "common/lib.h"

enum {
	UART_THR = 0,
	UART_DLL = 0,
	UART_IER = 1,
	UART_DLM = 1,
	UART_FCR = 2,
	UART_LCR = 3,
	UART_MCR = 4,
	UART_LSR = 5
};
#define LCR_DLAB 0x80
#define LCR_8N1	 0x03
#define LSR_THRE 0x20

void x86_serial_init(void)
{
	outb(COM1_PORT + UART_IER, 0); /* polled: no interrupts */
	outb(COM1_PORT + UART_LCR, LCR_DLAB);
	outb(COM1_PORT + UART_DLL, 1); /* 115200 baud */
	outb(COM1_PORT + UART_DLM, 0);
	outb(COM1_PORT + UART_LCR, LCR_8N1);
	outb(COM1_PORT + UART_FCR, 0x07); /* FIFOs on and cleared */
	outb(COM1_PORT + UART_MCR, 0x03); /* DTR, RTS */
}

static void serial_putc(char c)
{
	while (!(inb(COM1_PORT + UART_LSR) & LSR_THRE))
		;
	outb(COM1_PORT + UART_THR, (uint8_t)c);
}

/* Whole strings at a time: CPUs' lines never mix. */
static volatile bool serial_lock;

void x86_puts(const char *s)
{
	while (__atomic_exchange_n(&serial_lock, true, __ATOMIC_ACQUIRE))
		__asm__ volatile("pause");
	for (; *s; s++) {
		if (*s == '\n')
			serial_putc('\r');
		serial_putc(*s);
	}
	__atomic_store_n(&serial_lock, false, __ATOMIC_RELEASE);
}

void x86_printf(const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	x86_puts(buf);
}
