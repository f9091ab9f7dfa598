/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Emulated MMIO: a trapped guest access to an IPA finds the domain's region
 * that covers it (its vGIC frames, its emulated UART, registers forwarded
 * from a shared page) and that region's handler. Called from the data-abort
 * trap (arch-arm64/traps.c) with the access already decoded.
 */
#include "common/domain.h"

const struct vmmio *vmmio_find(struct domain *d, uint64_t ipa)
{
	for (unsigned i = 0; i < d->nvmmio; i++) {
		const struct vmmio *m = &d->vmmio[i];
		if (ipa >= m->base && ipa - m->base < m->size)
			return m;
	}
	return NULL;
}
