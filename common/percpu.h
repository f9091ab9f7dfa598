/* SPDX-License-Identifier: Apache-2.0 */
/* Per-physical-CPU data and the boot-time globals the core shares. */
#ifndef COMMON_PERCPU_H
#define COMMON_PERCPU_H

#include "common/domain.h"
#include "common/pmem.h"
#include "dt/plan.h"

struct pcpu {
	unsigned index;
	uint64_t mpidr;
	volatile bool online;
	struct vcpu *vcpu; /* pinned vCPU, or NULL */
	uint64_t exits;	   /* traps and interrupts taken from the guest */
};

extern struct pcpu pcpus[BH_MAX_CPUS];
extern struct board board;
extern struct plan plan;
extern struct pmem pmem;
extern const void *host_fdt;

/* Boot-time allocation from the hypervisor's own memory (never a guest's). */
void *boot_alloc(uint64_t size, uint64_t align);
/* Find an image in the boot image's payload; NULL if absent. */
const void *package_find(const char *name, uint64_t *size);
/* Every domain off or stopped: power the machine off. */
void system_check_idle(void);

#endif
