// SPDX-License-Identifier: Apache-2.0
/*
 * Bulkhead's hypercall decoding (common/hypercall.c) on the fake
 * architecture (tests/fake/): every call number in both conventions, the
 * documented results and error codes (docs/hypercalls.md) for bad
 * arguments and for other domains' ids against the policy, and the caller's
 * registers that a call must leave alone (SMC32: everything past r3).
 */
#include "check.h"
#include "common/hypercall.h"
#include "dt/policy.h"
#include "tests/fake/fake_env.h"
#include "tests/fake/harness.h"

/* Registers x4-x7 as a caller leaves them: 64-bit values a call must keep. */
static const uint64_t keep[4] = {0x1111222233334444ull, 0x5555666677778888ull,
				 0x99990000aaaabbbbull, 0xccccddddeeeeffffull};

/* The call fid with x1-x3 as given and x4-x7 = keep; returns hypercall_handle(). */
static bool call(struct vcpu *v, uint64_t x[8], uint32_t fid, uint64_t a1, uint64_t a2, uint64_t a3)
{
	x[0] = fid;
	x[1] = a1;
	x[2] = a2;
	x[3] = a3;
	memcpy(x + 4, keep, sizeof(keep));
	fake_enter(v);
	return hypercall_handle(v, x);
}

/* x4-x7 untouched (from `from` on). */
static void check_kept(const uint64_t x[8], unsigned from)
{
	for (unsigned i = from; i < 8; i++)
		if (!CHECK_EQ(x[i], keep[i - 4]))
			fprintf(stderr, "    x%u changed by call 0x%llx\n", i,
				(unsigned long long)x[0]);
}

static void allow(const char *rule)
{
	struct dt_error err;
	if (!CHECK_EQ(dt_policy_parse_rule(rule, "/bulkhead/policy", 0, &plan, &err), 0))
		fprintf(stderr, "    %s\n", err.msg);
}

static void test_queries(void)
{
	fake_setup(3);
	struct vcpu *v = h_vcpu(&domains[1], 1);
	uint64_t x[8];
	CHECK(call(v, x, BH_HC_CALL_COUNT, 7, 8, 9));
	CHECK_EQ(x[0],
		 6); /* VERSION, SELF, CONSOLE_WRITE, CHANNEL_NOTIFY, DOMAIN_QUERY, _RESTART */
	CHECK_EQ(x[1], 7);
	check_kept(x, 4);
	CHECK(call(v, x, BH_HC_CALL_UID, 0, 0, 0));
	char uid[17] = {0}; /* the four words, little endian, spell the name */
	for (unsigned i = 0; i < 16; i++)
		uid[i] = (char)(x[i / 4] >> (8 * (i % 4)));
	CHECK_STR(uid, "Bulkhead-HYP-UID");
	check_kept(x, 4);
	CHECK(call(v, x, BH_HC_REVISION, 0, 0, 0));
	CHECK_EQ(x[0], 0);
	CHECK_EQ(x[1], 1);
	CHECK(call(v, x, 0xC6000000u, 0, 0, 0)); /* VERSION */
	CHECK_EQ(x[0], 0x00000001u);
	CHECK(call(v, x, 0x86000000u, 0, 0, 0));
	CHECK_EQ(x[0], 0x00000001u);
	check_kept(x, 4);
}

static void test_self(void)
{
	fake_setup(3);
	struct vcpu *v = h_vcpu(&domains[1], 1);
	uint64_t x[8];
	CHECK(call(v, x, 0xC6000001u, ~0ull, ~0ull, ~0ull));
	CHECK_EQ(x[0], 0);
	CHECK_EQ(x[1], 1); /* domain 1 */
	CHECK_EQ(x[2], 1); /* its vCPU 1 */
	CHECK_EQ(x[3], 2);
	CHECK_EQ(x[4], 3); /* on physical CPU 3 */
	check_kept(x, 5);
	/* SMC32: results in r0-r3 only; r4 is the caller's (an AArch32 compiler
	 * keeps values there across the call). */
	CHECK(call(v, x, 0x86000001u, ~0ull, ~0ull, ~0ull));
	CHECK_EQ(x[1], 1);
	CHECK_EQ(x[3], 2);
	check_kept(x, 4);
}

static void test_console_write(void)
{
	fake_setup(3);
	struct domain *d = &domains[0];
	struct vcpu *v = h_vcpu(d, 0);
	uint64_t x[8];
	uint8_t *ram = h_ram(d);
	memcpy(ram + 0x100, "hello\n", 6);
	memcpy(ram + FAKE_RAM_SIZE - 3, "end", 3);
	CHECK(call(v, x, 0xC6000002u, FAKE_RAM_IPA + 0x100, 6, 0));
	CHECK_EQ(x[0], 6);
	CHECK_EQ(fake_con_len[0], 6);
	CHECK(!memcmp(fake_con[0], "hello\n", 6));
	CHECK_EQ(fake_con_len[1], 0);
	check_kept(x, 4);
	/* The last bytes of its RAM, and nothing. */
	CHECK(call(v, x, 0xC6000002u, FAKE_RAM_IPA + FAKE_RAM_SIZE - 3, 3, 0));
	CHECK_EQ(x[0], 3);
	CHECK(call(v, x, 0xC6000002u, FAKE_RAM_IPA, 0, 0));
	CHECK_EQ(x[0], 0);
	CHECK_EQ(fake_con_len[0], 9);
	CHECK(!memcmp(fake_con[0] + 6, "end", 3));
	/* -2 (INVALID) for any byte outside its RAM or over the limit; nothing written. */
	static const struct {
		uint64_t ipa, len;
	} bad[] = {
	    {FAKE_RAM_IPA + FAKE_RAM_SIZE - 3, 4},    /* one byte past the end */
	    {FAKE_RAM_IPA - 1, 2},		      /* one before the start */
	    {FAKE_RAM_IPA + FAKE_RAM_SIZE, 1},	      /* just past */
	    {FAKE_RAM_IPA, BH_HC_CONSOLE_MAX + 1},    /* longer than a call takes */
	    {FAKE_RAM_IPA + 0x100, ~0ull},	      /* wraps */
	    {~0ull - 2, 8},			      /* wraps the address space */
	    {FAKE_RAM_IPA + 0x100 + (1ull << 32), 6}, /* SMC64: the high bits count */
	    {0, 6},				      /* not RAM at all */
	};
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK(call(v, x, 0xC6000002u, bad[i].ipa, bad[i].len, 0));
		if (!CHECK_EQ(x[0], (uint64_t)BH_E_INVALID))
			fprintf(stderr, "    case %u\n", i);
		check_kept(x, 4);
	}
	CHECK_EQ(fake_con_len[0], 9);
	/* SMC32: 32-bit arguments, the upper halves ignored. */
	CHECK(call(v, x, 0x86000002u, (0xdeadull << 32) | (FAKE_RAM_IPA + 0x100),
		   (0xbeefull << 32) | 5, 0));
	CHECK_EQ(x[0], 5);
	CHECK_EQ(fake_con_len[0], 14);
	CHECK(!memcmp(fake_con[0] + 9, "hello", 5));
	check_kept(x, 4);
	/* Another domain's call writes to its own console only. */
	CHECK(call(h_vcpu(&domains[1], 0), x, 0xC6000002u, FAKE_RAM_IPA + 0x100, 6, 0));
	CHECK_EQ(x[0], 6);
	CHECK_EQ(fake_con_len[1], 6);
	CHECK_EQ(fake_con_len[0], 14);
}

static void test_channel_notify(void)
{
	fake_setup(3);
	struct vcpu *v = h_vcpu(&domains[1], 0);
	uint64_t x[8];
	fake_notify_ret = BH_E_BUSY;
	CHECK(call(v, x, 0xC6000003u, 0x100000007ull, 0, 0));
	CHECK_EQ(x[0], (uint64_t)BH_E_BUSY); /* channel_notify's answer, as is */
	CHECK_EQ(fake_nnotify, 1);
	CHECK(fake_notify_dom == &domains[1]);
	CHECK_EQ(fake_notify_id, 0x100000007ull);
	check_kept(x, 4);
	fake_notify_ret = 0;
	CHECK(call(v, x, 0x86000003u, 0x100000007ull, 0, 0));
	CHECK_EQ(x[0], 0);
	CHECK_EQ(fake_notify_id, 7); /* SMC32: 32 bits */
	check_kept(x, 4);
}

/* Domain ids against the policy: -3 for what no rule allows and for an id
 * that names no domain (the same answer: ids cannot be probed). */
static void test_domain_query(void)
{
	fake_setup(3);
	struct domain *d0 = &domains[0], *d1 = &domains[1];
	uint64_t x[8];
	h_set_state(d1, DOM_STOPPED);
	/* Itself: always. */
	CHECK(call(h_vcpu(d1, 0), x, 0xC6000004u, 1, 0, 0));
	CHECK_EQ(x[0], 0);
	CHECK_EQ(x[1], BH_DOM_STOPPED);
	CHECK_EQ(x[2], 0);
	check_kept(x, 4);
	/* The other one, with no rule; no such id; an id whose low 32 bits
	 * name domain 1 (SMC64: all 64 count). */
	static const uint64_t ids[] = {1, 2, 99, ~0ull, (1ull << 32) | 1};
	for (unsigned i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		CHECK(call(h_vcpu(d0, 0), x, 0xC6000004u, ids[i], 0, 0));
		if (!CHECK_EQ(x[0], (uint64_t)BH_E_DENIED))
			fprintf(stderr, "    id 0x%llx\n", (unsigned long long)ids[i]);
		CHECK_EQ(x[1], ids[i]); /* nothing told */
		check_kept(x, 4);
	}
	allow("d0_t d1_t : domain { query }");
	CHECK(call(h_vcpu(d0, 1), x, 0xC6000004u, 1, 0, 0));
	CHECK_EQ(x[0], 0);
	CHECK_EQ(x[1], BH_DOM_STOPPED);
	h_set_state(d1, DOM_RESTARTING);
	CHECK(call(h_vcpu(d0, 1), x, 0x86000004u, (5ull << 32) | 1, 0, 0)); /* SMC32: id 1 */
	CHECK_EQ(x[0], 0);
	CHECK_EQ(x[1], BH_DOM_RESTARTING);
	check_kept(x, 4);
	/* One direction only. */
	CHECK(call(h_vcpu(d1, 0), x, 0xC6000004u, 0, 0, 0));
	CHECK_EQ(x[0], (uint64_t)BH_E_DENIED);
	/* Still no such domain. */
	CHECK(call(h_vcpu(d0, 0), x, 0xC6000004u, 2, 0, 0));
	CHECK_EQ(x[0], (uint64_t)BH_E_DENIED);
}

static void test_domain_restart(void)
{
	fake_setup(3);
	struct domain *d0 = &domains[0], *d1 = &domains[1];
	uint64_t x[8];
	/* Itself: -2 (PSCI SYSTEM_RESET's job). */
	CHECK(call(h_vcpu(d0, 0), x, 0xC6000005u, 0, 0, 0));
	CHECK_EQ(x[0], (uint64_t)BH_E_INVALID);
	CHECK_EQ(h_restarts(d0), 0);
	/* Query does not grant restart. */
	allow("d0_t d1_t : domain { query }");
	CHECK(call(h_vcpu(d0, 0), x, 0xC6000005u, 1, 0, 0));
	CHECK_EQ(x[0], (uint64_t)BH_E_DENIED);
	CHECK(call(h_vcpu(d0, 0), x, 0xC6000005u, 7, 0, 0));
	CHECK_EQ(x[0], (uint64_t)BH_E_DENIED);
	CHECK_EQ(h_restarts(d1), 0);
	/* The denial is audited (common/audit.c): printed when new and when its
	 * count doubles; an id that names no domain is no policy question. */
	CHECK_EQ(fake_nlog, 1);
	CHECK_CONTAINS(fake_log, "audit: denied { restart } d0_t -> d1_t : domain (1 time)");
	for (unsigned i = 0; i < 3; i++)
		CHECK(call(h_vcpu(d0, 0), x, 0xC6000005u, 1, 0, 0));
	CHECK_EQ(fake_nlog, 3); /* counts 2 and 4 */
	CHECK_CONTAINS(fake_log, "d0_t -> d1_t : domain (4 times)");
	allow("d0_t d1_t : domain { restart }");
	CHECK(call(h_vcpu(d0, 0), x, 0x86000005u, (1ull << 32) | 1, 0, 0));
	CHECK_EQ(x[0], 0);
	CHECK_EQ(h_restarts(d1), 1);
	CHECK_EQ(h_restarts(d0), 0);
	CHECK_CONTAINS(fake_log,
		       "domain d0 restarts domain d1 (policy: d0_t d1_t : domain { restart })");
	check_kept(x, 4);
	/* And not the other way round. */
	CHECK(call(h_vcpu(d1, 0), x, 0xC6000005u, 0, 0, 0));
	CHECK_EQ(x[0], (uint64_t)BH_E_DENIED);
	CHECK_EQ(h_restarts(d0), 0);
}

/* Anything else is not Bulkhead's: left to the caller (PSCI, SMCCC, the
 * trap's unknown-call path), every register as it was. */
static void test_unknown(void)
{
	fake_setup(3);
	struct vcpu *v = h_vcpu(&domains[0], 0);
	static const uint32_t fids[] = {
	    0xC6000006u, 0x86000006u, /* one past the last call */
	    0xC600FF00u,	      /* the SMCCC queries are SMC32 only */
	    0x8600FF02u, 0x8600FF04u, 0x8600FFFFu,
	    0xC6001000u, 0x86000100u, 0x84000000u, /* PSCI_VERSION */
	    0x80000000u,			   /* SMCCC_VERSION */
	    0xC7000000u, 0x87000000u, 0x06000000u, /* next entity; a yielding call */
	};
	for (unsigned i = 0; i < sizeof(fids) / sizeof(fids[0]); i++) {
		uint64_t x[8];
		bool known = call(v, x, fids[i], 1, 2, 3);
		if (!CHECK(!known))
			fprintf(stderr, "    fid 0x%x\n", fids[i]);
		CHECK_EQ(x[0], fids[i]);
		CHECK_EQ(x[1], 1);
		CHECK_EQ(x[2], 2);
		CHECK_EQ(x[3], 3);
		check_kept(x, 4);
	}
	CHECK_EQ(fake_nlog, 0); /* a probing guest costs no console line */
}

int main(void)
{
	RUN(test_queries);
	RUN(test_self);
	RUN(test_console_write);
	RUN(test_channel_notify);
	RUN(test_domain_query);
	RUN(test_domain_restart);
	RUN(test_unknown);
	return check_summary("test_hypercall");
}
