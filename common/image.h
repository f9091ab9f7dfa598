/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Guest images: what kind an image is (arm64 Image, AArch32 zImage, raw
 * binary) and where its kernel, initrd and DT go in the domain's RAM. One
 * code path for the build-time check (tools/bhpack) and the hypervisor: an
 * image header is untrusted input and never decides where anything is
 * written until this layout says it fits inside the domain's own memory.
 */
#ifndef COMMON_IMAGE_H
#define COMMON_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define IMAGE_PROBE_BYTES 64	  /* how much of an image image_probe() reads */
#define IMAGE_DT_SLOT	  0x200000ULL /* the top 2 MiB of a domain's RAM hold its DT */

enum image_kind { IMAGE_RAW, IMAGE_ARM64, IMAGE_ZIMAGE };

struct image_info {
	enum image_kind kind;
	uint64_t load_offset; /* from the RAM base, as the header asks */
	uint64_t span;	      /* bytes it needs from there (>= its size) */
};

/* Offsets from the domain's RAM base; every range lies inside [0, ram_size). */
struct image_layout {
	struct image_info kernel;
	uint64_t initrd_off; /* 0 when there is no initrd */
	uint64_t fdt_off;    /* the DT slot */
};

/* hdr: the image's first min(size, IMAGE_PROBE_BYTES) bytes. */
void image_probe(const uint8_t *hdr, uint64_t size, struct image_info *out);

/*
 * Place a kernel (size bytes, header hdr) and an initrd (initrd_size bytes,
 * or 0) in ram_size bytes of RAM. Linux's layout (firmware false): kernel
 * where its header says, the DT slot at the top, the initrd below it. QEMU's
 * firmware layout (firmware true: bootloaders such as U-Boot's qemu_arm64
 * build read their DT from the start of RAM): the DT slot at the start, the
 * kernel past it (+2 MiB, plus what its header says), the initrd at the top.
 * 0 if everything fits without overlap or wrap-around; else -1 and why[]
 * says what does not fit, naming the images.
 */
int image_layout(const uint8_t *hdr, uint64_t size, const char *kernel_name, uint64_t initrd_size,
		 const char *initrd_name, uint64_t ram_size, bool firmware, struct image_layout *l,
		 char *why, size_t why_len);

#endif
