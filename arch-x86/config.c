/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The config on x86: the same DTB format and the same checks as on arm64
 * (dt/plan.c, run by the shared code), against a board description built
 * from firmware (the Multiboot memory map, the ACPI MADT) instead of a DT.
 * What the x86 port cannot do yet is refused here, by name.
 */
#include "multiboot.h"
#include "x86.h"
#include "common/console.h"
#include "x86_config.h"
#include "common/lib.h"
#include "common/package.h"
#include "dt/plan.h"

#include <libfdt.h>

extern char __image_start[], __bss_end[];

/* libfdt (Debian's static library, built for user space) reads its stack
 * canary at %fs:0x28: FS's base is this block. Boot only (docs/x86.md); a
 * smashed stack is reported by common/boot.c's __stack_chk_fail. */
static uint64_t fs_block[8];

static void board_from_firmware(struct board *b, const struct mb_info *mb, const uint32_t *apic_ids,
				unsigned ncpus)
{
	memset(b, 0, sizeof(*b));
	b->ncpus = ncpus;
	for (unsigned i = 0; i < ncpus; i++)
		b->mpidr[i] = apic_ids[i]; /* the CPU's hardware id: its APIC ID */
	for (uint64_t off = 0; off + sizeof(struct mb_mmap_entry) <= mb->mmap_length;) {
		const struct mb_mmap_entry *e = (const void *)(uintptr_t)(mb->mmap_addr + off);
		off += e->size + 4;
		if (e->type == MB_MMAP_RAM && b->nmem < BH_MAX_MEM)
			b->mem[b->nmem++] = (struct mem_range){e->base, e->len};
	}
	b->resv[b->nresv++] = (struct mem_range){0, 0x100000}; /* the BIOS's first MiB */
	b->resv[b->nresv++] = (struct mem_range){(uintptr_t)__image_start,
						 (uintptr_t)__bss_end - (uintptr_t)__image_start};
	b->uart = UART_NS16550;
	b->uart_base = COM1_PORT;
}

extern const struct bh_pkg_hdr __payload_start;
#define MAPPED 0x100000000ull /* head.S maps the first 4 GiB */

/* bhpack's payload, right after .bss: checked before anything is read from
 * it (common/package.c), and before the Multiboot information is, which a
 * loader may have put in .bss when the image has no payload. */
const struct bh_pkg_hdr *x86_payload(void)
{
	const struct bh_pkg_hdr *h = &__payload_start;
	char why[160];
	if (package_check(h, MAPPED - (uintptr_t)h, why, sizeof(why))) {
		bh_printf("bulkhead: %s\nbulkhead: boot stopped: no domain was started\n", why);
		x86_power_off(X86_EXIT_FAIL);
	}
	return h;
}

/* As on arm64 (common/boot.c): the reason, then that nothing was started. */
static __attribute__((noreturn)) void refuse(const char *what, const char *why)
{
	if (what)
		bh_printf("bulkhead: config: %s: %s\n", what, why);
	else
		bh_printf("bulkhead: %s\n", why);
	console_write_raw("bulkhead: boot stopped: no domain was started\n");
	x86_power_off(X86_EXIT_FAIL);
}

/* What the shared checks accept but the x86 port does not do yet. */
static void x86_limits(const struct plan *p)
{
	if (p->nchans || p->nnets)
		refuse(p->nchans ? "channel" : "network", "not supported on x86 yet");
	for (unsigned i = 0; i < p->ndoms; i++) {
		const struct dom_cfg *d = &p->dom[i];
		char what[64];
		snprintf(what, sizeof(what), "domain %s", d->name);
		if (d->ndevices)
			refuse(what, "'devices': passthrough is not supported on x86 yet");
		if (d->ncpus != 1)
			refuse(what, "'cpus': one vCPU per domain on x86 for now");
		if (d->mem_base)
			refuse(what, "'memory-base': fixed placement is not supported on x86 yet");
		if (d->initrd[0])
			refuse(what, "'initrd' is not supported on x86 yet");
		if (d->control)
			refuse(
			    what,
			    "role = \"control\": the control device is not supported on x86 yet");
	}
}

void x86_config_read(const struct mb_info *mb, const struct bh_pkg_hdr *pkg,
		     const uint32_t *apic_ids, unsigned ncpus, struct board *b, struct plan *p)
{
	fs_block[5] = 0x5ca1ab1e0ddba11ull ^ __builtin_ia32_rdtsc();
	wrmsr(MSR_FS_BASE, (uint64_t)(uintptr_t)fs_block);
	board_from_firmware(b, mb, apic_ids, ncpus);
	uint64_t size;
	const void *cfg = package_entry(pkg, BH_PKG_CONFIG, &size);
	if (!cfg || size < sizeof(struct fdt_header) || fdt_totalsize(cfg) > size)
		refuse(BH_PKG_CONFIG, "missing from the payload or cut short");
	struct dt_error err;
	if (dt_plan_read(cfg, b, p, &err))
		refuse(NULL, err.msg); /* it names the node and the property */
	x86_limits(p);
	bh_printf("bulkhead: config: %u domain%s\n", p->ndoms, p->ndoms == 1 ? "" : "s");
}
