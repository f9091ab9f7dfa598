/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Image header and entry: the arm64 Linux Image header (so U-Boot booti and
 * QEMU -kernel load us), self-relocation (we are linked at 0 as a PIE and run
 * wherever the loader put us, identity-mapped), stacks, secondary-CPU entry,
 * and the small pieces of EL2 glue that cannot be C.
 */
#include "arch-arm64/asm.h"

	.section .head, "ax"
	.globl _head
_head:
	b	primary_entry		/* code0 */
	.long	0			/* code1 */
	.quad	0			/* text_offset: any 2 MiB-aligned base */
	.quad	0			/* image_size: patched by tools/bhpack (image + payload) */
	.quad	0xa			/* flags: little endian, 4 KiB pages, anywhere in RAM */
	.quad	0			/* res2: payload offset, written by tools/bhpack */
	.quad	0, 0			/* reserved */
	.ascii	"ARM\x64"		/* magic */
	.long	0			/* PE header offset: none */

	.text
primary_entry:
	mov	x19, x0			/* DTB physical address from the loader */
	adr	x20, _head		/* where we run: the load address */

	/* Relocate: add the load address to each word the packed list names
	 * (tools/relr.py: an even entry is a word's offset, an odd one a bitmap
	 * of the 63 words after the last position, 0 ends the list). */
	adrp	x1, __rela_start
	add	x1, x1, :lo12:__rela_start
1:	ldr	x3, [x1], #8
	cbz	x3, 2f
	tbnz	x3, #0, 6f
	ldr	x4, [x20, x3]		/* an offset */
	add	x4, x4, x20
	str	x4, [x20, x3]
	add	x6, x3, #8		/* where the next bitmap starts */
	b	1b
6:	mov	x5, x6			/* a bitmap: bit n is word x6 + 8 * (n - 1) */
7:	lsr	x3, x3, #1
	cbz	x3, 8f
	tbz	x3, #0, 9f
	ldr	x4, [x20, x5]
	add	x4, x4, x20
	str	x4, [x20, x5]
9:	add	x5, x5, #8
	b	7b
8:	add	x6, x6, #63 * 8
	b	1b
2:
	/* Zero .bss (the packer pads it with zeros too; do not rely on the
	 * loader): 128 bytes a step, then the last 64 if any (64-byte aligned
	 * at both ends, image.ld). */
	adrp	x1, __bss_start
	add	x1, x1, :lo12:__bss_start
	adrp	x2, __bss_end
	add	x2, x2, :lo12:__bss_end
	sub	x3, x2, #64
	b	4f
3:	stp	xzr, xzr, [x1]
	stp	xzr, xzr, [x1, #16]
	stp	xzr, xzr, [x1, #32]
	stp	xzr, xzr, [x1, #48]
	stp	xzr, xzr, [x1, #64]
	stp	xzr, xzr, [x1, #80]
	stp	xzr, xzr, [x1, #96]
	stp	xzr, xzr, [x1, #112]
	add	x1, x1, #128
4:	cmp	x1, x3
	b.lo	3b
	cmp	x1, x2
	b.hs	10f
	stp	xzr, xzr, [x1]
	stp	xzr, xzr, [x1, #16]
	stp	xzr, xzr, [x1, #32]
	stp	xzr, xzr, [x1, #48]
10:
	/* The boot stack, until the boot CPU enters its first guest on its own. */
	adrp	x1, boot_stack
	add	x1, x1, :lo12:boot_stack
	add	x1, x1, #CPU_STACK_SIZE
	mov	sp, x1
	mrs	x2, CurrentEL
	lsr	x2, x2, #2
	mov	x0, x19
	mov	x1, x20
	bl	boot_main		/* boot_main(dtb, load_base, el): does not return */
5:	wfe
	b	5b

/*
 * Secondary CPUs enter here at EL2, MMU off: from PSCI CPU_ON (x0 = context
 * id) or released from a spin-table (x0..x3 whatever the firmware left).
 * Neither is trusted: each CPU finds its index by its own MPIDR in pcpus[]
 * (pcpus[i].mpidr and secondary_ncpus cleaned to PoC by the boot CPU), so
 * no two CPUs ever share a stack. A CPU not in the list records its MPIDR
 * for the boot CPU to report (secondary_stray) and parks. They reuse the
 * boot CPU's page tables.
 */
	.globl secondary_entry
secondary_entry:
	mrs	x10, mpidr_el1
	mov	x11, #0xffffff		/* Aff2..Aff0 */
	movk	x11, #0xff, lsl #32	/* Aff3 */
	and	x10, x10, x11
	adrp	x1, pcpus		/* a pointer; it and the array cleaned to PoC by the boot CPU */
	ldr	x1, [x1, :lo12:pcpus]
	adrp	x2, secondary_ncpus
	ldr	w2, [x2, :lo12:secondary_ncpus]
	mov	x19, #0
7:	cmp	x19, x2
	b.hs	8f
	ldr	x3, [x1, #PCPU_MPIDR]
	cmp	x3, x10
	b.eq	9f
	add	x1, x1, #PCPU_SIZE
	add	x19, x19, #1
	b	7b
8:	orr	x10, x10, #(1 << 63)	/* not in the board's list: say so, park */
	adrp	x1, secondary_stray
	str	x10, [x1, :lo12:secondary_stray]
	dsb	sy
	sev
6:	wfe
	b	6b
9:	ldr	x1, [x1, #PCPU_STACK_TOP]	/* x1 = &pcpus[index] */
	mov	sp, x1
	bl	mmu_enable_secondary
	mov	x0, x19
	bl	secondary_main
	b	6b

/* arch_mmu_load_el2(ttbr, tcr, mair, sctlr): switch EL2 stage-1 on. */
	.globl arch_mmu_load_el2
arch_mmu_load_el2:
	msr	mair_el2, x2
	msr	tcr_el2, x1
	msr	ttbr0_el2, x0
	isb
	tlbi	alle2
	dsb	nsh
	isb
	msr	sctlr_el2, x3
	isb
	ret

/* arch_mmu_load_el1(ttbr, tcr, mair, sctlr): same at EL1, for the wrong-EL path. */
	.globl arch_mmu_load_el1
arch_mmu_load_el1:
	msr	mair_el1, x2
	msr	tcr_el1, x1
	msr	ttbr0_el1, x0
	isb
	tlbi	vmalle1
	dsb	nsh
	isb
	msr	sctlr_el1, x3
	isb
	ret
