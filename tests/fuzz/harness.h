/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Shared by the DT fuzzers: build every domain's DT from a checked plan, as
 * the hypervisor does at boot (dom0's from the board DT, guests' from
 * scratch), and read a DTB file.
 */
#ifndef FUZZ_HARNESS_H
#define FUZZ_HARNESS_H

#include <stddef.h>

#include "dt/plan.h"

/* Build each domain's DT; abort() if a builder succeeds with a DT libfdt
 * finds malformed. */
void fuzz_build_domain_dts(const struct plan *p, const struct board *b);
/* The whole file at `path` (8-byte aligned, malloc'd), or exit with a message. */
void *fuzz_read_file(const char *path, size_t *size);
/* A copy of data in an 8-byte aligned buffer (libfdt's requirement). */
void *fuzz_aligned_copy(const void *data, size_t size);

#endif
