/* SPDX-License-Identifier: Apache-2.0 */
/*
 * x86 boot: from head.S in long mode to the banner. Checks what the
 * Multiboot loader handed over (magic, memory map), sets up the console and
 * the IDT, and says what it found.
 */
#include "x86.h"
#include "common/console.h"
#include "multiboot.h"
#include "svm.h"
#include "x86_config.h"
#include "common/hypercall.h"
#include "common/lib.h"
#include "common/domain.h"
#include "common/package.h"
#include "common/percpu.h"

/* RAM above 1 MiB in the loader's memory map (the legacy area below is the
 * BIOS's), in bytes; 0 if the loader gave no map. */
static uint64_t mb_ram(const struct mb_info *mb)
{
	if (!(mb->flags & MB_INFO_MMAP))
		return 0;
	uint64_t ram = 0;
	for (uint64_t off = 0; off + sizeof(struct mb_mmap_entry) <= mb->mmap_length;) {
		const struct mb_mmap_entry *e = (const void *)(uintptr_t)(mb->mmap_addr + off);
		if (e->type == MB_MMAP_RAM && e->base + e->len > 0x100000)
			ram += e->base + e->len - (e->base > 0x100000 ? e->base : 0x100000);
		off += e->size + 4;
	}
	return ram;
}

/* "bhtest=pf" on the command line: fault on purpose, so a test sees the
 * exception report (tests/qemu/x86-boot.sh). */
static void boot_self_test(const struct mb_info *mb)
{
	const char *c = mb->flags & MB_INFO_CMDLINE ? (const char *)(uintptr_t)mb->cmdline : "";
	while (*c && strncmp(c, "bhtest=pf", 9))
		c++;
	if (!*c)
		return;
	console_write_raw("bulkhead: self-test: reading unmapped address 0x40000000000\n");
	(void)*(volatile uint64_t *)0x40000000000ull;
}

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

extern char boot_stack_top[];

void x86_main(uint32_t magic, uint32_t mbi)
{
	com1_init();
	x86_tsc_calibrate(); /* the console's bounded waits count TSC ticks */
	console_init(UART_NS16550, X86_PORT_ADDR(COM1_PORT));
	x86_traps_init();
	if (magic != MB_BOOT_MAGIC) {
		bh_printf("bulkhead: not started by a Multiboot loader (eax 0x%x, expected 0x%x). "
			  "Stopping.\n",
			  magic, MB_BOOT_MAGIC);
		x86_power_off(X86_EXIT_FAIL);
	}
	const struct bh_pkg_hdr *pkg = x86_payload();
	const struct mb_info *mb = (const void *)(uintptr_t)mbi;
	uint64_t ram = mb_ram(mb);
	if (!ram) {
		console_write_raw("bulkhead: the Multiboot loader gave no memory map. Stopping.\n");
		x86_power_off(X86_EXIT_FAIL);
	}
	static uint32_t apic_ids[X86_MAX_CPUS];
	unsigned ncpus = x86_acpi_cpus(apic_ids, X86_MAX_CPUS);
	bh_printf(
	    "Bulkhead %u.%u (x86-64): %u CPU%s, %llu MiB RAM, console 16550 at 0x%x, TSC %llu "
	    "MHz\n",
	    BH_VERSION_MAJOR, BH_VERSION_MINOR, ncpus, ncpus == 1 ? "" : "s",
	    (unsigned long long)(ram >> 20), COM1_PORT, (unsigned long long)(x86_tsc_hz / 1000000));
	boot_self_test(mb);
	x86_mem_init(mb, mbi, (uintptr_t)pkg + pkg->total_size);
	/* The legacy PICs masked: no device interrupt reaches a guest or the
	 * hypervisor until interrupts are virtualised. */
	outb(0x21, 0xff);
	outb(0xa1, 0xff);
	/* SSE usable (libfdt, built for user space, may use it at boot); the
	 * state is reset at each vCPU reset (svm.c). */
	__asm__ volatile("mov %0, %%cr4" : : "r"(read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT));
	x86_config_read(mb, pkg, apic_ids, ncpus, &board, &plan); /* common/boot.c's */
	x86_smp_init(apic_ids, ncpus);
	unsigned boot_cpu = arch_cpu_index();
	svm_init(ncpus, boot_cpu);
	x86_domains_run(pkg, apic_ids, boot_cpu, (uint64_t)(uintptr_t)boot_stack_top);
	cpu_run_loop(); /* the core's, on every CPU: it ends when no domain runs */
}
