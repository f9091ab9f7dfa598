/* SPDX-License-Identifier: Apache-2.0 */
/* Generation of a domain's own DT: exactly what the domain owns. */
#ifndef DT_GUEST_H
#define DT_GUEST_H

#include "dt/dt.h"

struct guest_dt {
	const char *name;
	uint64_t ram_ipa, ram_size;
	unsigned nvcpus;
	const char *bootargs;
	uint64_t initrd_ipa, initrd_size; /* size 0: none */
	uint64_t uart_ipa;		  /* emulated PL011 */
	unsigned uart_intid;
	enum psci_conduit conduit;
	const char (*devices)[96]; /* board DT paths copied in (passed through) */
	unsigned ndevices;
	const struct chan_view *chans;
	unsigned nchans;
	const struct vnet_view *nets; /* its virtio-net devices */
	unsigned nnets;
};

/* Build into buf (bufsize bytes). Returns 0 or -1 with err set. */
int dt_guest_build(void *buf, int bufsize, const struct guest_dt *g, const struct board *b,
		   const void *host_fdt, struct dt_error *err);

#endif
