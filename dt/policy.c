/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The security policy: "SRC TGT : CLASS { PERM ... }" rules between domain
 * types, read from the config's /bulkhead/policy, and the one question every
 * hypercall that touches another domain asks (dt_policy_allows). Nothing is
 * allowed that no rule allows. Host-built too: tests/unit/test_policy.c.
 */
#include "common/lib.h"
#include "dt/err.h"
#include "dt/policy.h"

bool dt_valid_name(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-' ||
		      *s == '_'))
			return false;
	return true;
}

static bool type_exists(const struct plan *p, const char *t)
{
	for (unsigned i = 0; i < p->ndoms; i++)
		if (!strcmp(p->dom[i].label, t))
			return true;
	return false;
}

/* One rule, "SRC TGT : CLASS { PERM ... }". */
int dt_policy_parse_rule(const char *text, const char *path, unsigned idx, struct plan *p,
			 struct dt_error *err)
{
	char buf[160], *tok[16];
	unsigned n = 0, o = 0;
	if (strlen(text) >= sizeof(buf) / 2)
		ERR("config %s: 'allow' rule %u is too long", path, idx);
	for (const char *s = text; *s; s++) { /* space out the punctuation */
		if (*s == ':' || *s == '{' || *s == '}') {
			buf[o++] = ' ';
			buf[o++] = *s;
			buf[o++] = ' ';
		} else {
			buf[o++] = *s == '\t' ? ' ' : *s;
		}
	}
	buf[o] = 0;
	for (char *s = buf; *s;) {
		while (*s == ' ')
			*s++ = 0;
		if (!*s)
			break;
		if (n == ARRAY_SIZE(tok))
			ERR("config %s: 'allow' rule %u (\"%s\") has too many words", path, idx, text);
		tok[n++] = s;
		while (*s && *s != ' ')
			s++;
	}
	if (n < 6 || strcmp(tok[2], ":") || strcmp(tok[4], "{") || strcmp(tok[n - 1], "}"))
		ERR("config %s: 'allow' rule %u (\"%s\") is not \"SRC_TYPE TGT_TYPE : CLASS { "
		    "PERM ... }\"",
		    path, idx, text);
	if (p->nrules == BH_MAX_RULES)
		ERR("config %s: more than %d rules", path, BH_MAX_RULES);
	struct rule *r = &p->rule[p->nrules];
	memset(r, 0, sizeof(*r));
	for (int k = 0; k < 2; k++) {
		if (!dt_valid_name(tok[k]) || strlen(tok[k]) >= sizeof(r->src))
			ERR("config %s: 'allow' rule %u: \"%s\" is not a type name", path, idx,
			    tok[k]);
		if (!type_exists(p, tok[k]))
			ERR("config %s: 'allow' rule %u: type \"%s\" is no domain's 'type'", path,
			    idx, tok[k]);
	}
	snprintf(r->src, sizeof(r->src), "%s", tok[0]);
	snprintf(r->tgt, sizeof(r->tgt), "%s", tok[1]);
	if (!strcmp(tok[3], "domain"))
		r->cls = CLASS_DOMAIN;
	else if (!strcmp(tok[3], "channel"))
		r->cls = CLASS_CHANNEL;
	else
		ERR("config %s: 'allow' rule %u: class \"%s\" is not known (domain, channel)",
		    path, idx, tok[3]);
	for (unsigned k = 5; k < n - 1; k++) {
		unsigned perm = 0;
		if (r->cls == CLASS_DOMAIN && !strcmp(tok[k], "query"))
			perm = PERM_QUERY;
		else if (r->cls == CLASS_DOMAIN && !strcmp(tok[k], "restart"))
			perm = PERM_RESTART;
		else if (r->cls == CLASS_CHANNEL && !strcmp(tok[k], "notify"))
			perm = PERM_NOTIFY;
		else
			ERR("config %s: 'allow' rule %u: \"%s\" is not a permission of class %s "
			    "(%s)",
			    path, idx, tok[k], tok[3],
			    r->cls == CLASS_DOMAIN ? "query, restart" : "notify");
		r->perms |= perm;
	}
	if (!r->perms)
		ERR("config %s: 'allow' rule %u (\"%s\") grants no permission", path, idx, text);
	p->nrules++;
	return 0;
}

bool dt_policy_allows(const struct plan *p, const struct dom_cfg *src, const struct dom_cfg *tgt,
		      enum policy_class cls, unsigned perm)
{
	for (unsigned i = 0; i < p->nrules; i++) {
		const struct rule *r = &p->rule[i];
		if (r->cls == cls && (r->perms & perm) && !strcmp(r->src, src->label) &&
		    !strcmp(r->tgt, tgt->label))
			return true;
	}
	return false;
}
