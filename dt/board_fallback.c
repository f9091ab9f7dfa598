/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A board DT dt_board_read() refused, read once more for what it takes to
 * say so and stop: which of the index's limits it is over, the console
 * /chosen names, the PSCI conduit of /psci (or /firmware/psci). No index:
 * dt_check_blob()'s checked pass, which has no limits (no array it fills),
 * then dt/blob.c's lookups in place, each a bounded forward walk.
 */
#include <libfdt.h>

#include "common/lib.h"
#include "dt/blob.h"
#include "dt/dt.h"

/* The length of the property a helper below read last: a static, not a
 * local whose address is taken (each such function would carry a stack
 * guard: 32 bytes apiece). Boot only, one CPU. */
static int plen;

/* A string property of node: NUL-terminated inside its value, else NULL
 * (as for a node < 0: dt_blob_getprop() finds no property of it). */
static const char *str_prop(const void *fdt, int node, const char *name)
{
	const char *v = dt_blob_getprop(fdt, node, name, &plen);
	return v && plen > 0 && !v[plen - 1] ? v : NULL;
}

/* #address-cells or #size-cells of node: `absent` if it has none, -1 if
 * not one cell of at most 2 (a base we read into 64 bits). */
static int cells(const void *fdt, int node, const char *name, int absent)
{
	const char *v = dt_blob_getprop(fdt, node, name, &plen);
	uint32_t c = !v ? (uint32_t)absent : plen == 4 ? dt_rd32(v) : 3;
	return c <= 2 ? (int)c : -1;
}

/* Buses between the root and a console: 1 or 2 on real boards. The
 * nodes between the root and the console, outermost first (path_node()). */
#define BUS_MAX 8
static int bus[BUS_MAX], nbus;

/* The node at `path`, each component matched as dt_path_offset() does. */
static int path_node(const void *fdt, char *path)
{
	int node = 0;
	nbus = 0;
	for (char *c = path;;) {
		while (*c == '/')
			c++;
		if (!*c)
			return node;
		char *e = c;
		while (*e && *e != '/')
			e++;
		if (node && nbus == BUS_MAX)
			return -1;
		if (node)
			bus[nbus++] = node;
		char sep = *e;
		*e = 0;
		node = dt_blob_child(fdt, node, c);
		*e = sep;
		if (node < 0)
			return node;
		c = e;
	}
}

/* *addr, on the bus inside the innermost bus (whose cell counts are ac,
 * sc), translated through each bus's 'ranges' up to the root's
 * (dt_translate()'s rule); false if one has no 'ranges' or none of its
 * entries holds the address. Each bus's parent's counts are the next's. */
static bool translate(const void *fdt, uint64_t *addr, int ac, int sc)
{
	for (int n = nbus; n--;) {
		const char *r = dt_blob_getprop(fdt, bus[n], "ranges", &plen);
		int rlen = plen, parent = n ? bus[n - 1] : 0;
		if (!r)
			return false;
		int pac = cells(fdt, parent, "#address-cells", 2), step = (ac + pac + sc) * 4;
		bool found = !rlen; /* empty: 1:1 */
		if (!found && (ac < 1 || sc < 0 || pac < 1))
			return false;
		for (; !found && rlen >= step; r += step, rlen -= step) {
			uint64_t child = dt_read_cells(r, ac), size = dt_read_cells(r + 4 * (ac + pac), sc);
			if (*addr >= child && *addr - child < size) {
				*addr += dt_read_cells(r + 4 * ac, pac) - child;
				found = true;
			}
		}
		if (!found)
			return false;
		ac = pac;
		sc = cells(fdt, parent, "#size-cells", 1);
	}
	return true;
}

/* The kind of the first of dt_uarts[] (read_uart()'s, in its order of
 * preference) the string list p (len bytes) holds. */
static enum uart_kind uart_kind(const char *p, int len)
{
	for (const char *w = dt_uarts; *w; w += strlen(w) + 1)
		if (dt_compat_has(p, len, w + 1))
			return (enum uart_kind)w[0];
	return UART_NONE;
}

/* src up to its NUL or `stop` into dst (a board's uart_path); false if
 * it does not fit. */
static bool set_path(char *dst, const char *src, char stop)
{
	for (size_t l = 0; l < sizeof(((struct board *)0)->uart_path); l++)
		if (!(dst[l] = src[l] == stop ? 0 : src[l]))
			return true;
	return false;
}

/* The console /chosen/stdout-path (or its alias) names: its kind and base
 * (its parent's cell counts, and every bus's, at most 2). */
static void find_uart(const void *fdt, struct board *b)
{
	int chosen = dt_blob_child(fdt, 0, "chosen");
	const char *p = str_prop(fdt, chosen, "stdout-path");
	if (!p)
		p = str_prop(fdt, chosen, "linux,stdout-path");
	if (!p || !set_path(b->uart_path, p, ':'))
		return;
	if (p[0] != '/') { /* an alias (one step: as read_uart(), never an alias's alias) */
		p = str_prop(fdt, dt_blob_child(fdt, 0, "aliases"), b->uart_path);
		if (!p || p[0] != '/' || !set_path(b->uart_path, p, 0))
			return;
	}
	int node = path_node(fdt, b->uart_path);
	p = node > 0 ? dt_blob_getprop(fdt, node, "compatible", &plen) : NULL;
	enum uart_kind k = uart_kind(p, plen);
	int parent = nbus ? bus[nbus - 1] : 0;
	int ac = cells(fdt, parent, "#address-cells", 2), sc = cells(fdt, parent, "#size-cells", 1);
	const char *r = k ? dt_blob_getprop(fdt, node, "reg", &plen) : NULL;
	if (!r || ac < 1 || sc < 0 || plen < (ac + sc) * 4)
		return;
	b->uart_base = dt_read_cells(r, ac);
	if (translate(fdt, &b->uart_base, ac, sc))
		b->uart = k;
}

/* err->msg: fdt is over `limit`. */
static void over(struct dt_error *err, const char *limit)
{
	snprintf(err->msg, sizeof(err->msg), "DT: more than %s: not supported", limit);
}

int dt_board_early(const void *fdt, struct board *b, struct dt_error *err)
{
	if (fdt_totalsize(fdt) <= DT_MAP_MAX)
		return dt_board_read(fdt, b, err);
	memset(b, 0, sizeof(*b));
	over(err, "32 MiB (totalsize)");
	return -1;
}

void dt_board_fallback(const void *fdt, struct board *b, struct dt_error *err)
{
	/* Not a DT whose bounds hold, or not all of it mapped: nothing in it
	 * is read. */
	if (fdt_totalsize(fdt) > DT_MAP_MAX || dt_check_blob(fdt))
		return;
	/* dt/board.c's limits (test_board_fallback.c holds them to its own):
	 * nodes, levels (the root's is 1), by dt_check_blob()'s walk, which
	 * bounded every step of it. */
	const char *s = (const char *)fdt + fdt_off_dt_struct(fdt);
	unsigned nodes = 0, levels = 0, d = 0;
	for (uint32_t off = 0, tag; (tag = dt_rd32(s + off)) != FDT_END;) {
		off += 4;
		if (tag == FDT_BEGIN_NODE) {
			nodes++;
			d++;
			levels = MAX(levels, d); /* not ++d: MAX() reads it twice */
			off = ALIGN_UP(off + (uint32_t)strlen(s + off) + 1, 4);
		} else if (tag == FDT_PROP) {
			off = ALIGN_UP(off + 8 + dt_rd32(s + off), 4);
		} else if (tag == FDT_END_NODE) {
			d--;
		}
	}
	uint32_t size = fdt_version(fdt) >= 17 ? fdt_size_dt_struct(fdt)
					       : fdt_totalsize(fdt) - fdt_off_dt_struct(fdt);
	const char *limit = nodes > 2048    ? "2048 nodes"
			    : levels > 64   ? "64 levels of nodes"
			    : size > 131072 ? "128 KiB of structure"
					    : NULL;
	if (limit)
		over(err, limit);
	if (!b->uart)
		find_uart(fdt, b);
	if (b->psci == CONDUIT_NONE) {
		int psci = dt_blob_child(fdt, 0, "psci"), fw = dt_blob_child(fdt, 0, "firmware");
		if (psci < 0 && fw >= 0) /* where TI's K3 boards have it */
			psci = dt_blob_child(fdt, fw, "psci");
		const char *m = str_prop(fdt, psci, "method");
		b->psci = !m ? CONDUIT_NONE : !strcmp(m, "smc") ? CONDUIT_SMC
					  : !strcmp(m, "hvc") ? CONDUIT_HVC : CONDUIT_NONE;
	}
}
