/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Partition-config reader and checker. Every error names the node, the
 * property and what is wrong, so a user can fix the config without reading C.
 */
#include <libfdt.h>

#include "common/lib.h"
#include "dt/dom0.h"
#include "dt/plan.h"

#define ERR(...)                                                                                   \
	do {                                                                                       \
		snprintf(err->msg, sizeof(err->msg), __VA_ARGS__);                                 \
		return -1;                                                                         \
	} while (0)

const char *dt_fault_name(enum on_fault f)
{
	return f == FAULT_RESTART ? "restart" : f == FAULT_HALT ? "halt" : "stop";
}

static bool valid_name(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-' ||
		      *s == '_'))
			return false;
	return true;
}

/* A string property: absent -> "" (if optional); not a NUL-terminated string -> error. */
static int get_string(const void *fdt, int node, const char *path, const char *prop, char *out,
		      size_t outsz, bool required, struct dt_error *err)
{
	int len;
	const char *v = fdt_getprop(fdt, node, prop, &len);
	out[0] = 0;
	if (!v) {
		if (required)
			ERR("config %s: missing required property '%s'", path, prop);
		return 0;
	}
	if (len < 1 || v[len - 1] != 0 || strnlen(v, (size_t)len) != (size_t)len - 1)
		ERR("config %s: property '%s' must be a single string", path, prop);
	if ((size_t)len > outsz)
		ERR("config %s: property '%s' is longer than %zu characters", path, prop,
		    outsz - 1);
	memcpy(out, v, (size_t)len);
	return 0;
}

static int get_u64(const void *fdt, int node, const char *path, const char *prop, uint64_t *out,
		   bool required, struct dt_error *err)
{
	int len;
	const uint32_t *v = fdt_getprop(fdt, node, prop, &len);
	*out = 0;
	if (!v) {
		if (required)
			ERR("config %s: missing required property '%s'", path, prop);
		return 0;
	}
	if (len == 4)
		*out = fdt32_to_cpu(v[0]);
	else if (len == 8)
		*out = dt_read_cells(v, 2);
	else
		ERR("config %s: property '%s' must be one 32-bit or 64-bit value (<0x0 0x...>), "
		    "it has %d bytes",
		    path, prop, len);
	return 0;
}

static int read_domain(const void *fdt, int node, const char *path, const struct board *b,
		       struct dom_cfg *d, struct dt_error *err)
{
	char buf[32];

	d->node = node;
	const char *unit = strchr(fdt_get_name(fdt, node, NULL), '@');
	if (!unit || !unit[1])
		ERR("config %s: a domain node must be named domain@<id>", path);
	char *end;
	d->id = (unsigned)strtoul(unit + 1, &end, 16);
	if (*end)
		ERR("config %s: unit address '%s' is not a hexadecimal domain id", path, unit + 1);

	if (get_string(fdt, node, path, "label", d->name, sizeof(d->name), true, err))
		return -1;
	if (!valid_name(d->name))
		ERR("config %s: label \"%s\" may only contain a-z, 0-9, '-' and '_'", path,
		    d->name);
	if (get_string(fdt, node, path, "role", buf, sizeof(buf), false, err))
		return -1;
	if (buf[0] && strcmp(buf, "control"))
		ERR("config %s: role \"%s\" is not known (the only role is \"control\")", path,
		    buf);
	d->control = buf[0] != 0;
	if (get_string(fdt, node, path, "type", d->label, sizeof(d->label), false, err))
		return -1;
	if (!d->label[0])
		snprintf(d->label, sizeof(d->label), "domain_t");
	else if (!valid_name(d->label))
		ERR("config %s: type \"%s\" may only contain a-z, 0-9, '-' and '_'", path,
		    d->label);

	int len;
	const uint32_t *cpus = fdt_getprop(fdt, node, "cpus", &len);
	if (!cpus)
		ERR("config %s: missing required property 'cpus' (physical CPU numbers, e.g. <0 "
		    "1>)",
		    path);
	if (len == 0 || len % 4)
		ERR("config %s: property 'cpus' must be a list of 32-bit CPU numbers", path);
	d->ncpus = (unsigned)len / 4;
	if (d->ncpus > BH_MAX_CPUS)
		ERR("config %s: 'cpus' lists %u CPUs, at most %d are supported", path, d->ncpus,
		    BH_MAX_CPUS);
	for (unsigned i = 0; i < d->ncpus; i++) {
		d->cpus[i] = fdt32_to_cpu(cpus[i]);
		if (b && d->cpus[i] >= b->ncpus)
			ERR("config %s: 'cpus' names CPU %u but the board has %u CPUs (0-%u)", path,
			    d->cpus[i], b->ncpus, b->ncpus - 1);
		for (unsigned j = 0; j < i; j++)
			if (d->cpus[j] == d->cpus[i])
				ERR("config %s: 'cpus' lists CPU %u twice", path, d->cpus[i]);
	}

	if (get_u64(fdt, node, path, "memory-size", &d->mem_size, true, err) ||
	    get_u64(fdt, node, path, "memory-base", &d->mem_base, false, err))
		return -1;
	if (d->mem_size == 0 || !IS_ALIGNED(d->mem_size, SZ_2M))
		ERR("config %s: 'memory-size' 0x%llx must be a non-zero multiple of 2 MiB", path,
		    (unsigned long long)d->mem_size);
	if (!IS_ALIGNED(d->mem_base, SZ_2M))
		ERR("config %s: 'memory-base' 0x%llx must be 2 MiB aligned", path,
		    (unsigned long long)d->mem_base);

	if (get_string(fdt, node, path, "kernel", d->kernel, sizeof(d->kernel), true, err) ||
	    get_string(fdt, node, path, "initrd", d->initrd, sizeof(d->initrd), false, err) ||
	    get_string(fdt, node, path, "bootargs", d->bootargs, sizeof(d->bootargs), false, err) ||
	    get_string(fdt, node, path, "on-fault", buf, sizeof(buf), false, err))
		return -1;
	int dlen;
	const char *dv = fdt_getprop(fdt, node, "devices", &dlen);
	if (dv) {
		if (dlen < 1 || dv[dlen - 1])
			ERR("config %s: 'devices' must be a list of strings (DT paths)", path);
		for (int pos = 0; pos < dlen;) {
			size_t l = strlen(dv + pos);
			if (l == 0 || dv[pos] != '/')
				ERR("config %s: 'devices' entry \"%s\" is not an absolute DT path",
				    path, dv + pos);
			if (d->ndevices == BH_MAX_DEVICES)
				ERR("config %s: more than %d devices", path, BH_MAX_DEVICES);
			if (l >= sizeof(d->devices[0]))
				ERR("config %s: device path \"%s\" is too long", path, dv + pos);
			memcpy(d->devices[d->ndevices], dv + pos, l + 1);
			for (unsigned j = 0; j < d->ndevices; j++)
				if (!strcmp(d->devices[j], dv + pos))
					ERR("config %s: 'devices' lists \"%s\" twice", path, dv + pos);
			if (b && b->fdt) {
				char msg[sizeof(err->msg)];
				if (dt_device_resources(b->fdt, b, dv + pos, &d->dev[d->ndevices],
							err)) {
					int n = snprintf(msg, sizeof(msg), "config %s: 'devices': ",
							 path);
					if (n > 0 && (size_t)n < sizeof(msg))
						memcpy(msg + n, err->msg,
						       MIN(sizeof(msg) - (size_t)n - 1,
							   strlen(err->msg) + 1));
					msg[sizeof(msg) - 1] = 0;
					memcpy(err->msg, msg, sizeof(msg));
					return -1;
				}
			}
			d->ndevices++;
			pos += (int)l + 1;
		}
	}
	if (!buf[0] || !strcmp(buf, "stop"))
		d->on_fault = FAULT_STOP;
	else if (!strcmp(buf, "restart"))
		d->on_fault = FAULT_RESTART;
	else if (!strcmp(buf, "halt"))
		d->on_fault = FAULT_HALT;
	else
		ERR("config %s: 'on-fault' is \"%s\"; expected \"stop\", \"restart\" or \"halt\"",
		    path, buf);
	return 0;
}

/* ---- channels and policy ---- */

static int find_domain_by_phandle(const void *fdt, const struct plan *p, uint32_t ph)
{
	for (unsigned i = 0; i < p->ndoms; i++)
		if (fdt_get_phandle(fdt, p->dom[i].node) == ph)
			return (int)i;
	return -1;
}

static int read_channel(const void *fdt, int node, const char *path, struct plan *p,
			struct dt_error *err)
{
	struct chan_cfg *c = &p->chan[p->nchans];
	const char *unit = strchr(fdt_get_name(fdt, node, NULL), '@');
	char *end;
	if (!unit || !unit[1])
		ERR("config %s: a channel node must be named channel@<id>", path);
	c->id = (unsigned)strtoul(unit + 1, &end, 16);
	if (*end)
		ERR("config %s: unit address '%s' is not a hexadecimal channel id", path, unit + 1);
	for (unsigned i = 0; i < p->nchans; i++)
		if (p->chan[i].id == c->id)
			ERR("config %s: channel id %x is used twice", path, c->id);

	int len;
	const char *v = fdt_getprop(fdt, node, "between", &len);
	if (!v)
		ERR("config %s: missing required property 'between' (the two domains: <&a &b> "
		    "or \"a\", \"b\")",
		    path);
	if (len > 0 && v[0] && !v[len - 1]) {
		/* Two labels. */
		int pos = 0, n = 0;
		while (pos < len) {
			const char *s = v + pos;
			if (n == 2)
				ERR("config %s: 'between' names more than two domains", path);
			int k;
			for (k = 0; k < (int)p->ndoms && strcmp(p->dom[k].name, s); k++)
				;
			if (k == (int)p->ndoms)
				ERR("config %s: 'between' names \"%s\", which is no domain's label",
				    path, s);
			c->end[n++] = (unsigned)k;
			pos += (int)strlen(s) + 1;
		}
		if (n != 2)
			ERR("config %s: 'between' must name exactly two domains", path);
	} else {
		if (len != 8)
			ERR("config %s: 'between' must name exactly two domains (<&a &b>)", path);
		const uint32_t *ph = (const uint32_t *)v;
		for (int k = 0; k < 2; k++) {
			int d = find_domain_by_phandle(fdt, p, fdt32_to_cpu(ph[k]));
			if (d < 0)
				ERR("config %s: 'between' entry %d is not a reference to a domain "
				    "node",
				    path, k + 1);
			c->end[k] = (unsigned)d;
		}
	}
	if (c->end[0] == c->end[1])
		ERR("config %s: 'between' names domain \"%s\" twice: a channel joins two "
		    "domains",
		    path, p->dom[c->end[0]].name);
	if (get_u64(fdt, node, path, "size", &c->size, true, err))
		return -1;
	if (c->size == 0 || !IS_ALIGNED(c->size, SZ_4K) || c->size > BH_CHANNEL_MAX_SIZE)
		ERR("config %s: 'size' 0x%llx must be a non-zero multiple of 4 KiB, at most %u "
		    "MiB",
		    path, (unsigned long long)c->size, BH_CHANNEL_MAX_SIZE >> 20);
	p->nchans++;
	return 0;
}

static bool type_exists(const struct plan *p, const char *t)
{
	for (unsigned i = 0; i < p->ndoms; i++)
		if (!strcmp(p->dom[i].label, t))
			return true;
	return false;
}

/* One rule, "SRC TGT : CLASS { PERM ... }". */
static int parse_rule(const char *text, const char *path, unsigned idx, struct plan *p,
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
		if (!valid_name(tok[k]) || strlen(tok[k]) >= sizeof(r->src))
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

static int read_policy(const void *fdt, int node, const char *path, struct plan *p,
		       struct dt_error *err)
{
	int len;
	const char *v = fdt_getprop(fdt, node, "allow", &len);
	if (!v)
		return 0; /* an empty policy: nothing between domains is allowed */
	if (len < 1 || v[len - 1])
		ERR("config %s: 'allow' must be a list of strings", path);
	unsigned idx = 1;
	for (int pos = 0; pos < len; idx++) {
		if (parse_rule(v + pos, path, idx, p, err))
			return -1;
		pos += (int)strlen(v + pos) + 1;
	}
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

static bool overlaps(uint64_t a, uint64_t as, uint64_t b, uint64_t bs)
{
	return a < b + bs && b < a + as;
}

/* The control domain implicitly gets every device no one else claims: an
 * interrupt line shared between such a device and a passed-through one cannot
 * be split between two domains. */
static int check_control_domain(const struct plan *p, const struct board *b,
				struct dt_error *err)
{
	bool control = false;
	for (unsigned i = 0; i < p->ndoms; i++)
		control |= p->dom[i].control;
	if (!control || !b || !b->fdt)
		return 0;
	int node, depth = 0;
	for (node = fdt_next_node(b->fdt, -1, &depth); node >= 0;
	     node = fdt_next_node(b->fdt, node, &depth)) {
		if (!dt_dom0_owns(b->fdt, b, p, node))
			continue;
		struct dev_res r;
		struct dt_error e2;
		if (dt_node_resources(b->fdt, b, node, &r, &e2))
			continue;
		for (unsigned i = 0; i < p->ndoms; i++)
			for (unsigned k = 0; k < p->dom[i].ndevices; k++)
				for (unsigned x = 0; x < p->dom[i].dev[k].nirq; x++)
					for (unsigned y = 0; y < r.nirq; y++) {
						if (p->dom[i].dev[k].irq[x] != r.irq[y])
							continue;
						char path[96];
						if (fdt_get_path(b->fdt, node, path, sizeof(path)))
							path[0] = 0;
						ERR("config /bulkhead/domain@%x: interrupt %u of \"%.60s\" "
						    "is shared with \"%.60s\" (control domain's): a line "
						    "cannot be split",
						    p->dom[i].id, r.irq[y], p->dom[i].devices[k], path);
					}
	}
	return 0;
}

int dt_plan_read(const void *fdt, const struct board *b, struct plan *p, struct dt_error *err)
{
	memset(p, 0, sizeof(*p));
	err->msg[0] = 0;
	int e = fdt_check_header(fdt);
	if (!e)
		e = fdt_check_full(fdt, fdt_totalsize(fdt));
	if (e)
		ERR("config: not a valid DTB: %s", fdt_strerror(e));
	int root = fdt_path_offset(fdt, "/bulkhead");
	if (root < 0)
		ERR("config: no /bulkhead node");
	p->insecure_pmu_el2 = fdt_getprop(fdt, root, "insecure-pmu-el2", NULL) != NULL;
	int node;
	fdt_for_each_subnode(node, fdt, root)
	{
		const char *nm = fdt_get_name(fdt, node, NULL);
		char path[96];
		snprintf(path, sizeof(path), "/bulkhead/%s", nm);
		if (!strncmp(nm, "channel", 7) || !strcmp(nm, "policy"))
			continue; /* read once every domain is known */
		if (strncmp(nm, "domain@", 7) && strcmp(nm, "domain"))
			ERR("config %s: unknown node (expected domain@<id>, channel@<id> or "
			    "policy)",
			    path);
		if (p->ndoms == BH_MAX_DOMAINS)
			ERR("config %s: more than %d domains", path, BH_MAX_DOMAINS);
		struct dom_cfg *d = &p->dom[p->ndoms];
		if (read_domain(fdt, node, path, b, d, err))
			return -1;
		for (unsigned i = 0; i < p->ndoms; i++) {
			struct dom_cfg *o = &p->dom[i];
			if (!strcmp(o->name, d->name))
				ERR("config %s: label \"%s\" is already used by domain@%x", path,
				    d->name, o->id);
			if (o->id == d->id)
				ERR("config %s: domain id %x is used twice", path, d->id);
			if (o->control && d->control)
				ERR("config %s: only one domain may have role \"control\" (domain "
				    "\"%s\" has it too)",
				    path, o->name);
			for (unsigned c = 0; c < d->ncpus; c++)
				for (unsigned k = 0; k < o->ncpus; k++)
					if (d->cpus[c] == o->cpus[k])
						ERR("config %s: CPU %u is also given to domain "
						    "\"%s\"",
						    path, d->cpus[c], o->name);
			for (unsigned x = 0; x < d->ndevices; x++)
				for (unsigned y = 0; y < o->ndevices; y++) {
					if (!strcmp(d->devices[x], o->devices[y]))
						ERR("config %s: device \"%s\" is also given to "
						    "domain \"%s\"",
						    path, d->devices[x], o->name);
					const struct dev_res *a = &d->dev[x], *c = &o->dev[y];
					for (unsigned i = 0; i < a->nirq; i++)
						for (unsigned j = 0; j < c->nirq; j++)
							if (a->irq[i] == c->irq[j])
								ERR("config %s: interrupt %u of "
								    "\"%s\" is also used by \"%s\" "
								    "of domain \"%s\"",
								    path, a->irq[i], d->devices[x],
								    o->devices[y], o->name);
					for (unsigned i = 0; i < a->nreg; i++)
						for (unsigned j = 0; j < c->nreg; j++)
							if (overlaps(a->reg[i].base, a->reg[i].size,
								     c->reg[j].base, c->reg[j].size))
								ERR("config %s: registers of \"%s\" "
								    "overlap \"%s\" of domain \"%s\"",
								    path, d->devices[x], o->devices[y],
								    o->name);
				}
			if (d->mem_base && o->mem_base &&
			    overlaps(d->mem_base, d->mem_size, o->mem_base, o->mem_size))
				ERR("config %s: memory 0x%llx-0x%llx overlaps domain \"%s\"", path,
				    (unsigned long long)d->mem_base,
				    (unsigned long long)(d->mem_base + d->mem_size - 1), o->name);
		}
		if (d->mem_base && b) {
			bool inside = false;
			for (unsigned i = 0; i < b->nmem; i++)
				if (d->mem_base >= b->mem[i].base &&
				    d->mem_base + d->mem_size <= b->mem[i].base + b->mem[i].size)
					inside = true;
			if (!inside)
				ERR("config %s: memory 0x%llx-0x%llx is not inside the board's RAM",
				    path, (unsigned long long)d->mem_base,
				    (unsigned long long)(d->mem_base + d->mem_size - 1));
			for (unsigned i = 0; i < b->nresv; i++)
				if (overlaps(d->mem_base, d->mem_size, b->resv[i].base,
					     b->resv[i].size))
					ERR("config %s: memory 0x%llx-0x%llx overlaps reserved "
					    "memory 0x%llx-0x%llx",
					    path, (unsigned long long)d->mem_base,
					    (unsigned long long)(d->mem_base + d->mem_size - 1),
					    (unsigned long long)b->resv[i].base,
					    (unsigned long long)(b->resv[i].base + b->resv[i].size -
								 1));
		}
		p->ndoms++;
	}
	if (p->ndoms == 0)
		ERR("config /bulkhead: no domain@<id> node: nothing to run");
	unsigned npolicy = 0;
	fdt_for_each_subnode(node, fdt, root)
	{
		const char *nm = fdt_get_name(fdt, node, NULL);
		char path[96];
		snprintf(path, sizeof(path), "/bulkhead/%s", nm);
		if (!strncmp(nm, "channel", 7)) {
			if (p->nchans == BH_MAX_CHANNELS)
				ERR("config %s: more than %d channels", path, BH_MAX_CHANNELS);
			if (read_channel(fdt, node, path, p, err))
				return -1;
		} else if (!strcmp(nm, "policy")) {
			if (npolicy++)
				ERR("config %s: only one policy node", path);
			if (read_policy(fdt, node, path, p, err))
				return -1;
		}
	}
	return check_control_domain(p, b, err);
}
