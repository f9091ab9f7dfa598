/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The x86 domains, built for the common core (common/domain.c: identity,
 * vCPUs, load, start, lifecycle; common/vcpu.c: each CPU's run loop): what
 * is the port's own is where a domain's memory lies and how its guest is
 * booted. RAM at guest physical 0 behind nested page tables; the kernel (the
 * payload's image of that name) at 1 MiB, as a Multiboot loader puts it;
 * its command line (the config's bootargs) at 4 KiB, in the slot the core
 * reloads at each start with the image (on arm64, the domain's DT).
 */
#include "svm.h"
#include "x86.h"
#include "common/console.h"
#include "common/domain.h"
#include "common/lib.h"
#include "common/package.h"
#include "common/percpu.h"

#define GUEST_LOAD	  0x100000ull /* where a Multiboot image runs */
#define GUEST_CMDLINE	  0x1000ull   /* its command line, EBX at entry */
#define GUEST_CMDLINE_MAX 256
#define AP_STACK	  16384

static __attribute__((noreturn)) void boot_stop(void)
{
	bh_log("boot stopped: no domain was started");
	x86_power_off(X86_EXIT_FAIL);
}

static void domain_build(struct domain *d, const struct dom_cfg *cfg, const struct bh_pkg_hdr *pkg)
{
	if (domain_init_vcpus(d, cfg))
		boot_stop();
	d->kernel = package_entry(pkg, cfg->kernel, &d->kernel_size);
	if (!d->kernel || d->kernel_size > cfg->mem_size ||
	    GUEST_LOAD > cfg->mem_size - d->kernel_size) {
		bh_log("domain %s: %s \"%s\"%s", d->name,
		       d->kernel ? "image" : "the payload has no kernel", cfg->kernel,
		       d->kernel ? " does not fit its memory-size above 1 MiB" : "");
		boot_stop();
	}
	d->ram_size = ALIGN_UP(cfg->mem_size, SZ_4K);
	d->ram_pa = (uint64_t)(uintptr_t)x86_alloc(d->ram_size, SZ_2M);
	if (arch_domain_init(d) || arch_stage2_map(d, 0, d->ram_pa, d->ram_size, S2_RWX))
		boot_stop();
	d->kernel_ipa = d->entry_ipa = GUEST_LOAD;
	char *cmdline = x86_alloc(GUEST_CMDLINE_MAX, 8);
	d->fdt_size = (uint64_t)snprintf(cmdline, GUEST_CMDLINE_MAX, "%s", cfg->bootargs) + 1;
	d->fdt_size = MIN(d->fdt_size, (uint64_t)GUEST_CMDLINE_MAX);
	d->fdt = cmdline;
	d->fdt_ipa = GUEST_CMDLINE;
	d->vcpu[0].arch.vmcb = x86_alloc(sizeof(struct vmcb), 4096);
}

/* Each CPU a domain is pinned to, started once (the boot CPU is). */
static void start_cpus(const uint32_t *apic_ids, unsigned boot_cpu)
{
	uint64_t started = 1ull << boot_cpu;
	for (unsigned i = 0; i < ndomains; i++) {
		unsigned cpu = domains[i].vcpu[0].pcpu;
		uint32_t id = apic_ids[cpu];
		if (started & (1ull << cpu))
			continue;
		started |= 1ull << cpu;
		pcpus[cpu].stack_top = (uint64_t)(uintptr_t)x86_alloc(AP_STACK, 16) + AP_STACK;
		const char *why =
		    id > 0xff ? "has an x2APIC ID: starting it needs x2APIC mode, not supported yet"
		    : !x86_start_cpu(cpu, id, (void *)(uintptr_t)pcpus[cpu].stack_top)
			? "did not start"
			: NULL;
		if (why) {
			bh_log("CPU %u (APIC ID %u) %s: domain %s cannot run", cpu, id, why,
			       domains[i].name);
			bh_log("boot stopped");
			x86_power_off(X86_EXIT_FAIL);
		}
		bh_log("CPU %u (APIC ID %u) started", cpu, id);
	}
}

/* Every domain built on the boot CPU (the allocator has no lock), the CPUs
 * they are pinned to started, each domain started: its CPU loads it. */
void x86_domains_run(const struct bh_pkg_hdr *pkg, const uint32_t *apic_ids, unsigned boot_cpu,
		     uint64_t boot_stack_top)
{
	pcpus = x86_alloc((uint64_t)board.ncpus * sizeof(*pcpus), 64);
	uint64_t *exits = x86_alloc((uint64_t)board.ncpus * EXIT_KINDS * stats_slots() * 8, 64);
	for (unsigned i = 0; i < board.ncpus; i++) {
		pcpus[i].index = i;
		pcpus[i].mpidr = apic_ids[i];
		pcpus[i].exits = exits + (uint64_t)i * EXIT_KINDS * stats_slots();
	}
	pcpus[boot_cpu].stack_top = boot_stack_top;
	pcpus[boot_cpu].online = true;
	/* domain_init_vcpus takes its vCPUs from the boot heap: sized here. */
	uint64_t heap = 0;
	for (unsigned i = 0; i < plan.ndoms; i++)
		heap += ALIGN_UP(plan.dom[i].ncpus * sizeof(struct vcpu), 64);
	uint64_t start = (uint64_t)(uintptr_t)x86_alloc(heap, 64);
	extern void boot_heap_setup(uint64_t start, uint64_t end); /* common/boot.c */
	boot_heap_setup(start, start + heap);
	domains = x86_alloc((uint64_t)plan.ndoms * sizeof(*domains), 64);
	for (unsigned i = 0; i < plan.ndoms; i++, ndomains++)
		domain_build(&domains[i], &plan.dom[i], pkg);
	start_cpus(apic_ids, boot_cpu);
	for (unsigned i = 0; i < ndomains; i++) {
		struct domain *d = &domains[i];
		bh_log(
		    "domain %s (id %u): 1 vCPU on CPU %u, %llu MiB at 0x%llx, kernel \"%s\" (%llu "
		    "bytes at guest physical 0x%llx)",
		    d->name, d->id, d->vcpu[0].pcpu, (unsigned long long)(d->ram_size >> 20),
		    (unsigned long long)d->ram_pa, d->cfg->kernel,
		    (unsigned long long)d->kernel_size, (unsigned long long)d->kernel_ipa);
		domain_start(d);
	}
}

/* A domain on every CPU left running? The machine's end is clean when
 * none is (common/boot.c: system_check_idle), a failure otherwise (a
 * domain's on-fault = "halt"). */
void arch_halt_system(void)
{
	static bool halting;
	if (__atomic_exchange_n(&halting, true, __ATOMIC_ACQ_REL)) /* another CPU ends it */
		for (;;)
			__asm__ volatile("cli; hlt");
	bool ended = true;
	for (unsigned i = 0; i < ndomains; i++) {
		enum dom_state s = __atomic_load_n(&domains[i].state, __ATOMIC_ACQUIRE);
		ended &= s != DOM_RUNNING && s != DOM_RESTARTING;
	}
	/* Every other CPU's vCPU out of its exit path first, at most a second:
	 * a domain is OFF before its power-off is logged (common/domain.c). */
	uint64_t end = arch_counter() + arch_counter_freq();
	unsigned me = arch_cpu_index();
	for (unsigned i = 0; i < ndomains; i++)
		for (unsigned j = 0; j < domains[i].nvcpus; j++) {
			const struct vcpu *v = &domains[i].vcpu[j];
			while (v->pcpu != me && arch_counter() < end &&
			       __atomic_load_n(&v->state, __ATOMIC_ACQUIRE) == VCPU_RUNNING)
				arch_wait_event();
		}
	x86_power_off(ended ? X86_EXIT_OK : X86_EXIT_FAIL);
}

/* RAM is identity-mapped and the caches coherent with everything that
 * reads it (no device DMA yet, the guest's own CPU): nothing to clean. */
void arch_dcache_clean_range(uint64_t start, uint64_t size)
{
	(void)start;
	(void)size;
}

void arch_scrub(uint64_t start, uint64_t size)
{
	memset((void *)(uintptr_t)start, 0, size);
}

int arch_domain_init(struct domain *d)
{
	d->arch.npt = npt_create();
	return 0;
}

int arch_stage2_map(struct domain *d, uint64_t ipa, uint64_t pa, uint64_t size, unsigned flags)
{
	if (flags != S2_RWX) {
		bh_log("domain %s: a mapping other than RAM (flags 0x%x) at guest physical 0x%llx: "
		       "not supported on x86 yet",
		       d->name, flags, (unsigned long long)ipa);
		return -1;
	}
	npt_map(d->arch.npt, ipa, pa, size, npt_has_1g());
	return 0;
}

int arch_map_ram(uint64_t base, uint64_t size)
{
	return base + size <= X86_IDENTITY_MAPPED ? 0 : -1;
}
