/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A fake architecture for the hypervisor's guest-facing code built on the
 * host (the fuzzers in tests/fuzz/, the unit tests in tests/unit/): system
 * registers in memory (tests/fake/arch-arm64/sysreg.h), no barriers, one
 * thread; stage-2 mappings, device accesses and the physical GIC calls are
 * recorded, not made; a small board of two domains with two vCPUs each on
 * four CPUs, built by the hypervisor's own init code.
 */
#ifndef TESTS_FAKE_ENV_H
#define TESTS_FAKE_ENV_H

#include <stddef.h>
#include <stdint.h>

#include "common/domain.h"
#include "gic/vgic.h" /* the vGIC under test (no longer reached through domain.h) */
#include "common/percpu.h"

#define FAKE_RAM_SIZE 0x10000 /* each domain's RAM, a host buffer */
#define FAKE_RAM_IPA  0x40000000

/* The board, its GIC (version 2 or 3) and domains 0 and 1, built by the
 * hypervisor's own init code; domain 1 owns SPIs 48-51 (48, 49 linked to the
 * physical GIC), domain 0 owns SPIs 40-43; odd ones edge, even ones level. */
void fake_setup(unsigned gic_version);
/* Domains as a plan says (their vCPUs on its CPUs, vGIC initialised, nothing
 * registered or owned yet), on a board: what passthrough starts from. */
void fake_setup_plan(const struct board *b, const struct plan *p);
/* A guest's decoded access at ipa, as the data-abort trap makes it
 * (arch-arm64/traps.c: vmmio_find, then the region's handler): handled says
 * whether a region covers ipa; the handler's answer is returned. */
bool vmmio_dispatch(struct vcpu *v, uint64_t ipa, unsigned size, bool write, uint64_t *val,
		    bool *handled);
/* Run as vCPU v (its physical CPU is the current one). */
void fake_enter(struct vcpu *v);
/* A byte-for-byte copy of domain d (its struct) to compare after an
 * operation of another domain: nothing of d may change. */
void fake_snapshot(const struct domain *d, struct domain *copy);
/* Abort, naming what changed, if d differs from the copy. */
void fake_check_unchanged(const struct domain *d, const struct domain *copy, const char *op);

/* ---- what the code under test asked of the rest of the hypervisor ---- */

/* The physical GIC: last route and enable of each SPI, trigger and CPU it
 * was configured with (passthrough), resets; IPIs per CPU. */
extern unsigned fake_hw_route_cpu[1024]; /* ~0u: never routed */
extern int fake_hw_enabled[1024];	 /* -1: never touched, else 0/1 */
extern int fake_hw_cfg_edge[1024];	 /* -1: never configured */
extern unsigned fake_hw_cfg_cpu[1024];
extern unsigned fake_hw_resets[1024];
extern unsigned fake_ipis[BH_MAX_CPUS];

/* Stage 2: every arch_stage2_map() call, in order; lookups answer from them. */
struct fake_s2_map {
	const struct domain *d;
	uint64_t ipa, pa, size;
	unsigned flags;
};
#define FAKE_MAX_S2 256
extern struct fake_s2_map fake_s2[FAKE_MAX_S2];
extern unsigned fake_ns2;
/* Pages the hypervisor mapped for itself (arch_map_device). */
extern uint64_t fake_hyp_dev[FAKE_MAX_S2][2];
extern unsigned fake_nhyp_dev;

/* Device accesses forwarded for a guest (arch_mmio_read/write): the last
 * one, what a read returns, and whether the device aborts. */
extern struct fake_mmio {
	uint64_t pa, val;
	unsigned size, count;
	bool write;
} fake_mmio_last;
extern uint64_t fake_mmio_read_val;
extern bool fake_mmio_abort;

/* What each domain wrote to the console (console_domain_write), the last
 * hypervisor log line and how many there were. */
#define FAKE_CON_MAX 4096
extern char fake_con[BH_MAX_DOMAINS][FAKE_CON_MAX];
extern size_t fake_con_len[BH_MAX_DOMAINS];
extern char fake_log[512];
extern unsigned fake_nlog;
extern unsigned fake_npump; /* console_pump() calls (console_domain_tx's too) */

/* Channel doorbells: the last ring and what channel_notify() answers. */
extern const struct domain *fake_notify_dom;
extern uint64_t fake_notify_id;
extern unsigned fake_nnotify;
extern int64_t fake_notify_ret;

#endif
