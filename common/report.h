/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Reports a guest can trigger (a bad access, a trap with no emulation, an
 * unknown call...): every one goes through here, rate-limited per domain so
 * no guest can flood the console or slow other domains with it. A burst of
 * REPORT_BURST, then REPORT_PER_SECOND; what is suppressed is counted and
 * printed as "domain X: N more reports suppressed" before the domain's next
 * report and when it stops or powers off. Its restarts (by itself, a fault
 * or a peer) are reports too, and the state outlives them (it is the
 * hypervisor's, not the guest's): a restart loop gets no fresh burst.
 */
#ifndef COMMON_REPORT_H
#define COMMON_REPORT_H

#include <stdbool.h>
#include <stdint.h>

#include "common/ratelimit.h"
#include "common/spinlock_types.h"

#define REPORT_BURST	  8
#define REPORT_PER_SECOND 2

/* Kinds of log-once keys (each with its own 32-bit key space). */
enum report_kind { REPORT_SYSREG = 1, REPORT_CP15, REPORT_SMCCC, REPORT_TRAP, REPORT_VNET };

/* Per-domain state (in struct domain); zeroed = a full bucket, nothing seen. */
struct domain_reports {
	struct spinlock lock;
	struct rate_limit bucket;
	struct once_table once;
	uint32_t suppressed;
};

struct domain;

/* May a report about d be printed now? If so, the caller prints it (several
 * lines if it likes); if not, it is counted as suppressed. */
bool report_allowed(struct domain *d);
/* Once per (domain, kind, key): true the first time, if the rate allows; a
 * key refused by the rate is not recorded, so a later sighting is reported. */
bool report_once(struct domain *d, enum report_kind kind, uint32_t key);
/* Print the count of suppressed reports, if any (lifecycle events). */
void report_flush(struct domain *d);

#endif
