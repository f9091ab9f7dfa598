/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Bulkhead hypercalls (ABI: common/hypercall.h, docs/hypercalls.md). Every
 * argument is validated; a call that touches another domain (channel notify,
 * domain query and restart) goes through the policy (dt/policy.c), and a
 * denial into the audit ring (common/audit.c).
 */
#include "common/audit.h"
#include "common/channel.h"
#include "common/console.h"
#include "common/percpu.h"
#include "common/domain.h"
#include "common/hypercall.h"
#include "common/lib.h"
#include "dt/policy.h"

static uint64_t console_write(struct vcpu *v, uint64_t ipa, uint64_t len)
{
	char buf[BH_HC_CONSOLE_MAX];
	if (len > BH_HC_CONSOLE_MAX || !domain_copy_from_guest(v->dom, buf, ipa, len))
		return (uint64_t)BH_E_INVALID;
	console_domain_write(v->dom, buf, (size_t)len);
	return len;
}

/* The domain with config id `id`, or NULL. */
static struct domain *domain_by_id(uint64_t id)
{
	for (unsigned i = 0; i < ndomains; i++)
		if (domains[i].id == id)
			return &domains[i];
	return NULL;
}

/* BH_HC_DOMAIN_QUERY / BH_HC_DOMAIN_RESTART, as the policy allows. An id
 * that names no domain is DENIED like one the policy hides: a different
 * answer would let any domain list the others' ids. */
__attribute__((cold)) static void domain_op(struct vcpu *v, uint64_t *x, bool restart)
{
	struct domain *t = domain_by_id(x[1]);
	if (!t || (t != v->dom && !policy_check(v->dom, t, CLASS_DOMAIN,
						restart ? PERM_RESTART : PERM_QUERY))) {
		x[0] = (uint64_t)BH_E_DENIED;
		return;
	}
	/* Its own state: always; its own restart: PSCI SYSTEM_RESET's job. */
	if (t == v->dom && restart) {
		x[0] = (uint64_t)BH_E_INVALID;
		return;
	}
	if (restart) {
		if (report_allowed(v->dom)) /* the caller may do it in a loop */
			bh_log("domain %s restarts domain %s (policy: %s %s : domain { restart })",
			       v->dom->name, t->name, v->dom->cfg->label, t->cfg->label);
		domain_reboot(t);
		x[0] = BH_OK;
		return;
	}
	static const uint64_t state[] = {[DOM_RUNNING] = BH_DOM_RUNNING,
					 [DOM_STOPPED] = BH_DOM_STOPPED,
					 [DOM_OFF] = BH_DOM_OFF,
					 [DOM_RESTARTING] = BH_DOM_RESTARTING};
	x[0] = BH_OK;
	x[1] = state[__atomic_load_n(&t->state, __ATOMIC_ACQUIRE)];
	x[2] = t->restarts;
}

/* ---- one function per call, dispatched by table (x: x0-x7 in, x0-x3 out) ---- */

static void hc_version(struct vcpu *v, uint64_t *x, bool smc32)
{
	(void)v, (void)smc32;
	x[0] = (BH_VERSION_MAJOR << 16) | BH_VERSION_MINOR;
}

static void hc_self(struct vcpu *v, uint64_t *x, bool smc32)
{
	x[0] = BH_OK;
	x[1] = v->dom->id;
	x[2] = v->index;
	x[3] = v->dom->nvcpus;
	/* SMC32 results are r0-r3 only: r4 stays the caller's (an AArch32
	 * compiler keeps values there across the call). */
	if (!smc32)
		x[4] = v->pcpu;
}

__attribute__((cold)) static void hc_console_write(struct vcpu *v, uint64_t *x, bool smc32)
{
	(void)smc32;
	x[0] = console_write(v, x[1], x[2]);
}

static void hc_channel_notify(struct vcpu *v, uint64_t *x, bool smc32)
{
	(void)smc32;
	x[0] = (uint64_t)channel_notify(v->dom, x[1]);
}

static void hc_domain_query(struct vcpu *v, uint64_t *x, bool smc32)
{
	(void)smc32;
	domain_op(v, x, false);
}

static void hc_domain_restart(struct vcpu *v, uint64_t *x, bool smc32)
{
	(void)smc32;
	domain_op(v, x, true);
}

/* Indexed by the function number (fid - BH_HC_VERSION, the SMC64 form). */
static void (*const hc_calls[])(struct vcpu *v, uint64_t *x, bool smc32) = {
    [BH_HC_VERSION - BH_HC_VERSION] = hc_version,
    [BH_HC_SELF - BH_HC_VERSION] = hc_self,
    [BH_HC_CONSOLE_WRITE - BH_HC_VERSION] = hc_console_write,
    [BH_HC_CHANNEL_NOTIFY - BH_HC_VERSION] = hc_channel_notify,
    [BH_HC_DOMAIN_QUERY - BH_HC_VERSION] = hc_domain_query,
    [BH_HC_DOMAIN_RESTART - BH_HC_VERSION] = hc_domain_restart,
};
_Static_assert(sizeof(hc_calls) / sizeof(hc_calls[0]) == BH_HC_LAST - BH_HC_VERSION + 1,
	       "a hypercall without its function");

bool hypercall_handle(struct vcpu *v, uint64_t *x)
{
	uint32_t fid = (uint32_t)x[0];
	bool smc32 = !(fid & 0x40000000u);
	/* Each call exists as SMC64 and as SMC32 (BH_HC_32): the same number. */
	uint32_t n = (fid | 0x40000000u) - BH_HC_VERSION;

	if (n <= BH_HC_LAST - BH_HC_VERSION) {
		/* SMC32: the same calls with 32-bit arguments (results fit 32 bits).
		 * Arguments and results are x1-x3; x4 and up are the caller's, to be
		 * preserved whole (an AArch64 caller keeps 64-bit values there). */
		if (smc32)
			for (unsigned i = 1; i < 4; i++)
				x[i] &= 0xffffffffULL;
		hc_calls[n](v, x, smc32);
		return true;
	}
	switch (fid) { /* the SMCCC queries exist only as SMC32 */
	case BH_HC_CALL_COUNT:
		x[0] = 6;
		return true;
	case BH_HC_CALL_UID:
		x[0] = BH_HC_UID0;
		x[1] = BH_HC_UID1;
		x[2] = BH_HC_UID2;
		x[3] = BH_HC_UID3;
		return true;
	case BH_HC_REVISION:
		x[0] = BH_VERSION_MAJOR;
		x[1] = BH_VERSION_MINOR;
		return true;
	default:
		return false;
	}
}
