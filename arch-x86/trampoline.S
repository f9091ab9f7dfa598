/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A secondary CPU's way from its startup IPI (real mode, at the trampoline's
 * copy below 1 MiB, smp.c) to long mode on the boot CPU's page tables, then
 * x86_ap_main on the stack the boot CPU left in ap_stack. Position
 * independent in its 16- and 32-bit parts: addresses are TRAMPOLINE + offset.
 */
#include "x86.h"

#define T(sym) (TRAMPOLINE + (sym) - ap_trampoline)
#define GDT_CODE32 0x18

	.text
	.code16
	.globl ap_trampoline, ap_trampoline_end
ap_trampoline:
	cli
	cld
	xorw %ax, %ax
	movw %ax, %ds
	lgdtl T(ap_gdt_ptr)
	movl %cr0, %eax
	orl $CR0_PE, %eax
	movl %eax, %cr0
	ljmpl $GDT_CODE32, $T(ap32)

	.code32
ap32:
	movl $GDT_DATA, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	movl %cr4, %eax
	orl $CR4_PAE, %eax
	movl %eax, %cr4
	movl $boot_pml4, %eax
	movl %eax, %cr3
	movl $MSR_EFER, %ecx
	rdmsr
	orl $EFER_LME, %eax
	wrmsr
	movl %cr0, %eax
	orl $CR0_PG, %eax
	andl $~(CR0_CD | CR0_NW), %eax /* INIT leaves the caches off */
	movl %eax, %cr0
	ljmpl $GDT_CODE, $ap64

	.balign 8
ap_gdt:
	.quad 0
	.quad 0x00af9a000000ffff /* GDT_CODE: 64-bit code */
	.quad 0x00cf92000000ffff /* GDT_DATA */
	.quad 0x00cf9a000000ffff /* GDT_CODE32: for the step out of real mode */
ap_gdt_ptr:
	.word ap_gdt_ptr - ap_gdt - 1
	.long T(ap_gdt)
ap_trampoline_end:

	.code64
ap64:
	movq ap_stack(%rip), %rsp
	leaq x86_ap_main(%rip), %rax
	jmp enter_c64
