/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The deciding logic behind guest-triggered reports (common/report.c): a
 * token bucket kept as one time stamp, and a small table of the report keys
 * already printed. Pure functions, no locks, no console: host-tested
 * (tests/unit/test_ratelimit.c).
 */
#ifndef COMMON_RATELIMIT_H
#define COMMON_RATELIMIT_H

#include <stdbool.h>
#include <stdint.h>

/* A token bucket of `burst` tokens refilled one per `interval` (counter ticks),
 * kept as the time at which it is full again. All zeroes: full. */
struct rate_limit {
	uint64_t full_at;
};

/* Take a token at time `now`: false if the bucket is empty. */
bool ratelimit_take(struct rate_limit *rl, uint64_t now, uint64_t interval, unsigned burst);

/* Keys (a kind in the high 32 bits, e.g. a function ID below) already
 * reported. Bounded: a guest cannot make it grow. */
#define ONCE_TABLE_SIZE 32
struct once_table {
	uint64_t key[ONCE_TABLE_SIZE];
	unsigned n;
};

bool once_seen(const struct once_table *t, uint64_t key);
/* Record a key: false if the table is full. */
bool once_add(struct once_table *t, uint64_t key);

#endif
