/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The machine's end on x86. Under QEMU, the isa-debug-exit device at port
 * 0xf4 (`-device isa-debug-exit,iobase=0xf4,iosize=4`) ends QEMU with status
 * 2 * code + 1: 1 for a clean power-off, 3 for a failure (what tests read).
 * Without it, ACPI S5 (acpi.c: real hardware, or QEMU without the device);
 * failing that, the CPU halts with interrupts off, having said so.
 */
#include "x86.h"
#include "common/console.h"

#define DEBUG_EXIT_PORT 0xf4

void x86_power_off(unsigned code)
{
	bh_printf("bulkhead: power off (%s)\n", code == X86_EXIT_OK ? "done" : "failure");
	console_sync(); /* what is buffered goes out first (bounded wait) */
	__asm__ volatile("outl %0, %1" : : "a"(code), "Nd"(DEBUG_EXIT_PORT));
	x86_acpi_power_off();
	console_write_raw(
	    "bulkhead: neither isa-debug-exit nor ACPI S5 powered the machine off: halted\n");
	for (;;)
		__asm__ volatile("cli; hlt");
}
