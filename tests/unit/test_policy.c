// SPDX-License-Identifier: Apache-2.0
/*
 * The security policy (dt/policy.c): every question against a config whose
 * rules differ in direction, class and permissions (data/plan/policy.dts),
 * and the rule parser's refusals.
 */
#include <string.h>

#include "check.h"
#include "dt/policy.h"

static const char *data_dir;

static void *load_dtb(const char *name)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", data_dir, name);
	return load_file(path, NULL);
}

static void test_matrix(void)
{
	static struct plan p;
	struct dt_error err;
	void *cfg = load_dtb("plan/policy.dtb");
	if (!CHECK_EQ(dt_plan_read(cfg, NULL, &p, &err), 0)) {
		fprintf(stderr, "    refused: %s\n", err.msg);
		return;
	}
	CHECK_EQ(p.ndoms, 4);
	CHECK_EQ(p.nrules, 4);
	const struct dom_cfg *a = &p.dom[0], *b = &p.dom[1], *c = &p.dom[2], *d = &p.dom[3];
	CHECK_STR(d->label, "domain_t"); /* no type: the default one */
	/* What the rules grant: each permission of its class, in its direction. */
	CHECK(dt_policy_allows(&p, a, b, CLASS_DOMAIN, PERM_QUERY));
	CHECK(dt_policy_allows(&p, a, b, CLASS_CHANNEL, PERM_NOTIFY));
	CHECK(dt_policy_allows(&p, b, a, CLASS_DOMAIN, PERM_QUERY));
	CHECK(dt_policy_allows(&p, b, a, CLASS_DOMAIN, PERM_RESTART));
	CHECK(dt_policy_allows(&p, c, c, CLASS_DOMAIN, PERM_RESTART));
	/* And nothing else. */
	CHECK(!dt_policy_allows(&p, a, b, CLASS_DOMAIN, PERM_RESTART)); /* query is not restart */
	CHECK(!dt_policy_allows(&p, b, a, CLASS_CHANNEL, PERM_NOTIFY));	 /* direction */
	CHECK(!dt_policy_allows(&p, a, b, CLASS_CHANNEL, PERM_QUERY));	 /* class */
	CHECK(!dt_policy_allows(&p, a, b, CLASS_DOMAIN, PERM_NOTIFY));
	CHECK(!dt_policy_allows(&p, c, c, CLASS_DOMAIN, PERM_QUERY));
	CHECK(!dt_policy_allows(&p, a, a, CLASS_DOMAIN, PERM_QUERY)); /* no rule for itself */
	const struct dom_cfg *all[4] = {a, b, c, d};
	unsigned granted = 0;
	for (unsigned s = 0; s < 4; s++)
		for (unsigned t = 0; t < 4; t++)
			for (unsigned cls = 0; cls < 2; cls++)
				for (unsigned perm = 1; perm <= PERM_NOTIFY; perm <<= 1)
					granted += dt_policy_allows(&p, all[s], all[t],
								    (enum policy_class)cls, perm);
	CHECK_EQ(granted, 5); /* exactly the five above, of 4 x 4 x 2 x 3 questions */
	free(cfg);
}

/* A plan with domains of types x_t and y_t, no rules yet. */
static void two_types(struct plan *p)
{
	memset(p, 0, sizeof(*p));
	p->ndoms = 2;
	snprintf(p->dom[0].label, sizeof(p->dom[0].label), "x_t");
	snprintf(p->dom[1].label, sizeof(p->dom[1].label), "y_t");
}

static void test_parse(void)
{
	static struct plan p;
	struct dt_error err;
	static const struct {
		const char *rule, *msg;
	} bad[] = {
	    {"x_t y_t domain { query }", "is not \"SRC_TYPE TGT_TYPE : CLASS { PERM ... }\""},
	    {"x_t y_t : domain query", "is not \"SRC_TYPE TGT_TYPE : CLASS { PERM ... }\""},
	    {"x_t y_t : domain { }", "grants no permission"},
	    {"x_t z_t : domain { query }", "type \"z_t\" is no domain's 'type'"},
	    {"X_T y_t : domain { query }", "\"X_T\" is not a type name"},
	    {"x_t y_t : memory { read }", "class \"memory\" is not known (domain, channel, net, console, hypervisor)"},
	    {"x_t y_t : net { restart }", "\"restart\" is not a permission of class net (send)"},
	    {"x_t y_t : domain { send }",
	     "not a permission of class domain (query, restart, stop, start)"},
	    {"x_t y_t : hypervisor { stats }", "class hypervisor's target is \"hypervisor_t\""},
	    {"x_t hypervisor_t : domain { query }", "no other class names it (\"hypervisor_t\")"},
	    {"hypervisor_t x_t : net { send }", "no other class names it (\"hypervisor_t\")"},
	    {"x_t y_t : domain { notify }", "\"notify\" is not a permission of class domain"},
	    {"x_t y_t : channel { restart }", "\"restart\" is not a permission of class channel"},
	};
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		two_types(&p);
		err.msg[0] = 0;
		CHECK_EQ(dt_policy_parse_rule(bad[i].rule, "/bulkhead/policy", 1, &p, &err), -1);
		if (!CHECK(strstr(err.msg, bad[i].msg) != NULL))
			fprintf(stderr, "    rule \"%s\": %s\n", bad[i].rule, err.msg);
		/* The prefix is written apart from the rest (rule_err): whole. */
		if (!CHECK(!strncmp(err.msg, "config /bulkhead/policy: 'allow' rule 1 ", 40) ||
			   !strncmp(err.msg, "config /bulkhead/policy: 'allow' rule 1: ", 41)))
			fprintf(stderr, "    rule \"%s\": %s\n", bad[i].rule, err.msg);
		CHECK_EQ(p.nrules, 0);
	}
	char longrule[200];
	memset(longrule, 'x', sizeof(longrule) - 1);
	longrule[sizeof(longrule) - 1] = 0;
	two_types(&p);
	CHECK_EQ(dt_policy_parse_rule(longrule, "/bulkhead/policy", 1, &p, &err), -1);
	CHECK(!strcmp(err.msg, "config /bulkhead/policy: 'allow' rule 1 is too long"));
	/* Each ':', '{' or '}' is spaced out to three bytes: a rule just short
	 * of too long and all punctuation overran the parser's buffer. */
	memset(longrule, ':', 79);
	longrule[79] = 0;
	two_types(&p);
	CHECK_EQ(dt_policy_parse_rule(longrule, "/bulkhead/policy", 1, &p, &err), -1);
	CHECK_CONTAINS(err.msg, "has too many words");
	/* Tabs and tight punctuation are fine; two permissions in one rule. */
	two_types(&p);
	CHECK_EQ(dt_policy_parse_rule("x_t\ty_t:domain{query restart}", "/bulkhead/policy", 1, &p,
				      &err),
		 0);
	CHECK_EQ(p.nrules, 1);
	CHECK_EQ(p.rule[0].perms, PERM_QUERY | PERM_RESTART);
	CHECK(dt_policy_allows(&p, &p.dom[0], &p.dom[1], CLASS_DOMAIN, PERM_RESTART));
	CHECK(!dt_policy_allows(&p, &p.dom[1], &p.dom[0], CLASS_DOMAIN, PERM_RESTART));
}

/* The classes bhctl and the switch ask about: each permission only in its
 * class and direction; the hypervisor is the target NULL (hypervisor_t). */
static void test_classes(void)
{
	static struct plan p;
	struct dt_error err;
	two_types(&p);
	static const char *const rules[] = {
	    "x_t y_t : net { send }", "x_t y_t : domain { stop start }",
	    "x_t y_t : console { read }", "x_t hypervisor_t : hypervisor { audit }"};
	for (unsigned i = 0; i < 4; i++)
		CHECK_EQ(dt_policy_parse_rule(rules[i], "/bulkhead/policy", i, &p, &err), 0);
	const struct dom_cfg *x = &p.dom[0], *y = &p.dom[1];
	CHECK(dt_policy_allows(&p, x, y, CLASS_NET, PERM_SEND));
	CHECK(!dt_policy_allows(&p, y, x, CLASS_NET, PERM_SEND));
	CHECK(dt_policy_allows(&p, x, y, CLASS_DOMAIN, PERM_STOP));
	CHECK(dt_policy_allows(&p, x, y, CLASS_DOMAIN, PERM_START));
	CHECK(!dt_policy_allows(&p, x, y, CLASS_DOMAIN, PERM_RESTART));
	CHECK(dt_policy_allows(&p, x, y, CLASS_CONSOLE, PERM_READ));
	CHECK(dt_policy_allows(&p, x, NULL, CLASS_HYPERVISOR, PERM_AUDIT));
	CHECK(!dt_policy_allows(&p, x, NULL, CLASS_HYPERVISOR, PERM_STATS));
	CHECK(!dt_policy_allows(&p, y, NULL, CLASS_HYPERVISOR, PERM_AUDIT));
	CHECK(dt_policy_allows_type(&p, "x_t", HYPERVISOR_TYPE, CLASS_HYPERVISOR, PERM_AUDIT));
	unsigned granted = 0;
	const struct dom_cfg *all[3] = {x, y, NULL};
	for (unsigned s = 0; s < 2; s++)
		for (unsigned t = 0; t < 3; t++)
			for (unsigned cls = 0; cls < CLASS_COUNT; cls++)
				for (unsigned b = 0; b < PERM_COUNT; b++)
					granted += dt_policy_allows(&p, all[s], all[t],
								    (enum policy_class)cls, 1u << b);
	CHECK_EQ(granted, 5);
	CHECK_STR(dt_policy_perm_name(PERM_AUDIT), "audit");
	CHECK_STR(dt_policy_class_name(CLASS_NET), "net");
	CHECK_EQ(dt_policy_perm("send"), PERM_SEND);
	CHECK_EQ(dt_policy_perm("frob"), 0);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s <unit test data directory>\n", argv[0]);
		return 2;
	}
	data_dir = argv[1];
	RUN(test_matrix);
	RUN(test_parse);
	RUN(test_classes);
	return check_summary("test_policy");
}
