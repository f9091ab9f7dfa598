/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Lookups on a checked DTB, in place (dt/blob.h): the config DT's reader,
 * which libfdt's read code served before (8 KiB of image, and ~45K
 * instructions at boot through fdt_offset_ptr()'s checks of bounds the
 * check pass had already checked).
 */
#define DT_RD32_INLINE /* dt_rd32_os() below is the copy the rest calls */
#include <libfdt.h>

#include "common/lib.h"
#include "dt/blob.h"

/* The header's off_dt_struct and off_dt_strings, read inline (libfdt's
 * fdt32_ld, out of line, was a quarter of reading the config). */
static const char *sblock(const void *fdt)
{
	return (const char *)fdt + dt_rd32((const char *)fdt + 8);
}

static const char *strblock(const void *fdt)
{
	return (const char *)fdt + dt_rd32((const char *)fdt + 12);
}

/* The tag at structure offset `at`; `at` moves past it and what it holds.
 * A static, not each caller's local whose address is taken (each caller
 * would carry a stack guard: 32 bytes apiece). The walks below call nothing
 * else between their steps; DTs are read at boot on one CPU, and by the
 * host tools on one thread. */
static int at;
static uint32_t tag_at(const char *s)
{
	const char *p = s + at;
	uint32_t tag = dt_rd32(p);
	p += 4;
	if (tag == FDT_BEGIN_NODE)
		p += strlen(p) + 1;
	else if (tag == FDT_PROP)
		p += 8 + dt_rd32(p);
	at = ALIGN_UP((int)(p - s), 4);
	return tag;
}

/* From at: the offset of the next tag, NOPs passed over, if it is want;
 * anything else ends the search. */
static int next_tag(const char *s, uint32_t want)
{
	for (;;) {
		int here = at;
		uint32_t tag = tag_at(s);
		if (tag == want)
			return here;
		if (tag != FDT_NOP)
			return -FDT_ERR_NOTFOUND;
	}
}

const char *dt_blob_name(const void *fdt, int node)
{
	return sblock(fdt) + node + 4;
}

int dt_blob_next_prop(const void *fdt, int node, int prev)
{
	const char *s = sblock(fdt);
	/* A node's own properties only: not an error code, not the tags a
	 * tree may hold before its root (as libfdt, BADOFFSET). */
	if (prev < 0 && (node < 0 || dt_rd32(s + node) != FDT_BEGIN_NODE))
		return -FDT_ERR_BADOFFSET;
	at = prev < 0 ? node : prev;
	tag_at(s); /* the node's BEGIN_NODE, or the property prev */
	return next_tag(s, FDT_PROP);
}

const void *dt_blob_prop(const void *fdt, int prop, const char **name, int *lenp)
{
	const char *p = sblock(fdt) + prop;
	if (name)
		*name = strblock(fdt) + dt_rd32(p + 8);
	if (lenp)
		*lenp = (int)dt_rd32(p + 4);
	return p + 12;
}

/* The property named by the l bytes at name. */
static const void *getprop_n(const void *fdt, int node, const char *name, size_t l, int *lenp)
{
	int p;
	dt_blob_for_each_prop(p, fdt, node)
	{
		static const char *n; /* static: no stack guard (as `at`) */
		const void *v = dt_blob_prop(fdt, p, &n, lenp);
		if (*n == *name && !strncmp(n, name, l) && !n[l]) /* the check pass found its NUL */
			return v;
	}
	if (lenp)
		*lenp = -FDT_ERR_NOTFOUND;
	return NULL;
}

const void *dt_blob_getprop(const void *fdt, int node, const char *name, int *lenp)
{
	return getprop_n(fdt, node, name, strlen(name), lenp);
}

int dt_blob_next_child(const void *fdt, int parent, int prev)
{
	const char *s = sblock(fdt);
	at = prev < 0 ? parent : prev;
	/* As libfdt: offset 0 may be a NOP (or the END of an empty tree), no node. */
	if (tag_at(s) != FDT_BEGIN_NODE)
		return -FDT_ERR_BADOFFSET;
	/* depth below the children's level: inside prev's subtree, or none */
	int depth = prev < 0 ? 0 : 1;
	for (;;) {
		int here = at;
		uint32_t tag = tag_at(s);
		if (tag == FDT_BEGIN_NODE) {
			if (!depth++)
				return here;
		} else if (tag == FDT_END_NODE) {
			if (!depth--)
				return -FDT_ERR_NOTFOUND;
		} else if (tag == FDT_END) {
			return -FDT_ERR_NOTFOUND;
		}
	}
}

int dt_blob_child_after(const void *fdt, int node, int last_prop)
{
	if (last_prop < 0)
		return dt_blob_next_child(fdt, node, -1);
	const char *s = sblock(fdt);
	at = last_prop;
	tag_at(s); /* the property */
	return next_tag(s, FDT_BEGIN_NODE);
}

/* The child named by the l bytes at name: the whole name, or the name
 * before its unit address when `name` has none (a path component's rule). */
static int child_n(const void *fdt, int parent, const char *name, size_t l)
{
	int c;
	dt_blob_for_each_child(c, fdt, parent)
	{
		const char *n = dt_blob_name(fdt, c);
		if (!strncmp(n, name, l) && (!n[l] || (n[l] == '@' && !memchr(name, '@', l))))
			break;
	}
	return c;
}

int dt_blob_child(const void *fdt, int parent, const char *name)
{
	return child_n(fdt, parent, name, strlen(name));
}

const char *dt_blob_alias(const void *fdt, const char *name, int len)
{
	int a = child_n(fdt, 0, "aliases", 7), l;
	const char *v = a >= 0 ? getprop_n(fdt, a, name, (size_t)len, &l) : NULL;
	/* A path, NUL-terminated (libfdt takes any value, and an alias of an
	 * alias recurses without end). */
	return v && l > 1 && v[0] == '/' && !v[l - 1] ? v : NULL;
}

int dt_blob_next_node(const void *fdt, int node, int *depth)
{
	const char *s = sblock(fdt);
	at = node < 0 ? 0 : node;
	if (node >= 0 && tag_at(s) != FDT_BEGIN_NODE)
		return -FDT_ERR_BADOFFSET;
	for (;;) {
		int here = at;
		uint32_t tag = tag_at(s);
		if (tag == FDT_BEGIN_NODE) {
			if (depth)
				++*depth;
			return here;
		}
		if (tag == FDT_END_NODE && depth && --*depth < 0)
			return at; /* left the subtree the walk started in */
		if (tag == FDT_END)
			return -FDT_ERR_NOTFOUND;
	}
}

int dt_blob_max_phandle(const void *fdt, uint32_t *max)
{
	*max = 0;
	for (int n = dt_blob_next_node(fdt, -1, NULL); n >= 0;
	     n = dt_blob_next_node(fdt, n, NULL)) {
		uint32_t ph = dt_blob_phandle(fdt, n);
		if (ph == ~0u)
			return -FDT_ERR_NOPHANDLES;
		*max = MAX(*max, ph);
	}
	return 0;
}

const char *dt_blob_strerror(int e)
{
	/* The names of codes -1 to -18, as libfdt 1.6.1 gives them. */
	static const char names[] =
	    "FDT_ERR_NOTFOUND\0FDT_ERR_EXISTS\0FDT_ERR_NOSPACE\0FDT_ERR_BADOFFSET\0"
	    "FDT_ERR_BADPATH\0FDT_ERR_BADPHANDLE\0FDT_ERR_BADSTATE\0FDT_ERR_TRUNCATED\0"
	    "FDT_ERR_BADMAGIC\0FDT_ERR_BADVERSION\0FDT_ERR_BADSTRUCTURE\0FDT_ERR_BADLAYOUT\0"
	    "FDT_ERR_INTERNAL\0FDT_ERR_BADNCELLS\0FDT_ERR_BADVALUE\0FDT_ERR_BADOVERLAY\0"
	    "FDT_ERR_NOPHANDLES\0FDT_ERR_BADFLAGS";
	if (e >= 0)
		return e ? "<valid offset/length>" : "<no error>";
	const char *p = names;
	while (++e < 0 && p < names + sizeof(names))
		p += strlen(p) + 1;
	return p < names + sizeof(names) ? p : "<unknown error>";
}

/* A 64-bit big-endian value at any alignment. */
static uint64_t rd64(const char *p)
{
	return (uint64_t)dt_rd32(p) << 32 | dt_rd32(p + 4);
}

/* Reservation n's address (and +8 its size), or NULL past the blob. */
static const char *rsv(const void *fdt, int n)
{
	uint32_t off = fdt_off_mem_rsvmap(fdt) + (uint32_t)n * 16;
	return off < fdt_off_mem_rsvmap(fdt) || off > fdt_totalsize(fdt) - 16
		   ? NULL
		   : (const char *)fdt + off;
}

int dt_blob_num_rsv(const void *fdt)
{
	const char *r;
	for (int n = 0; (r = rsv(fdt, n)); n++)
		if (!rd64(r + 8))
			return n;
	return -FDT_ERR_TRUNCATED;
}

int dt_blob_rsv(const void *fdt, int n, uint64_t *addr, uint64_t *size)
{
	const char *r = rsv(fdt, n);
	if (!r)
		return -FDT_ERR_BADOFFSET;
	*addr = rd64(r);
	*size = rd64(r + 8);
	return 0;
}

/* Is [off, off + size) inside the blob, after a header of hdr bytes? */
static bool block_ok(uint32_t hdr, uint32_t total, uint32_t off, uint32_t size)
{
	return off >= hdr && off <= total && off + size >= off && off + size <= total;
}

int dt_blob_check_header(const void *fdt)
{
	if (fdt_magic(fdt) != FDT_MAGIC)
		return -FDT_ERR_BADMAGIC;
	uint32_t v = fdt_version(fdt), last = fdt_last_comp_version(fdt),
		 total = fdt_totalsize(fdt);
	if (v < FDT_FIRST_SUPPORTED_VERSION || last > FDT_LAST_SUPPORTED_VERSION || v < last)
		return -FDT_ERR_BADVERSION;
	uint32_t hdr = v <= 2 ? FDT_V2_SIZE : v <= 16 ? FDT_V16_SIZE : FDT_V17_SIZE;
	/* Version 16 has no structure size: only its start is checked. */
	if (total < hdr || total > INT32_MAX || !block_ok(hdr, total, fdt_off_mem_rsvmap(fdt), 0) ||
	    !block_ok(hdr, total, fdt_off_dt_struct(fdt), v >= 17 ? fdt_size_dt_struct(fdt) : 0) ||
	    !block_ok(hdr, total, fdt_off_dt_strings(fdt), fdt_size_dt_strings(fdt)))
		return -FDT_ERR_TRUNCATED;
	return 0;
}

uint32_t dt_blob_phandle(const void *fdt, int node)
{
	static int len; /* static: no stack guard (as `at`) */
	const char *p = dt_blob_getprop(fdt, node, "phandle", &len);
	if (!p || len != 4)
		p = dt_blob_getprop(fdt, node, "linux,phandle", &len);
	return p && len == 4 ? dt_rd32(p) : 0;
}

uint32_t dt_rd32_os(const char *p);
uint32_t dt_rd32_os(const char *p)
{
	return dt_rd32(p);
}
