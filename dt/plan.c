/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Partition-config reader and checker. Every error names the node, the
 * property and what is wrong, so a user can fix the config without reading C.
 */
#include <libfdt.h>

#include "common/lib.h"
#include "dt/blob.h"
#include "dt/dom0.h"
#include "dt/plan.h"
#include "dt/policy.h"
#include "dt/err.h"

/* "config <path>: " and the rest: the prefix of most messages here, once. */
__attribute__((format(printf, 3, 4))) static int cfg_err(struct dt_error *err, const char *path,
							  const char *fmt, ...)
{
	int n = snprintf(err->msg, sizeof(err->msg), "config %s: ", path);
	n = MIN(n, (int)sizeof(err->msg) - 1);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err->msg + n, sizeof(err->msg) - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}
#define CERR(...) return cfg_err(err, path, __VA_ARGS__)

const char *dt_fault_name(enum on_fault f)
{
	return f == FAULT_RESTART ? "restart" : f == FAULT_HALT ? "halt" : "stop";
}


/* Every property a config node may have: each kind of node's a run, in
 * the order its message lists them (root, domain, channel, policy, port;
 * a network has none of its own), then the phandles dtc adds to nodes that
 * are referenced, which any node may have. */
enum cfg_prop {
	P_COMPATIBLE, P_INSECURE_PMU_EL2,
	P_LABEL, P_ROLE, P_TYPE, P_CPUS, P_MEMORY_SIZE, P_MEMORY_BASE, P_KERNEL, P_INITRD,
	P_BOOTARGS, P_ON_FAULT, P_DEVICES, P_DMA_TRUSTED, P_LAYOUT,
	P_BETWEEN, P_SIZE, P_MAX_NOTIFY_RATE,
	P_ALLOW,
	P_DOMAIN, P_MAC_ADDRESS, P_VLAN, P_VLANS, P_NATIVE_VLAN,
	P_PHANDLE, P_LINUX_PHANDLE, P_N
};
static const char prop_names[] =
    "compatible\0insecure-pmu-el2\0label\0role\0type\0cpus\0memory-size\0memory-base\0"
    "kernel\0initrd\0bootargs\0on-fault\0devices\0dma-trusted\0layout\0between\0size\0"
    "max-notify-rate\0allow\0domain\0mac-address\0vlan\0vlans\0native-vlan\0phandle\0"
    "linux,phandle";
static const uint8_t prop_off[P_N] = {0,   11,  28,	 34,  39,  44,	49,  61,  73,
				      80,  87,  96,	 105, 113, 125, 132, 140, 145,
				      161, 167, 174, 186, 191, 197, 209, 217};
/* Each kind's run: [lo, hi) of enum cfg_prop. */
enum cfg_kind { K_ROOT, K_DOMAIN, K_CHANNEL, K_POLICY, K_NETWORK, K_PORT };
static const uint8_t kind_run[][2] = {{P_COMPATIBLE, P_LABEL},	 {P_LABEL, P_BETWEEN},
				      {P_BETWEEN, P_ALLOW},	 {P_ALLOW, P_DOMAIN},
				      {P_DOMAIN, P_DOMAIN},	 {P_DOMAIN, P_PHANDLE}};

static const char *pname(unsigned i)
{
	return prop_names + prop_off[i];
}

/* A node's properties, read in one pass: each known one's value (NULL if
 * absent) and length. */
struct props {
	const char *v[P_N];
	int len[P_N];
};

/* A config's strings reach the console in messages, at boot and after: the
 * text properties hold printable ASCII only (and the NULs between a list's
 * strings, and tabs, which a rule may use for blanks), or an ESC or CR in
 * one would act on the operator's terminal.
 * Names are shown escaped instead (dt_plan_read). */
static int check_text(const char *path, unsigned p, const char *s, int len,
		      struct dt_error *err)
{
	for (int i = 0; i < len; i++)
		if (s[i] && s[i] != '\t' && (unsigned char)s[i] - 0x20u > 0x5eu)
			CERR("'%s' has byte 0x%02x at offset %d: strings must be printable ASCII",
			     pname(p), (unsigned char)s[i], i);
	return 0;
}

/* Properties whose value is text: the strings, and 'between' and 'domain' in
 * their label form (ending in a NUL: else phandles, whose first byte is any
 * for one of 2^24 or above). A value whose first byte is NUL is no text to
 * check: a phandle's (read as one), or an empty first string (refused as one). */
#define TEXT_PROPS                                                                                 \
	(1u << P_COMPATIBLE | 1u << P_LABEL | 1u << P_ROLE | 1u << P_TYPE | 1u << P_KERNEL |      \
	 1u << P_INITRD | 1u << P_BOOTARGS | 1u << P_ON_FAULT | 1u << P_DEVICES | 1u << P_LAYOUT | \
	 1u << P_BETWEEN | 1u << P_ALLOW | 1u << P_DOMAIN)
#define REF_PROPS (1u << P_BETWEEN | 1u << P_DOMAIN)

/* The index of `name` among kind k's properties and the phandles; P_N if
 * it is none of them. */
static unsigned prop_find(const char *name, enum cfg_kind k)
{
	for (unsigned i = kind_run[k][0]; i < P_N; i++) {
		if (i == kind_run[k][1])
			i = P_PHANDLE;
		const char *n = pname(i);
		if (*n == *name && !strcmp(n, name))
			return i;
	}
	return P_N;
}

/* One pass over a node's properties. Every one is one the reader knows: a
 * misspelt 'memory-base' or 'dma-trusted' is an error, not a silent
 * default. A name given twice: its first value, as a lookup by name. */
static int read_props(const void *fdt, int node, const char *path, enum cfg_kind k,
		      struct props *pv, struct dt_error *err)
{
	memset(pv, 0, sizeof(*pv));
	int prop, last = -1;
	dt_blob_for_each_prop(prop, fdt, node)
	{
		last = prop;
		const char *name;
		int len;
		const char *v = dt_blob_prop(fdt, prop, &name, &len);
		unsigned i = prop_find(name, k);
		if ((TEXT_PROPS >> i & 1) && len > 0 && v[0] && !((REF_PROPS >> i & 1) && v[len - 1]) &&
		    check_text(path, i, v, len, err))
			return -1;
		if (i == P_N) {
			char list[121] = "";
			for (unsigned j = kind_run[k][0], n = 0; j < kind_run[k][1] && n < sizeof(list);
			     j++)
				n += (unsigned)snprintf(list + n, sizeof(list) - n, "%s%s",
							j > kind_run[k][0] ? ", " : "", pname(j));
			ERR("config %.50s: unknown property '%.30s' (known: %.120s)", path, name, list);
		}
		if (!pv->v[i]) {
			pv->v[i] = v;
			pv->len[i] = len;
		}
	}
	/* Only the root and a network have nodes inside: anything else's
	 * would be skipped unread (a domain's 'memory { ... }'). */
	int c;
	if (k != K_ROOT && k != K_NETWORK && (c = dt_blob_child_after(fdt, node, last)) >= 0)
		ERR("config %.60s: unknown node '%.40s' inside it", path, dt_blob_name(fdt, c));
	return 0;
}

/* A string property: absent -> "" (if optional); not a NUL-terminated string -> error. */
static int get_string(const struct props *pv, const char *path, unsigned i, char *out,
		      size_t outsz, bool required, struct dt_error *err)
{
	int len = pv->len[i];
	const char *v = pv->v[i], *prop = pname(i);
	out[0] = 0;
	if (!v) {
		if (required)
			CERR("missing required property '%s'", prop);
		return 0;
	}
	if (len < 1 || v[len - 1] != 0 || strnlen(v, (size_t)len) != (size_t)len - 1)
		CERR("property '%s' must be a single string", prop);
	if ((size_t)len > outsz)
		CERR("property '%s' is longer than %zu characters", prop,
		    outsz - 1);
	memcpy(out, v, (size_t)len);
	return 0;
}

static int get_u64(const struct props *pv, const char *path, unsigned i, uint64_t *out,
		   bool required, struct dt_error *err)
{
	int len = pv->len[i];
	const char *v = pv->v[i], *prop = pname(i);
	*out = 0;
	if (!v) {
		if (required)
			CERR("missing required property '%s'", prop);
		return 0;
	}
	if (len == 4)
		*out = dt_rd32(v);
	else if (len == 8)
		*out = dt_read_cells(v, 2);
	else
		CERR("property '%s' must be one 32-bit or 64-bit value (<0x0 0x...>), "
		    "it has %d bytes", prop, len);
	return 0;
}

/* The unit address of node@<hex>, at most max: its value, or -1 with the
 * message. Hex digits only: strtoul took blanks, "0x" and (the host's, so
 * bhpack, not the hypervisor's) a sign, and wrapped past 64 bits. */
static int unit_id(const void *fdt, int node, const char *path, const char *kind,
		   unsigned max, unsigned *out, struct dt_error *err)
{
	const char *unit = strchr(dt_blob_name(fdt, node), '@');
	if (!unit || !unit[1])
		CERR("a %s node must be named %s@<id>", kind, kind);
	uint64_t v = 0;
	for (const char *c = unit + 1; *c; c++) {
		unsigned x = (unsigned)*c - '0', a = (unsigned)(*c | 32) - 'a';
		x = x < 10 ? x : a < 6 ? a + 10 : 16;
		if (x > 15 || (v = v * 16 + x) > max)
			CERR("unit address '%s' is not a hexadecimal %s id (0-%x)", unit + 1,
			     kind, max);
	}
	*out = (unsigned)v;
	return 0;
}

/* domain@<id>: its id, label, role and security type. */
static int read_identity(const void *fdt, int node, const struct props *pv, const char *path,
			 struct dom_cfg *d, struct dt_error *err)
{
	char buf[32];
	if (unit_id(fdt, node, path, "domain", ~0u, &d->id, err))
		return -1;

	if (get_string(pv, path, P_LABEL, d->name, sizeof(d->name), true, err))
		return -1;
	if (!dt_valid_name(d->name))
		CERR("label \"%s\" may only contain a-z, 0-9, '-' and '_'",
		    d->name);
	if (get_string(pv, path, P_ROLE, buf, sizeof(buf), false, err))
		return -1;
	if (buf[0] && strcmp(buf, "control"))
		CERR("role \"%s\" is not known (the only role is \"control\")",
		    buf);
	d->control = buf[0] != 0;
	if (get_string(pv, path, P_TYPE, d->label, sizeof(d->label), false, err))
		return -1;
	if (!d->label[0])
		snprintf(d->label, sizeof(d->label), "domain_t");
	else if (!dt_valid_name(d->label))
		CERR("type \"%s\" may only contain a-z, 0-9, '-' and '_'",
		    d->label);
	return 0;
}

/* 'cpus', 'memory-size', 'memory-base'. */
static int read_resources(const struct props *pv, const char *path, const struct board *b,
			  struct dom_cfg *d, struct dt_error *err)
{
	int len = pv->len[P_CPUS];
	const char *cpus = pv->v[P_CPUS];
	if (!cpus)
		CERR("missing required property 'cpus' (physical CPU numbers, e.g. <0 "
		    "1>)");
	if (len == 0 || len % 4)
		CERR("property 'cpus' must be a list of 32-bit CPU numbers");
	d->ncpus = (unsigned)len / 4;
	if (d->ncpus > BH_MAX_VCPUS)
		CERR("'cpus' lists %u CPUs, at most %d are supported", d->ncpus,
		    BH_MAX_VCPUS);
	for (unsigned i = 0; i < d->ncpus; i++) {
		d->cpus[i] = dt_rd32(cpus + 4 * i);
		if (b && d->cpus[i] >= b->ncpus)
			CERR("'cpus' names CPU %u but the board has %u CPUs (0-%u)",
			    d->cpus[i], b->ncpus, b->ncpus - 1);
		for (unsigned j = 0; j < i; j++)
			if (d->cpus[j] == d->cpus[i])
				CERR("'cpus' lists CPU %u twice", d->cpus[i]);
	}

	if (get_u64(pv, path, P_MEMORY_SIZE, &d->mem_size, true, err) ||
	    get_u64(pv, path, P_MEMORY_BASE, &d->mem_base, false, err))
		return -1;
	if (d->mem_size == 0 || !IS_ALIGNED(d->mem_size, SZ_2M))
		CERR("'memory-size' 0x%llx must be a non-zero multiple of 2 MiB",
		    (unsigned long long)d->mem_size);
	if (!IS_ALIGNED(d->mem_base, SZ_2M))
		CERR("'memory-base' 0x%llx must be 2 MiB aligned",
		    (unsigned long long)d->mem_base);
	return 0;
}

/* 'kernel', 'initrd', 'bootargs', 'on-fault', 'layout'. */
static int read_images(const struct props *pv, const char *path, struct dom_cfg *d,
		       struct dt_error *err)
{
	char buf[32];
	if (get_string(pv, path, P_KERNEL, d->kernel, sizeof(d->kernel), true, err) ||
	    get_string(pv, path, P_INITRD, d->initrd, sizeof(d->initrd), false, err) ||
	    get_string(pv, path, P_BOOTARGS, d->bootargs, sizeof(d->bootargs), false, err) ||
	    get_string(pv, path, P_ON_FAULT, buf, sizeof(buf), false, err))
		return -1;
	if (!buf[0] || !strcmp(buf, "stop"))
		d->on_fault = FAULT_STOP;
	else if (!strcmp(buf, "restart"))
		d->on_fault = FAULT_RESTART;
	else if (!strcmp(buf, "halt"))
		d->on_fault = FAULT_HALT;
	else
		CERR("'on-fault' is \"%s\"; expected \"stop\", \"restart\" or \"halt\"", buf);
	if (get_string(pv, path, P_LAYOUT, buf, sizeof(buf), false, err))
		return -1;
	d->firmware_layout = !strcmp(buf, "firmware");
	if (buf[0] && !d->firmware_layout && strcmp(buf, "linux"))
		CERR("'layout' is \"%s\"; expected \"linux\" or \"firmware\"", buf);
	return 0;
}

/* layout = "firmware": the DT where QEMU's firmware looks for it, at the start
 * of the board's RAM, so the domain's RAM must start there too: in its IPA
 * space, and (a domain with devices or dom0 is 1:1) physically. */
static int check_layout(const char *path, const struct board *b, const struct dom_cfg *d,
			struct dt_error *err)
{
	if (!d->firmware_layout || !b || !b->nmem)
		return 0;
	unsigned long long base = b->mem[0].base;
	if (d->mem_base ? d->mem_base != base : d->control || d->ndevices)
		ERR("config %.40s: layout = \"firmware\" needs the domain's RAM at the board's RAM "
		    "base 0x%llx (firmware reads its DT there); %s: set memory-base = <0x%llx 0x%llx>",
		    path, base, d->mem_base ? "memory-base puts it elsewhere" : "it is 1:1 (devices)",
		    base >> 32, base & 0xffffffffULL);
	return 0;
}

/* One 'devices' entry, checked against the board: it exists, may be a
 * domain's, and is no DMA master unless the domain is dma-trusted. */
static int check_device(const char *path, const char *dev, const struct board *b,
			struct dom_cfg *d, struct dt_error *err)
{
	if (dt_device_resources(b->fdt, b, dev, &d->dev[d->ndevices], err)) {
		char msg[sizeof(err->msg)];
		snprintf(msg, sizeof(msg), "config %.60s: 'devices': %.170s", path, err->msg);
		memcpy(err->msg, msg, sizeof(msg));
		return -1;
	}
	const char *why;
	if (dt_subtree_dma(b->fdt, dt_path_offset(b->fdt, dev), &why) >= 0 && !d->dma_trusted)
		ERR("config %.24s: \"%.60s\" masters DMA (%.50s): without an IOMMU it reaches all "
		    "memory; add dma-trusted to accept that",
		    path, dev, why);
	return 0;
}

/* 'devices' (absolute board DT paths, each once) and 'dma-trusted'. */
static int read_devices(const struct props *pv, const char *path, const struct board *b,
			struct dom_cfg *d, struct dt_error *err)
{
	d->dma_trusted = pv->v[P_DMA_TRUSTED] != NULL;
	int dlen = pv->len[P_DEVICES];
	const char *dv = pv->v[P_DEVICES];
	if (!dv)
		return 0;
	if (dlen < 1 || dv[dlen - 1])
		CERR("'devices' must be a list of strings (DT paths)");
	for (int pos = 0; pos < dlen; pos += (int)strlen(dv + pos) + 1) {
		const char *dev = dv + pos;
		size_t l = strlen(dev);
		if (l == 0 || dev[0] != '/')
			CERR("'devices' entry \"%s\" is not an absolute DT path", dev);
		if (d->ndevices == BH_MAX_DEVICES)
			CERR("more than %d devices", BH_MAX_DEVICES);
		if (l >= sizeof(d->devices[0]))
			CERR("device path \"%s\" is too long", dev);
		for (unsigned j = 0; j < d->ndevices; j++)
			if (!strcmp(d->devices[j], dev))
				CERR("'devices' lists \"%s\" twice", dev);
		memcpy(d->devices[d->ndevices], dev, l + 1);
		d->dev_node[d->ndevices] = b && b->fdt ? dt_path_offset(b->fdt, dev) : -1;
		if (b && b->fdt && check_device(path, dev, b, d, err))
			return -1;
		d->ndevices++;
	}
	return 0;
}

static int read_domain(const void *fdt, int node, const char *path, const struct board *b,
		       struct dom_cfg *d, struct props *pv, struct dt_error *err)
{
	d->node = node;
	return read_props(fdt, node, path, K_DOMAIN, pv, err) ||
		       read_identity(fdt, node, pv, path, d, err) ||
		       read_resources(pv, path, b, d, err) || read_images(pv, path, d, err) ||
		       read_devices(pv, path, b, d, err) || check_layout(path, b, d, err)
		   ? -1
		   : 0;
}

/* ---- channels and policy ---- */

static int find_domain_by_phandle(const void *fdt, const struct plan *p, uint32_t ph)
{
	/* 0 is no phandle (DT spec 2.3.3): what dt_blob_phandle() gives a
	 * domain nothing references. */
	for (unsigned i = 0; ph && i < p->ndoms; i++)
		if (dt_blob_phandle(fdt, p->dom[i].node) == ph)
			return (int)i;
	return -1;
}

static int read_channel(const void *fdt, int node, const char *path, struct plan *p,
			struct props *pv, struct dt_error *err)
{
	struct chan_cfg *c = &p->chan[p->nchans];
	if (read_props(fdt, node, path, K_CHANNEL, pv, err) ||
	    unit_id(fdt, node, path, "channel", ~0u, &c->id, err))
		return -1;
	for (unsigned i = 0; i < p->nchans; i++)
		if (p->chan[i].id == c->id)
			CERR("channel id %x is used twice", c->id);

	int len = pv->len[P_BETWEEN];
	const char *v = pv->v[P_BETWEEN];
	if (!v)
		CERR("missing required property 'between' (the two domains: <&a &b> "
		    "or \"a\", \"b\")");
	if (len > 0 && v[0] && !v[len - 1]) {
		/* Two labels. */
		int pos = 0, n = 0;
		while (pos < len) {
			const char *s = v + pos;
			if (n == 2)
				CERR("'between' names more than two domains");
			int k;
			for (k = 0; k < (int)p->ndoms && strcmp(p->dom[k].name, s); k++)
				;
			if (k == (int)p->ndoms)
				CERR("'between' names \"%s\", which is no domain's label", s);
			c->end[n++] = (unsigned)k;
			pos += (int)strlen(s) + 1;
		}
		if (n != 2)
			CERR("'between' must name exactly two domains");
	} else {
		if (len != 8)
			CERR("'between' must name exactly two domains (<&a &b>)");
		for (int k = 0; k < 2; k++) {
			int d = find_domain_by_phandle(fdt, p, dt_rd32(v + 4 * k));
			if (d < 0)
				CERR("'between' entry %d is not a reference to a domain "
		    "node", k + 1);
			c->end[k] = (unsigned)d;
		}
	}
	if (c->end[0] == c->end[1])
		CERR("'between' names domain \"%s\" twice: a channel joins two "
		    "domains", p->dom[c->end[0]].name);
	if (get_u64(pv, path, P_SIZE, &c->size, true, err))
		return -1;
	if (c->size == 0 || !IS_ALIGNED(c->size, SZ_4K) || c->size > BH_CHANNEL_MAX_SIZE)
		CERR("'size' 0x%llx must be a non-zero multiple of 4 KiB, at most %u "
		    "MiB", (unsigned long long)c->size, BH_CHANNEL_MAX_SIZE >> 20);
	uint64_t rate;
	if (get_u64(pv, path, P_MAX_NOTIFY_RATE, &rate, false, err))
		return -1;
	if (pv->v[P_MAX_NOTIFY_RATE] &&
	    (rate == 0 || rate > BH_MAX_NOTIFY_RATE))
		CERR("'max-notify-rate' is %llu; expected 1 to %u notifications per "
		    "second (leave it out for no limit)", (unsigned long long)rate, BH_MAX_NOTIFY_RATE);
	c->max_notify_rate = (uint32_t)rate;
	p->nchans++;
	return 0;
}

static int read_policy(const void *fdt, int node, const char *path, struct plan *p,
		       struct props *pv, struct dt_error *err)
{
	if (read_props(fdt, node, path, K_POLICY, pv, err))
		return -1;
	int len = pv->len[P_ALLOW];
	const char *v = pv->v[P_ALLOW];
	if (!v)
		return 0; /* an empty policy: nothing between domains is allowed */
	if (len < 1 || v[len - 1])
		CERR("'allow' must be a list of strings");
	unsigned idx = 1;
	for (int pos = 0; pos < len; idx++) {
		if (dt_policy_parse_rule(v + pos, path, idx, p, err))
			return -1;
		pos += (int)strlen(v + pos) + 1;
	}
	return 0;
}

/* ---- networks ---- */

/* Is nm `kind` or `kind@<unit>`? ("channels@1" is no channel.) */
static bool node_is(const char *nm, const char *kind)
{
	size_t l = strlen(kind);
	return !strncmp(nm, kind, l) && (!nm[l] || nm[l] == '@');
}

/* A domain named by prop: a reference (<&label>) or its label ("label"). */
static int domain_ref(const void *fdt, const struct props *pv, const char *path, unsigned i,
		      const struct plan *p, unsigned *out, struct dt_error *err)
{
	int len = pv->len[i];
	const char *v = pv->v[i], *prop = pname(i);
	if (!v)
		CERR("missing required property '%s' (the member: <&label> or "
		    "\"label\")", prop);
	if (len > 1 && v[0] && !v[len - 1] && strnlen(v, (size_t)len) == (size_t)len - 1) {
		for (unsigned k = 0; k < p->ndoms; k++)
			if (!strcmp(p->dom[k].name, v)) {
				*out = k;
				return 0;
			}
		CERR("'%s' names \"%.40s\", which is no domain's label", prop, v);
	}
	if (len != 4)
		CERR("'%s' must name one domain (<&label> or \"label\")", prop);
	int d = find_domain_by_phandle(fdt, p, dt_rd32(v));
	if (d < 0)
		CERR("'%s' is not a reference to a domain node", prop);
	*out = (unsigned)d;
	return 0;
}

/* prop as a list of 32-bit VLAN ids (1-4094), at most max of them: how many, or -1. */
static int vlan_list(const struct props *pv, const char *path, unsigned pi, uint16_t *out,
		     unsigned max, struct dt_error *err)
{
	int len = pv->len[pi];
	const char *v = pv->v[pi], *prop = pname(pi);
	if (len <= 0 || len % 4 || (unsigned)len / 4 > max)
		CERR("'%s' must be %s 32-bit VLAN id%s (<10%s>)", prop,
		    max == 1 ? "one" : "a list of at most 16", max == 1 ? "" : "s",
		    max == 1 ? "" : " 20");
	unsigned n = (unsigned)len / 4;
	for (unsigned i = 0; i < n; i++) {
		uint32_t id = dt_rd32(v + 4 * i);
		if (id < 1 || id > BH_VLAN_ID_MAX)
			CERR("'%s': %u is not a VLAN id (1-%u)", prop, id,
			    BH_VLAN_ID_MAX);
		for (unsigned j = 0; j < i; j++)
			if (out[j] == id)
				CERR("'%s' lists VLAN %u twice", prop, id);
		out[i] = (uint16_t)id;
	}
	return (int)n;
}

/* 'vlan' (an access port, default 1) or 'vlans' and 'native-vlan' (a trunk). */
static int read_port_vlans(const struct props *pv, const char *path, struct net_port_cfg *pt,
			   struct dt_error *err)
{
	bool access = pv->v[P_VLAN], trunk = pv->v[P_VLANS], native = pv->v[P_NATIVE_VLAN];
	if (access && trunk)
		CERR("'vlan' (an access port) and 'vlans' (a trunk port) exclude each "
		    "other");
	if (native && !trunk)
		CERR("'native-vlan' is for trunk ports: it needs 'vlans'");
	pt->trunk = trunk;
	pt->pvid = 1;
	if (access && vlan_list(pv, path, P_VLAN, &pt->pvid, 1, err) < 0)
		return -1;
	if (!trunk)
		return 0;
	int n = vlan_list(pv, path, P_VLANS, pt->vlans, BH_NET_MAX_VLANS, err);
	if (n < 0)
		return -1;
	pt->nvlans = (unsigned)n;
	pt->pvid = 0;
	if (native && vlan_list(pv, path, P_NATIVE_VLAN, &pt->pvid, 1, err) < 0)
		return -1;
	for (unsigned i = 0; native && i < pt->nvlans; i++)
		if (pt->vlans[i] == pt->pvid)
			CERR("VLAN %u is both 'native-vlan' (untagged) and in 'vlans' "
		    "(tagged)", pt->pvid);
	return 0;
}

static int read_port(const void *fdt, int node, const char *path, const struct plan *p,
		     struct net_cfg *net, struct props *pv, struct dt_error *err)
{
	struct net_port_cfg *pt = &net->port[net->nports];
	memset(pt, 0, sizeof(*pt));
	if (read_props(fdt, node, path, K_PORT, pv, err) ||
	    unit_id(fdt, node, path, "port", 0xffff, &pt->id, err) ||
	    domain_ref(fdt, pv, path, P_DOMAIN, p, &pt->dom, err))
		return -1;
	const struct dom_cfg *d = &p->dom[pt->dom];
	for (unsigned i = 0; i < net->nports; i++) {
		if (net->port[i].id == pt->id)
			CERR("port id %x is used twice in this network", pt->id);
		if (net->port[i].dom == pt->dom)
			CERR("domain \"%s\" is already port@%x of this network",
			    d->name, net->port[i].id);
	}
	int len = pv->len[P_MAC_ADDRESS];
	const uint8_t *mac = (const uint8_t *)pv->v[P_MAC_ADDRESS];
	if (mac) {
		if (len != 6)
			CERR("'mac-address' must be 6 bytes ([02 00 00 00 00 01]), it has "
		    "%d", len);
		if (mac[0] & 1)
			CERR("'mac-address' %02x:%02x:%02x:%02x:%02x:%02x is a group "
		    "(multicast) address", mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
		if (!(mac[0] | mac[1] | mac[2] | mac[3] | mac[4] | mac[5]))
			CERR("'mac-address' is all zeros");
		memcpy(pt->mac, mac, 6);
	} else {
		/* Locally administered, from the network's and the domain's ids. */
		const uint8_t derived[6] = {0x02,
					    0x62,
					    0x68,
					    (uint8_t)net->id,
					    (uint8_t)(d->id >> 8),
					    (uint8_t)d->id};
		memcpy(pt->mac, derived, 6);
	}
	for (unsigned i = 0; i < net->nports; i++)
		if (!memcmp(net->port[i].mac, pt->mac, 6))
			CERR("MAC address %02x:%02x:%02x:%02x:%02x:%02x is also port@%x's", pt->mac[0], pt->mac[1], pt->mac[2], pt->mac[3], pt->mac[4],
			    pt->mac[5], net->port[i].id);
	if (read_port_vlans(pv, path, pt, err))
		return -1;
	net->nports++;
	return 0;
}

/* network@<id>: two or more port@<id> nodes, each a member domain. */
static int read_network(const void *fdt, int node, const char *path, struct plan *p,
			struct props *pv, struct dt_error *err)
{
	struct net_cfg *net = &p->net[p->nnets];
	memset(net, 0, sizeof(*net));
	if (read_props(fdt, node, path, K_NETWORK, pv, err) ||
	    unit_id(fdt, node, path, "network", 0xffff, &net->id, err))
		return -1;
	if (net->id > 0xff)
		CERR("network id %x is above ff", net->id);
	for (unsigned i = 0; i < p->nnets; i++)
		if (p->net[i].id == net->id)
			CERR("network id %x is used twice", net->id);
	int child;
	dt_blob_for_each_child(child, fdt, node)
	{
		const char *nm = dt_blob_name(fdt, child);
		char cpath[128];
		snprintf(cpath, sizeof(cpath), "%.60s/%.40s", path, nm);
		if (!node_is(nm, "port"))
			ERR("config %s: unknown node (expected port@<id>)", cpath);
		if (net->nports == BH_NET_MAX_PORTS)
			CERR("more than %d ports", BH_NET_MAX_PORTS);
		if (read_port(fdt, child, cpath, p, net, pv, err))
			return -1;
	}
	if (net->nports < 2)
		CERR("a network needs at least two port@<id> nodes (it has %u)",
		    net->nports);
	p->nnets++;
	return 0;
}

static bool overlaps(uint64_t a, uint64_t as, uint64_t b, uint64_t bs)
{
	return a < b + bs && b < a + as;
}

/* The control domain implicitly gets every device no one else claims: none
 * may have registers in RAM, and an interrupt line shared between such a
 * device and one another domain names cannot be split between two domains
 * (the devices dom0 names itself are its own: no split). A
 * line shared with the console stays the hypervisor's: not checked here,
 * never owned by dom0 (domains_assign_devices). */
struct control_check {
	const struct plan *p;
	const struct board *b;
	struct dt_error *err;
};

static int check_control_device(void *ctx, const struct dom0_device *dev)
{
	const struct control_check *c = ctx;
	const struct plan *p = c->p;
	struct dt_error *err = c->err, e2;
	struct dev_res regs = dev->res;
	regs.nirq = 0;
	if (!dev->reserved_memory && dt_res_check(c->b, &regs, dev->path, &e2))
		ERR("board DT, for the control domain: %.200s", e2.msg);
	for (unsigned i = 0; i < p->ndoms; i++)
		for (unsigned k = 0; k < p->dom[i].ndevices && !p->dom[i].control; k++)
			for (unsigned x = 0; x < p->dom[i].dev[k].nirq; x++)
				for (unsigned y = 0; y < dev->res.nirq; y++)
					if (p->dom[i].dev[k].irq[x] == dev->res.irq[y])
						ERR("config /bulkhead/domain@%x: interrupt %u of "
						    "\"%.60s\" is shared with \"%.60s\" (control "
						    "domain's): a line cannot be split",
						    p->dom[i].id, dev->res.irq[y], p->dom[i].devices[k],
						    dev->path);
	return 0;
}

static int check_control_domain(const struct plan *p, const struct board *b,
				struct dt_error *err)
{
	bool control = false;
	for (unsigned i = 0; i < p->ndoms; i++)
		control |= p->dom[i].control;
	if (!control || !b || !b->fdt)
		return 0;
	struct control_check c = {p, b, err};
	return dt_dom0_for_each_device(b, p, check_control_device, &c, err) ? -1 : 0;
}

/* The devices of two domains: none named twice, no shared line or registers. */
static int check_devices_apart(const char *path, const struct dom_cfg *d,
			       const struct dom_cfg *o, struct dt_error *err)
{
	for (unsigned x = 0; x < d->ndevices; x++)
		for (unsigned y = 0; y < o->ndevices; y++) {
			if (!strcmp(d->devices[x], o->devices[y]))
				CERR("device \"%s\" is also given to domain \"%s\"",
				    d->devices[x], o->name);
			const struct dev_res *a = &d->dev[x], *c = &o->dev[y];
			for (unsigned i = 0; i < a->nirq; i++)
				for (unsigned j = 0; j < c->nirq; j++)
					if (a->irq[i] == c->irq[j])
						CERR("interrupt %u of \"%s\" is also used "
		    "by \"%s\" of domain \"%s\"", a->irq[i], d->devices[x], o->devices[y],
						    o->name);
			for (unsigned i = 0; i < a->nreg; i++)
				for (unsigned j = 0; j < c->nreg; j++)
					if (overlaps(a->reg[i].base, a->reg[i].size, c->reg[j].base,
						     c->reg[j].size))
						CERR("registers of \"%s\" overlap \"%s\" of "
		    "domain \"%s\"", d->devices[x], o->devices[y], o->name);
		}
	return 0;
}

/* A new domain against those read before it: names, ids, the control role,
 * CPUs, devices and fixed memory each belong to one domain. */
static int check_apart(const char *path, const struct plan *p, const struct dom_cfg *d,
		       struct dt_error *err)
{
	for (unsigned i = 0; i < p->ndoms; i++) {
		const struct dom_cfg *o = &p->dom[i];
		if (!strcmp(o->name, d->name))
			CERR("label \"%s\" is already used by domain@%x", d->name,
			    o->id);
		if (o->id == d->id)
			CERR("domain id %x is used twice", d->id);
		if (o->control && d->control)
			CERR("only one domain may have role \"control\" (domain \"%s\" "
		    "has it too)", o->name);
		for (unsigned c = 0; c < d->ncpus; c++)
			for (unsigned k = 0; k < o->ncpus; k++)
				if (d->cpus[c] == o->cpus[k])
					CERR("CPU %u is also given to domain \"%s\"",
					    d->cpus[c], o->name);
		if (check_devices_apart(path, d, o, err))
			return -1;
		if (d->mem_base && o->mem_base &&
		    overlaps(d->mem_base, d->mem_size, o->mem_base, o->mem_size))
			CERR("memory 0x%llx-0x%llx overlaps domain \"%s\"",
			    (unsigned long long)d->mem_base,
			    (unsigned long long)(d->mem_base + d->mem_size - 1), o->name);
	}
	return 0;
}

/* A fixed 'memory-base' lies in the board's RAM, clear of reserved memory. */
static int check_fixed_memory(const char *path, const struct dom_cfg *d, const struct board *b,
			      struct dt_error *err)
{
	if (!d->mem_base || !b)
		return 0;
	unsigned long long lo = d->mem_base, hi = d->mem_base + d->mem_size - 1;
	bool inside = false;
	/* hi < lo: the range wraps past 2^64, no RAM holds it. */
	for (unsigned i = 0; i < b->nmem; i++)
		if (lo >= b->mem[i].base && hi >= lo && hi - b->mem[i].base < b->mem[i].size)
			inside = true;
	if (!inside)
		CERR("memory 0x%llx-0x%llx is not inside the board's RAM", lo, hi);
	for (unsigned i = 0; i < b->nresv; i++)
		if (overlaps(d->mem_base, d->mem_size, b->resv[i].base, b->resv[i].size))
			CERR("memory 0x%llx-0x%llx overlaps reserved memory 0x%llx-0x%llx", lo, hi, (unsigned long long)b->resv[i].base,
			    (unsigned long long)(b->resv[i].base + b->resv[i].size - 1));
	return 0;
}

/* "/bulkhead/<name>" into path[96], cut as snprintf would cut it. */
static void node_path(char *path, const char *name)
{
	size_t l = strnlen(name, 85);
	memcpy(path, "/bulkhead/", 10);
	memcpy(path + 10, name, l);
	path[10 + l] = 0;
}

/* Every domain@<id> (other nodes: channels and the policy, read later). */
static int read_domains(const void *fdt, int root, const struct board *b, struct plan *p,
			struct props *pv, struct dt_error *err)
{
	int node;
	dt_blob_for_each_child(node, fdt, root)
	{
		const char *nm = dt_blob_name(fdt, node);
		char path[96];
		node_path(path, nm);
		if (node_is(nm, "channel") || !strcmp(nm, "policy") || node_is(nm, "network"))
			continue;
		if (!node_is(nm, "domain"))
			CERR("unknown node (expected domain@<id>, channel@<id>, "
		    "network@<id> or policy)");
		if (p->ndoms == BH_MAX_DOMAINS)
			CERR("more than %d domains", BH_MAX_DOMAINS);
		struct dom_cfg *d = &p->dom[p->ndoms];
		memset(d, 0, sizeof(*d)); /* only the domains there are: 64 slots are 540 KiB */
		if (read_domain(fdt, node, path, b, d, pv, err) || check_apart(path, p, d, err) ||
		    check_fixed_memory(path, d, b, err))
			return -1;
		/* A reference names one domain: a hand-built blob (dtc refuses it)
		 * giving two the same phandle would have the first win silently. */
		uint32_t ph = dt_blob_phandle(fdt, node);
		int o = find_domain_by_phandle(fdt, p, ph);
		if (o >= 0)
			CERR("phandle 0x%x is also /bulkhead/%.40s's", ph,
			     dt_blob_name(fdt, p->dom[o].node));
		p->ndoms++;
	}
	if (p->ndoms == 0)
		ERR("config /bulkhead: no domain@<id> node: nothing to run");
	return 0;
}

/* Channels, networks and the policy, once every domain is known. */
static int read_channels_policy(const void *fdt, int root, struct plan *p, struct props *pv,
				struct dt_error *err)
{
	unsigned npolicy = 0;
	int node;
	dt_blob_for_each_child(node, fdt, root)
	{
		const char *nm = dt_blob_name(fdt, node);
		char path[96];
		node_path(path, nm);
		if (node_is(nm, "channel")) {
			if (p->nchans == BH_MAX_CHANNELS)
				CERR("more than %d channels", BH_MAX_CHANNELS);
			if (read_channel(fdt, node, path, p, pv, err))
				return -1;
		} else if (node_is(nm, "network")) {
			if (p->nnets == BH_MAX_NETWORKS)
				CERR("more than %d networks", BH_MAX_NETWORKS);
			if (read_network(fdt, node, path, p, pv, err))
				return -1;
		} else if (!strcmp(nm, "policy")) {
			if (npolicy++)
				CERR("only one policy node");
			if (read_policy(fdt, node, path, p, pv, err))
				return -1;
		}
	}
	return 0;
}

static int plan_read(const void *fdt, const struct board *b, struct plan *p,
		     struct dt_error *err)
{
	/* All but the domain slots, which read_domains() clears as it fills them. */
	p->ndoms = 0;
	memset(&p->nchans, 0, sizeof(*p) - offsetof(struct plan, nchans));
	err->msg[0] = 0;
	int e = dt_check_blob(fdt);
	if (e)
		ERR("config: not a valid DTB: %s", dt_blob_strerror(e));
	int root = dt_blob_child(fdt, 0, "bulkhead");
	if (root < 0)
		ERR("config: no /bulkhead node");
	struct props pv; /* each node's in turn: one on the stack, not one per kind */
	if (read_props(fdt, root, "/bulkhead", K_ROOT, &pv, err))
		return -1;
	p->insecure_pmu_el2 = pv.v[P_INSECURE_PMU_EL2] != NULL;
	if (read_domains(fdt, root, b, p, &pv, err) || read_channels_policy(fdt, root, p, &pv, err))
		return -1;
	return check_control_domain(p, b, err);
}

/* A name (a node's, a property's, a board DT's) in a message shows '?' for
 * each byte outside printable ASCII: only text reaches the terminal. */
int dt_plan_read(const void *fdt, const struct board *b, struct plan *p, struct dt_error *err)
{
	int rc = plan_read(fdt, b, p, err);
	for (char *c = err->msg; *c; c++)
		if ((unsigned char)*c - 0x20u > 0x5eu)
			*c = '?';
	return rc;
}
