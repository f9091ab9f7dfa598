/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What is the x86 port's own in a domain, for common/domain.c's
 * domain_create (identity, vCPUs, RAM, images, devices) and lifecycle:
 * its RAM at guest physical 0 behind nested page tables (arch_domain_init,
 * arch_stage2_map); the kernel (the payload's image of that name) at 1 MiB,
 * as a Multiboot loader puts it (arch_image_layout); its command line (the
 * config's bootargs) at 4 KiB, in the slot the core reloads at each start
 * with the image (arch_domain_boot_info; on arm64, the domain's DT); the
 * CPUs the domains are pinned to started (arch_start_secondaries).
 */
#include "svm.h"
#include "x86.h"
#include "common/console.h"
#include "common/domain.h"
#include "common/lib.h"
#include "common/image.h"
#include "common/percpu.h"

#define GUEST_LOAD	  0x100000ull /* where a Multiboot image runs */
#define GUEST_CMDLINE	  0x1000ull   /* its command line, EBX at entry */
#define GUEST_CMDLINE_MAX 256
#define AP_STACK	  16384

/* The kernel as a Multiboot loader places it: at 1 MiB, whatever its
 * header (a raw image: no arm64 Image or zImage probe); its command line at
 * 4 KiB, in the slot the core reloads at each start (arm64: the DT). */
int arch_image_layout(const uint8_t *hdr, uint64_t size, const char *kernel_name,
		      uint64_t initrd_size, const char *initrd_name, uint64_t ram_size,
		      bool firmware, struct image_layout *l, char *why, size_t why_len)
{
	(void)hdr;
	(void)initrd_size; /* refused by arch_plan_check */
	(void)initrd_name;
	(void)firmware;
	if (size > ram_size || GUEST_LOAD > ram_size - size) {
		snprintf(why, why_len, "image \"%s\" does not fit its memory-size above 1 MiB",
			 kernel_name);
		return -1;
	}
	*l = (struct image_layout){.kernel = {IMAGE_RAW, GUEST_LOAD, size},
				   .fdt_off = GUEST_CMDLINE};
	return 0;
}

/* The guest's boot information (arm64: its DT): the config's bootargs, the
 * command line EBX points to at entry. */
int arch_domain_boot_info(struct domain *d, const struct dom_cfg *cfg, const struct board *b,
			  const void *fdt)
{
	(void)b;
	(void)fdt;
	char *cmdline = boot_alloc(GUEST_CMDLINE_MAX, 8);
	if (!cmdline) {
		bh_log("domain %s: out of hypervisor memory for its command line", d->name);
		return -1;
	}
	d->fdt_size = MIN((uint64_t)snprintf(cmdline, GUEST_CMDLINE_MAX, "%s", cfg->bootargs) + 1,
			  (uint64_t)GUEST_CMDLINE_MAX);
	d->fdt = cmdline;
	return 0;
}

static bool x86_booted; /* every domain built, its CPU started: boot_main's end */

/* Each CPU a domain is pinned to, started once (the boot CPU is). */
void arch_start_secondaries(const struct board *b, unsigned boot_cpu)
{
	uint64_t started = 1ull << boot_cpu;
	for (unsigned i = 0; i < ndomains; i++) {
		unsigned cpu = domains[i].vcpu[0].pcpu;
		uint32_t id = (uint32_t)b->mpidr[cpu];
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
	x86_booted = true;
}

bool x86_halting;	/* arch_halt_system began: svm.c's svm_exit parks */
static uint64_t parked; /* the CPUs parked since, one bit each */

/* This CPU out of its guest for good, its exit path done: the machine is
 * ending (arch_halt_system, which waits for this bit). */
void x86_park(void)
{
	__atomic_or_fetch(&parked, 1ull << arch_cpu_index(), __ATOMIC_RELEASE);
	for (;;)
		__asm__ volatile("cli; hlt");
}

/* v still on its CPU's way: in its guest or exit path, and not parked. */
static bool vcpu_busy(const struct vcpu *v, unsigned me)
{
	return v->pcpu != me && __atomic_load_n(&v->state, __ATOMIC_ACQUIRE) == VCPU_RUNNING &&
	       !(__atomic_load_n(&parked, __ATOMIC_ACQUIRE) & 1ull << v->pcpu);
}

/* Every other CPU's vCPU out of its exit path, at most a second: a domain
 * is OFF before its power-off is logged (common/domain.c). One still in
 * its guest would not leave by itself: it is kicked (arch_send_ipi), and
 * its next exit parks it (svm_exit: x86_park) before that exit is handled;
 * one in its exit path finishes it first. A CPU that does neither in time
 * is named. */
static void halt_wait_others(void)
{
	unsigned me = arch_cpu_index();
	for (unsigned i = 0; i < ndomains; i++)
		for (unsigned j = 0; j < domains[i].nvcpus; j++)
			if (vcpu_busy(&domains[i].vcpu[j], me))
				arch_send_ipi(domains[i].vcpu[j].pcpu);
	uint64_t end = arch_counter() + arch_counter_freq();
	for (unsigned i = 0; i < ndomains; i++)
		for (unsigned j = 0; j < domains[i].nvcpus; j++) {
			const struct vcpu *v = &domains[i].vcpu[j];
			while (vcpu_busy(v, me) && arch_counter() < end)
				arch_wait_event();
			if (vcpu_busy(v, me))
				bh_log("CPU %u: domain %s vCPU %u did not stop within a second",
				       v->pcpu, domains[i].name, j);
		}
}

/* A domain on every CPU left running? The machine's end is clean when
 * none is (common/boot.c: system_check_idle), a failure otherwise (a
 * domain's on-fault = "halt"). */
void arch_halt_system(void)
{
	if (__atomic_exchange_n(&x86_halting, true, __ATOMIC_ACQ_REL)) /* another CPU ends it */
		x86_park();
	bool ended = x86_booted; /* a boot stopped: a failure */
	for (unsigned i = 0; i < ndomains; i++) {
		enum dom_state s = __atomic_load_n(&domains[i].state, __ATOMIC_ACQUIRE);
		ended &= s != DOM_RUNNING && s != DOM_RESTARTING;
	}
	halt_wait_others();
	/* The exits of the machine's whole run: each power-off prints them
	 * (common/domain.c), but not a stop or a halt, so a domain whose life
	 * ended otherwise, after the last power-off, would go uncounted. */
	if (x86_booted)
		stats_print();
	x86_power_off(ended ? X86_EXIT_OK : X86_EXIT_FAIL);
}

/* RAM is identity-mapped and the caches coherent with everything that
 * reads it (no device DMA yet, the guest's own CPU): nothing to clean. */
void arch_dcache_clean_range(uint64_t start, uint64_t size)
{
	(void)start;
	(void)size;
}

void arch_copy_clean(uint64_t dst, const void *src, uint64_t size)
{
	memcpy((void *)(uintptr_t)dst, src, size);
}

void arch_scrub(uint64_t start, uint64_t size)
{
	memset((void *)(uintptr_t)start, 0, size);
}

int arch_domain_init(struct domain *d)
{
	d->arch.npt = npt_create();
	for (unsigned i = 0; i < d->nvcpus; i++)
		d->vcpu[i].arch.vmcb = x86_alloc(sizeof(struct vmcb), 4096);
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

/* Only arm64 runs AArch32 kernels; an x86 image is never probed as one
 * (arch_image_layout). */
bool arch_guest_32bit_supported(void)
{
	return false;
}

/* No EL2-style timer of the hypervisor's own yet (the LAPIC timer is next
 * step 2 of docs/x86.md): a domain's console output is composed at once. */
bool arch_console_later(void)
{
	return false;
}

void arch_console_later_off(void)
{
}
