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

bool vmmio_dispatch(struct vcpu *v, uint64_t ipa, unsigned size, bool write, uint64_t *val,
		    bool *handled)
{
	const struct vmmio *m = vmmio_find(v->dom, ipa);
	*handled = m != NULL;
	if (!m)
		return false;
	v->mmio = m;
	return m->access(v, ipa - m->base, size, write, val);
}
