/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: a board DT (the input, as U-Boot would pass it) read by
 * dt_board_read(), then the mixed partition config (BH_FUZZ_CONFIG) checked
 * against it and every domain's DT built: what the hypervisor does at boot
 * with the DT it is given. A DT it refuses goes to dt_board_fallback(), as
 * at boot (common/boot.c): whatever console it finds has a path that ends
 * inside uart_path.
 */
#include <libfdt.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tests/fuzz/harness.h"

static void *config;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	size_t n;
	config = fuzz_read_file(getenv("BH_FUZZ_CONFIG"), &n);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	void *fdt = fuzz_aligned_copy(data, size);
	static struct board board;
	static struct plan plan;
	struct dt_error err;
	/* A loader's DT fits its memory: the header's size is the buffer's. */
	if (size < 40 || fdt_totalsize(fdt) > size) {
		free(fdt);
		return 0;
	}
	if (dt_board_read(fdt, &board, &err)) {
		dt_board_fallback(fdt, &board, &err);
		if (board.uart && !memchr(board.uart_path, 0, sizeof(board.uart_path)))
			abort();
	} else if (dt_plan_read(config, &board, &plan, &err) == 0) {
		fuzz_build_domain_dts(&plan, &board);
	}
	free(fdt);
	return 0;
}
