/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The policy check at EL2 and its audit trail (see audit.h). One lock covers
 * the ring; it is a leaf (taken under a network's lock by the switch's
 * denials, never around anything else). Denials are printed when new and
 * each time their count doubles, at most AUDIT_PER_SECOND lines a second;
 * never under another lock (the switch's wait in audit_flush, after it).
 */
#include "arch.h"
#include "common/audit.h"
#include "common/console.h"
#include "common/domain.h"
#include "common/lib.h"
#include "common/percpu.h"
#include "common/ratelimit.h"
#include "common/spinlock.h"
#include "dt/policy.h"

#define AUDIT_PER_SECOND 10u
#define AUDIT_BURST	 10u

static struct spinlock audit_lock; /* ring, bucket, suppressed */
static struct audit_ring ring;
static struct rate_limit bucket;
static uint32_t suppressed;

/* A domain's type as the ring keeps it: the first plan domain of its type. */
static unsigned type_index(unsigned dom)
{
	if (dom >= plan.ndoms)
		return AUDIT_TYPE_HYP;
	for (unsigned i = 0; i < dom; i++)
		if (!strcmp(plan.dom[i].label, plan.dom[dom].label))
			return i;
	return dom;
}

static const char *type_name(unsigned t)
{
	return t < plan.ndoms ? plan.dom[t].label : HYPERVISOR_TYPE;
}

/* Records a denial under audit_lock; true when its line is due (new, or its
 * count doubled, and the rate allows), with the lines suppressed before it. */
static bool record(unsigned s, unsigned t, enum policy_class cls, unsigned perm, uint32_t *n,
		   uint32_t *lost)
{
	*n = audit_record(&ring, s, t, cls, perm);
	*lost = 0;
	if (*n & (*n - 1))
		return false;
	if (!ratelimit_take(&bucket, arch_counter(), arch_counter_freq() / AUDIT_PER_SECOND,
			    AUDIT_BURST)) {
		suppressed++;
		return false;
	}
	*lost = suppressed;
	suppressed = 0;
	return true;
}

static void say(unsigned s, unsigned t, enum policy_class cls, unsigned perm, uint32_t n,
		uint32_t lost)
{
	bh_log("audit: denied { %s } %s -> %s : %s (%u time%s%s)", dt_policy_perm_name(perm),
	       type_name(s), type_name(t), dt_policy_class_name(cls), n, n == 1 ? "" : "s",
	       lost ? "; audit lines suppressed before this one" : "");
}

/* A line due waits here for audit_flush(), which prints it with no lock
 * held: one at a time (under audit_lock); another due meanwhile counts as
 * suppressed. */
static struct {
	bool set;
	unsigned s, t, perm;
	enum policy_class cls;
	uint32_t n, lost;
} held;

void audit_denied_held(unsigned src_dom, unsigned tgt_dom, enum policy_class cls, unsigned perm)
{
	unsigned s = type_index(src_dom), t = type_index(tgt_dom);
	uint32_t n, lost;
	spin_lock(&audit_lock);
	if (record(s, t, cls, perm, &n, &lost)) {
		if (held.set) {
			suppressed += lost + 1;
		} else {
			held.s = s, held.t = t, held.cls = cls, held.perm = perm;
			held.n = n, held.lost = lost;
			__atomic_store_n(&held.set, true, __ATOMIC_RELAXED);
		}
	}
	spin_unlock(&audit_lock);
}

void audit_flush(void)
{
	if (!__atomic_load_n(&held.set, __ATOMIC_RELAXED))
		return; /* the common case: one load */
	spin_lock(&audit_lock);
	bool due = held.set;
	unsigned s = held.s, t = held.t, perm = held.perm;
	enum policy_class cls = held.cls;
	uint32_t n = held.n, lost = held.lost;
	held.set = false;
	spin_unlock(&audit_lock);
	if (due)
		say(s, t, cls, perm, n, lost);
}

void audit_denied(unsigned src_dom, unsigned tgt_dom, enum policy_class cls, unsigned perm)
{
	audit_denied_held(src_dom, tgt_dom, cls, perm);
	audit_flush();
}

bool policy_check(const struct domain *src, const struct domain *tgt, enum policy_class cls,
		  unsigned perm)
{
	if (dt_policy_allows(&plan, src->cfg, tgt ? tgt->cfg : NULL, cls, perm))
		return true;
	audit_denied((unsigned)(src->cfg - plan.dom),
		     tgt ? (unsigned)(tgt->cfg - plan.dom) : AUDIT_TYPE_HYP, cls, perm);
	return false;
}

void audit_each(void (*emit)(const char *line, void *arg), void *arg)
{
	static struct audit_ring copy; /* under audit_lock only while copying */
	char line[128];
	spin_lock(&audit_lock);
	copy = ring;
	spin_unlock(&audit_lock);
	/* Most recent first: a few entries, a selection by `last`. */
	uint64_t below = UINT64_MAX;
	for (unsigned k = 0; k < copy.n; k++) {
		const struct audit_entry *e = NULL;
		for (unsigned i = 0; i < copy.n; i++)
			if (copy.e[i].last < below && (!e || copy.e[i].last > e->last))
				e = &copy.e[i];
		below = e->last;
		snprintf(line, sizeof(line), "denied { %s } %s -> %s : %s count %u",
			 dt_policy_perm_name(e->perm), type_name(e->src), type_name(e->tgt),
			 dt_policy_class_name((enum policy_class)e->cls), e->count);
		emit(line, arg);
	}
	snprintf(line, sizeof(line), "%llu denials, %u distinct kept, %llu evicted",
		 (unsigned long long)copy.seq, copy.n, (unsigned long long)copy.evicted);
	emit(line, arg);
}
