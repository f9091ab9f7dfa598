/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Test guest entry at EL1: the arm64 Image header, boot and secondary entry,
 * FP/SIMD and an identity-mapped stage-1 MMU (static tables) before any C
 * runs, and the exception vectors that hand a saved frame to C.
 */
#include "guest.h"

#define UART_BASE 0x09000000
#define UARTFR 0x18
#define UARTFR_TXFF (1 << 5)

/* MAIR_EL1: attribute 0 = Device-nGnRE (MMIO), attribute 1 = Normal write-back RW-allocate. */
#define MAIR_VALUE 0xff04
#define ATTR_DEVICE (0 << 2)
#define ATTR_NORMAL (1 << 2)

/* 1 GiB level-1 block descriptors: accessed (AF) so no access-flag faults. */
#define BLOCK (1 | (1 << 10))
#define SH_INNER (3 << 8)
#define PXN (1 << 53)
#define UXN (1 << 54)
#define DEVICE_BLOCK(pa) ((pa) | BLOCK | ATTR_DEVICE | PXN | UXN)
#define NORMAL_BLOCK(pa) ((pa) | BLOCK | ATTR_NORMAL | SH_INNER | UXN)

/*
 * TCR_EL1: T0SZ = 25 (39-bit VA, walks start at level 1), inner/outer
 * write-back walks, inner shareable, 4 KiB granule; TTBR1 walks disabled
 * (EPD1) but given a valid granule. IPS is filled in from PARange.
 */
#define TCR_VALUE (25 | (1 << 8) | (1 << 10) | (3 << 12) | (25 << 16) | (1 << 23) | (2 << 30))

/* SCTLR_EL1: M, C, SA, I plus the RES1 bits of ARMv8.0 (11, 20, 22, 23, 28, 29). */
#define SCTLR_VALUE 0x30d0180d

/* CNTKCTL_EL1: event stream on CNTVCT bit 10, so WFE never sleeps forever. */
#define CNTKCTL_VALUE ((10 << 4) | (1 << 2))

	.section .head, "ax"
	.globl _text
_text:
	b	primary_entry		/* code0 */
	.long	0			/* code1 */
	.quad	0x80000			/* text_offset: linked at RAM base + 0x80000 */
	.quad	_image_size		/* image_size, .bss and stacks included */
	/* flags: little endian, 4 KiB pages, base near the start of RAM (bit 3 clear):
	 * the guest is not relocatable, so loaders must honour text_offset. */
	.quad	0x2
	.quad	0, 0, 0			/* res2-res4 */
	.ascii	"ARM\x64"		/* magic */
	.long	0			/* no PE header */

	.text
primary_entry:
	mov	x19, x0			/* DTB address */
	mrs	x1, CurrentEL
	cmp	x1, #(1 << 2)
	b.ne	wrong_el
	adr	x1, _text
	ldr	x2, =_text
	cmp	x1, x2
	b.ne	wrong_place

	bl	cpu_setup
	bl	save_entry_state

	/* Zero .bss only now: with the MMU on the stores are cacheable, so no stale
	 * cache line left by the loader can later overwrite them. */
	adrp	x1, __bss_start
	add	x1, x1, :lo12:__bss_start
	adrp	x2, __bss_end
	add	x2, x2, :lo12:__bss_end
1:	cmp	x1, x2
	b.hs	2f
	stp	xzr, xzr, [x1], #16
	b	1b
2:
	adrp	x1, stacks
	add	x1, x1, :lo12:stacks
	add	sp, x1, #STACK_SIZE	/* slot 0: the boot CPU */
	msr	tpidr_el1, xzr		/* this CPU's slot, for per-CPU data in C */
	mov	x0, x19
	bl	guest_main
	b	park

/*
 * PSCI CPU_ON entry: EL1, MMU off, x0 = context_id = this CPU's stack slot
 * (1..MAX_CPUS-1). Anything else parks the CPU without touching memory, so a
 * CPU started by a wrong answer to a negative test cannot corrupt a stack.
 */
	.globl secondary_entry
secondary_entry:
	mov	x19, x0
	cbz	x19, park
	cmp	x19, #MAX_CPUS
	b.hs	park
	bl	cpu_setup
	adrp	x1, stacks
	add	x1, x1, :lo12:stacks
	mov	x2, #STACK_SIZE
	madd	x1, x19, x2, x1
	add	sp, x1, x2		/* top of slot x19 */
	msr	tpidr_el1, x19
	mov	x0, x19
	bl	secondary_main
park:
	wfi
	b	park

/*
 * What the boot CPU held when it entered, before any C code (compiled code
 * and libfdt use the FP/SIMD registers): the restart-state mode checks that
 * nothing of an earlier life of the domain is left. Runs after cpu_setup
 * (FP/SIMD enabled, MMU on: plain cacheable stores into .data). Uses x0-x2.
 */
save_entry_state:
	adrp	x0, entry_state
	add	x0, x0, :lo12:entry_state
	stp	q0, q1, [x0, #32 * 0]
	stp	q2, q3, [x0, #32 * 1]
	stp	q4, q5, [x0, #32 * 2]
	stp	q6, q7, [x0, #32 * 3]
	stp	q8, q9, [x0, #32 * 4]
	stp	q10, q11, [x0, #32 * 5]
	stp	q12, q13, [x0, #32 * 6]
	stp	q14, q15, [x0, #32 * 7]
	stp	q16, q17, [x0, #32 * 8]
	stp	q18, q19, [x0, #32 * 9]
	stp	q20, q21, [x0, #32 * 10]
	stp	q22, q23, [x0, #32 * 11]
	stp	q24, q25, [x0, #32 * 12]
	stp	q26, q27, [x0, #32 * 13]
	stp	q28, q29, [x0, #32 * 14]
	stp	q30, q31, [x0, #32 * 15]
	add	x0, x0, #512
	mrs	x1, fpsr
	mrs	x2, fpcr
	stp	x1, x2, [x0], #16
	mrs	x1, elr_el1
	mrs	x2, spsr_el1
	stp	x1, x2, [x0], #16
	mrs	x1, tpidr_el1
	mrs	x2, sp_el0
	stp	x1, x2, [x0], #16
	ret

	.section .data.entry_state, "aw"
	.balign 16
	.globl entry_state
entry_state:
	.skip	512 + 6 * 8
	.text

/*
 * Per-CPU setup before any C code: FP/SIMD on (compiled code and libfdt use
 * SIMD registers), vectors, event stream, and the MMU with caches (libfdt
 * makes unaligned accesses, which fault on the Device memory of MMU-off).
 * Uses x0-x2 only and no memory but the read-only page table.
 */
cpu_setup:
	mov	x0, #(3 << 20)		/* CPACR_EL1.FPEN: no FP/SIMD traps */
	msr	cpacr_el1, x0
	adrp	x0, vectors
	add	x0, x0, :lo12:vectors
	msr	vbar_el1, x0
	mov	x0, #CNTKCTL_VALUE
	msr	cntkctl_el1, x0

	ldr	x0, =MAIR_VALUE
	msr	mair_el1, x0
	mrs	x1, id_aa64mmfr0_el1
	and	x1, x1, #7		/* PARange */
	mov	x2, #5			/* 52-bit needs LPA2 with 4 KiB pages: cap at 48 */
	cmp	x1, x2
	csel	x1, x1, x2, ls
	ldr	x0, =TCR_VALUE
	orr	x0, x0, x1, lsl #32	/* TCR_EL1.IPS */
	msr	tcr_el1, x0
	adrp	x0, idmap_l1
	msr	ttbr0_el1, x0
	isb
	/* Nothing from a previous boot (or a reset domain) may survive in the TLB. */
	tlbi	vmalle1
	dsb	nsh
	isb
	ldr	x0, =SCTLR_VALUE
	msr	sctlr_el1, x0
	isb
	ic	iallu			/* no instruction fetched with the MMU off may linger */
	dsb	nsh
	isb
	ret

/*
 * Not at EL1 (e.g. QEMU with virtualization=on and no hypervisor): say so and
 * power off. At EL2 the PSCI conduit can only be SMC, so no DT is needed.
 */
wrong_el:
	adr	x0, msg_wrong_el
	bl	early_puts
	mrs	x1, CurrentEL
	cmp	x1, #(2 << 2)
	b.ne	park
	ldr	x0, =0x84000008		/* PSCI SYSTEM_OFF */
	smc	#0
	b	park
/* Loaded away from 0x40080000 (we are not relocatable): say so, stop. */
wrong_place:
	adr	x0, msg_wrong_place
	bl	early_puts
	b	park

/* Print the string at x0 on the PL011, MMU off (byte loads only). */
early_puts:
	mov	x1, #UART_BASE
1:	ldrb	w2, [x0], #1
	cbz	w2, 3f
2:	ldr	w3, [x1, #UARTFR]
	tbnz	w3, #5, 2b		/* UARTFR.TXFF */
	str	w2, [x1]
	b	1b
3:	ret

msg_wrong_el:
	.asciz	"TESTGUEST: FAIL boot: entered at an exception level other than EL1\n"
msg_wrong_place:
	.asciz	"TESTGUEST: FAIL boot: not loaded at 0x40080000 (RAM base + text_offset)\n"
	.balign	4

/*
 * Exception vectors: each entry saves x0/x1, passes its index (0-15, in
 * architectural order) in x0, and the common path saves the rest and calls
 * exception_entry(frame, index). Returning from it resumes at frame->elr.
 * The IRQ entry of the vectors in use (current EL with SPx) goes to
 * irq_common instead, which also saves the FP/SIMD state (compiled code may
 * keep values in any of v0-v31) and calls irq_entry(frame, index). Both save
 * ELR/SPSR before any C runs, so a handler may unmask IRQs and nest.
 */
	.macro	ventry idx, target=vector_common, size=FRAME_SIZE
	.balign	0x80
	sub	sp, sp, #\size
	stp	x0, x1, [sp]
	mov	x0, #\idx
	b	\target
	.endm

	.balign	0x800
vectors:
	ventry	0
	ventry	1
	ventry	2
	ventry	3
	ventry	4
	/* IRQ, current EL with SPx: stamps CNTVCT first (bench: interrupt
	 * taken to guest vector), then as the others. */
	.balign	0x80
	sub	sp, sp, #IRQ_FRAME_SIZE
	stp	x0, x1, [sp]
	mrs	x1, cntvct_el0
	adrp	x0, irq_vector_vct
	str	x1, [x0, :lo12:irq_vector_vct]
	mov	x0, #5
	b	irq_common
	ventry	6
	ventry	7
	ventry	8
	ventry	9
	ventry	10
	ventry	11
	ventry	12
	ventry	13
	ventry	14
	ventry	15

/* x2-x30, ELR_EL1, SPSR_EL1 into the frame at sp (x0/x1 are already there). */
	.macro	save_gprs
	stp	x2, x3, [sp, #16]
	stp	x4, x5, [sp, #32]
	stp	x6, x7, [sp, #48]
	stp	x8, x9, [sp, #64]
	stp	x10, x11, [sp, #80]
	stp	x12, x13, [sp, #96]
	stp	x14, x15, [sp, #112]
	stp	x16, x17, [sp, #128]
	stp	x18, x19, [sp, #144]
	stp	x20, x21, [sp, #160]
	stp	x22, x23, [sp, #176]
	stp	x24, x25, [sp, #192]
	stp	x26, x27, [sp, #208]
	stp	x28, x29, [sp, #224]
	mrs	x1, elr_el1
	stp	x30, x1, [sp, #240]
	mrs	x2, spsr_el1
	str	x2, [sp, #256]
	.endm

	.macro	restore_gprs
	ldr	x2, [sp, #256]
	msr	spsr_el1, x2
	ldp	x30, x1, [sp, #240]
	msr	elr_el1, x1
	ldp	x28, x29, [sp, #224]
	ldp	x26, x27, [sp, #208]
	ldp	x24, x25, [sp, #192]
	ldp	x22, x23, [sp, #176]
	ldp	x20, x21, [sp, #160]
	ldp	x18, x19, [sp, #144]
	ldp	x16, x17, [sp, #128]
	ldp	x14, x15, [sp, #112]
	ldp	x12, x13, [sp, #96]
	ldp	x10, x11, [sp, #80]
	ldp	x8, x9, [sp, #64]
	ldp	x6, x7, [sp, #48]
	ldp	x4, x5, [sp, #32]
	ldp	x2, x3, [sp, #16]
	ldp	x0, x1, [sp]
	.endm

vector_common:
	save_gprs
	mov	x1, x0
	mov	x0, sp
	bl	exception_entry
	restore_gprs
	add	sp, sp, #FRAME_SIZE
	eret

irq_common:
	save_gprs
	add	x2, sp, #FRAME_SIZE
	stp	q0, q1, [x2, #0]
	stp	q2, q3, [x2, #32]
	stp	q4, q5, [x2, #64]
	stp	q6, q7, [x2, #96]
	stp	q8, q9, [x2, #128]
	stp	q10, q11, [x2, #160]
	stp	q12, q13, [x2, #192]
	stp	q14, q15, [x2, #224]
	stp	q16, q17, [x2, #256]
	stp	q18, q19, [x2, #288]
	stp	q20, q21, [x2, #320]
	stp	q22, q23, [x2, #352]
	stp	q24, q25, [x2, #384]
	stp	q26, q27, [x2, #416]
	stp	q28, q29, [x2, #448]
	stp	q30, q31, [x2, #480]
	mrs	x3, fpsr
	str	x3, [x2, #512]
	mrs	x3, fpcr
	str	x3, [x2, #520]
	mov	x1, x0
	mov	x0, sp
	bl	irq_entry
	/* A handler may have unmasked IRQs: mask them before ELR/SPSR are reloaded. */
	msr	daifset, #2
	add	x2, sp, #FRAME_SIZE
	ldr	x3, [x2, #512]
	msr	fpsr, x3
	ldr	x3, [x2, #520]
	msr	fpcr, x3
	ldp	q0, q1, [x2, #0]
	ldp	q2, q3, [x2, #32]
	ldp	q4, q5, [x2, #64]
	ldp	q6, q7, [x2, #96]
	ldp	q8, q9, [x2, #128]
	ldp	q10, q11, [x2, #160]
	ldp	q12, q13, [x2, #192]
	ldp	q14, q15, [x2, #224]
	ldp	q16, q17, [x2, #256]
	ldp	q18, q19, [x2, #288]
	ldp	q20, q21, [x2, #320]
	ldp	q22, q23, [x2, #352]
	ldp	q24, q25, [x2, #384]
	ldp	q26, q27, [x2, #416]
	ldp	q28, q29, [x2, #448]
	ldp	q30, q31, [x2, #480]
	restore_gprs
	add	sp, sp, #IRQ_FRAME_SIZE
	eret

/*
 * Identity map, level 1, 1 GiB blocks. Static and read-only: the walker of a
 * secondary CPU sees it without any cache maintenance by the boot CPU.
 * 0-1 GiB holds the devices (PL011, GIC); RAM starts at 1 GiB on QEMU virt.
 */
	.section .rodata.idmap, "a"
	.balign	4096
idmap_l1:
	.quad	DEVICE_BLOCK(0x00000000)
	.quad	NORMAL_BLOCK(0x40000000)
	.quad	NORMAL_BLOCK(0x80000000)
	.quad	NORMAL_BLOCK(0xc0000000)
	.fill	508, 8, 0

	.section .bss.stacks, "aw", %nobits
	.balign	16
stacks:
	.space	MAX_CPUS * STACK_SIZE
