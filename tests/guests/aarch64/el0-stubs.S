/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The `el0abort` mode's EL0 side (el0.c): the entry into EL0 and the way
 * back, and the EL0 code itself, run through an EL0-executable alias of
 * this image. Each EL0 routine makes its accesses and ends with SVC #0,
 * whose handler (el0_exception) resumes EL1 at el0_back.
 */
	.text
/* el0_enter(x0, x1: for the EL0 code, x2: its entry (alias), x3: SPSR,
 * x4: for the EL0 code too, passed through untouched). */
	.globl	el0_enter
el0_enter:
	stp	x29, x30, [sp, #-96]!
	stp	x19, x20, [sp, #16]
	stp	x21, x22, [sp, #32]
	stp	x23, x24, [sp, #48]
	stp	x25, x26, [sp, #64]
	stp	x27, x28, [sp, #80]
	msr	elr_el1, x2
	msr	spsr_el1, x3
	eret

/* Back at EL1h, SP_EL1 as it was at the ERET above. */
	.globl	el0_back
el0_back:
	ldp	x19, x20, [sp, #16]
	ldp	x21, x22, [sp, #32]
	ldp	x23, x24, [sp, #48]
	ldp	x25, x26, [sp, #64]
	ldp	x27, x28, [sp, #80]
	ldp	x29, x30, [sp], #96
	ret

/* AArch64 EL0: x0 = an address outside the domain, x1 = an emulated device.
 * Then a PMU read the hypervisor traps and refuses (PMSELR names no counter):
 * an undefined instruction. Last, the device's FR (x2 at SVC: el0.c checks). */
	.balign	4
	.globl	el0_a64, el0_a64_oob, el0_a64_dev, el0_a64_undef
el0_a64:
el0_a64_oob:
	ldr	x2, [x0]
el0_a64_dev:
	ldp	w2, w3, [x1]		/* a pair: no syndrome, the hypervisor cannot emulate it */
el0_a64_undef:
	mrs	x2, pmxevcntr_el0
	mov	x3, #0
	ldr	w2, [x1, #0x18]		/* UARTFR: emulated (the vector serves it), no exception */
	svc	#0

/* AArch32 EL0, T32 (16-bit encodings, as data: this is an A64 assembler). */
	.balign	4
	.globl	el0_t32, el0_t32_oob, el0_t32_dev, el0_t32_undef
el0_t32:
el0_t32_oob:
	.hword	0x6802			/* ldr r2, [r0] */
el0_t32_dev:
	.hword	0xc90c			/* ldmia r1!, {r2, r3}: no syndrome */
el0_t32_undef:
	.hword	0xee19, 0x2f5d		/* mrc p15, 0, r2, c9, c13, 2: PMXEVCNTR */
	/* UARTFR read in an IT block: its emulation must step ITSTATE, so the
	 * `else` MOV is skipped (r3 stays 0); the AArch64 vector's FR read must
	 * leave an AArch32 EL0 to C, which does. */
	.hword	0x2300			/* movs r3, #0: Z set */
	.hword	0xbf0c			/* ite eq */
	.hword	0xf8d1, 0x2018		/* ldreq.w r2, [r1, #0x18]: UARTFR, emulated */
	.hword	0x2301			/* movne r3, #1: not executed */
	/* A 16-bit store to the word at r4 (GICv2: GICD_SGIR, value 0: SGI 0
	 * to nobody; GICv3: UARTFR, ignored): emulated and stepped by 2 (the
	 * GICv2 SGIR fast path must leave an AArch32 EL0 to C), so the SUBS
	 * after it runs and r3 is 0 again. */
	.hword	0x2500			/* movs r5, #0 */
	.hword	0x3301			/* adds r3, #1 */
	.hword	0x6025			/* str r5, [r4] */
	.hword	0x3b01			/* subs r3, #1 */
	.hword	0xdf00			/* svc #0 */
	.balign	4
