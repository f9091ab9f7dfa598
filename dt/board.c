/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Reads the live board DT: CPUs and how to start them, memory and what is
 * reserved in it, the GIC and its regions, timer PPIs, the PSCI conduit, and
 * the console UART named by /chosen/stdout-path.
 */
#include <libfdt.h>

#include "common/lib.h"
#include "dt/blob.h"
#include "dt/dt.h"
#include "dt/err.h"

uint64_t dt_read_cells(const void *p, int cells)
{
	uint64_t v = 0;
	for (int i = 0; i < cells; i++)
		v = (v << 32) | dt_rd32((const char *)p + 4 * i);
	return v;
}

/* The timers' and the GIC maintenance interrupt's rule (gic.c enables them
 * by a bit of a 32-bit mask): one message for both. */
#define NOT_PPI "DT: %s: interrupt %u is not a PPI (GIC type 1, number 0-15)"

unsigned dt_gic_intid(const uint32_t *cells)
{
	/* <type num flags>: type 0 = SPI (INTID 32 + num, at most 1019), 1 = PPI
	 * (INTID 16 + num, at most 31); anything else 0, no interrupt of ours. */
	uint32_t type = fdt32_to_cpu(cells[0]), num = fdt32_to_cpu(cells[1]);
	return type == 0 ? (num < 988 ? 32 + num : 0) : type == 1 && num < 16 ? 16 + num : 0;
}

const char *dt_uart_name(enum uart_kind k)
{
	/* In enum uart_kind's order. */
	const char *n = "none\0PL011\00016550\0Cadence\0i.MX\0BCM2835 mini UART";
	for (unsigned i = k; i; i--)
		n += strlen(n) + 1;
	return n;
}

/*
 * An index of the board DT, from one pass over its structure block: each
 * node's offset, parent and first property. libfdt's walkers scan node names
 * a byte at a time through fdt_offset_ptr(), and fdt_parent_offset() and
 * fdt_node_offset_by_compatible() rescan the tree from its start: on QEMU's
 * virt DT (56 nodes) reading the board that way cost 1.8M instructions. The
 * dt_* lookups below answer from the index for the DT dt_board_read() read
 * (which nothing modifies afterwards) exactly as their libfdt namesakes do;
 * for any other tree they answer -FDT_ERR_BADOFFSET (or NOTFOUND, BADPATH)
 * and no libfdt reader is linked for them. dt_board_read() refuses a board
 * DT the index cannot hold whole. The pass checks every bound itself, as
 * fdt_check_full() (dt_check_blob) would.
 */
#define DT_INDEX_MAX 2048 /* nodes; the largest of Debian's 577 arm64 DTBs has 997 */
#define SLOT_MAP 16384 /* a structure block of up to 128 KiB (Debian's largest: 117 KiB) */
_Static_assert(DT_INDEX_MAX == 2048 && SLOT_MAP * 8 == 128 << 10, "dt_board_read()'s message");
static struct {
	const void *fdt;
	unsigned n;
	/* 1 + the last node's offset when every node of fdt is in the index
	 * (the tree is whole), else 0. */
	unsigned end;
	uint32_t phandle; /* the phandle dt_node_by_phandle() found last, 0 if none */
	int phandle_node;
	/* Per enum dt_compat list: the first node holding its best word so
	 * far, and that word's index (0xff: none yet). */
	int cnode[DT_NCOMPAT];
	uint8_t cword[DT_NCOMPAT];
} ix;
/* The length a lookup below gave last: a static, not a local whose address
 * is taken (each such function would carry a stack guard: 32 bytes apiece),
 * as in board_fallback.c. Read right after the lookup; DTs are read at boot
 * on one CPU, and by the host tools on one thread. */
static int vlen;
/* Slots 0 to ix.n - 1, each written before it is read: not zeroed at boot
 * (13 KiB of .bss: 3,300 instructions of zeroing and its cache invalidation). */
static struct {
	int node[DT_INDEX_MAX], parent[DT_INDEX_MAX];
	uint32_t props[DT_INDEX_MAX]; /* structure offset of the tag after its name */
	/* Structure offset of each enum dt_prop property's tag, 0 if absent:
	 * read in the same pass, so the questions asked of every node (its
	 * compatible, reg, status...) cost no scan of its properties. */
	uint32_t prop[DT_INDEX_MAX][DT_NPROPS];
	uint8_t depth[DT_INDEX_MAX];  /* the root's is 0 */
	uint8_t memo[DT_INDEX_MAX];   /* dt_node_memo() */
	uint16_t sib[DT_INDEX_MAX];   /* the slot of the next sibling, 0 if none */
	/* The slot of the node at structure offset 8 * j (a node takes at least
	 * 8 bytes before the next begins); only the nodes' entries are written,
	 * so ix_slot() checks what it reads. */
	uint16_t slot_of[SLOT_MAP];
} ixa __attribute__((section(".noinit")));

/* The names of enum dt_prop, in its order; where each starts in the list. */
static const char prop_names[] = "compatible\0reg\0status\0device_type\0#address-cells\0"
				 "#size-cells\0ranges\0interrupts\0interrupt-parent";
static const uint8_t prop_at[DT_NPROPS] = {0, 11, 15, 22, 34, 49, 61, 68, 79};

/* A big-endian word, 4-byte aligned (the index is only used for an aligned block). */
static inline uint32_t rd32a(const char *p)
{
	return __builtin_bswap32(*(const uint32_t *)(const void *)p);
}

/* Is the string at strs + off (a block of ssize bytes) exactly `name`? */
static bool str_is(const char *strs, uint32_t ssize, uint32_t off, const char *name)
{
	for (; off < ssize; off++, name++) {
		if (strs[off] != *name)
			return false;
		if (!*name)
			return true;
	}
	return false;
}

/* Which enum dt_prop the name at strs + nameoff is, or -1; remembered per
 * name offset in kind[] (1 + the id, or 0xff) for the first KIND_MAX bytes
 * of the strings block: a DT names its ~50 property names once each. */
#define KIND_MAX 2048
static uint8_t kind[KIND_MAX] __attribute__((section(".noinit"), aligned(8)));

static int prop_id(const char *strs, uint32_t ssize, uint32_t nameoff)
{
	unsigned k = nameoff < KIND_MAX ? kind[nameoff] : 0;
	if (!k) {
		for (k = 0; k < DT_NPROPS; k++) /* most names differ at their first byte */
			if (strs[nameoff] == prop_names[prop_at[k]] &&
			    str_is(strs, ssize, nameoff, prop_names + prop_at[k]))
				break;
		k = k < DT_NPROPS ? k + 1 : 0xff;
		if (nameoff < KIND_MAX)
			kind[nameoff] = (uint8_t)k;
	}
	return k == 0xff ? -1 : (int)k - 1;
}

/* The lists dt_board_compat() answers (dt/dt.h), their words less "arm,", in
 * order of preference; each word's list and index in it. */
static const char compat_words[] = "gic-v3\0cortex-a15-gic\0gic-400\0cortex-a9-gic\0"
				   "cortex-a7-gic\0arm11mp-gic\0armv8-timer\0armv7-timer\0"
				   "psci-1.0\0psci-0.2\0psci";
static const uint8_t compat_at[11] = {0, 7, 22, 30, 44, 58, 70, 82, 94, 103, 112};
static const uint8_t compat_of[11] = {0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x10, 0x11,
				      0x20, 0x21, 0x22};

/*
 * A node's compatible value (len bytes at p), met by the index pass: each
 * of its strings that starts "arm," (every listed word does) is looked up
 * among the lists' words. Nodes come in tree order and a list's answer is
 * replaced only by a better word, so each word keeps the first node holding
 * it: what dt_find_compatible_in() answers, without a search over every
 * node.
 */
static __attribute__((noinline)) void compat_note(const char *p, uint32_t len, unsigned slot)
{
	/* Only a string ending inside the value matches: past its last NUL
	 * nothing can, and short of it every scan below stops at a NUL. */
	while (len && p[len - 1])
		len--;
	for (const char *e = p + len; e - p > 4; p++) {
		if (p[0] == 'a' && p[1] == 'r' && p[2] == 'm' && p[3] == ',')
			for (unsigned i = 0; i < 11; i++) {
				const char *q = p + 4, *w = compat_words + compat_at[i];
				while (*q && *q == *w)
					q++, w++;
				unsigned l = compat_of[i] >> 4, k = compat_of[i] & 15;
				if (!*q && !*w && k < ix.cword[l]) {
					ix.cword[l] = (uint8_t)k;
					ix.cnode[l] = ixa.node[slot];
				}
			}
		while (*p)
			p++;
	}
}

int dt_board_compat(const void *fdt, enum dt_compat l, unsigned *which)
{
	if (fdt != ix.fdt || !ix.end || ix.cword[l] == 0xff)
		return -FDT_ERR_NOTFOUND;
	*which = ix.cword[l];
	return ix.cnode[l];
}

/* The first NUL in [p, e), p 4-byte aligned: a word at a time, then the
 * bytes of the word that holds it (node names: 6 instructions a word). */
static const char *nul_from(const char *p, const char *e)
{
	for (; e - p >= 4; p += 4) {
		uint32_t w = *(const uint32_t *)(const void *)p;
		if ((w - 0x01010101u) & ~w & 0x80808080u)
			break;
	}
	return memchr(p, 0, (size_t)(e - p));
}

/*
 * One pass over the structure block with the checks of libfdt 1.6.1's
 * fdt_check_full() (every tag, name and property inside the block, property
 * names inside the strings block, an unnamed root, nodes balanced, nothing
 * but FDT_END after the root), at a fraction of its cost (it, too, reads
 * names a byte at a time through fdt_offset_ptr()); with `build`, the index
 * as well. tests/unit/test_board.c holds it to fdt_check_full() on mutated
 * DTs. The header was checked before.
 */
/* A structure word at offset o: in place when building the index (which
 * needs, and checks, an aligned block), a byte at a time otherwise. */
#define WORD(o) (build ? rd32a(s + (o)) : dt_rd32(s + (o)))
static inline __attribute__((always_inline)) int walk(const void *fdt, bool build)
{
	const char *s = (const char *)fdt + fdt_off_dt_struct(fdt);
	const char *strs = (const char *)fdt + fdt_off_dt_strings(fdt);
	uint32_t ssize = MIN(fdt_size_dt_strings(fdt), fdt_totalsize(fdt) - fdt_off_dt_strings(fdt));
	uint32_t off = 0;
	/* Version 16 has no structure size: up to the end of the blob. */
	uint32_t size = fdt_version(fdt) >= 17 ? fdt_size_dt_struct(fdt)
					       : fdt_totalsize(fdt) - fdt_off_dt_struct(fdt);
	/* A property name is inside the block iff some NUL follows its start there. */
	uint32_t last_nul = ssize;
	while (last_nul > 0 && strs[last_nul - 1])
		last_nul--;
	int stack[64], cur = -1; /* cur: the slot whose properties are being read */
	int last[65];		 /* the slot of the last node begun at each depth */
	last[0] = -1;
	unsigned depth = 0;
	bool root_done = false;
	if (build) {
		ix.fdt = fdt;
		if (((uintptr_t)s & 3) || size > SLOT_MAP * 8)
			return -FDT_ERR_NOSPACE; /* it reads words in place; slot_of[] */
		ix.n = 0;
		ix.phandle = 0;
		memset(ix.cword, 0xff, sizeof(ix.cword));
		memset(kind, 0, sizeof(kind)); /* 64 bytes a step */
	}
	for (;;) {
		if (size < 4 || off > size - 4)
			return -FDT_ERR_TRUNCATED;
		uint32_t here = off, tag = WORD(off);
		off += 4;
		if (root_done && tag != FDT_END)
			return -FDT_ERR_BADSTRUCTURE; /* a second root */
		switch (tag) {
		case FDT_BEGIN_NODE: {
			const char *z = build ? nul_from(s + off, s + size)
					      : memchr(s + off, 0, size - off);
			if (!z)
				return -FDT_ERR_TRUNCATED;
			if (depth == 0 && z != s + off)
				return -FDT_ERR_BADSTRUCTURE; /* the root has no name */
			off = ALIGN_UP((uint32_t)(z - s) + 1, 4);
			cur = -1;
			if (build) {
				if (depth >= 64 || ix.n == DT_INDEX_MAX)
					return -FDT_ERR_NOSPACE;
				stack[depth] = (int)here;
				ixa.node[ix.n] = (int)here;
				ixa.parent[ix.n] = depth ? stack[depth - 1] : -FDT_ERR_NOTFOUND;
				ixa.depth[ix.n] = (uint8_t)depth;
#pragma GCC unroll 9 /* stores of pairs: no loop */
				for (unsigned k = 0; k < DT_NPROPS; k++)
					ixa.prop[ix.n][k] = 0;
				ixa.memo[ix.n] = 0;
				ixa.sib[ix.n] = 0;
				if (last[depth] >= 0)
					ixa.sib[last[depth]] = (uint16_t)ix.n;
				last[depth] = (int)ix.n;
				last[depth + 1] = -1;
				ixa.slot_of[here / 8] = (uint16_t)ix.n;
				cur = (int)ix.n;
				ixa.props[ix.n++] = off;
			}
			depth++;
			break;
		}
		case FDT_END_NODE:
			if (depth == 0)
				return -FDT_ERR_BADSTRUCTURE;
			cur = -1; /* libfdt reads no property after a subnode */
			root_done = --depth == 0;
			break;
		case FDT_PROP: {
			uint32_t len = size - off < 8 ? 0 : WORD(off);
			if (size - off < 8 || len > size - off - 8)
				return -FDT_ERR_TRUNCATED;
			uint32_t nameoff = WORD(off + 4);
			if (nameoff >= last_nul)
				return -FDT_ERR_BADOFFSET;
			int id = cur >= 0 ? prop_id(strs, ssize, nameoff) : -1;
			if (id >= 0 && !ixa.prop[cur][id]) {
				ixa.prop[cur][id] = here; /* libfdt answers the first */
				if (id == DT_P_COMPATIBLE)
					compat_note(s + off + 8, len, (unsigned)cur);
			}
			off = ALIGN_UP(off + 8 + len, 4);
			break;
		}
		case FDT_NOP:
			break;
		case FDT_END:
			if (depth)
				return -FDT_ERR_BADSTRUCTURE;
			if (build && ix.n) /* an empty tree: nothing to look up */
				ix.end = (unsigned)ixa.node[ix.n - 1] + 1;
			return 0;
		default:
			return -FDT_ERR_BADSTRUCTURE;
		}
	}
}
#undef WORD

/* The index slot of `node` in `fdt`, or -1 (a negative node is past ix.end
 * as unsigned). */
static int ix_slot(const void *fdt, int node)
{
	if (fdt != ix.fdt || (unsigned)node >= ix.end)
		return -1;
	unsigned j = ixa.slot_of[node / 8];
	return j < ix.n && ixa.node[j] == node ? (int)j : -1;
}

int dt_parent(const void *fdt, int node)
{
	int i = ix_slot(fdt, node);
	return i >= 0 ? ixa.parent[i] : -FDT_ERR_BADOFFSET;
}

const char *dt_get_name(const void *fdt, int node, int *lenp)
{
	int i = ix_slot(fdt, node);
	if (i < 0) {
		if (lenp)
			*lenp = -FDT_ERR_BADOFFSET;
		return NULL;
	}
	const char *n = (const char *)fdt + fdt_off_dt_struct(fdt) + node + 4;
	if (lenp)
		*lenp = (int)strlen(n); /* walk() found its NUL */
	return n;
}

/* dt_getprop() of the node in index slot i. */
static const void *slot_getprop(const void *fdt, int i, const char *name, int *lenp)
{
	const char *s = (const char *)fdt + fdt_off_dt_struct(fdt);
	const char *strs = (const char *)fdt + fdt_off_dt_strings(fdt);
	uint32_t ssize = fdt_size_dt_strings(fdt);
	for (uint32_t off = ixa.props[i];;) { /* walk() checked these bounds */
		uint32_t tag = rd32a(s + off);
		if (tag == FDT_NOP) {
			off += 4;
			continue;
		}
		if (tag != FDT_PROP)
			break;
		uint32_t len = rd32a(s + off + 4), nameoff = rd32a(s + off + 8);
		if (strs[nameoff] == name[0] && str_is(strs, ssize, nameoff, name)) {
			if (lenp)
				*lenp = (int)len;
			return s + off + 12;
		}
		off = ALIGN_UP(off + 12 + len, 4);
	}
	if (lenp)
		*lenp = -FDT_ERR_NOTFOUND;
	return NULL;
}

const void *dt_getprop(const void *fdt, int node, const char *name, int *lenp)
{
	int i = ix_slot(fdt, node);
	if (i >= 0)
		return slot_getprop(fdt, i, name, lenp);
	if (lenp)
		*lenp = -FDT_ERR_BADOFFSET;
	return NULL;
}

/* Property `p` of the node in index slot i, from the index. */
static const void *slot_prop(const void *fdt, int i, enum dt_prop p, int *lenp)
{
	const char *s = (const char *)fdt + fdt_off_dt_struct(fdt);
	uint32_t off = ixa.prop[i][p];
	if (lenp)
		*lenp = off ? (int)rd32a(s + off + 4) : -FDT_ERR_NOTFOUND;
	return off ? s + off + 12 : NULL;
}

uint8_t *dt_node_memo(const void *fdt, int node)
{
	int i = ix_slot(fdt, node);
	return i < 0 ? NULL : &ixa.memo[i];
}

const void *dt_prop(const void *fdt, int node, enum dt_prop p, int *lenp)
{
	int i = ix_slot(fdt, node);
	if (i >= 0)
		return slot_prop(fdt, i, p, lenp);
	if (lenp)
		*lenp = -FDT_ERR_BADOFFSET;
	return NULL;
}

const void *dt_prop_next(const void *fdt, int node, int *it, uint32_t *nameoff, int *lenp)
{
	int i = ix_slot(fdt, node);
	if (i < 0)
		return NULL;
	/* walk() checked every tag of the indexed tree. */
	const char *s = (const char *)fdt + fdt_off_dt_struct(fdt);
	uint32_t off = *it < 0 ? ixa.props[i] : ALIGN_UP((uint32_t)*it + 12 + rd32a(s + *it + 4), 4);
	while (rd32a(s + off) == FDT_NOP)
		off += 4;
	if (rd32a(s + off) != FDT_PROP)
		return NULL;
	*it = (int)off;
	*nameoff = rd32a(s + off + 8);
	*lenp = (int)rd32a(s + off + 4);
	return s + off + 12;
}

/* Does a "compatible" value (a string list of len bytes) hold compat? */
bool dt_compat_has(const char *p, int len, const char *compat)
{
	/* Each string compared where it lies, a byte at a time: a match is one
	 * that ends, NUL-terminated, inside the value with compat's NUL. */
	if (!p || len <= 0)
		return false;
	for (const char *e = p + len; p < e; p++) {
		const char *c = compat;
		while (p < e && *p && *p == *c)
			p++, c++;
		if (p < e && !*p && !*c)
			return true;
		while (p < e && *p)
			p++;
	}
	return false;
}

bool dt_is_type(const void *fdt, int node, const char *type)
{
	const char *t = dt_prop(fdt, node, DT_P_DEVICE_TYPE, NULL);
	return t && !strcmp(t, type);
}

bool dt_disabled(const void *fdt, int node)
{
	const char *st = dt_prop(fdt, node, DT_P_STATUS, NULL);
	return st && strcmp(st, "okay") && strcmp(st, "ok");
}

bool dt_is_compatible(const void *fdt, int node, const char *compat)
{
	const char *p = dt_prop(fdt, node, DT_P_COMPATIBLE, &vlen);
	return dt_compat_has(p, vlen, compat);
}

int dt_find_compatible(const void *fdt, const char *compat)
{
	for (unsigned i = 0; fdt == ix.fdt && ix.end && i < ix.n; i++) {
		int len;
		const char *p = slot_prop(fdt, (int)i, DT_P_COMPATIBLE, &len);
		if (dt_compat_has(p, len, compat))
			return ixa.node[i];
	}
	return -FDT_ERR_NOTFOUND;
}

int dt_find_compatible_in(const void *fdt, const char *list, unsigned *which)
{
	unsigned k = 0;
	for (const char *w = list; *w; w += strlen(w) + 1, k++) {
		int node = dt_find_compatible(fdt, w);
		if (node >= 0) {
			*which = k;
			return node;
		}
	}
	return -FDT_ERR_NOTFOUND;
}

/* The slot of the first child of slot i, 0 if none: it follows its parent. */
static unsigned first_child(int i)
{
	return i >= 0 && (unsigned)i + 1 < ix.n && ixa.parent[i + 1] == ixa.node[i] ? (unsigned)i + 1
										: 0;
}

/* Over the children of `parent`, by slot: no ix_slot() per child. */
#define for_each_child_slot(k, fdt, parent) \
	for (unsigned k = first_child(ix_slot((fdt), (parent))); k; k = ixa.sib[k])

int dt_next_child(const void *fdt, int parent, int prev)
{
	int i = ix_slot(fdt, prev < 0 ? parent : prev);
	if (i < 0)
		return -FDT_ERR_BADOFFSET;
	unsigned k = prev >= 0 ? ixa.sib[i] : first_child(i);
	return k ? ixa.node[k] : -FDT_ERR_NOTFOUND;
}

int dt_next_node(const void *fdt, int node, int *depth)
{
	int i = node < 0 ? -1 : ix_slot(fdt, node);
	if (fdt != ix.fdt || !ix.end || (node >= 0 && i < 0))
		return -FDT_ERR_BADOFFSET;
	unsigned k = (unsigned)(i + 1);
	/* libfdt steps over the END_NODE tags between the two nodes, and stops
	 * at the first that takes the depth below 0 (out of the subtree the walk
	 * started in): depth -1 and an offset that is no node, which loops do
	 * not use. Past the last node it answers NOTFOUND. */
	int d0 = depth ? *depth : 0, cur = i < 0 ? -1 : (int)ixa.depth[i];
	int ends = cur + 1 - (k < ix.n ? (int)ixa.depth[k] : 0);
	if (depth && ends > 0 && d0 - ends < 0) {
		*depth = -1;
		return node;
	}
	if (k >= ix.n) {
		if (depth)
			*depth = d0 - ends;
		return -FDT_ERR_NOTFOUND;
	}
	if (depth)
		*depth = d0 - ends + 1;
	return ixa.node[k];
}

int dt_node_by_phandle(const void *fdt, uint32_t phandle)
{
	if (fdt != ix.fdt || !ix.end || phandle == 0 || phandle == ~0u)
		return -FDT_ERR_BADPHANDLE; /* for 0 and ~0, as libfdt */
	if (phandle == ix.phandle) /* every device asks for its interrupt parent's */
		return ix.phandle_node;
	for (unsigned i = 0; i < ix.n; i++) {
		const fdt32_t *p = slot_getprop(fdt, (int)i, "phandle", &vlen);
		if (!p || vlen != 4)
			p = slot_getprop(fdt, (int)i, "linux,phandle", &vlen);
		if (p && vlen == 4 && dt_rd32((const char *)p) == phandle) {
			ix.phandle = phandle;
			return ix.phandle_node = ixa.node[i];
		}
	}
	return -FDT_ERR_NOTFOUND;
}

/* libfdt's rule for a path component: the whole name, or the name before
 * its unit address when the component has none. */
static bool name_matches(const char *name, const char *c, size_t l)
{
	if (name[0] != c[0] || strncmp(name, c, l)) /* l > 0 */
		return false;
	return !name[l] || (name[l] == '@' && !memchr(c, '@', l));
}

int dt_path_offset(const void *fdt, const char *path)
{
	if (fdt != ix.fdt || !ix.end || path[0] != '/')
		return -FDT_ERR_BADPATH; /* aliases: read_uart() */
	const char *s = (const char *)fdt + fdt_off_dt_struct(fdt);
	int node = 0;
	for (const char *p = path; *p;) {
		while (*p == '/')
			p++;
		if (!*p)
			break;
		const char *e = strchr(p, '/');
		size_t l = e ? (size_t)(e - p) : strlen(p);
		int c = -FDT_ERR_NOTFOUND;
		for_each_child_slot(k, fdt, node) if (name_matches(s + ixa.node[k] + 4, p, l))
		{
			c = ixa.node[k];
			break;
		}
		if (c < 0)
			return c;
		node = c;
		p += l;
	}
	return node;
}

/* fdt_address_cells()/fdt_size_cells(), from the index. */
static int dt_cells(const void *fdt, int node, enum dt_prop name, int absent, bool zero_ok)
{
	const fdt32_t *c = dt_prop(fdt, node, name, &vlen);
	int len = vlen;
	if (!c)
		return len == -FDT_ERR_NOTFOUND ? absent : len;
	uint32_t v = len == 4 ? dt_rd32((const char *)c) : FDT_MAX_NCELLS + 1;
	return v > FDT_MAX_NCELLS || (!v && !zero_ok) ? -FDT_ERR_BADNCELLS : (int)v;
}

int dt_address_cells(const void *fdt, int node)
{
	return dt_cells(fdt, node, DT_P_ADDRESS_CELLS, 2, false);
}

int dt_size_cells(const void *fdt, int node)
{
	return dt_cells(fdt, node, DT_P_SIZE_CELLS, 1, true);
}

int dt_node_path(const void *fdt, int node, char *buf, size_t len)
{
	int chain[64], n = 0, x = node;
	if (node < 0)
		return -FDT_ERR_BADOFFSET;
	for (; x > 0 && n < 64; x = dt_parent(fdt, x))
		chain[n++] = x;
	if (x > 0)
		return -FDT_ERR_BADSTRUCTURE; /* deeper than any real DT */
	if (len < 2)
		return -FDT_ERR_NOSPACE;
	size_t o = 0;
	buf[0] = '/';
	buf[1] = 0;
	while (n--) {
		int l;
		const char *name = dt_get_name(fdt, chain[n], &l);
		if (!name || l < 0)
			return -FDT_ERR_BADSTRUCTURE;
		if (o + 1 + (size_t)l + 1 > len)
			return -FDT_ERR_NOSPACE;
		buf[o++] = '/';
		memcpy(buf + o, name, (size_t)l);
		o += (size_t)l;
		buf[o] = 0;
	}
	return 0;
}

void dt_board_move(struct board *b, const void *copy)
{
	if (ix.fdt == b->fdt)
		ix.fdt = copy;
	b->fdt = copy;
}

static int addr_cells(const void *fdt, int node)
{
	int parent = dt_parent(fdt, node);
	int n = parent >= 0 ? dt_address_cells(fdt, parent) : 2;
	return n < 0 ? 2 : n;
}

static int size_cells(const void *fdt, int node)
{
	int parent = dt_parent(fdt, node);
	int n = parent >= 0 ? dt_size_cells(fdt, parent) : 1;
	return n < 0 ? 1 : n;
}

/* reg entry `idx` of `node`; false if absent. (No `ranges` translation: the
 * nodes we read sit on the root or a simple-bus with identity ranges.) */
static bool read_reg(const void *fdt, int node, int idx, struct mem_range *r)
{
	int ac = addr_cells(fdt, node), sc = size_cells(fdt, node);
	const uint32_t *p = dt_prop(fdt, node, DT_P_REG, &vlen);
	int len = vlen, stride = (ac + sc) * 4;

	if (!p || stride == 0 || len < stride * (idx + 1))
		return false;
	p += (ac + sc) * idx;
	r->base = dt_read_cells(p, ac);
	r->size = dt_read_cells(p + ac, sc);
	return true;
}

bool dt_translate(const void *fdt, int node, uint64_t *addr)
{
	for (int parent = dt_parent(fdt, node); parent > 0; parent = dt_parent(fdt, parent)) {
		const uint32_t *r = dt_prop(fdt, parent, DT_P_RANGES, &vlen);
		int len = vlen; /* before dt_address_cells() below */
		if (!r)
			return false; /* no ranges: not memory-mapped */
		if (len == 0)
			continue;
		int cac = dt_address_cells(fdt, parent), csz = dt_size_cells(fdt, parent);
		int gp = dt_parent(fdt, parent);
		int pac = gp >= 0 ? dt_address_cells(fdt, gp) : 2;
		if (cac < 1 || csz < 0 || pac < 1)
			return false;
		int stride = cac + pac + csz;
		bool found = false;
		for (int i = 0; (i + 1) * stride * 4 <= len; i++) {
			const uint32_t *e = r + i * stride;
			uint64_t child = dt_read_cells(e, cac), par = dt_read_cells(e + cac, pac);
			uint64_t size = dt_read_cells(e + cac + pac, csz);
			if (*addr >= child && *addr - child < size) {
				*addr = *addr - child + par;
				found = true;
				break;
			}
		}
		if (!found)
			return false;
	}
	return true;
}

static int read_cpus(const void *fdt, struct board *b, struct dt_error *err)
{
	int cpus = dt_path_offset(fdt, "/cpus");
	if (cpus < 0)
		ERR("DT: no /cpus node");
	int ac = dt_address_cells(fdt, cpus);
	if (ac < 1 || ac > 2)
		ERR("DT: /cpus: #address-cells is %d, expected 1 or 2", ac);
	int node;
	dt_for_each_child(node, fdt, cpus)
	{
		if (!dt_is_type(fdt, node, "cpu") || dt_disabled(fdt, node))
			continue;
		const char *name = dt_get_name(fdt, node, NULL);
		if (b->ncpus == BH_MAX_CPUS)
			ERR("DT: /cpus/%s: more than %d CPUs are not supported", name, BH_MAX_CPUS);
		int len;
		const uint32_t *reg = dt_prop(fdt, node, DT_P_REG, &len);
		if (!reg || len < ac * 4)
			ERR("DT: /cpus/%s: missing or short 'reg' property", name);
		unsigned i = b->ncpus++;
		b->mpidr[i] = dt_read_cells(reg, ac);
		b->cpu_node[i] = node;
		/* Its first string, NUL-terminated inside the value: strcmp would
		 * read on past it. */
		const char *method = dt_getprop(fdt, node, "enable-method", &len);
		if (method && len > 10 && !memcmp(method, "spin-table", 11)) {
			const uint32_t *rel = dt_getprop(fdt, node, "cpu-release-addr", &len);
			if (!rel || len != 8)
				ERR("DT: /cpus/%s: spin-table CPU without an 8-byte 'cpu-release-addr'",
				    name);
			b->cpu_method[i] = CPU_METHOD_SPIN_TABLE;
			b->cpu_release_addr[i] = dt_read_cells(rel, 2);
		} else {
			b->cpu_method[i] = CPU_METHOD_PSCI;
		}
	}
	if (b->ncpus == 0)
		ERR("DT: /cpus has no usable cpu node");
	for (unsigned i = 0; i < b->ncpus; i++)
		for (unsigned j = i + 1; j < b->ncpus; j++)
			if (b->mpidr[i] == b->mpidr[j])
				ERR("DT: /cpus: two CPUs with reg 0x%llx",
				    (unsigned long long)b->mpidr[i]);
	return 0;
}

static int add_range(struct mem_range *arr, unsigned *n, unsigned max, uint64_t base,
		     uint64_t size, const char *what, struct dt_error *err)
{
	if (size == 0)
		return 0;
	if (*n == max)
		ERR("DT: more than %u %s ranges", max, what);
	if (base + size < base)
		ERR("DT: %s range 0x%llx+0x%llx wraps around", what, (unsigned long long)base,
		    (unsigned long long)size);
	arr[*n].base = base;
	arr[*n].size = size;
	(*n)++;
	return 0;
}

static int read_memory(const void *fdt, struct board *b, struct dt_error *err)
{
	for_each_child_slot(k, fdt, 0)
	{
		const char *t = slot_prop(fdt, (int)k, DT_P_DEVICE_TYPE, NULL);
		int node = ixa.node[k];
		if (!t || strcmp(t, "memory") || dt_disabled(fdt, node))
			continue;
		struct mem_range r;
		for (int i = 0; read_reg(fdt, node, i, &r); i++)
			if (add_range(b->mem, &b->nmem, BH_MAX_MEM, r.base, r.size, "memory", err))
				return -1;
	}
	if (b->nmem == 0)
		ERR("DT: no memory node (device_type = \"memory\") with a 'reg'");

	int n = dt_blob_num_rsv(fdt);
	for (int i = 0; i < n; i++) {
		uint64_t a, s;
		if (dt_blob_rsv(fdt, i, &a, &s) == 0 &&
		    add_range(b->resv, &b->nresv, BH_MAX_RESV, a, s, "reserved", err))
			return -1;
	}
	int rm = dt_path_offset(fdt, "/reserved-memory");
	if (rm >= 0) {
		int node;
		dt_for_each_child(node, fdt, rm)
		{
			struct mem_range r;
			for (int i = 0; read_reg(fdt, node, i, &r); i++)
				if (add_range(b->resv, &b->nresv, BH_MAX_RESV, r.base, r.size,
					      "reserved", err))
					return -1;
		}
	}
	return 0;
}

static int read_gic(const void *fdt, struct board *b, struct dt_error *err)
{
	unsigned which = 0;
	int node = dt_board_compat(fdt, DT_C_GIC, &which);
	b->gic_version = which ? 2 : 3;
	if (node < 0)
		ERR("DT: no supported interrupt controller (arm,gic-v3 or a GICv2 such as "
		    "arm,gic-400)");
	b->gic_node = node;
	const char *name = dt_get_name(fdt, node, NULL);
	struct mem_range *want[4];
	unsigned nwant;
	if (b->gic_version == 3) {
		want[0] = &b->gicd;
		want[1] = &b->gicr;
		nwant = 2;
	} else {
		want[0] = &b->gicd;
		want[1] = &b->gicc;
		want[2] = &b->gich;
		want[3] = &b->gicv;
		nwant = 4;
	}
	for (unsigned i = 0; i < nwant; i++) {
		if (!read_reg(fdt, node, (int)i, want[i]))
			ERR("DT: %s: 'reg' has %u entries, GICv%u needs %u%s", name, i,
			    b->gic_version, nwant,
			    b->gic_version == 2 ? " (GICD, GICC, GICH, GICV: without GICH and "
						  "GICV the GIC has no virtualization support)"
						: "");
		if (!dt_translate(fdt, node, &want[i]->base))
			ERR("DT: %s: reg entry %u is not reachable through the parents' 'ranges'",
			    name, i);
	}
	/* The GIC binding has 3 cells, or 4 with PPI partitions; anything else
	 * would make every 'interrupts' walk step by a wrong (or huge) stride. */
	int len;
	const uint32_t *ic = dt_getprop(fdt, node, "#interrupt-cells", &len);
	if (ic && (len != 4 || fdt32_to_cpu(*ic) < 3 || fdt32_to_cpu(*ic) > 4))
		ERR("DT: %s: '#interrupt-cells' must be one cell holding 3 or 4", name);
	const uint32_t *irq = dt_prop(fdt, node, DT_P_INTERRUPTS, &len);
	b->maint_irq = (irq && len >= 12) ? dt_gic_intid(irq) : 25;
	if (b->maint_irq - 16 > 15)
		ERR(NOT_PPI, name, 0); /* the GIC's own: its maintenance interrupt */
	return 0;
}

unsigned dt_gic_cells(const void *fdt, const struct board *b)
{
	const uint32_t *p = dt_getprop(fdt, b->gic_node, "#interrupt-cells", &vlen);
	unsigned n = p && vlen == 4 ? fdt32_to_cpu(*p) : 3;
	return n == 4 ? 4 : 3; /* read_gic() rejected anything but 3 or 4 */
}

static int read_timer(const void *fdt, struct board *b, struct dt_error *err)
{
	unsigned which = 0;
	int node = dt_board_compat(fdt, DT_C_TIMER, &which);
	int len = 0;
	const uint32_t *p = node >= 0 ? dt_prop(fdt, node, DT_P_INTERRUPTS, &len) : NULL;
	unsigned cells = dt_gic_cells(fdt, b); /* 4 on GICs with PPI partitions (RK3399) */
	b->ntimer_irqs = 0;
	for (unsigned i = 0; p && i < 4 && (i + 1) * cells * 4 <= (unsigned)len; i++)
		if ((b->timer_irq[b->ntimer_irqs++] = dt_gic_intid(p + cells * i)) - 16 > 15)
			ERR(NOT_PPI, "timer", i);
	if (b->ntimer_irqs < 4) {
		/* Architected defaults (SBSA): PPIs 13, 14, 11, 10. */
		static const unsigned def[4] = {29, 30, 27, 26};
		for (unsigned i = b->ntimer_irqs; i < 4; i++)
			b->timer_irq[i] = def[i];
	}
	return 0;
}

static int read_psci(const void *fdt, struct board *b, struct dt_error *err)
{
	unsigned which = 0;
	int node = dt_board_compat(fdt, DT_C_PSCI, &which);
	b->psci = CONDUIT_NONE;
	if (node < 0)
		return 0;
	int len;
	const char *m = dt_getprop(fdt, node, "method", &len);
	if (!m || strnlen(m, (size_t)len) == (size_t)len) /* strcmp would read on past it */
		ERR("DT: %s: 'method' missing or not a string (\"smc\" or \"hvc\")",
		    dt_get_name(fdt, node, NULL));
	if (!strcmp(m, "smc"))
		b->psci = CONDUIT_SMC;
	else if (!strcmp(m, "hvc"))
		b->psci = CONDUIT_HVC;
	else
		ERR("DT: %s: 'method' is \"%s\", expected \"smc\" or \"hvc\"",
		    dt_get_name(fdt, node, NULL), m);
	return 0;
}

/* The kinds we drive by compatible, in order of preference, each word led
 * by its enum uart_kind (the BCM2835 mini UART: 16550 registers, but an
 * 8-byte FIFO). dt_board_fallback() reads them too. */
const char dt_uarts[] = "\1arm,pl011\0\2ns16550a\0\2snps,dw-apb-uart\0\2ti,am654-uart\0"
			"\2ns16550\0\5brcm,bcm2835-aux-uart\0\4fsl,imx21-uart\0"
			"\4fsl,imx6q-uart\0\3cdns,uart-r1p12\0\3xlnx,xuartps\0";

static int read_uart(const void *fdt, struct board *b, struct dt_error *err)
{
	int chosen = dt_path_offset(fdt, "/chosen"), len;
	const char *path = chosen >= 0 ? dt_getprop(fdt, chosen, "stdout-path", &len) : NULL;
	if (!path)
		path = chosen >= 0 ? dt_getprop(fdt, chosen, "linux,stdout-path", &len) : NULL;
	if (!path)
		ERR("DT: /chosen/stdout-path is missing: no console to use");
	if (strnlen(path, (size_t)len) == (size_t)len) /* strlen would read on past it */
		ERR("DT: /chosen/stdout-path is not a string");
	size_t plen = strlen(path);
	const char *colon = strchr(path, ':');
	if (colon)
		plen = (size_t)(colon - path);
	if (plen >= sizeof(b->uart_path))
		ERR("DT: /chosen/stdout-path is too long");
	memcpy(b->uart_path, path, plen);
	b->uart_path[plen] = 0;
	int node = path[0] == '/' ? dt_path_offset(fdt, b->uart_path) : -1;
	if (node < 0 && path[0] != '/') { /* an alias */
		const char *real = dt_blob_alias(fdt, b->uart_path, (int)plen);
		if (real) {
			snprintf(b->uart_path, sizeof(b->uart_path), "%s", real);
			node = dt_path_offset(fdt, real);
		}
	}
	if (node < 0)
		ERR("DT: /chosen/stdout-path: \"%s\" names no node", b->uart_path);
	b->uart_node = node;
	_Static_assert(UART_PL011 == 1 && UART_NS16550 == 2 && UART_CADENCE == 3 && UART_IMX == 4 &&
			   UART_BCM2835AUX == 5,
		       "uarts[]: each word's first byte");
	for (const char *w = dt_uarts; *w && !b->uart; w += strlen(w) + 1)
		if (dt_is_compatible(fdt, node, w + 1))
			b->uart = (enum uart_kind)w[0];
	if (!b->uart)
		ERR("DT: %.90s: console UART of an unsupported kind (supported: arm,pl011, "
		    "ns16550a, snps,dw-apb-uart, ti,am654-uart, cdns,uart-r1p12, fsl,imx21-uart)",
		    b->uart_path);
	struct mem_range r;
	if (!read_reg(fdt, node, 0, &r) || !dt_translate(fdt, node, &r.base))
		ERR("DT: %s: no usable 'reg'", b->uart_path);
	b->uart_base = r.base;
	b->uart_size = r.size;
	const uint32_t *irq = dt_prop(fdt, node, DT_P_INTERRUPTS, &len);
	b->uart_irq = (irq && len >= 12) ? dt_gic_intid(irq) : 0;
	if (irq && len >= 12 && !b->uart_irq)
		ERR("DT: %s: 'interrupts' is not a GIC SPI or PPI", b->uart_path);
	return 0;
}

/* The windows mapped as device memory, the console's and the GIC's: on
 * RAM (or hyp, the hypervisor's own, if not NULL) they are no device:
 * arch_map_device() maps nothing over memory already mapped, and every
 * write to them would land in memory. */
int dt_board_windows(const struct board *b, const struct mem_range *hyp, struct dt_error *err)
{
	const struct mem_range con = {b->uart_base, b->uart_size ? b->uart_size : 1};
	const struct mem_range *w[6] = {&con, &b->gicd, &b->gicc, &b->gich, &b->gicv, &b->gicr};
	for (int i = 0; i < 6; i++)
		for (unsigned k = 0; k <= b->nmem; k++) {
			const struct mem_range *m = k < b->nmem ? &b->mem[k] : hyp;
			if (m && w[i]->size && w[i]->base < m->base + m->size &&
			    m->base < w[i]->base + w[i]->size) {
				snprintf(err->msg, sizeof(err->msg), "DT: %s: 'reg' 0x%llx is RAM, not a device",
					 i ? dt_get_name(b->fdt, b->gic_node, NULL) : b->uart_path,
					 (unsigned long long)w[i]->base);
				return i + 1;
			}
		}
	return 0;
}

uint32_t dt_used_size(const void *fdt)
{
	/* A version-16 header has no size_dt_struct: to the end of the blob,
	 * which check_blob bounded (a copy cut short would be read past). */
	uint32_t end = fdt_version(fdt) >= 17
			   ? fdt_off_dt_struct(fdt) + fdt_size_dt_struct(fdt)
			   : fdt_totalsize(fdt);
	uint32_t str = fdt_off_dt_strings(fdt) + fdt_size_dt_strings(fdt);
	int nrsv = dt_blob_num_rsv(fdt);
	uint32_t rsv = fdt_off_mem_rsvmap(fdt) + (uint32_t)(nrsv < 0 ? 0 : nrsv + 1) * 16;
	end = MAX(end, MAX(str, rsv));
	return MIN(ALIGN_UP(end, 8), fdt_totalsize(fdt));
}

static int check_blob(const void *fdt, bool build)
{
	int e = dt_blob_check_header(fdt);
	if (e)
		return e;
	/* Before version 16 names are full paths (libfdt 1.6.1's fdt_check_full()
	 * even dereferences the NULL name fdt_get_name() gives for a malformed
	 * one: found by tests/fuzz/fuzz_config). dtc and U-Boot write version 17. */
	if (fdt_version(fdt) < 16)
		return -FDT_ERR_BADVERSION;
	e = dt_blob_num_rsv(fdt);
	return e < 0 ? e : walk(fdt, build);
}

int dt_check_blob(const void *fdt)
{
	return check_blob(fdt, false);
}

int dt_board_read(const void *fdt, struct board *b, struct dt_error *err)
{
	memset(b, 0, sizeof(*b));
	b->fdt = fdt;
	err->msg[0] = 0;
	/* Nothing of an earlier tree's index answers for this one, whatever
	 * refuses it (its header, its layout, its structure): walk() sets it
	 * when the tree is whole. */
	ix.end = 0;
	int e = check_blob(fdt, true); /* and the index */
	if (e == -FDT_ERR_NOSPACE) /* what the index cannot hold */
		ERR("DT: over 2048 nodes, 64 levels or 128 KiB of structure, or unaligned: not "
		    "supported");
	if (e)
		ERR("DT: not a valid DTB: %s", dt_blob_strerror(e));
	if (read_uart(fdt, b, err) || read_cpus(fdt, b, err) || read_memory(fdt, b, err) ||
	    read_gic(fdt, b, err) || read_psci(fdt, b, err))
		return -1;
	if (b->gic_version == 2 && b->ncpus > 8)
		ERR("DT: %u CPUs with a GICv2, which serves at most 8", b->ncpus);
	return read_timer(fdt, b, err);
}
