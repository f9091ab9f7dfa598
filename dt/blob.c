/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Lookups on a checked DTB, in place (dt/blob.h): the config DT's reader,
 * which libfdt's read code served before (8 KiB of image, and ~45K
 * instructions at boot through fdt_offset_ptr()'s checks of bounds the
 * check pass had already checked).
 */
#include <libfdt.h>

#include "common/lib.h"
#include "dt/blob.h"

/* A big-endian word at any alignment. */
static uint32_t rd32(const char *p)
{
	const unsigned char *b = (const unsigned char *)p;
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

static const char *sblock(const void *fdt)
{
	return (const char *)fdt + fdt_off_dt_struct(fdt);
}

/* The tag at structure offset *off; *off moves past it and what it holds. */
static uint32_t tag_at(const char *s, int *off)
{
	const char *p = s + *off;
	uint32_t tag = rd32(p);
	p += 4;
	if (tag == FDT_BEGIN_NODE)
		p += strlen(p) + 1;
	else if (tag == FDT_PROP)
		p += 8 + rd32(p);
	*off = ALIGN_UP((int)(p - s), 4);
	return tag;
}

const char *dt_blob_name(const void *fdt, int node)
{
	return sblock(fdt) + node + 4;
}

int dt_blob_next_prop(const void *fdt, int node, int prev)
{
	const char *s = sblock(fdt);
	int off = prev < 0 ? node : prev;
	tag_at(s, &off); /* the node's BEGIN_NODE, or the property prev */
	for (;;) {
		int here = off;
		uint32_t tag = tag_at(s, &off);
		if (tag == FDT_PROP)
			return here;
		if (tag != FDT_NOP)
			return -FDT_ERR_NOTFOUND;
	}
}

const void *dt_blob_prop(const void *fdt, int prop, const char **name, int *lenp)
{
	const char *p = sblock(fdt) + prop;
	if (name)
		*name = (const char *)fdt + fdt_off_dt_strings(fdt) + rd32(p + 8);
	if (lenp)
		*lenp = (int)rd32(p + 4);
	return p + 12;
}

const void *dt_blob_getprop(const void *fdt, int node, const char *name, int *lenp)
{
	int p;
	dt_blob_for_each_prop(p, fdt, node)
	{
		const char *n;
		const void *v = dt_blob_prop(fdt, p, &n, lenp);
		if (!strcmp(n, name)) /* the check pass found its NUL */
			return v;
	}
	if (lenp)
		*lenp = -FDT_ERR_NOTFOUND;
	return NULL;
}

int dt_blob_next_child(const void *fdt, int parent, int prev)
{
	const char *s = sblock(fdt);
	int off = prev < 0 ? parent : prev;
	/* As libfdt: offset 0 may be a NOP (or the END of an empty tree), no node. */
	if (tag_at(s, &off) != FDT_BEGIN_NODE)
		return -FDT_ERR_BADOFFSET;
	/* depth below the children's level: inside prev's subtree, or none */
	int depth = prev < 0 ? 0 : 1;
	for (;;) {
		int here = off;
		uint32_t tag = tag_at(s, &off);
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

int dt_blob_child(const void *fdt, int parent, const char *name)
{
	size_t l = strlen(name);
	int c;
	dt_blob_for_each_child(c, fdt, parent)
	{
		const char *n = dt_blob_name(fdt, c);
		if (!strncmp(n, name, l) && (!n[l] || n[l] == '@'))
			break;
	}
	return c;
}

uint32_t dt_blob_phandle(const void *fdt, int node)
{
	int len;
	const char *p = dt_blob_getprop(fdt, node, "phandle", &len);
	if (!p || len != 4)
		p = dt_blob_getprop(fdt, node, "linux,phandle", &len);
	return p && len == 4 ? rd32(p) : 0;
}
