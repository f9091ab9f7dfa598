/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: image_layout(), where a guest image's header meets its
 * domain's memory. Input: RAM size, initrd size and image size (8 bytes each,
 * little-endian), the image's first 64 bytes, then a byte whose low bit asks
 * for the firmware layout (DT at the start). Whenever the layout is
 * accepted, every range must lie inside the domain's RAM without overlap:
 * checked here with 128-bit sums, independently of the code under test.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/image.h"

#define CHECK(c)                                                                                   \
	do {                                                                                       \
		if (!(c)) {                                                                        \
			fprintf(stderr, "image_layout accepted a bad layout: %s\n", #c);           \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t v[3] = {0, 0, 0};
	memcpy(v, data, size < 24 ? size : 24);
	uint8_t hdr[IMAGE_PROBE_BYTES] = {0};
	if (size > 24)
		memcpy(hdr, data + 24, size - 24 < sizeof(hdr) ? size - 24 : sizeof(hdr));
	uint64_t ram = v[0], initrd = v[1], isize = v[2];
	bool fw = size > 24 + IMAGE_PROBE_BYTES && (data[24 + IMAGE_PROBE_BYTES] & 1);
	struct image_layout l;
	char why[200] = "";
	if (image_layout(hdr, isize, "k", initrd, "i", ram, fw, &l, why, sizeof(why))) {
		CHECK(why[0]);
		return 0;
	}
	typedef unsigned __int128 u128;
	u128 kend = (u128)l.kernel.load_offset + l.kernel.span;
	CHECK(l.kernel.span >= isize);
	if (fw) {
		CHECK(l.fdt_off == 0 && l.kernel.load_offset >= IMAGE_DT_SLOT);
		CHECK(initrd ? kend <= l.initrd_off && (u128)l.initrd_off + initrd <= ram
			     : kend <= ram);
		return 0;
	}
	CHECK((u128)l.fdt_off + IMAGE_DT_SLOT == ram);
	if (initrd) {
		CHECK((u128)l.initrd_off + initrd <= l.fdt_off);
		CHECK(kend <= l.initrd_off);
	} else {
		CHECK(l.initrd_off == 0);
		CHECK(kend <= l.fdt_off);
	}
	return 0;
}
