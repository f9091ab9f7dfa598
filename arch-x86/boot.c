/* SPDX-License-Identifier: Apache-2.0 */
/*
 * x86 boot: from head.S in long mode to the banner. Checks what the
 * Multiboot loader handed over (magic, memory map), sets up the console and
 * the IDT, and says what it found.
 */
#include "x86.h"
#include "multiboot.h"
#include "svm.h"
#include "x86_config.h"
#include "common/hypercall.h"
#include "common/lib.h"
#include "common/package.h"

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
	x86_puts("bulkhead: self-test: reading unmapped address 0x40000000000\n");
	(void)*(volatile uint64_t *)0x40000000000ull;
}

void x86_main(uint32_t magic, uint32_t mbi)
{
	x86_serial_init();
	x86_traps_init();
	if (magic != MB_BOOT_MAGIC) {
		x86_printf("bulkhead: not started by a Multiboot loader (eax 0x%x, expected 0x%x). "
			   "Stopping.\n",
			   magic, MB_BOOT_MAGIC);
		x86_power_off(X86_EXIT_FAIL);
	}
	const struct bh_pkg_hdr *pkg = x86_payload();
	const struct mb_info *mb = (const void *)(uintptr_t)mbi;
	uint64_t ram = mb_ram(mb);
	if (!ram) {
		x86_puts("bulkhead: the Multiboot loader gave no memory map. Stopping.\n");
		x86_power_off(X86_EXIT_FAIL);
	}
	static uint32_t apic_ids[X86_MAX_CPUS];
	unsigned ncpus = x86_acpi_cpus(apic_ids, X86_MAX_CPUS);
	x86_printf("Bulkhead %u.%u (x86-64): %u CPU%s, %llu MiB RAM, console 16550 at 0x%x\n",
		   BH_VERSION_MAJOR, BH_VERSION_MINOR, ncpus, ncpus == 1 ? "" : "s",
		   (unsigned long long)(ram >> 20), COM1_PORT);
	boot_self_test(mb);
	x86_mem_init(mb, mbi, (uintptr_t)pkg + pkg->total_size);
	/* The legacy PICs masked: no device interrupt reaches a guest or the
	 * hypervisor until interrupts are virtualised. */
	outb(0x21, 0xff);
	outb(0xa1, 0xff);
	/* SSE usable (libfdt, built for user space, may use it at boot); the
	 * state is reset before any guest runs (guests.c). */
	__asm__ volatile("mov %0, %%cr4" : : "r"(read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT));
	static struct board board;
	static struct plan plan;
	x86_config_read(mb, pkg, apic_ids, ncpus, &board, &plan);
	unsigned boot_cpu = 0;
	while (boot_cpu < ncpus - 1 && apic_ids[boot_cpu] != cpuid(1, 0).ebx >> 24)
		boot_cpu++;
	svm_init(ncpus, boot_cpu);
	x86_guests_run(pkg, &plan, apic_ids, boot_cpu);
	x86_power_off(X86_EXIT_OK);
}
