/* SPDX-License-Identifier: Apache-2.0 */
/*
 * AArch32 test guest entry: the zImage-style header, moving the image to its
 * link address, per-CPU stacks and vectors, the PSCI CPU_ON entry, the
 * exception vectors, and the probe instructions whose faults the checks
 * provoke on purpose.
 */
#include "guest32.h"

	.syntax	unified
	.arm

/*
 * Linux's ARM zImage header, so loaders (QEMU, the hypervisor) know this is
 * an AArch32 kernel: start code at 0x00-0x23, magic at 0x24, then the link
 * address, the end of the loaded image and the endianness tag. The end is
 * _edata: .bss and the stacks are not in the file and are zeroed here.
 */
	.section .head, "ax"
	.globl	_text
_text:
	b	primary_entry
	.rept	8
	mov	r0, r0
	.endr
	.word	0x016f2818		/* 0x24: zImage magic */
	.word	_text			/* 0x28: start (load/run) address */
	.word	_edata			/* 0x2c: end of the loaded image */
	.word	0x04030201		/* 0x30: little endian */

/*
 * Boot entry: SVC, ARM state, MMU and caches off; r0 = 0, r1 = ~0, r2 = DTB.
 * r8-r11 keep what the loader gave until .bss (where boot_info lives) is zeroed.
 */
primary_entry:
	mov	r8, r0
	mov	r9, r1
	mov	r10, r2
	mrs	r11, cpsr
	cpsid	if

	/*
	 * QEMU's loader puts a raw image at RAM + 0x10000 whatever its header says;
	 * the hypervisor at RAM + 0x8000. Everything here is linked at 0x40008000,
	 * so move there first. The image is not position independent beyond this
	 * point; the linker script keeps it below 32 KiB so the copy from
	 * RAM + 0x10000 never overwrites the loop that is running.
	 */
	adr	r4, _text		/* where we run */
	ldr	r5, =_text		/* where we are linked */
	subs	r3, r4, r5
	beq	2f
	ldr	r6, =_edata
	sub	r6, r6, r5		/* bytes to move, a multiple of 4 */
	bhi	move_down		/* flags from subs: running above the link address */
	/* Running below it: copy from the end, as the regions may overlap. */
1:	subs	r6, r6, #4
	ldr	r7, [r4, r6]
	str	r7, [r5, r6]
	bne	1b
	b	moved
move_down:
	mov	r3, #0
1:	ldr	r7, [r4, r3]
	str	r7, [r5, r3]
	add	r3, r3, #4
	cmp	r3, r6
	blo	1b
moved:
	/* No stale instruction or prediction from the old place may run. */
	mov	r0, #0
	mcr	p15, 0, r0, c7, c5, 0	/* ICIALLU */
	mcr	p15, 0, r0, c7, c5, 6	/* BPIALL */
	dsb	sy
	isb
	ldr	pc, =2f
2:
	ldr	r0, =__bss_start
	ldr	r1, =__bss_end
	mov	r2, #0
3:	cmp	r0, r1
	strlo	r2, [r0], #4
	blo	3b

	mov	r0, #0			/* stack block 0: the boot CPU */
	bl	cpu_setup
	ldr	r0, =boot_info		/* struct boot_info: r0, r1, r2, cpsr, load_addr */
	str	r8, [r0, #0]
	str	r9, [r0, #4]
	str	r10, [r0, #8]
	str	r11, [r0, #12]
	str	r4, [r0, #16]
	bl	guest_main
	b	park

/*
 * PSCI CPU_ON entry: SVC, ARM state, MMU off, r0 = context ID. Stack block
 * by MPIDR Aff0; a CPU without one (or claiming the boot CPU's) parks
 * without touching memory.
 */
	.text
	.globl	secondary_entry
secondary_entry:
	mov	r4, r0
	mrs	r5, cpsr
	cpsid	if
	mrc	p15, 0, r6, c0, c0, 5	/* MPIDR */
	and	r0, r6, #0xff		/* Aff0 */
	cmp	r0, #0
	beq	park
	cmp	r0, #MAX_CPUS
	bhs	park
	bl	cpu_setup
	mov	r0, r4
	mov	r1, r5
	mov	r2, r6
	bl	secondary_main
park:
	wfi
	b	park

/*
 * Per-CPU setup before any C: a stack for every mode we take exceptions in
 * (block r0), ARM vectors at VBAR, SCTLR.V and .TE clear so VBAR is used and
 * handlers run as ARM code. Returns in SVC mode. Uses r0-r2.
 */
cpu_setup:
	ldr	r1, =stacks
	ldr	r2, =CPU_STACKS_SIZE
	mla	r1, r0, r2, r1		/* bottom of this CPU's block */
	add	r1, r1, #FIQ_STACK_SIZE
	cps	#PSR_MODE_FIQ
	mov	sp, r1
	add	r1, r1, #UND_STACK_SIZE
	cps	#PSR_MODE_UND
	mov	sp, r1
	add	r1, r1, #ABT_STACK_SIZE
	cps	#PSR_MODE_ABT
	mov	sp, r1
	add	r1, r1, #IRQ_STACK_SIZE
	cps	#PSR_MODE_IRQ
	mov	sp, r1
	add	r1, r1, #SVC_STACK_SIZE
	cps	#PSR_MODE_SVC
	mov	sp, r1

	mrc	p15, 0, r0, c1, c0, 0	/* SCTLR */
	bic	r0, r0, #SCTLR_V
	bic	r0, r0, #SCTLR_TE
	mcr	p15, 0, r0, c1, c0, 0
	ldr	r0, =vectors
	mcr	p15, 0, r0, c12, c0, 0	/* VBAR */
	isb
	bx	lr

/*
 * Probes: instructions the checks make fault on purpose, each at a known
 * address the handlers compare with. probe_read(addr, if_aborted) returns
 * the word at addr, or if_aborted when the load aborted and the handler
 * skipped it.
 */
	.globl	probe_read, probe_read_insn
probe_read:
	mov	r2, r0
	mov	r0, r1
probe_read_insn:
	ldr	r0, [r2]
	bx	lr

	.globl	probe_udf, probe_udf_insn
probe_udf:
probe_udf_insn:
	udf	#0			/* permanently undefined: 0xe7f000f0 */
	bx	lr

/*
 * ARM exception vectors (VBAR needs 32-byte alignment). Expected exceptions
 * (IRQ; an abort or undefined instruction a check armed) return to the
 * interrupted code; anything else is reported by exception_unexpected(),
 * which powers off.
 */
	.balign	32
vectors:
	b	vec_reset
	b	vec_und
	b	vec_svc
	b	vec_pabt
	b	vec_dabt
	b	vec_unused
	b	vec_irq
	b	vec_fiq

/* LR_irq = interrupted instruction + 4. Six registers keep sp 8-byte aligned for C. */
vec_irq:
	sub	lr, lr, #4
	push	{r0-r3, r12, lr}
	bl	irq_entry
	ldm	sp!, {r0-r3, r12, pc}^

/*
 * LR_abt = faulting instruction + 8; resume after it (+4), in SVC mode (the
 * only mode a check faults from). Not with `subs pc, lr, #4`: under a
 * hypervisor on QEMU 7.2 the abort is injected by an exception return from
 * EL2, and QEMU does not load SPSR_abt into the AArch32 mode such a return
 * enters (its aarch64_sync_64_to_32 syncs r13/r14 but not the SPSR), so the
 * SPSR read here is stale there. Real hardware has no such gap.
 */
vec_dabt:
	push	{r0-r3, r12, lr}
	sub	r0, lr, #8
	mrs	r1, spsr
	bl	dabt_entry		/* returns only for an abort a check armed */
	pop	{r0-r3, r12, lr}
	sub	lr, lr, #4
	str	lr, abt_resume
	cps	#0x13
	ldr	pc, abt_resume
abt_resume:
	.word	0

/* LR_und = undefined instruction + 4 (ARM) or + 2 (Thumb); resume after it. */
vec_und:
	push	{r0-r3, r12, lr}
	mrs	r1, spsr
	tst	r1, #PSR_T
	subne	r0, lr, #2
	subeq	r0, lr, #4
	bl	und_entry		/* returns only for an undef a check armed */
	pop	{r0-r3, r12, lr}
	movs	pc, lr

vec_reset:
	mov	r0, #0
	b	unexpected
vec_svc:
	mov	r0, #2
	b	unexpected
vec_pabt:
	mov	r0, #3
	b	unexpected
vec_unused:
	mov	r0, #5
	b	unexpected
vec_fiq:
	mov	r0, #7
unexpected:
	mov	r1, lr
	mrs	r2, spsr
	bl	exception_unexpected	/* does not return */
	b	park

	.ltorg

	.section .bss.stacks, "aw", %nobits
	.balign	8
stacks:
	.space	MAX_CPUS * CPU_STACKS_SIZE
