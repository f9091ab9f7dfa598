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
	const struct vnet_view *nets; /* its virtio-net devices */
	unsigned nnets;
	const struct vnet_view *ctl; /* its control device (virtio-console), or NULL */
};

int dt_dom0_build(void *buf, int bufsize, const struct dom0_dt *g, const struct board *b,
		  struct dt_error *err);
/* Should `node` of the board DT go to the control domain `dom`? */
bool dt_dom0_owns(const void *fdt, const struct board *b, const struct plan *p, int node);

/* A device the control domain takes implicitly: where it is and what it has. */
struct dom0_device {
	int node;
	char path[96];
	bool reserved_memory; /* a /reserved-memory carve-out: RAM, not registers */
	struct dev_res res;
};
/* Call fn for each board node the control domain takes implicitly (see
 * dt_dom0_owns), in DT order; stop at the first non-zero return and return it.
 * A node whose resources cannot be read is an error: -1, err names it. */
int dt_dom0_for_each_device(const struct board *b, const struct plan *p,
			    int (*fn)(void *ctx, const struct dom0_device *dev), void *ctx,
			    struct dt_error *err);

#endif
