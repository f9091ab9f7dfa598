/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Reading a DTB that dt_check_blob() accepted, in place and without libfdt:
 * its one checked pass bounded every tag, node name and property, so these
 * lookups step through the structure block without checking again. Node and
 * property offsets are libfdt's (structure-block offsets of their tags), and
 * each function answers as its libfdt namesake does for such a blob.
 */
#ifndef DT_BLOB_H
#define DT_BLOB_H

#include <stdbool.h>
#include <stdint.h>

/* A big-endian word of a DTB at any alignment (inline: libfdt's fdt32_ld
 * is not inlined at -Os, 16K instructions of the board read in calls). */
#if defined(__OPTIMIZE_SIZE__) && !defined(DT_RD32_INLINE)
/* Code built for size calls dt/blob.c's copy: the link does not fold the
 * copies of files built with different flags (three of 60 bytes). */
uint32_t dt_rd32_os(const char *p);
#define dt_rd32 dt_rd32_os
#else
static inline uint32_t dt_rd32(const char *p)
{
	/* Aligned (a DT's structure words are, in an aligned blob): one load. */
	if (!((uintptr_t)p & 3))
		return __builtin_bswap32(*(const uint32_t *)(const void *)p);
	const unsigned char *b = (const unsigned char *)p;
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}
#endif

const char *dt_blob_name(const void *fdt, int node); /* fdt_get_name */
const void *dt_blob_getprop(const void *fdt, int node, const char *name, int *lenp);
/* The node's first property (prev < 0) or the one after prev; < 0 when none. */
int dt_blob_next_prop(const void *fdt, int node, int prev);
const void *dt_blob_prop(const void *fdt, int prop, const char **name, int *lenp);
#define dt_blob_for_each_prop(prop, fdt, node)                                                     \
	for ((prop) = dt_blob_next_prop((fdt), (node), -1); (prop) >= 0;                           \
	     (prop) = dt_blob_next_prop((fdt), (node), (prop)))
/* The first child of parent (prev < 0) or the next after child prev; < 0 when none. */
int dt_blob_next_child(const void *fdt, int parent, int prev);
#define dt_blob_for_each_child(node, fdt, parent)                                                  \
	for ((node) = dt_blob_next_child((fdt), (parent), -1); (node) >= 0;                        \
	     (node) = dt_blob_next_child((fdt), (parent), (node)))
/* node's first child as dt_blob_next_child(fdt, node, -1) answers, given
 * node's last property (< 0: it has none): no walk over its properties. */
int dt_blob_child_after(const void *fdt, int node, int last_prop);
/* The child named `name` or `name@<unit>` (as fdt_path_offset matches a
 * path component without '@'); < 0 when none. */
int dt_blob_child(const void *fdt, int parent, const char *name);
uint32_t dt_blob_phandle(const void *fdt, int node); /* fdt_get_phandle */
/* The path /aliases gives for the len bytes at name; NULL if none (or not
 * a NUL-terminated path). */
const char *dt_blob_alias(const void *fdt, const char *name, int len);
int dt_blob_next_node(const void *fdt, int node, int *depth);	  /* fdt_next_node */
int dt_blob_max_phandle(const void *fdt, uint32_t *max);	  /* fdt_find_max_phandle */
/* The memory reservation block: fdt_num_mem_rsv, fdt_get_mem_rsv. */
int dt_blob_num_rsv(const void *fdt);
int dt_blob_rsv(const void *fdt, int n, uint64_t *addr, uint64_t *size);
const char *dt_blob_strerror(int err); /* fdt_strerror */
/* fdt_check_header: magic, versions, and every block inside the blob. The
 * blob's first 40 bytes (a version 17 header) must be readable. */
int dt_blob_check_header(const void *fdt);

#endif
