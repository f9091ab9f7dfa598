/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The x86 port's memory: one region of RAM from the Multiboot memory map,
 * after the hypervisor and its payload, the loader's information and any
 * modules, handed out at boot (page tables, VMCBs, domains' RAM) from the
 * core's free-memory ranges (common/pmem.c), so the core's memory report
 * counts it. Nothing is freed: what is allocated is sized at boot.
 */
#include "multiboot.h"
#include "svm.h"
#include "x86.h"
#include "common/console.h"
#include "common/lib.h"
#include "common/percpu.h"

/* The highest address the loader's handover occupies. */
static uint64_t handover_end(const struct mb_info *mb, uint32_t mbi, uint64_t payload_end)
{
	uint64_t end = MAX(payload_end, (uint64_t)mbi + sizeof(*mb));
	if (mb->flags & MB_INFO_MMAP)
		end = MAX(end, (uint64_t)mb->mmap_addr + mb->mmap_length);
	if (mb->flags & MB_INFO_MODS) {
		const struct mb_module *m = (const void *)(uintptr_t)mb->mods_addr;
		end = MAX(end, (uint64_t)mb->mods_addr + mb->mods_count * sizeof(*m));
		for (uint32_t i = 0; i < mb->mods_count; i++) {
			end = MAX(end, (uint64_t)m[i].end);
			if (m[i].string)
				end =
				    MAX(end, (uint64_t)m[i].string +
						 strlen((const char *)(uintptr_t)m[i].string) + 1);
		}
	}
	return end;
}

/* The RAM region of the map holding the hypervisor: from the end of the
 * handover to the region's end (below 4 GiB: what is mapped). */
void x86_mem_init(const struct mb_info *mb, uint32_t mbi, uint64_t payload_end)
{
	uint64_t start = ALIGN_UP(handover_end(mb, mbi, payload_end), 4096);
	for (uint64_t off = 0; off + sizeof(struct mb_mmap_entry) <= mb->mmap_length;) {
		const struct mb_mmap_entry *e = (const void *)(uintptr_t)(mb->mmap_addr + off);
		off += e->size + 4;
		if (e->type != MB_MMAP_RAM || e->base > start || e->base + e->len <= start)
			continue;
		pmem_init(&pmem);
		pmem_add(&pmem, start, MIN(e->base + e->len, X86_IDENTITY_MAPPED) - start);
		return;
	}
	bh_printf("bulkhead: no RAM after the hypervisor at 0x%llx in the memory map. Stopping.\n",
		  (unsigned long long)start);
	x86_power_off(X86_EXIT_FAIL);
}

void *x86_alloc(uint64_t size, uint64_t align)
{
	uint64_t p = pmem_alloc(&pmem, size, align);
	if (p == PMEM_NONE) {
		bh_log("out of memory: %llu KiB wanted, %llu KiB left. Stopping.",
		       (unsigned long long)(size >> 10),
		       (unsigned long long)(pmem_free_total(&pmem) >> 10));
		x86_power_off(X86_EXIT_FAIL);
	}
	memset((void *)(uintptr_t)p, 0, size);
	return (void *)(uintptr_t)p;
}
