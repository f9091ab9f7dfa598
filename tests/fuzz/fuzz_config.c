/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: a partition config (the input, a DTB) checked against
 * QEMU virt's board DT (BH_FUZZ_BOARD) by dt_plan_read(), the hypervisor's
 * boot-time check, then every domain's DT built from it.
 */
#include <libfdt.h>
#include <stdint.h>
#include <stdlib.h>

#include "tests/fuzz/harness.h"

static struct board board;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	size_t n;
	void *fdt = fuzz_read_file(getenv("BH_FUZZ_BOARD"), &n);
	struct dt_error err;
	if (dt_board_read(fdt, &board, &err))
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	void *cfg = fuzz_aligned_copy(data, size);
	static struct plan plan;
	struct dt_error err;
	/* As at boot (boot.c) and in bhpack: the header's size fits the buffer. */
	if (size >= 40 && fdt_totalsize(cfg) <= size && dt_plan_read(cfg, &board, &plan, &err) == 0)
		fuzz_build_domain_dts(&plan, &board);
	free(cfg);
	return 0;
}
