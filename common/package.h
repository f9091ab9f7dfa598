/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Layout of the payload that tools/bhpack appends to the hypervisor binary
 * to make the one bootable file: a header, a table of named entries (the
 * config DTB "config.dtb" and every guest image) and their data, each entry
 * 4 KiB aligned. Little-endian; shared by the hypervisor and host tools.
 */
#ifndef COMMON_PACKAGE_H
#define COMMON_PACKAGE_H

#include <stddef.h>
#include <stdint.h>

#define BH_PKG_MAGIC "BHPKG-v1"
#define BH_PKG_NAME_MAX 48
#define BH_PKG_CONFIG "config.dtb"
#define BH_PKG_MAX_ENTRIES 16
/* Offset in the Image header (res2, the first "reserved" field) where the linker
 * stores the payload's offset from the image start. */
#define BH_HDR_PAYLOAD_OFFSET 0x20
#define BH_HDR_IMAGE_SIZE 0x10
/* Memory the hypervisor uses right after its image (page tables, DT copies):
 * counted in the header's image_size so loaders keep the DT and initrd clear. */
#define BH_HEAP_SIZE (4ULL << 20) /* ~1 MiB board DT copy, guest DTs, page tables */

struct bh_pkg_entry {
	char name[BH_PKG_NAME_MAX];
	uint64_t offset; /* from the start of the package header */
	uint64_t size;
};

struct bh_pkg_hdr {
	char magic[8];
	uint32_t count;
	uint32_t reserved;
	uint64_t total_size; /* header + table + data */
	struct bh_pkg_entry entry[BH_PKG_MAX_ENTRIES];
};

/* 0 if the package at h may be read: every entry after the table and inside
 * the package, the package inside `room` bytes; else -1 and why[]. */
int package_check(const struct bh_pkg_hdr *h, uint64_t room, char *why, size_t why_len);
/* The named entry of a checked package, or NULL. */
const void *package_entry(const struct bh_pkg_hdr *h, const char *name, uint64_t *size);

#endif
