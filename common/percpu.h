/* SPDX-License-Identifier: Apache-2.0 */
/* Per-physical-CPU data and the boot-time globals the core shares. */
#ifndef COMMON_PERCPU_H
#define COMMON_PERCPU_H

#include "common/domain.h"
#include "common/pmem.h"
#include "dt/plan.h"

/* Why a physical CPU left its guest (or woke from idle), for the per-CPU
 * interference accounting: each exit is charged to the domain that caused it. */
enum exit_kind {
	EXIT_TRAP,    /* the guest's own trap (HVC/SMC, MMIO, system register, abort) */
	EXIT_TIMER,   /* its virtual timer */
	EXIT_IPI,     /* a kick from another CPU, charged to the domain that sent it */
	EXIT_MAINT,   /* GIC maintenance (list registers to refill) */
	EXIT_DEVICE,  /* a passed-through device's interrupt, charged to its owner */
	EXIT_CONSOLE, /* the console UART (the hypervisor's) */
	EXIT_KINDS
};
/* Exits are charged to a slot: a domain's index in domains[], or the
 * hypervisor's, after the last domain's (stats_slots() of them in all). */
#define KICK_WORDS ((BH_MAX_DOMAINS + 1 + 63) / 64)

/* Everything that is per physical CPU, reached one way: pcpus[index]. */
struct pcpu {
	uint64_t stack_top; /* first: secondary_entry reads it, MMU off (PCPU_STACK_TOP) */
	uint64_t mpidr;
	struct vcpu *vcpu;		/* pinned vCPU, or NULL */
	uint64_t *exits;		/* [EXIT_KINDS][stats_slots()], from the boot heap */
	uint64_t kick_from[KICK_WORDS]; /* bit per slot that sent a kick */
	uint64_t gicr;			/* GICv3: its redistributor (gic/gic.c) */
	unsigned index;
	volatile bool online;
	uint8_t gicv2_mask; /* GICv2: its CPU interface's bit in ITARGETSR (gic/gic.c) */
};

/* Domains and the hypervisor: the slots exits are charged to. */
unsigned stats_slots(void);

/* Charge one exit on this CPU; `d` NULL means the hypervisor. */
void stats_count(enum exit_kind k, const struct domain *d);
/* Record who is about to kick `cpu` (called by the sender). */
void stats_kick(unsigned cpu);
/* Charge this CPU's kick exit to each recorded sender; false if none was
 * (a kick from the running domain itself: gic_kick_own). */
bool stats_count_kicks(void);
void stats_print(void);
/* The per-CPU lines stats_print prints, to emit (no '\n'); all exits charged
 * to d on every CPU (bhctl: common/control.c). */
void stats_each(void (*emit)(const char *line, void *arg), void *arg);
uint64_t stats_exits_of_domain(const struct domain *d);

extern struct pcpu *pcpus; /* board.ncpus of them, from the boot heap */
extern struct board board;
extern struct plan plan;
extern struct pmem pmem;
extern const void *host_fdt;

/* Where v's exits are counted: its domain's column of its CPU's counts
 * (kept in v->exits from its creation: domain.c). */
static inline uint64_t *stats_exits_of(const struct vcpu *v)
{
	return &pcpus[v->pcpu].exits[v->dom->slot];
}
/* stats_count() for an exit caused by v's own domain, on v's CPU (the one
 * running this): inline, with no CPU or domain lookup, for every trap. */
static inline void stats_count_vcpu(enum exit_kind k, const struct vcpu *v)
{
	v->exits[(unsigned)k * (plan.ndoms + 1)]++;
}

/* Boot-time allocation from the hypervisor's own memory (never a guest's). */
void *boot_alloc(uint64_t size, uint64_t align);
/* The same, not zeroed: for what the caller overwrites whole. */
void *boot_alloc_nozero(uint64_t size, uint64_t align);
/* The last allocation, p, keeps only its first `size` bytes (the rest goes
 * back to the heap): for buffers whose final size is known after filling. */
void boot_alloc_shrink(void *p, uint64_t size);
/* The free RAM and boot-heap use, on the console (unchanged after boot). */
void boot_memory_report(void);
/* Find an image in the boot image's payload; NULL if absent. */
const void *package_find(const char *name, uint64_t *size);
/* Every domain off or stopped: power the machine off. */
void system_check_idle(void);

#endif
