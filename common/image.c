/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Guest image formats and their placement in a domain's RAM (see image.h).
 * Every sum here is checked for wrap-around: sizes and offsets come from
 * untrusted headers and package entries.
 */
#include "common/image.h"
#include "common/lib.h"

#define ZIMAGE_MAGIC	    0x016f2818u
#define ZIMAGE_LOAD_OFFSET  0x8000 /* where Linux's ARM boot protocol puts a zImage */
#define ARM64_MAGIC_OFFSET  0x38
#define ZIMAGE_MAGIC_OFFSET 0x24

void image_probe(const uint8_t *hdr, uint64_t size, struct image_info *out)
{
	*out = (struct image_info){IMAGE_RAW, 0, size};
	if (size >= IMAGE_PROBE_BYTES && !memcmp(hdr + ARM64_MAGIC_OFFSET, "ARM\x64", 4)) {
		/* arm64 Image (Linux's booting.rst): text_offset at 8, image_size at 16. */
		uint64_t text_offset, image_size;
		memcpy(&text_offset, hdr + 8, 8);
		memcpy(&image_size, hdr + 16, 8);
		out->kind = IMAGE_ARM64;
		out->load_offset = text_offset;
		out->span = MAX(image_size, size);
		return;
	}
	uint32_t magic;
	if (size >= ZIMAGE_MAGIC_OFFSET + 4) {
		memcpy(&magic, hdr + ZIMAGE_MAGIC_OFFSET, 4);
		if (magic == ZIMAGE_MAGIC) {
			out->kind = IMAGE_ZIMAGE;
			out->load_offset = ZIMAGE_LOAD_OFFSET;
		}
	}
}

static uint64_t kib(uint64_t n)
{
	return (n + 1023) >> 10;
}

int image_layout(const uint8_t *hdr, uint64_t size, const char *kernel_name, uint64_t initrd_size,
		 const char *initrd_name, uint64_t ram_size, bool firmware, struct image_layout *l,
		 char *why, size_t why_len)
{
	memset(l, 0, sizeof(*l));
	image_probe(hdr, size, &l->kernel);
	struct image_info *k = &l->kernel;
	if (ram_size <= IMAGE_DT_SLOT) {
		snprintf(why, why_len, "kernel \"%s\" and its DT (2 MiB) do not fit in memory-size 0x%llx",
			 kernel_name, (unsigned long long)ram_size);
		return -1;
	}
	/* The kernel and initrd lie in [lo, room): the RAM but for the DT slot. */
	uint64_t lo = firmware ? IMAGE_DT_SLOT : 0;
	uint64_t room = firmware ? ram_size : ram_size - IMAGE_DT_SLOT;
	l->fdt_off = firmware ? 0 : room;
	if (initrd_size) {
		if (initrd_size > room - lo) {
			snprintf(why, why_len,
				 "initrd \"%s\" (%llu KiB) and its DT (2 MiB) do not fit in "
				 "memory-size 0x%llx",
				 initrd_name, (unsigned long long)kib(initrd_size),
				 (unsigned long long)ram_size);
			return -1;
		}
		l->initrd_off = ALIGN_DOWN(room - initrd_size, 0x1000ULL);
		room = l->initrd_off;
	}
	if (k->load_offset >= room - lo) {
		snprintf(why, why_len,
			 "kernel \"%s\": its header places it at +0x%llx (text_offset), outside "
			 "the domain's memory (memory-size 0x%llx)",
			 kernel_name, (unsigned long long)(lo + k->load_offset),
			 (unsigned long long)ram_size);
		return -1;
	}
	k->load_offset += lo;
	if (k->span > room - k->load_offset) {
		snprintf(why, why_len,
			 "kernel \"%s\" (%llu KiB at +0x%llx)%s%s%s and its DT (2 MiB) do not fit in "
			 "memory-size 0x%llx",
			 kernel_name, (unsigned long long)kib(k->span),
			 (unsigned long long)k->load_offset, initrd_size ? " + initrd \"" : "",
			 initrd_size ? initrd_name : "", initrd_size ? "\"" : "",
			 (unsigned long long)ram_size);
		return -1;
	}
	return 0;
}
