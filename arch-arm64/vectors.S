/* SPDX-License-Identifier: Apache-2.0 */
/*
 * EL2 exception vectors. Every exception saves x0..x30, ELR, SPSR, ESR, FAR,
 * HPFAR and SP_EL1 into a trap frame on the CPU's EL2 stack and calls C
 * (but an AArch64 guest's synchronous exception and IRQ, which save only
 * what C may clobber first: vec_guest_sync64, vec_guest_irq64 below):
 *   from EL2 itself        -> trap_hyp(frame, kind)          (returns only when
 *                             it resumed a forwarded device access that
 *                             aborted: the frame is restored and ERETed)
 *   an IRQ while idle      -> trap_hyp_irq(frame)            (back to the idle loop)
 *   from EL1/EL0 (A64/A32) -> trap_guest(frame, kind)        (the one guest entry)
 * trap_guest returns true to resume the guest: guest_exit restores the
 * (possibly edited) frame and ERETs. False: the vCPU left its guest, and this
 * CPU goes to cpu_run_loop on its empty stack (a guest always runs with the
 * CPU's stack empty, so its trap frame is the only thing on it).
 * arch_enter_guest(frame) enters a guest the first time.
 */
#include "arch-arm64/asm.h"

/* What C may clobber (x0-x18, x30) and ELR, into a new frame: all a lean
 * entry saves (guest_exit_lean restores it). */
.macro save_caller_regs
	sub	sp, sp, #TF_SIZE
	stp	x0, x1, [sp, #16 * 0]
	stp	x2, x3, [sp, #16 * 1]
	save_x4_x30
.endm

/* The same after x0-x3 (the FR read's scratch registers: guest_fr_fast). */
.macro save_x4_x30
	stp	x4, x5, [sp, #16 * 2]
	stp	x6, x7, [sp, #16 * 3]
	stp	x8, x9, [sp, #16 * 4]
	stp	x10, x11, [sp, #16 * 5]
	stp	x12, x13, [sp, #16 * 6]
	stp	x14, x15, [sp, #16 * 7]
	stp	x16, x17, [sp, #16 * 8]
	str	x18, [sp, #16 * 9]
	mrs	x0, elr_el2
	stp	x30, x0, [sp, #16 * 15]
.endm

/* SPSR, ESR, FAR, HPFAR into the frame (x0 clobbered; x1 = ESR). */
.macro save_syndrome
	mrs	x0, far_el2
	mrs	x1, hpfar_el2
	stp	x0, x1, [sp, #TF_FAR]
	mrs	x0, spsr_el2
	mrs	x1, esr_el2
	stp	x0, x1, [sp, #TF_SPSR]
.endm

/* x19-x29, which C preserves, into the frame. */
.macro save_x19_x29
	str	x19, [sp, #16 * 9 + 8]
	stp	x20, x21, [sp, #16 * 10]
	stp	x22, x23, [sp, #16 * 11]
	stp	x24, x25, [sp, #16 * 12]
	stp	x26, x27, [sp, #16 * 13]
	stp	x28, x29, [sp, #16 * 14]
.endm

/* The rest of a full frame: x19-x29 and SP_EL1 (x0 clobbered). */
.macro save_callee_regs
	save_x19_x29
	mrs	x0, sp_el1
	str	x0, [sp, #TF_SP_EL1]
.endm

/* A full frame (31 instructions with vec_hyp's: within the 32 of a vector). */
.macro save_frame
	save_caller_regs
	save_syndrome
	save_callee_regs
	mov	x0, sp
.endm

.macro vec_hyp kind
	.align 7
	save_frame
	mov	x1, #\kind
	bl	trap_hyp
	b	guest_exit
.endm

.macro vec_idle_irq
	.align 7
	save_frame
	bl	trap_hyp_irq
	b	guest_exit
.endm

/*
 * A synchronous exception from an AArch64 guest: the lean entry. Only what C
 * may clobber (x0-x18, x30) and ELR, SPSR, ESR, FAR, HPFAR are saved; x19-x29
 * stay live in the registers (C preserves them) and SP_EL1 is never touched
 * by EL2. trap_guest_sync64 (traps.c) handles a trap whose handler reads and
 * writes only those (an SMCCC call, a register access naming x0-x18 or x30)
 * and says TRAP_GUEST_DONE or _LEFT; for anything else it does nothing and
 * says TRAP_GUEST_FULL: the frame is completed here and the trap goes the
 * one common way (trap_guest). ~13 instructions fewer each way. A data
 * abort (ESR.EC bit 5 set, then the class compared) goes to
 * trap_guest_dabt64 instead, with x19-x29 saved only when it names one.
 */
.macro vec_guest_sync64
	.align 7
	sub	sp, sp, #TF_SIZE
	stp	x0, x1, [sp, #16 * 0]
	stp	x2, x3, [sp, #16 * 1]
	mrs	x0, esr_el2
	tbz	x0, #31, guest_sync64_lean /* EC below 0x20: not a data abort */
	tbnz	x0, #6, guest_sync64_lean /* a data abort's ISS.WnR: FR is read */
	ubfx	x1, x0, #24, #8		/* EC, IL, ISV */
	and	x2, x0, #0x7fc		/* FnV EA CM S1PTW WnR, the DFSC less its level */
	cmp	x1, #(0x24 << 2 | 3)	/* a data abort from below, with a syndrome */
	ccmp	x2, #0x04, #0, eq	/* a translation fault, not on a stage-1 walk */
	b.eq	guest_fr_fast		/* maybe the vUART's FR read */
guest_sync64_lean:			/* x0-x3 saved; x4-x30 as the guest left them */
	save_x4_x30
	save_syndrome
	mov	x0, sp
	tbnz	x1, #31, guest_sync64_hi /* EC >= 0x20: maybe a data abort */
	tbnz	x1, #21, guest_sgi64	/* op0 3 (an HVC's, SMC's, DC's: clear) */
	b	guest_sync64
.endm

/* An IRQ from an AArch64 guest: its handling never reads or writes the
 * guest's registers, so only what C may clobber and ELR, SPSR are saved.
 * gic_handle_irq is called straight from here (the kick, the IPI round's
 * receiver, is a leaf there), then guest_irq64_done. */
.macro vec_guest_irq64
	.align 7
	save_caller_regs
	mrs	x0, spsr_el2
	str	x0, [sp, #TF_SPSR]
	ldr	x0, [sp, #TF_OWNER]	/* v */
	bl	gic_handle_irq
	b	guest_irq64_done
guest_fr_tail:				/* the slot's last 13: guest_fr_fast's end */
	mrs	x1, esr_el2
	ubfx	x1, x1, #16, #5		/* ISS.SRT */
	cmp	x1, #4
	b.lo	guest_fr_saved
	adr	x2, guest_fr_set - 8 * 4
	add	x2, x2, x1, lsl #3
	br	x2			/* its entry of guest_fr_set (8 bytes each) */
guest_fr_saved:
	str	x0, [sp, x1, lsl #3]	/* x0-x3: into their saved copies */
guest_fr_out:
	ldp	x2, x3, [sp, #16 * 1]
	ldp	x0, x1, [sp], #TF_SIZE
	eret
	dsb	nsh
	isb
.endm

/* kind: 0 sync, 1 IRQ, 2 FIQ, 3 SError (TRAP_GUEST_* in arch-arm64/trap.h) */
.macro vec_guest kind
	.align 7
	save_frame
	mov	x1, #\kind
	b	guest_trap
.endm

	.text
	.align 11
	.globl el2_vectors
el2_vectors:
	vec_hyp 0			/* current EL, SP_EL0: sync */
	vec_hyp 1			/* irq */
	vec_hyp 2			/* fiq */
	vec_hyp 3			/* serror */
	vec_hyp 4			/* current EL, SP_ELx: sync */
	vec_idle_irq			/* irq: taken only while idle */
	vec_hyp 6			/* fiq */
	vec_hyp 7			/* serror */
	vec_guest_sync64		/* lower EL, AArch64: sync */
	vec_guest_irq64			/* irq */
	vec_guest 2			/* fiq */
	vec_guest 3			/* serror */
	vec_guest 0			/* lower EL, AArch32 */
	vec_guest 1
	vec_guest 2
	vec_guest 3
	.org	el2_vectors + 0x800	/* an entry over its 32 instructions fails the build */

guest_trap:
	bl	trap_guest
	cbnz	w0, guest_exit
guest_left:
	add	sp, sp, #TF_SIZE	/* the stack is empty again */
	b	cpu_run_loop

/* x0 = the frame, x1 = ESR (both arguments of the C below). A data abort
 * (an emulated device's register: trap_guest_dabt64) names one register;
 * naming one of x19-x29, those are saved too (not SP_EL1: no C reads it
 * from the frame) and restored only after a read (a write leaves them as
 * they were: C preserves them); any other stays in the lean frame. Any
 * other class of 0x20 and above goes on. */
guest_sync64_hi:
	lsr	x2, x1, #26
	cmp	x2, #0x24		/* EC_DABT_LOW */
	b.ne	guest_sync64
	ubfx	x2, x1, #16, #5		/* ISS.SRT (RES0, so x0, without ISV) */
	sub	x2, x2, #19
	cmp	x2, #10
	b.ls	2f
	bl	trap_guest_dabt64
	cbz	w0, guest_exit_lean	/* TRAP_GUEST_DONE */
	tbz	w0, #1, guest_left	/* TRAP_GUEST_LEFT */
	b	guest_sync64_full
2:	save_x19_x29
	bl	trap_guest_dabt64
	tbnz	w0, #1, guest_sync64_full /* TRAP_GUEST_FULL */
	cbnz	w0, guest_left		/* TRAP_GUEST_LEFT */
	ldr	x1, [sp, #TF_ESR]
	tbnz	x1, #6, guest_exit_lean	/* ISS.WnR */
	b	guest_exit

/*
 * The PL011 FR read of the vCPU's own vUART, served before the lean save:
 * Linux's console reads FR before each character it writes. x0-x3 are
 * saved, x0 = ESR; x4-x30 stay the guest's. Served only in vuart_fr's
 * common case and by its rule (common/vuart.c): the syndrome as pl011_fast
 * (traps.c) takes it (ISV, a 16- or 32-bit read, a translation fault at
 * stage 2 not on a stage-1 walk, FnV EA CM clear), from AArch64 (SPSR.M[4]
 * clear), at the IPA vuart_base + FR, nothing pending in the entry flag
 * word, and the domain's console ring empty, or the poll right after a DR
 * write with the ring not nearly full (otherwise console_domain_tx decides
 * TXFF, in C). The flags go into the transfer register (x0-x3: their
 * saved copies; XZR: nothing), the exit is counted as C counts it
 * (v->exits[EXIT_TRAP]) and the instruction stepped. Anything else goes on
 * to the lean save with nothing changed (guest_sync64_lean). Its syndrome
 * tests are in vec_guest_sync64, its last 13 instructions at the free end
 * of vec_guest_irq64's slot. The poll flag is cleared
 * whether or not it was set (vuart_fr clears it only if set: the same
 * value). Not quite the same race: another vCPU's DR write landing between
 * the LDRB and the STRB loses its flag here even when the flag read was
 * clear (in C only when it was set); the flag only spares a pump, so the
 * cost is that vCPU's next FR read pumping the ring in C (console_domain_tx:
 * at worst a line composed early), never a value a guest reads (TXFF needs
 * the ring nearly full, which both test). Safety: docs/ARCHITECTURE.md.
 */
guest_fr_fast:
	eor	x1, x0, x0, lsr #1
	tbz	x1, #22, guest_sync64_lean /* SAS 1 or 2: 16 or 32 bits */
	mrs	x1, spsr_el2
	tbnz	x1, #4, guest_sync64_lean /* an AArch32 EL0 */
	ldr	x3, [sp, #TF_OWNER]	/* v */
	mrs	x1, hpfar_el2
	mrs	x2, far_el2
	lsr	x1, x1, #4
	bfi	x2, x1, #12, #52	/* the IPA, as trap_guest_dabt64 forms it */
	ldr	x1, [x3, #VCPU_VUART_BASE]
	sub	x2, x2, x1
	cmp	x2, #FAST_FR_OFF
	b.ne	guest_sync64_lean
	ldr	w1, [x3, #VCPU_RECHECK]
	cbnz	w1, guest_sync64_lean	/* something pending: C's full check */
	ldr	x2, [x3, #VCPU_DOM]	/* d */
	ldp	w0, w1, [x2, #DOM_CON_IN_HEAD]
	subs	w1, w0, w1		/* used: bytes in its ring */
	ldrb	w0, [x2, #DOM_DR_WRITTEN] /* poll */
	b.eq	3f			/* empty: TXFE, poll or not */
	cbz	w0, guest_sync64_lean	/* not the poll: the ring moves on, in C */
	cmp	w1, #FAST_FR_NEAR
	b.hi	guest_sync64_lean	/* nearly full: C asks the console */
	mov	w1, #0			/* TX flags: neither full nor empty */
1:	strb	wzr, [x2, #DOM_DR_WRITTEN] /* the poll, if it was one, is spent */
	ldr	w0, [x2, #DOM_RX_COUNT]
	cmp	w0, #0
	cset	w0, eq
	orr	w0, w1, w0, lsl #4	/* RXFE: nothing typed */
	ldr	x2, [x3, #VCPU_EXITS]
	ldr	x1, [x2]
	add	x1, x1, #1
	str	x1, [x2]		/* the exit, counted as every trap's */
	mrs	x1, elr_el2
	add	x1, x1, #4
	msr	elr_el2, x1		/* stepped (an AArch64 instruction: 4 bytes) */
	mrs	x1, spsr_el2
	bfi	x1, xzr, #21, #1	/* SS: its software step taken after it */
	bfi	x1, xzr, #10, #2	/* BTYPE: the instruction completed */
	msr	spsr_el2, x1
	b	guest_fr_tail
3:	mov	w1, #FAST_FR_TXFE
	b	1b
guest_fr_set:
	.irp	n, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30
	mov	x\n, x0
	b	guest_fr_out
	.endr
	b	guest_fr_out		/* 31, XZR: nothing to write */

/* After an AArch64 guest's IRQ: vcpu_trap_done(v, TRAP_CONTINUE) without a
 * C frame of its own. The recheck word read as its relaxed load; set (the
 * kick's receiver: its VGIC byte), the entry's full check; that failing,
 * the vCPU stops and this CPU goes back to its run loop. */
guest_irq64_done:
	ldr	x0, [sp, #TF_OWNER]
	ldr	w1, [x0, #VCPU_RECHECK]
	cbz	w1, guest_exit_lean
	bl	vcpu_entry_check
	tst	w0, #0xff		/* a bool: its low byte */
	b.ne	guest_exit_lean
	ldr	x0, [sp, #TF_OWNER]
	bl	vcpu_stop
	b	guest_left

/*
 * A GICv3 guest's SGI (MSR ICC_SGI1R_EL1, trapped by ICH_HCR_EL2.TC) from
 * the lean save, with no C frame around the call: what trap_guest_sync64
 * would do, in its order. x0 = the frame, x1 = ESR; op0 is 3. The syndrome
 * less Rt must be that write's exactly (EC 0x18, IL, the register, the
 * direction); anything else goes on to guest_sync64 unchanged. Rt from its
 * saved copy: x19-x29 are saved first (C preserves them, so the lean exit
 * need not restore them), XZR reads 0. The exit counted as every trap's
 * (v->exits[EXIT_TRAP]), vgic_v3_sgi_sysreg called (a leaf of this path),
 * the instruction stepped (ELR + 4, SPSR's SS and BTYPE cleared, as
 * stepped64) and the exit ended as an IRQ's (guest_irq64_done: the entry
 * flag word, the full check when it is set).
 */
guest_sgi64:
	ldr	w2, 3f
	and	x3, x1, #~(0x1f << 5)	/* the syndrome less ISS.Rt */
	cmp	x3, x2
	b.ne	guest_sync64
	ubfx	x2, x1, #5, #5		/* Rt */
	sub	w3, w2, #19
	cmp	w3, #10
	b.ls	2f			/* x19-x29: not in the lean frame */
1:	ldr	x1, [sp, x2, lsl #3]
	cmp	w2, #31
	csel	x1, xzr, x1, eq		/* XZR (slot 31 is ELR's) */
	ldr	x0, [sp, #TF_OWNER]	/* v */
	ldr	x2, [x0, #VCPU_EXITS]
	ldr	x3, [x2]
	add	x3, x3, #1
	str	x3, [x2]
	bl	vgic_v3_sgi_sysreg
	ldp	x0, x1, [sp, #TF_ELR]
	add	x0, x0, #4
	bfi	x1, xzr, #21, #1	/* SS */
	bfi	x1, xzr, #10, #2	/* BTYPE */
	stp	x0, x1, [sp, #TF_ELR]
	b	guest_irq64_done
2:	save_x19_x29
	b	1b
3:	.word	ESR_SGI1R_WRITE

guest_sync64:
	bl	trap_guest_sync64
	cbz	w0, guest_exit_lean	/* TRAP_GUEST_DONE: the common case first */
	tbz	w0, #1, guest_left	/* TRAP_GUEST_LEFT */
guest_sync64_full: /* TRAP_GUEST_FULL: x19-x29 still hold the guest's values */
	save_callee_regs
	mov	x0, sp
	mov	x1, #0			/* TRAP_GUEST_SYNC */
	b	guest_trap

/* Restore the frame at sp and return to the guest (or, after trap_hyp's
 * fixup, to EL2: the saved SPSR says which). SP_EL1 is saved for reports
 * only: EL2 never changes it, so it is not restored (arch_vcpu_reset zeroes
 * it for a fresh vCPU). */
guest_exit:
	ldr	x19, [sp, #16 * 9 + 8]
	ldp	x20, x21, [sp, #16 * 10]
	ldp	x22, x23, [sp, #16 * 11]
	ldp	x24, x25, [sp, #16 * 12]
	ldp	x26, x27, [sp, #16 * 13]
	ldp	x28, x29, [sp, #16 * 14]
	/* falls through: the rest is what a lean entry saved */
guest_exit_lean: /* TRAP_GUEST_DONE: back to the guest, restoring only what was saved */
	ldp	x0, x1, [sp, #TF_ELR]
	msr	elr_el2, x0
	msr	spsr_el2, x1
	ldp	x2, x3, [sp, #16 * 1]
	ldp	x4, x5, [sp, #16 * 2]
	ldp	x6, x7, [sp, #16 * 3]
	ldp	x8, x9, [sp, #16 * 4]
	ldp	x10, x11, [sp, #16 * 5]
	ldp	x12, x13, [sp, #16 * 6]
	ldp	x14, x15, [sp, #16 * 7]
	ldp	x16, x17, [sp, #16 * 8]
	ldr	x18, [sp, #16 * 9]
	ldr	x30, [sp, #16 * 15]
	ldp	x0, x1, [sp], #TF_SIZE
	eret
	dsb	nsh
	isb

/*
 * arch_enter_guest(frame, stack_top): abandon the current stack, copy the
 * frame to the top of this CPU's (now empty) stack, load it and ERET.
 */
	.globl arch_enter_guest
arch_enter_guest:
	sub	sp, x1, #TF_SIZE
	mov	x2, sp
	mov	x3, #TF_SIZE
1:	ldp	x4, x5, [x0], #16
	stp	x4, x5, [x2], #16
	subs	x3, x3, #16
	b.ne	1b
	b	guest_exit

/*
 * arch_fp_reset(): a vCPU's FP/SIMD registers as at a cold reset: V0-V31
 * (an Advanced SIMD write also zeroes the upper bits of an SVE Z register),
 * FPSR and FPCR zero. Whatever an earlier life of the domain, or the boot
 * code's libfdt (docs/design/fp-state.md), left there is gone.
 */
	.arch_extension fp
	.arch_extension simd
	.globl arch_fp_reset
arch_fp_reset:
	movi	v0.2d, #0
	movi	v1.2d, #0
	movi	v2.2d, #0
	movi	v3.2d, #0
	movi	v4.2d, #0
	movi	v5.2d, #0
	movi	v6.2d, #0
	movi	v7.2d, #0
	movi	v8.2d, #0
	movi	v9.2d, #0
	movi	v10.2d, #0
	movi	v11.2d, #0
	movi	v12.2d, #0
	movi	v13.2d, #0
	movi	v14.2d, #0
	movi	v15.2d, #0
	movi	v16.2d, #0
	movi	v17.2d, #0
	movi	v18.2d, #0
	movi	v19.2d, #0
	movi	v20.2d, #0
	movi	v21.2d, #0
	movi	v22.2d, #0
	movi	v23.2d, #0
	movi	v24.2d, #0
	movi	v25.2d, #0
	movi	v26.2d, #0
	movi	v27.2d, #0
	movi	v28.2d, #0
	movi	v29.2d, #0
	movi	v30.2d, #0
	movi	v31.2d, #0
	msr	fpsr, xzr
	msr	fpcr, xzr
	ret

/*
 * arch_sve_reset(): on a CPU with SVE (guests may use it: CPTR_EL2.TZ = 0),
 * the predicate registers and FFR zero too (the Z registers are zeroed by
 * arch_fp_reset). Run at EL2's vector length, the longest EL1 can have.
 */
	.arch_extension sve
	.globl arch_sve_reset
arch_sve_reset:
	pfalse	p0.b
	pfalse	p1.b
	pfalse	p2.b
	pfalse	p3.b
	pfalse	p4.b
	pfalse	p5.b
	pfalse	p6.b
	pfalse	p7.b
	pfalse	p8.b
	pfalse	p9.b
	pfalse	p10.b
	pfalse	p11.b
	pfalse	p12.b
	pfalse	p13.b
	pfalse	p14.b
	pfalse	p15.b
	wrffr	p0.b
	ret
