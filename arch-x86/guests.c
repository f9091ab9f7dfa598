/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The step-2 domains: one per Multiboot module ("IMAGE name=NAME ARGS"),
 * each with its own RAM at guest physical 0, nested page tables and vCPU,
 * run one after another on the boot CPU. A stand-in until the common domain
 * code and the config are built for x86 (docs/x86.md, next steps): it makes
 * no decision of its own beyond placing the image.
 */
#include "multiboot.h"
#include "svm.h"
#include "x86.h"
#include "common/lib.h"

#define GUEST_RAM (4ull << 20)     /* every step-2 domain: 4 MiB */
#define GUEST_LOAD 0x100000ull     /* where a Multiboot image runs */
#define GUEST_CMDLINE 0x1000ull    /* its command line, EBX at entry */
#define GUEST_CMDLINE_MAX 256
#define CR4_OSFXSR (1u << 9)
#define CR4_OSXMMEXCPT (1u << 10)

/* x87 and SSE as after reset (FCW 0x37f, MXCSR 0x1f80, registers zero):
 * loaded before a domain's first entry, so no domain sees what an earlier
 * one left (the hypervisor itself never uses them: -mgeneral-regs-only). */
static const struct __attribute__((aligned(16))) {
	uint16_t fcw;
	uint8_t rest0[22];
	uint32_t mxcsr;
	uint8_t rest1[484];
} fp_clean = { .fcw = 0x37f, .mxcsr = 0x1f80 };

static void fp_reset(void)
{
	__asm__ volatile("fxrstor64 %0" : : "m"(fp_clean));
}

/* "name=NAME" from a module's string, else "guestN". */
static void dom_name(struct x86_dom *d, const char *s)
{
	for (; *s; s++) {
		if ((s[-1] == ' ') && !strncmp(s, "name=", 5)) {
			unsigned n = 0;
			for (s += 5; *s && *s != ' ' && n < sizeof(d->name) - 1; s++)
				d->name[n++] = *s;
			if (n)
				return;
		}
	}
	snprintf(d->name, sizeof(d->name), "guest%u", d->id);
}

static void dom_create(struct x86_dom *d, const struct mb_module *m)
{
	const char *str = m->string ? (const char *)(uintptr_t)m->string : "";
	uint64_t size = m->end - m->start;
	dom_name(d, *str ? str + 1 : str);
	d->ram_size = GUEST_RAM;
	d->ram_pa = (uint64_t)(uintptr_t)x86_alloc(d->ram_size, 2 << 20);
	d->npt = npt_create();
	npt_map(d->npt, 0, d->ram_pa, d->ram_size);
	memcpy((void *)(uintptr_t)(d->ram_pa + GUEST_LOAD), (const void *)(uintptr_t)m->start, size);
	snprintf((char *)(uintptr_t)(d->ram_pa + GUEST_CMDLINE), GUEST_CMDLINE_MAX, "%s", str);
	svm_vcpu_init(d, GUEST_LOAD, GUEST_CMDLINE);
	x86_printf("bulkhead: domain %s (id %u): %llu MiB at 0x%llx, image %llu bytes at guest physical 0x%llx\n",
		   d->name, d->id, (unsigned long long)(d->ram_size >> 20), (unsigned long long)d->ram_pa,
		   (unsigned long long)size, (unsigned long long)GUEST_LOAD);
}

void x86_guests_run(const struct mb_info *mb)
{
	const struct mb_module *m = (const void *)(uintptr_t)mb->mods_addr;
	uint32_t n = mb->flags & MB_INFO_MODS ? mb->mods_count : 0;
	if (!n) {
		x86_puts("bulkhead: no guest image (Multiboot module) was given: nothing to run\n");
		return;
	}
	for (uint32_t i = 0; i < n; i++) {
		if (m[i].end < m[i].start || m[i].end - m[i].start > GUEST_RAM - GUEST_LOAD) {
			x86_printf("bulkhead: module %u (%u bytes) does not fit a domain's %llu KiB for its image. "
				   "Stopping.\n", i, m[i].end - m[i].start, (GUEST_RAM - GUEST_LOAD) >> 10);
			x86_power_off(X86_EXIT_FAIL);
		}
	}
	uint64_t cr4 = read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT;
	__asm__ volatile("mov %0, %%cr4" : : "r"(cr4));
	struct x86_dom *doms = x86_alloc(n * sizeof(*doms), 64);
	for (uint32_t i = 0; i < n; i++) {
		doms[i].id = i;
		dom_create(&doms[i], &m[i]);
	}
	for (uint32_t i = 0; i < n; i++) {
		fp_reset();
		svm_run(&doms[i]);
	}
	x86_printf("bulkhead: all %u domain%s ended\n", n, n == 1 ? " has" : "s have");
}
