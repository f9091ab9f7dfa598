/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: package_check(), the boot image's payload table (the
 * input). Whenever it is accepted, every entry is read whole through
 * package_entry(): AddressSanitizer catches any byte outside the input.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/package.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* Exactly `size` bytes (malloc aligns to 16): a read past them is reported. */
	uint8_t *buf = malloc(size ? size : 1);
	memcpy(buf, data, size);
	const struct bh_pkg_hdr *h = (const void *)buf;
	char why[160];
	if (size >= sizeof(*h) && package_check(h, size, why, sizeof(why)) == 0) {
		uint8_t sum = 0;
		for (uint32_t i = 0; i < h->count; i++) {
			uint64_t n;
			const uint8_t *e = package_entry(h, h->entry[i].name, &n);
			if (!e)
				abort(); /* a checked entry is always found by its name */
			for (uint64_t k = 0; k < n; k++)
				sum += e[k];
		}
		__asm__ volatile("" ::"r"(sum)); /* keep the reads */
	}
	free(buf);
	return 0;
}
