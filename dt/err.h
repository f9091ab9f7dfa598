/* SPDX-License-Identifier: Apache-2.0 */
/*
 * How dt/ reports a problem: a message naming the node, property and what
 * is wrong in err->msg (struct dt_error, dt.h), and -1 from the function
 * that found it. `err` must be in scope.
 */
#ifndef DT_ERR_H
#define DT_ERR_H

#include <libfdt.h>

#include "common/lib.h"
#include "dt/blob.h"

#define ERR(...)                                                                                   \
	do {                                                                                       \
		snprintf(err->msg, sizeof(err->msg), __VA_ARGS__);                                 \
		return -1;                                                                         \
	} while (0)

/* A libfdt call that must succeed: on a negative result, what we were doing
 * (a printf format and its arguments) and libfdt's reason. */
#define FDT_TRY(x, ...)                                                                            \
	do {                                                                                       \
		int fdt_e_ = (x);                                                                  \
		if (fdt_e_ < 0) {                                                                  \
			char fdt_what_[128];                                                       \
			snprintf(fdt_what_, sizeof(fdt_what_), __VA_ARGS__);                       \
			ERR("%s: %s", fdt_what_, dt_blob_strerror(fdt_e_));                        \
		}                                                                                  \
	} while (0)

#endif
