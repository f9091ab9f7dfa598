/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of the guest-report rate limit and log-once table (common/ratelimit.c). */
#include "common/ratelimit.h"
#include "check.h"

#define I 1000 /* ticks per token */

/* A fresh bucket gives exactly `burst` at once, then one per interval. */
static void test_burst_then_rate(void)
{
	struct rate_limit rl = {0};
	uint64_t t = 5000000;
	for (unsigned i = 0; i < 8; i++)
		CHECK(ratelimit_take(&rl, t, I, 8));
	CHECK(!ratelimit_take(&rl, t, I, 8));
	CHECK(!ratelimit_take(&rl, t + I - 1, I, 8));
	CHECK(ratelimit_take(&rl, t + I, I, 8));
	CHECK(!ratelimit_take(&rl, t + I, I, 8));
	/* A steady flood: one every interval, whatever the number of attempts. */
	unsigned ok = 0;
	for (uint64_t now = t + 2 * I; now < t + 102 * I; now += I / 10)
		ok += ratelimit_take(&rl, now, I, 8);
	CHECK_EQ(ok, 100);
	/* Quiet for long enough: the full burst again, never more. */
	uint64_t later = t + 1000 * I;
	ok = 0;
	for (unsigned i = 0; i < 20; i++)
		ok += ratelimit_take(&rl, later, I, 8);
	CHECK_EQ(ok, 8);
}

/* The counter starting at 0 (a zeroed bucket at time 0) still allows a burst. */
static void test_time_zero(void)
{
	struct rate_limit rl = {0};
	unsigned ok = 0;
	for (unsigned i = 0; i < 20; i++)
		ok += ratelimit_take(&rl, 0, I, 3);
	CHECK_EQ(ok, 3);
}

static void test_once(void)
{
	struct once_table t = {0};
	CHECK(!once_seen(&t, 7));
	CHECK(once_add(&t, 7));
	CHECK(once_seen(&t, 7));
	CHECK(!once_seen(&t, 7ULL | 1ULL << 32)); /* another kind, same key */
	for (uint64_t k = 100; t.n < ONCE_TABLE_SIZE; k++)
		CHECK(once_add(&t, k));
	CHECK(!once_add(&t, 99999)); /* full: bounded */
	CHECK(!once_seen(&t, 99999));
	CHECK_EQ(t.n, ONCE_TABLE_SIZE);
}

int main(void)
{
	RUN(test_burst_then_rate);
	RUN(test_time_zero);
	RUN(test_once);
	return check_summary("test_ratelimit");
}
