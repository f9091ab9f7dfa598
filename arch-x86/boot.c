/* SPDX-License-Identifier: Apache-2.0 */
/*
 * x86 boot: the hooks through which common/boot.c's boot_main runs on a PC.
 * head.S calls boot_main(multiboot_info, load address, 2 if the loader's
 * magic was Multiboot's, else 0): the "wrong exception level" of arm64 is a
 * loader that is not Multiboot. The board is read in config.c
 * (arch_board_read), the domains' layout is domains.c's.
 */
#include "multiboot.h"
#include "svm.h"
#include "x86.h"
#include "common/console.h"
#include "common/domain.h"
#include "common/lib.h"
#include "common/percpu.h"

/* COM1 as a loader leaves it on a PC (U-Boot does this on arm64): 115200
 * 8N1, FIFOs on; from then on the common driver (common/uart_ns16550.c)
 * and console own it. */
static void com1_init(void)
{
	static const uint8_t init[][2] = {
	    {1, 0},    /* IER: polled */
	    {3, 0x80}, /* LCR: DLAB */
	    {0, 1},    /* DLL: 115200 baud */
	    {1, 0},    /* DLM */
	    {3, 0x03}, /* LCR: 8N1 */
	    {2, 0x07}, /* FCR: FIFOs on and cleared */
	    {4, 0x03}, /* MCR: DTR, RTS */
	};
	for (unsigned i = 0; i < sizeof(init) / sizeof(init[0]); i++)
		outb(COM1_PORT + init[i][0], init[i][1]);
}

/* The console (the TSC measured first: its bounded waits count TSC ticks),
 * the IDT, the legacy PICs masked (no device interrupt reaches a guest or
 * the hypervisor until interrupts are virtualised), SSE usable (libfdt,
 * built for user space, may use it at boot; svm.c resets the state at each
 * vCPU reset). Nothing to map: head.S identity-maps the first 4 GiB. */
void arch_early_init(uint64_t load_base, uint64_t hyp_end, uint64_t mbi)
{
	(void)load_base;
	(void)hyp_end;
	(void)mbi;
	com1_init();
	x86_tsc_calibrate();
	console_init(UART_NS16550, X86_PORT_ADDR(COM1_PORT));
	x86_traps_init();
	outb(0x21, 0xff);
	outb(0xa1, 0xff);
	__asm__ volatile("mov %0, %%cr4" : : "r"(read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT));
}

void boot_wrong_el(uint64_t mbi, uint64_t load_base, unsigned el)
{
	(void)el;
	arch_early_init(load_base, 0, mbi);
	bh_log("not started by a Multiboot loader (no Multiboot magic in EAX)");
	bh_log("boot stopped: no domain was started");
	x86_power_off(X86_EXIT_FAIL);
}

void arch_mmu_final(const struct board *b, uint64_t load_base, uint64_t hyp_end)
{
	(void)b;
	(void)load_base;
	(void)hyp_end;
}

/* The console's 16550 is reached through I/O ports: nothing to map. */
int arch_map_device(uint64_t base, uint64_t size)
{
	(void)base;
	(void)size;
	return 0;
}

/* The legacy PICs were masked by arch_early_init; the local APICs are set
 * up with the CPUs (smp.c). */
void arch_irq_init(const struct board *b)
{
	(void)b;
}

uint64_t arch_read_mpidr(void)
{
	return cpuid(1, 0).ebx >> 24; /* the APIC ID */
}

extern char boot_stack_top[];

/* The CPUs as the MADT lists them (config.c), SVM on this one, the core's
 * per-CPU state (pcpus, allocated by boot_main) filled in. */
unsigned arch_boot_cpu_index(const struct board *b)
{
	x86_smp_init(x86_apic_ids, b->ncpus);
	unsigned me = arch_cpu_index();
	svm_init(b->ncpus, me);
	for (unsigned i = 0; i < b->ncpus; i++) {
		pcpus[i].index = i;
		pcpus[i].mpidr = b->mpidr[i];
	}
	pcpus[me].stack_top = (uint64_t)(uintptr_t)boot_stack_top;
	pcpus[me].online = true;
	return me;
}
