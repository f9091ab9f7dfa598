/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Device accesses the hypervisor makes for a guest (forwarded MMIO in a
 * register page two domains share). A device may answer one with a
 * synchronous external abort (an access size it does not implement, an
 * address nothing decodes): taken at EL2 on one of the loads and stores
 * between mmio_guarded_start and mmio_guarded_end, trap_hyp resumes at
 * mmio_aborted, so the call returns false and the guest that asked gets the
 * abort, instead of the hypervisor halting.
 *
 *   bool arch_mmio_read(uint64_t pa, unsigned size, uint64_t *val)
 *   bool arch_mmio_write(uint64_t pa, unsigned size, uint64_t val)
 * size is 1, 2, 4 or 8 and pa is aligned to it (the caller checks).
 */
	.text
	.globl	arch_mmio_read
arch_mmio_read:
	cmp	w1, #2
	b.eq	.Lr2
	cmp	w1, #4
	b.eq	.Lr4
	cmp	w1, #8
	b.eq	.Lr8
	b	.Lr1

	.globl	arch_mmio_write
arch_mmio_write:
	cmp	w1, #2
	b.eq	.Lw2
	cmp	w1, #4
	b.eq	.Lw4
	cmp	w1, #8
	b.eq	.Lw8
	b	.Lw1

	/* Nothing but the device accesses in here. */
	.globl	mmio_guarded_start
mmio_guarded_start:
.Lr1:	ldrb	w3, [x0]
	b	.Lread_done
.Lr2:	ldrh	w3, [x0]
	b	.Lread_done
.Lr4:	ldr	w3, [x0]
	b	.Lread_done
.Lr8:	ldr	x3, [x0]
	b	.Lread_done
.Lw1:	strb	w2, [x0]
	b	.Lwrite_done
.Lw2:	strh	w2, [x0]
	b	.Lwrite_done
.Lw4:	str	w2, [x0]
	b	.Lwrite_done
.Lw8:	str	x2, [x0]
	b	.Lwrite_done
	.globl	mmio_guarded_end
mmio_guarded_end:

.Lread_done:
	str	x3, [x2]
.Lwrite_done:
	mov	w0, #1
	ret

	.globl	mmio_aborted
mmio_aborted:
	mov	w0, #0
	ret
