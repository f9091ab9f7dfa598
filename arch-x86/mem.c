/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The x86 port's own allocations at boot (nested page tables, VMCBs, the
 * host save areas, secondary CPUs' stacks), page-aligned, from the core's
 * free memory (common/pmem.c: the board's RAM below 4 GiB less the
 * hypervisor and its heap, set up by common/boot.c), so the core's memory
 * report counts them. Nothing is freed: what is allocated is sized at boot.
 */
#include "svm.h"
#include "x86.h"
#include "common/console.h"
#include "common/lib.h"
#include "common/percpu.h"

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
