/* SPDX-License-Identifier: Apache-2.0 */
/* The audit ring's bookkeeping (see audit.h): pure, no locks, no console. */
#include "common/audit.h"

uint32_t audit_record(struct audit_ring *r, unsigned src, unsigned tgt, unsigned cls, unsigned perm)
{
	struct audit_entry *e = NULL, *oldest = &r->e[0];
	r->seq++;
	for (unsigned i = 0; i < r->n; i++) {
		struct audit_entry *x = &r->e[i];
		if (x->src == src && x->tgt == tgt && x->cls == cls && x->perm == perm) {
			e = x;
			break;
		}
		if (x->last < oldest->last)
			oldest = x;
	}
	if (!e) {
		if (r->n < AUDIT_RING_SIZE) {
			e = &r->e[r->n++];
		} else {
			e = oldest;
			r->evicted++;
		}
		*e = (struct audit_entry){.src = (uint8_t)src,
					  .tgt = (uint8_t)tgt,
					  .cls = (uint8_t)cls,
					  .perm = (uint16_t)perm};
	}
	if (e->count != UINT32_MAX)
		e->count++;
	e->last = r->seq;
	return e->count;
}
