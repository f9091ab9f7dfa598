/* SPDX-License-Identifier: Apache-2.0 */
/* Shared by the DT fuzzers: see harness.h. */
#include <libfdt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dt/dom0.h"
#include "dt/guest.h"
#include "tests/fuzz/harness.h"

void fuzz_build_domain_dts(const struct plan *p, const struct board *b)
{
	int size = (int)fdt_totalsize(b->fdt) + 0x10000;
	void *buf = malloc((size_t)size);
	for (unsigned i = 0; i < p->ndoms; i++) {
		const struct dom_cfg *d = &p->dom[i];
		struct dt_error err;
		int rc;
		uint64_t base = b->nmem ? b->mem[0].base : 0x40000000;
		if (d->control) {
			struct dom0_dt g = {.dom = d, .plan = p, .ram_base = base,
					    .ram_size = d->mem_size};
			rc = dt_dom0_build(buf, size, &g, b, &err);
		} else {
			struct guest_dt g = {.name = d->name, .ram_ipa = base, .ram_size = d->mem_size,
					     .nvcpus = d->ncpus, .bootargs = d->bootargs,
					     .uart_ipa = b->uart_base,
					     .uart_intid = b->uart_irq ? b->uart_irq : 33,
					     .conduit = CONDUIT_HVC, .devices = d->devices,
					     .ndevices = d->ndevices};
			rc = dt_guest_build(buf, size, &g, b, b->fdt, &err);
		}
		if (rc == 0 && fdt_check_full(buf, (size_t)size) != 0) {
			fprintf(stderr, "domain %s: the builder returned a malformed DT\n", d->name);
			abort();
		}
	}
	free(buf);
}

void *fuzz_aligned_copy(const void *data, size_t size)
{
	void *p = aligned_alloc(8, (size + 8) & ~(size_t)7);
	memcpy(p, data, size);
	return p;
}

void *fuzz_read_file(const char *path, size_t *size)
{
	FILE *f = path ? fopen(path, "rb") : NULL;
	if (!f) {
		fprintf(stderr, "fuzz: cannot open %s (set by the Makefile's run rule)\n",
			path ? path : "(unset)");
		exit(2);
	}
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	void *buf = aligned_alloc(8, ((size_t)n + 8) & ~(size_t)7);
	if (fread(buf, 1, (size_t)n, f) != (size_t)n)
		exit(2);
	fclose(f);
	*size = (size_t)n;
	return buf;
}
