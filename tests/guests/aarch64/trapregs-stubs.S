/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The `trapregs` mode's register harness: one trapping instruction run with
 * every general register x0-x30 loaded from a buffer, and every register
 * stored back right after it, so C can see which the trap changed.
 *
 * trapregs_run(buf, stub): buf holds x0-x30 in (256 bytes), then x0-x30 out
 * (256 bytes); stub is one entry of a table below. SP points at buf while
 * the stub runs (SP is not a general register: the trap cannot name it), so
 * IRQs must be masked; an unexpected exception pushes its frame below buf.
 * Each stub is 16 bytes: table + 16 * n is the one naming register n (31:
 * XZR/WZR). The memory stubs use x0 as base (x1 for the one naming x0).
 */

	.text

/* Save what the C caller keeps, switch SP to buf and enter the stub with
 * x0-x29 loaded; the stub loads x30 itself (it was the branch target). */
	.globl	trapregs_run
trapregs_run:
	stp	x29, x30, [sp, #-96]!
	stp	x19, x20, [sp, #16]
	stp	x21, x22, [sp, #32]
	stp	x23, x24, [sp, #48]
	stp	x25, x26, [sp, #64]
	stp	x27, x28, [sp, #80]
	mov	x2, sp
	adrp	x3, trapregs_sp
	str	x2, [x3, :lo12:trapregs_sp]
	mov	sp, x0
	mov	x30, x1
	ldp	x0, x1, [sp, #16 * 0]
	ldp	x2, x3, [sp, #16 * 1]
	ldp	x4, x5, [sp, #16 * 2]
	ldp	x6, x7, [sp, #16 * 3]
	ldp	x8, x9, [sp, #16 * 4]
	ldp	x10, x11, [sp, #16 * 5]
	ldp	x12, x13, [sp, #16 * 6]
	ldp	x14, x15, [sp, #16 * 7]
	ldp	x16, x17, [sp, #16 * 8]
	ldp	x18, x19, [sp, #16 * 9]
	ldp	x20, x21, [sp, #16 * 10]
	ldp	x22, x23, [sp, #16 * 11]
	ldp	x24, x25, [sp, #16 * 12]
	ldp	x26, x27, [sp, #16 * 13]
	ldp	x28, x29, [sp, #16 * 14]
	ret

trapregs_out:
	stp	x0, x1, [sp, #256 + 16 * 0]
	stp	x2, x3, [sp, #256 + 16 * 1]
	stp	x4, x5, [sp, #256 + 16 * 2]
	stp	x6, x7, [sp, #256 + 16 * 3]
	stp	x8, x9, [sp, #256 + 16 * 4]
	stp	x10, x11, [sp, #256 + 16 * 5]
	stp	x12, x13, [sp, #256 + 16 * 6]
	stp	x14, x15, [sp, #256 + 16 * 7]
	stp	x16, x17, [sp, #256 + 16 * 8]
	stp	x18, x19, [sp, #256 + 16 * 9]
	stp	x20, x21, [sp, #256 + 16 * 10]
	stp	x22, x23, [sp, #256 + 16 * 11]
	stp	x24, x25, [sp, #256 + 16 * 12]
	stp	x26, x27, [sp, #256 + 16 * 13]
	stp	x28, x29, [sp, #256 + 16 * 14]
	str	x30, [sp, #256 + 16 * 15]
	adrp	x0, trapregs_sp
	ldr	x0, [x0, :lo12:trapregs_sp]
	mov	sp, x0
	ldp	x19, x20, [sp, #16]
	ldp	x21, x22, [sp, #32]
	ldp	x23, x24, [sp, #48]
	ldp	x25, x26, [sp, #64]
	ldp	x27, x28, [sp, #80]
	ldp	x29, x30, [sp], #96
	ret

/* One 16-byte stub: x30 from buf, the instruction, out. */
.macro stub insn:vararg
	.balign	16
	ldr	x30, [sp, #16 * 15]
	\insn
	b	trapregs_out
.endm

/* A table of 32 stubs of `op <reg>`: x0-x30, then xzr. */
.macro table name, op
	.balign	16
	.globl	\name
\name:
	.irp	n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30
	stub	\op x\n
	.endr
	stub	\op xzr
.endm

/* The same for a 32-bit (or, by op, 8- or 16-bit) store or load at [x0]
 * (the one naming w0: [x1]). */
.macro memtable name, op
	.balign	16
	.globl	\name
\name:
	stub	\op w0, [x1]
	.irp	n, 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30
	stub	\op w\n, [x0]
	.endr
	stub	\op wzr, [x0]
.endm

/* The same with X registers (the one naming x0: [x1]). */
.macro xmemtable name, op
	.balign	16
	.globl	\name
\name:
	stub	\op x0, [x1]
	.irp	n, 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30
	stub	\op x\n, [x0]
	.endr
	stub	\op xzr, [x0]
.endm

	/* ICC_SGI1R_EL1 (op0 3, op1 0, CRn 12, CRm 11, op2 5): GICv3 only. */
	table	trapregs_sgi1r, "msr S3_0_C12_C11_5,"
	table	trapregs_cisw, "dc cisw,"
	table	trapregs_csw, "dc csw,"
	memtable trapregs_str, str
	memtable trapregs_ldr, ldr
	/* The PL011's DR stores and FR loads in every size it takes. */
	memtable trapregs_strb, strb
	memtable trapregs_strh, strh
	memtable trapregs_ldrh, ldrh
	/* Their other forms: store-release, load-acquire, and sign-extending
	 * loads into a 64-bit register (SSE, SF: the syndrome's other bits). */
	memtable trapregs_stlrb, stlrb
	memtable trapregs_stlrh, stlrh
	memtable trapregs_stlr, stlr
	memtable trapregs_ldarh, ldarh
	memtable trapregs_ldar, ldar
	xmemtable trapregs_ldrshx, ldrsh
	xmemtable trapregs_ldrswx, ldrsw

/* HVC #0: the caller's x0-x7 are the call. */
	.balign	16
	.globl	trapregs_hvc
trapregs_hvc:
	stub	hvc #0

	.bss
	.balign	8
trapregs_sp:
	.quad	0
