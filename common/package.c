/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The boot image's payload (see package.h): checked before anything is read
 * from it. Shared by the hypervisor and the host fuzzer.
 */
#include "common/lib.h"
#include "common/package.h"

int package_check(const struct bh_pkg_hdr *h, uint64_t room, char *why, size_t why_len)
{
	if (room < sizeof(*h) || memcmp(h->magic, BH_PKG_MAGIC, 8)) {
		snprintf(why, why_len,
			 "this image carries no payload (config and guest images): build it with "
			 "tools/bhpack");
		return -1;
	}
	if (h->count > BH_PKG_MAX_ENTRIES || h->total_size < sizeof(*h) || h->total_size > room) {
		snprintf(why, why_len,
			 "the boot image's payload is malformed: %u entries in %llu bytes (at most "
			 "%u entries, at least a table)",
			 h->count, (unsigned long long)h->total_size, BH_PKG_MAX_ENTRIES);
		return -1;
	}
	for (uint32_t i = 0; i < h->count; i++) {
		const struct bh_pkg_entry *e = &h->entry[i];
		if (e->offset < sizeof(*h) || e->offset > h->total_size ||
		    e->size > h->total_size - e->offset || !memchr(e->name, 0, BH_PKG_NAME_MAX)) {
			snprintf(why, why_len,
				 "the boot image's payload is malformed: entry %u (%llu bytes at "
				 "+0x%llx) lies outside its %llu bytes",
				 i, (unsigned long long)e->size, (unsigned long long)e->offset,
				 (unsigned long long)h->total_size);
			return -1;
		}
	}
	return 0;
}

const void *package_entry(const struct bh_pkg_hdr *h, const char *name, uint64_t *size)
{
	for (uint32_t i = 0; i < h->count; i++) {
		const struct bh_pkg_entry *e = &h->entry[i];
		if (!strncmp(e->name, name, BH_PKG_NAME_MAX)) {
			*size = e->size;
			return (const uint8_t *)h + e->offset;
		}
	}
	return NULL;
}
