/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The board on x86 (arch_board_read): what the shared code (common/boot.c,
 * dt/plan.c) reads from a DT on arm64, built from firmware instead: the
 * Multiboot memory map and the ACPI MADT. What the x86 port cannot do yet
 * is refused by name (arch_plan_check), after the shared checks.
 */
#include "multiboot.h"
#include "x86.h"
#include "common/console.h"
#include "common/lib.h"
#include "arch.h"
#include "dt/err.h"
#include "dt/plan.h"

uint32_t x86_apic_ids[X86_MAX_CPUS]; /* the board's CPUs, in MADT order */

/* libfdt (Debian's static library, built for user space) reads its stack
 * canary at %fs:0x28: FS's base is this block. Boot only (docs/x86.md); a
 * smashed stack is reported by common/boot.c's __stack_chk_fail. */
static uint64_t fs_block[8];

/* "bhtest=pf|df|apdf|restartdf" on the loader's command line: fault on
 * purpose, so a test sees the exception report (tests/qemu/x86-boot.sh,
 * x86-config.sh): a read of an unmapped address, a push onto an unmapped
 * stack (#DF) on the boot CPU, on the first secondary CPU as it starts
 * (smp.c), or as a domain restarts (svm.c: after its guest ran). */
static void boot_self_test(const struct mb_info *mb)
{
	const char *c = mb->flags & MB_INFO_CMDLINE ? (const char *)(uintptr_t)mb->cmdline : "";
	while (*c && strncmp(c, "bhtest=", 7))
		c++;
	if (!*c)
		return;
	c += 7;
	if (!strncmp(c, "apdf", 4))
		x86_ap_self_test = true;
	x86_restart_self_test = !strncmp(c, "restartdf", 9);
	if (!strncmp(c, "df", 2))
		x86_stack_fault_test();
	if (strncmp(c, "pf", 2))
		return;
	bh_log("self-test: reading unmapped address 0x40000000000");
	(void)*(volatile uint64_t *)0x40000000000ull;
}

/* CPUs in MADT order (the config's CPU n is the MADT's nth enabled CPU, its
 * hardware id the APIC ID); RAM from the memory map, below 4 GiB (what
 * head.S maps); the first MiB and the hypervisor lie below the heap's end,
 * which common/boot.c keeps. The loader's information is not needed after
 * this: it may lie where the heap goes. */
int arch_board_read(uint64_t mbi, struct board *b, struct dt_error *err)
{
	const struct mb_info *mb = (const void *)(uintptr_t)mbi;
	memset(b, 0, sizeof(*b));
	b->uart = UART_NS16550;
	b->uart_base = X86_PORT_ADDR(COM1_PORT);
	fs_block[5] = 0x5ca1ab1e0ddba11ull ^ __builtin_ia32_rdtsc();
	wrmsr(MSR_FS_BASE, (uint64_t)(uintptr_t)fs_block);
	/* head.S zeroed .bss: a loader that put its information there (right
	 * after a file without bhpack's payload, which would fill that room)
	 * left nothing to read. */
	extern char __bss_start[], __payload_start[];
	if (mbi >= (uintptr_t)__bss_start && mbi < (uintptr_t)__payload_start)
		ERR("the Multiboot information lies in the hypervisor's .bss (0x%llx): this image "
		    "carries no payload (config and guest images)? build it with tools/bhpack",
		    (unsigned long long)mbi);
	if (!(mb->flags & MB_INFO_MMAP))
		ERR("the Multiboot loader gave no memory map");
	for (uint64_t off = 0; off + sizeof(struct mb_mmap_entry) <= mb->mmap_length;) {
		const struct mb_mmap_entry *e = (const void *)(uintptr_t)(mb->mmap_addr + off);
		off += e->size + 4;
		if (e->type != MB_MMAP_RAM || e->base >= X86_IDENTITY_MAPPED)
			continue;
		if (b->nmem == BH_MAX_MEM)
			ERR("the memory map has more than %u RAM regions", BH_MAX_MEM);
		uint64_t end = MIN(e->base + e->len, X86_IDENTITY_MAPPED);
		b->mem[b->nmem++] = (struct mem_range){e->base, end - e->base};
	}
	if (!b->nmem)
		ERR("the memory map has no RAM below 4 GiB");
	b->ncpus = x86_acpi_cpus(x86_apic_ids, X86_MAX_CPUS);
	for (unsigned i = 0; i < b->ncpus; i++)
		b->mpidr[i] = x86_apic_ids[i];
	boot_self_test(mb);
	return 0;
}

/* What the shared checks accept but the x86 port does not do yet. */
int arch_plan_check(const struct plan *p, struct dt_error *err)
{
	if (p->nchans || p->nnets)
		ERR("config: %s: not supported on x86 yet", p->nchans ? "channel" : "network");
	for (unsigned i = 0; i < p->ndoms; i++) {
		const struct dom_cfg *d = &p->dom[i];
		const char *why =
		    d->ndevices	    ? "'devices': passthrough is not supported on x86 yet"
		    : d->ncpus != 1 ? "'cpus': one vCPU per domain on x86 for now"
		    : d->mem_base   ? "'memory-base': fixed placement is not supported on x86 yet"
		    : d->initrd[0]  ? "'initrd' is not supported on x86 yet"
		    : d->control
			? "role = \"control\": the control device is not supported on x86 yet"
			: NULL;
		if (why)
			ERR("config: domain %s: %s", d->name, why);
	}
	return 0;
}
