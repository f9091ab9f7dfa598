// SPDX-License-Identifier: Apache-2.0
/*
 * The audit ring (common/audit_ring.c): repeats coalesce into one entry
 * with a count, distinct denials each get one, and a full ring replaces
 * its least recently seen entry (counted), never growing.
 */
#include <string.h>

#include "check.h"
#include "common/audit.h"

static void test_coalesce(void)
{
	static struct audit_ring r;
	memset(&r, 0, sizeof(r));
	CHECK_EQ(audit_record(&r, 0, 1, CLASS_DOMAIN, PERM_RESTART), 1);
	CHECK_EQ(audit_record(&r, 0, 1, CLASS_DOMAIN, PERM_RESTART), 2);
	CHECK_EQ(audit_record(&r, 0, 1, CLASS_DOMAIN, PERM_QUERY), 1);	 /* another permission */
	CHECK_EQ(audit_record(&r, 1, 0, CLASS_DOMAIN, PERM_RESTART), 1); /* another direction */
	CHECK_EQ(audit_record(&r, 0, 1, CLASS_NET, PERM_SEND), 1);
	CHECK_EQ(audit_record(&r, 0, AUDIT_TYPE_HYP, CLASS_HYPERVISOR, PERM_AUDIT), 1);
	for (unsigned i = 0; i < 1000; i++)
		audit_record(&r, 0, 1, CLASS_NET, PERM_SEND);
	CHECK_EQ(r.n, 5);
	CHECK_EQ(r.seq, 1006);
	CHECK_EQ(r.evicted, 0);
	CHECK_EQ(r.e[0].count, 2);
	CHECK_EQ(r.e[3].count, 1001);
	CHECK_EQ(r.e[4].tgt, AUDIT_TYPE_HYP);
	/* A count saturates instead of wrapping to "new". */
	r.e[0].count = UINT32_MAX - 1;
	CHECK_EQ(audit_record(&r, 0, 1, CLASS_DOMAIN, PERM_RESTART), UINT32_MAX);
	CHECK_EQ(audit_record(&r, 0, 1, CLASS_DOMAIN, PERM_RESTART), UINT32_MAX);
}

static void test_full(void)
{
	static struct audit_ring r;
	memset(&r, 0, sizeof(r));
	for (unsigned i = 0; i < AUDIT_RING_SIZE; i++)
		audit_record(&r, i, 0, CLASS_DOMAIN, PERM_QUERY);
	CHECK_EQ(r.n, AUDIT_RING_SIZE);
	audit_record(&r, 0, 0, CLASS_DOMAIN, PERM_QUERY); /* seen again: now the newest */
	/* A new denial replaces the least recently seen entry: source 1's. */
	CHECK_EQ(audit_record(&r, 200, 7, CLASS_CHANNEL, PERM_NOTIFY), 1);
	CHECK_EQ(r.n, AUDIT_RING_SIZE);
	CHECK_EQ(r.evicted, 1);
	CHECK_EQ(r.e[1].src, 200);
	CHECK_EQ(r.e[0].count, 2); /* kept */
	/* A flood of distinct denials never grows it, and keeps the newest. */
	for (unsigned i = 0; i < 10000; i++)
		audit_record(&r, i % 250, i % 7, CLASS_NET, PERM_SEND);
	CHECK_EQ(r.n, AUDIT_RING_SIZE);
	CHECK_EQ(r.seq, AUDIT_RING_SIZE + 2 + 10000);
	bool newest = false;
	for (unsigned i = 0; i < AUDIT_RING_SIZE; i++)
		newest |= r.e[i].src == 9999 % 250 && r.e[i].tgt == 9999 % 7;
	CHECK(newest);
}

int main(void)
{
	RUN(test_coalesce);
	RUN(test_full);
	return check_summary("test_audit");
}
