/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The x86 domains, as the config's plan (dt/plan.c) gives them: each its
 * RAM at guest physical 0, nested page tables and one vCPU, its kernel the
 * payload's image of that name; each CPU running the domains
 * pinned to it (the plan gives each one vCPU). A
 * stand-in until the common domain code builds for x86 (docs/x86.md, next
 * steps): it decides nothing beyond placing the image.
 */
#include "svm.h"
#include "x86.h"
#include "common/lib.h"
#include "common/package.h"
#include "common/stats_fmt.h"
#include "dt/plan.h"

#define GUEST_LOAD	  0x100000ull /* where a Multiboot image runs */
#define GUEST_CMDLINE	  0x1000ull   /* its command line, EBX at entry */
#define GUEST_CMDLINE_MAX 256
#define AP_STACK	  16384

static uint64_t cpus_started; /* bit per CPU index (< 64) */

static bool cpu_started(unsigned cpu)
{
	bool was = cpus_started & (1ull << cpu);
	cpus_started |= 1ull << cpu;
	return was;
}

/* x87 and SSE as after reset (FCW 0x37f, MXCSR 0x1f80, registers zero):
 * loaded before a domain's first entry, so no domain sees what an earlier
 * one left (the hypervisor itself never uses them: -mgeneral-regs-only). */
static const struct __attribute__((aligned(16))) {
	uint16_t fcw;
	uint8_t rest0[22];
	uint32_t mxcsr;
	uint8_t rest1[484];
} fp_clean = {.fcw = 0x37f, .mxcsr = 0x1f80};

static void fp_reset(void)
{
	__asm__ volatile("fxrstor64 %0" : : "m"(fp_clean));
}

static void dom_create(struct x86_dom *d, const struct dom_cfg *cfg, const struct bh_pkg_hdr *pkg)
{
	uint64_t size = 0;
	const void *image = package_entry(pkg, cfg->kernel, &size);
	if (!image || size > cfg->mem_size || GUEST_LOAD > cfg->mem_size - size) {
		x86_printf("bulkhead: domain %s: %s \"%s\"%s\nbulkhead: boot stopped: no domain "
			   "was started\n",
			   cfg->name, image ? "image" : "the payload has no kernel", cfg->kernel,
			   image ? " does not fit its memory-size above 1 MiB" : "");
		x86_power_off(X86_EXIT_FAIL);
	}
	d->cfg = cfg;
	d->id = cfg->id;
	snprintf(d->name, sizeof(d->name), "%s", cfg->name);
	d->ram_size = ALIGN_UP(cfg->mem_size, SZ_4K);
	d->ram_pa = (uint64_t)(uintptr_t)x86_alloc(d->ram_size, SZ_2M);
	d->npt = npt_create();
	npt_map(d->npt, 0, d->ram_pa, d->ram_size, npt_has_1g());
	memcpy((void *)(uintptr_t)(d->ram_pa + GUEST_LOAD), image, size);
	snprintf((char *)(uintptr_t)(d->ram_pa + GUEST_CMDLINE), GUEST_CMDLINE_MAX, "%s",
		 cfg->bootargs);
	svm_vcpu_init(d, GUEST_LOAD, GUEST_CMDLINE);
	x86_printf(
	    "bulkhead: domain %s (id %u): 1 vCPU for CPU %u, %llu MiB at 0x%llx, kernel \"%s\" "
	    "(%llu bytes at guest physical 0x%llx)\n",
	    d->name, d->id, cfg->cpus[0], (unsigned long long)(d->ram_size >> 20),
	    (unsigned long long)d->ram_pa, cfg->kernel, (unsigned long long)size,
	    (unsigned long long)GUEST_LOAD);
}

static struct x86_dom *doms;
static unsigned ndoms, doms_ended;

/* Run the domains pinned to this CPU, one after another. */
void x86_cpu_run(unsigned cpu)
{
	for (unsigned i = 0; i < ndoms; i++) {
		if (doms[i].cfg->cpus[0] != cpu)
			continue;
		fp_reset();
		if (svm_run(&doms[i]) == EXIT_STOP && doms[i].cfg->on_fault == FAULT_HALT) {
			x86_printf("bulkhead: domain %s faulted and its on-fault is \"halt\": the "
				   "system halts\n",
				   doms[i].name);
			x86_power_off(X86_EXIT_FAIL);
		}
		__atomic_add_fetch(&doms_ended, 1, __ATOMIC_RELEASE);
	}
}

static void emit_line(const char *line, void *arg)
{
	(void)arg;
	x86_printf("%s\n", line);
}

/* Each domain's exits by kind, in the format of arm64's exit statistics
 * (common/stats_fmt.c): a CPU per line, its domain the one slot. */
static void print_exits(void)
{
	static const char *const kinds[XK_KINDS] = {"cpuid", "io",  "msr",  "vmmcall",
						    "hlt",   "npf", "intr", "other"};
	x86_puts("bulkhead: exits per CPU:\n");
	for (unsigned i = 0; i < ndoms; i++) {
		const char *name = doms[i].name;
		struct stats_cpu_view v = {.cpu = doms[i].cfg->cpus[0],
					   .owner = name,
					   .nkinds = XK_KINDS,
					   .nslots = 1,
					   .kind_names = kinds,
					   .slot_names = &name,
					   .counts = doms[i].exits};
		stats_format_cpu(&v, emit_line, NULL);
	}
}

/* Every domain made, the CPUs they are pinned to started, the boot CPU's
 * own run; back when every domain has ended. */
void x86_guests_run(const struct bh_pkg_hdr *pkg, const struct plan *p, const uint32_t *apic_ids,
		    unsigned boot_cpu)
{
	ndoms = p->ndoms;
	doms = x86_alloc(ndoms * sizeof(*doms), 64);
	for (unsigned i = 0; i < ndoms; i++)
		dom_create(&doms[i], &p->dom[i], pkg);
	x86_smp_init();
	for (unsigned i = 0; i < ndoms; i++) {
		unsigned cpu = p->dom[i].cpus[0];
		if (cpu == boot_cpu || cpu_started(cpu))
			continue;
		if (apic_ids[cpu] > 0xff) { /* the xAPIC ICR names 8-bit IDs */
			x86_printf(
			    "bulkhead: CPU %u has x2APIC ID %u: starting it needs x2APIC mode, not "
			    "supported yet: domain %s cannot run\nbulkhead: boot stopped\n",
			    cpu, apic_ids[cpu], p->dom[i].name);
			x86_power_off(X86_EXIT_FAIL);
		}
		if (!x86_start_cpu(cpu, apic_ids[cpu],
				   (char *)x86_alloc(AP_STACK, 16) + AP_STACK)) {
			x86_printf(
			    "bulkhead: CPU %u (APIC ID %u) did not start: domain %s cannot run\n"
			    "bulkhead: boot stopped\n",
			    cpu, apic_ids[cpu], p->dom[i].name);
			x86_power_off(X86_EXIT_FAIL);
		}
		x86_printf("bulkhead: CPU %u (APIC ID %u) started\n", cpu, apic_ids[cpu]);
	}
	x86_cpu_run(boot_cpu);
	while (__atomic_load_n(&doms_ended, __ATOMIC_ACQUIRE) != ndoms)
		__asm__ volatile("pause");
	x86_printf("bulkhead: all %u domain%s ended\n", ndoms, ndoms == 1 ? " has" : "s have");
	print_exits();
}
