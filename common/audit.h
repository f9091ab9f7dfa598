/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The policy's audit trail: every check that denies is recorded in a fixed
 * ring as (source type, target type, class, permission, count), repeats
 * coalesced into one entry; printed by the hypervisor at a bounded rate and
 * read by dom0 with `bhctl audit` (docs/control.md). The ring logic is pure
 * (common/audit_ring.c, host-tested: tests/unit/test_audit.c); the checks
 * and the printing are common/audit.c.
 */
#ifndef COMMON_AUDIT_H
#define COMMON_AUDIT_H

#include <stdbool.h>
#include <stdint.h>

#include "dt/plan.h"

/* Distinct denials remembered: beyond that the least recently seen entry is
 * replaced (and counted as evicted). 32 x 16 bytes. */
#define AUDIT_RING_SIZE 32u
/* A type is the index of the first domain of the plan that has it; the
 * hypervisor (class hypervisor's target) is this one. */
#define AUDIT_TYPE_HYP 0xffu

struct audit_entry {
	uint8_t src, tgt, cls;
	uint16_t perm;	/* one PERM_* bit */
	uint32_t count; /* denials coalesced here (saturates) */
	uint64_t last;	/* the ring's sequence number when last seen */
};

struct audit_ring {
	struct audit_entry e[AUDIT_RING_SIZE];
	unsigned n;	  /* entries in use */
	uint64_t seq;	  /* denials recorded in all */
	uint64_t evicted; /* entries replaced when the ring was full */
};

/* Record one denial: its entry's count afterwards (1: a new entry). */
uint32_t audit_record(struct audit_ring *r, unsigned src, unsigned tgt, unsigned cls,
		      unsigned perm);

/* EL2 (common/audit.c). The policy check every cross-domain operation makes:
 * src's type on tgt's (NULL: the hypervisor); a denial is audited. */
struct domain;
bool policy_check(const struct domain *src, const struct domain *tgt, enum policy_class cls,
		  unsigned perm);
/* A denial decided elsewhere (the switch's precomputed matrix), by plan
 * domain index (tgt AUDIT_TYPE_HYP: the hypervisor). */
void audit_denied(unsigned src_dom, unsigned tgt_dom, enum policy_class cls, unsigned perm);
/* The same, decided under the caller's lock (the switch's): a line it makes
 * due is printed by the caller's audit_flush() once that lock is released,
 * so no other CPU waits on the console for it. */
void audit_denied_held(unsigned src_dom, unsigned tgt_dom, enum policy_class cls, unsigned perm);
void audit_flush(void);
/* One line per entry ("denied { PERM } SRC -> TGT : CLASS count N"), most
 * recent first, then a summary line; emit gets each line without '\n'. */
void audit_each(void (*emit)(const char *line, void *arg), void *arg);

#endif
