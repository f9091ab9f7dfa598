/* SPDX-License-Identifier: Apache-2.0 */
/* Token bucket and log-once table for guest-triggered reports (see ratelimit.h). */
#include "common/ratelimit.h"

bool ratelimit_take(struct rate_limit *rl, uint64_t now, uint64_t interval, unsigned burst)
{
	/* full_at - now is the debt in ticks: each token taken adds one interval,
	 * time pays it back; at most burst intervals may be owed. */
	uint64_t base = rl->full_at > now ? rl->full_at : now;
	if (base - now + interval > (uint64_t)burst * interval)
		return false;
	rl->full_at = base + interval;
	return true;
}

bool once_seen(const struct once_table *t, uint64_t key)
{
	for (unsigned i = 0; i < t->n; i++)
		if (t->key[i] == key)
			return true;
	return false;
}

bool once_add(struct once_table *t, uint64_t key)
{
	if (t->n >= ONCE_TABLE_SIZE)
		return false;
	t->key[t->n++] = key;
	return true;
}
