/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A fake architecture for the fuzzers of guest-facing emulation (vGIC, vUART,
 * hypercalls): the hypervisor's own code, built for the host against
 * tests/fake/ (system registers in memory, no barriers, one thread), and a
 * small board of two domains with two vCPUs each on four CPUs.
 */
#ifndef FUZZ_FAKE_ENV_H
#define FUZZ_FAKE_ENV_H

#include <stddef.h>
#include <stdint.h>

#include "common/domain.h"
#include "common/percpu.h"

#define FAKE_RAM_SIZE 0x10000 /* each domain's RAM, a host buffer */

/* The board, its GIC (version 2 or 3) and domains 0 and 1, built by the
 * hypervisor's own init code; domain 1 owns SPIs 48-51 (48, 49 linked to the
 * physical GIC), domain 0 owns SPIs 40-43. */
void fake_setup(unsigned gic_version);
/* Run as vCPU v (its physical CPU is the current one). */
void fake_enter(struct vcpu *v);
/* A byte-for-byte copy of domain d (its struct) to compare after an
 * operation of another domain: nothing of d may change. */
void fake_snapshot(const struct domain *d, struct domain *copy);
/* Abort, naming what changed, if d differs from the copy. */
void fake_check_unchanged(const struct domain *d, const struct domain *copy, const char *op);
/* What the stubs saw (physical GIC calls aimed at a CPU, IPIs). */
extern unsigned fake_hw_route_cpu[1024]; /* last physical route of each SPI */
extern unsigned fake_ipis[BH_MAX_CPUS];

#endif
