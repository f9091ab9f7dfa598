/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The security policy: "SRC TGT : CLASS { PERM ... }" rules between domain
 * types, read from the config's /bulkhead/policy, and the one question every
 * hypercall that touches another domain asks (dt_policy_allows). Nothing is
 * allowed that no rule allows. Classes and permissions: dt/plan.h. Host-built
 * too: tests/unit/test_policy.c, tools/bhpolicy.c.
 */
#include "common/lib.h"
#include "dt/err.h"
#include "dt/policy.h"

static const char *const class_name[CLASS_COUNT] = {"domain", "channel", "net", "console",
						    "hypervisor"};
static const unsigned class_perms[CLASS_COUNT] = {
    [CLASS_DOMAIN] = PERM_QUERY | PERM_STOP | PERM_START | PERM_RESTART,
    [CLASS_CHANNEL] = PERM_NOTIFY,
    [CLASS_NET] = PERM_SEND,
    [CLASS_CONSOLE] = PERM_READ,
    [CLASS_HYPERVISOR] = PERM_STATS | PERM_AUDIT,
};
/* Indexed by the permission's bit number (PERM_*). */
static const char *const perm_name[PERM_COUNT] = {"query", "restart", "notify", "stop", "start",
						  "send",  "read",    "stats",	"audit"};

const char *dt_policy_class_name(enum policy_class cls)
{
	return (unsigned)cls < CLASS_COUNT ? class_name[cls] : "?";
}

const char *dt_policy_perm_name(unsigned perm)
{
	for (unsigned b = 0; b < PERM_COUNT; b++)
		if (perm == 1u << b)
			return perm_name[b];
	return "?";
}

unsigned dt_policy_perm(const char *name)
{
	for (unsigned b = 0; b < PERM_COUNT; b++)
		if (!strcmp(name, perm_name[b]))
			return 1u << b;
	return 0;
}

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

/* Every message about a rule starts "config PATH: 'allow' rule N": the
 * prefix once in the image, the rest of the message after it. */
__attribute__((format(printf, 4, 5))) static int rule_err(struct dt_error *err, const char *path,
							  unsigned idx, const char *fmt, ...)
{
	int n = snprintf(err->msg, sizeof(err->msg), "config %s: 'allow' rule %u", path, idx);
	n = MIN(n, (int)sizeof(err->msg) - 1);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err->msg + n, sizeof(err->msg) - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}
#define RERR(...) return rule_err(err, path, idx, __VA_ARGS__)

/* One rule, "SRC TGT : CLASS { PERM ... }". */
int dt_policy_parse_rule(const char *text, const char *path, unsigned idx, struct plan *p,
			 struct dt_error *err)
{
	/* The punctuation spaced out takes three bytes a character: room for
	 * the longest rule all punctuation (it overran a buffer of twice). */
	enum { RULE_MAX = 80 };
	char buf[3 * RULE_MAX], *tok[16];
	unsigned n = 0, o = 0;
	if (strlen(text) >= RULE_MAX)
		RERR(" is too long");
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
			RERR(" (\"%s\") has too many words", text);
		tok[n++] = s;
		while (*s && *s != ' ')
			s++;
	}
	if (n < 6 || strcmp(tok[2], ":") || strcmp(tok[4], "{") || strcmp(tok[n - 1], "}"))
		RERR(" (\"%s\") is not \"SRC_TYPE TGT_TYPE : CLASS { "
		     "PERM ... }\"",
		     text);
	if (p->nrules == BH_MAX_RULES)
		ERR("config %s: more than %d rules", path, BH_MAX_RULES);
	struct rule *r = &p->rule[p->nrules];
	memset(r, 0, sizeof(*r));
	int cls = -1;
	for (unsigned c = 0; c < CLASS_COUNT; c++)
		if (!strcmp(tok[3], class_name[c]))
			cls = (int)c;
	if (cls < 0)
		RERR(": class \"%s\" is not known (domain, channel, "
		     "net, console, hypervisor)",
		     tok[3]);
	r->cls = (enum policy_class)cls;
	for (int k = 0; k < 2; k++) {
		if (!dt_valid_name(tok[k]) || strlen(tok[k]) >= sizeof(r->src))
			RERR(": \"%s\" is not a type name", tok[k]);
		/* hypervisor_t is the target of class hypervisor, and only that. */
		bool hyp = k == 1 && r->cls == CLASS_HYPERVISOR;
		if (hyp != !strcmp(tok[k], HYPERVISOR_TYPE))
			RERR(": class hypervisor's target is \"%s\", "
			     "and no other class names it (\"%s\")",
			     HYPERVISOR_TYPE, tok[k]);
		if (!hyp && !type_exists(p, tok[k]))
			RERR(": type \"%s\" is no domain's 'type'", tok[k]);
	}
	snprintf(r->src, sizeof(r->src), "%s", tok[0]);
	snprintf(r->tgt, sizeof(r->tgt), "%s", tok[1]);
	for (unsigned k = 5; k < n - 1; k++) {
		unsigned perm = dt_policy_perm(tok[k]);
		if (!(perm & class_perms[r->cls])) {
			char list[64] = "";
			for (unsigned b = 0; b < PERM_COUNT; b++)
				if (class_perms[r->cls] & (1u << b))
					snprintf(list + strlen(list), sizeof(list) - strlen(list),
						 "%s%s", list[0] ? ", " : "", perm_name[b]);
			RERR(": \"%s\" is not a permission of class %s "
			     "(%s)",
			     tok[k], tok[3], list);
		}
		r->perms |= perm;
	}
	if (!r->perms)
		RERR(" (\"%s\") grants no permission", text);
	p->nrules++;
	return 0;
}

bool dt_policy_allows_type(const struct plan *p, const char *src, const char *tgt,
			   enum policy_class cls, unsigned perm)
{
	for (unsigned i = 0; i < p->nrules; i++) {
		const struct rule *r = &p->rule[i];
		if (r->cls == cls && (r->perms & perm) && !strcmp(r->src, src) &&
		    !strcmp(r->tgt, tgt))
			return true;
	}
	return false;
}

bool dt_policy_allows(const struct plan *p, const struct dom_cfg *src, const struct dom_cfg *tgt,
		      enum policy_class cls, unsigned perm)
{
	return dt_policy_allows_type(p, src->label, tgt ? tgt->label : HYPERVISOR_TYPE, cls, perm);
}

/* Either way between domains a and b of the plan? */
static bool either_way(const struct plan *p, unsigned a, unsigned b, enum policy_class cls,
		       unsigned perm)
{
	return dt_policy_allows(p, &p->dom[a], &p->dom[b], cls, perm) ||
	       dt_policy_allows(p, &p->dom[b], &p->dom[a], cls, perm);
}

unsigned dt_policy_lint(const struct plan *p, void (*warn)(const char *msg, void *arg), void *arg)
{
	char msg[200];
	unsigned n = 0;
	for (unsigned k = 0; k < p->nnets; k++) {
		const struct net_cfg *c = &p->net[k];
		for (unsigned i = 0; i < c->nports; i++)
			for (unsigned j = i + 1; j < c->nports; j++) {
				const struct dom_cfg *a = &p->dom[c->port[i].dom],
						     *b = &p->dom[c->port[j].dom];
				if (either_way(p, c->port[i].dom, c->port[j].dom, CLASS_NET,
					       PERM_SEND))
					continue;
				snprintf(msg, sizeof(msg),
					 "network@%x: no 'net { send }' rule between %s (%s) and "
					 "%s (%s): they exchange no frame",
					 c->id, a->name, a->label, b->name, b->label);
				warn(msg, arg);
				n++;
			}
	}
	for (unsigned k = 0; k < p->nchans; k++) {
		const struct chan_cfg *c = &p->chan[k];
		if (either_way(p, c->end[0], c->end[1], CLASS_CHANNEL, PERM_NOTIFY))
			continue;
		snprintf(msg, sizeof(msg),
			 "channel@%x: no 'channel { notify }' rule between %s (%s) and %s (%s): "
			 "neither end can ring the other",
			 c->id, p->dom[c->end[0]].name, p->dom[c->end[0]].label,
			 p->dom[c->end[1]].name, p->dom[c->end[1]].label);
		warn(msg, arg);
		n++;
	}
	return n;
}
