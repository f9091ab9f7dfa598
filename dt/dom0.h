/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The control domain's DT: the board's own DT minus what the hypervisor or
 * other domains own (their CPUs, memory, devices and interrupts), with the
 * GIC node rewritten for its virtual GIC and /chosen for its boot.
 */
#ifndef DT_DOM0_H
#define DT_DOM0_H

#include "dt/plan.h"

struct dom0_dt {
	const struct dom_cfg *dom;
	const struct plan *plan;
	uint64_t ram_base, ram_size; /* IPA = PA */
	uint64_t initrd_ipa, initrd_size;
	const struct chan_view *chans;
	unsigned nchans;
};

int dt_dom0_build(void *buf, int bufsize, const struct dom0_dt *g, const struct board *b,
		  struct dt_error *err);
/* Should `node` of the board DT go to the control domain `dom`? */
bool dt_dom0_owns(const void *fdt, const struct board *b, const struct plan *p, int node);

#endif
