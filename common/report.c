/* SPDX-License-Identifier: Apache-2.0 */
/* Guest-triggered reports, rate-limited per domain (see report.h). */
#include "arch.h"
#include "common/console.h"
#include "common/domain.h"
#include "common/lib.h"
#include "common/report.h"
#include "common/spinlock.h"

static uint32_t take_suppressed(struct domain_reports *r)
{
	uint32_t n = r->suppressed;
	r->suppressed = 0;
	return n;
}

static void say_suppressed(struct domain *d, uint32_t n)
{
	if (n)
		bh_dlog(d->name, "%u more reports suppressed (rate limit: %u, then %u a second)", n, REPORT_BURST, REPORT_PER_SECOND);
}

/* With r->lock held: take a token, or count one more suppressed report. */
static bool take(struct domain_reports *r)
{
	if (ratelimit_take(&r->bucket, arch_counter(), arch_counter_freq() / REPORT_PER_SECOND,
			   REPORT_BURST))
		return true;
	if (r->suppressed != UINT32_MAX)
		r->suppressed++;
	return false;
}

bool report_allowed(struct domain *d)
{
	struct domain_reports *r = &d->reports;
	spin_lock(&r->lock);
	bool ok = take(r);
	uint32_t n = ok ? take_suppressed(r) : 0;
	spin_unlock(&r->lock);
	say_suppressed(d, n);
	return ok;
}

bool report_once(struct domain *d, enum report_kind kind, uint32_t key)
{
	struct domain_reports *r = &d->reports;
	uint64_t k = (uint64_t)kind << 32 | key;
	bool ok = false;
	uint32_t n = 0;
	spin_lock(&r->lock);
	if (!once_seen(&r->once, k)) {
		/* A full table: new keys are counted, never printed. */
		if (r->once.n == ONCE_TABLE_SIZE) {
			if (r->suppressed != UINT32_MAX)
				r->suppressed++;
		} else if (take(r)) {
			once_add(&r->once, k);
			n = take_suppressed(r);
			ok = true;
		}
	}
	spin_unlock(&r->lock);
	say_suppressed(d, n);
	return ok;
}

void report_flush(struct domain *d)
{
	struct domain_reports *r = &d->reports;
	spin_lock(&r->lock);
	uint32_t n = take_suppressed(r);
	spin_unlock(&r->lock);
	say_suppressed(d, n);
}
