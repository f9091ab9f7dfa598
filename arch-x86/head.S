/* SPDX-License-Identifier: Apache-2.0 */
/*
 * x86 entry: the Multiboot v1 header (QEMU -kernel, GRUB), the switch from
 * 32-bit protected mode to long mode on identity-mapped 2 MiB pages (the
 * first 4 GiB), then the core's boot_main(multiboot_info, load address,
 * 2 if EAX held Multiboot's magic, else 0).
 * The image is a flat binary linked at its load address (image.ld): the
 * header's "address" fields (flag 16) tell the loader where it goes, so no
 * ELF64 parsing (which QEMU's Multiboot loader refuses) and no relocation.
 * The whole file is loaded: tools/bhpack appends the payload (config and
 * guest images) at __payload_start, past .bss (image.ld).
 */
#include "x86.h"

#define MB_MAGIC 0x1BADB002
#define MB_BOOT_MAGIC 0x2BADB002 /* EAX at entry (multiboot.h) */
#define MB_FLAGS (MB_F_PAGE_ALIGN | MB_F_MEMINFO | MB_F_ADDRESSES)
#define MB_F_PAGE_ALIGN (1 << 0) /* modules page aligned */
#define MB_F_MEMINFO (1 << 1)    /* we want the memory map */
#define MB_F_ADDRESSES (1 << 16) /* the load addresses below are valid */

	.section .head, "ax"
	.code32
	.globl _start
_start:
	jmp start32
	.balign 4
mb_header:
	.long MB_MAGIC
	.long MB_FLAGS
	.long -(MB_MAGIC + MB_FLAGS)
	.long mb_header       /* header_addr */
	.long __image_start   /* load_addr */
	.long 0               /* load_end_addr: the whole file, with bhpack's payload */
	.long 0               /* bss_end_addr: none (the payload lies past .bss), zeroed below */
	.long start32         /* entry_addr */

start32:
	cli
	cld
	movl %eax, %ebp /* Multiboot magic, checked in C */
	movl %ebx, %esi /* its information structure (cpuid clobbers ebx) */
	movl $boot_stack_top, %esp
	/* .bss zeroed: the loader does not (the payload follows it in the file). */
	movl $__bss_start, %edi
	movl $__bss_end, %ecx
	subl %edi, %ecx
	xorl %eax, %eax
	rep stosb
	/* No long mode (CPUID 0x80000001 EDX.LM): say so on COM1 and stop. */
	movl $0x80000000, %eax
	cpuid
	cmpl $0x80000001, %eax
	jb no_long_mode
	movl $0x80000001, %eax
	cpuid
	btl $29, %edx
	jnc no_long_mode
	/* PML4[0] -> PDPT; PDPT[0..3] -> four PDs; PD entries: 2 MiB pages. */
	movl $boot_pdpt + PTE_P + PTE_W, boot_pml4
	movl $boot_pd + PTE_P + PTE_W, %eax
	xorl %ecx, %ecx
1:	movl %eax, boot_pdpt(, %ecx, 8)
	addl $4096, %eax
	incl %ecx
	cmpl $4, %ecx
	jne 1b
	xorl %ecx, %ecx
2:	movl %ecx, %eax
	shll $21, %eax
	orl $PTE_P + PTE_W + PTE_PS, %eax
	movl %eax, boot_pd(, %ecx, 8)
	incl %ecx
	cmpl $4 * 512, %ecx
	jne 2b
	movl $boot_pml4, %eax
	movl %eax, %cr3
	movl %cr4, %eax
	orl $CR4_PAE, %eax
	movl %eax, %cr4
	movl $MSR_EFER, %ecx
	rdmsr
	orl $EFER_LME, %eax
	wrmsr
	movl %cr0, %eax
	orl $CR0_PG + CR0_PE, %eax
	movl %eax, %cr0
	lgdt boot_gdt_ptr
	ljmp $GDT_CODE, $start64

no_long_mode:
	movl $no_lm_msg, %esi /* the end: the information is not needed */
3:	movb (%esi), %al
	testb %al, %al
	jz 5f
	movw $COM1_PORT + 5, %dx /* LSR: wait for the transmitter */
4:	inb %dx, %al
	testb $0x20, %al
	jz 4b
	movb (%esi), %al
	movw $COM1_PORT, %dx
	outb %al, %dx
	incl %esi
	jmp 3b
5:	hlt
	jmp 5b

	.code64
start64:
	xorl %edx, %edx /* boot_main's third argument: 2 if a Multiboot loader started us */
	cmpl $MB_BOOT_MAGIC, %ebp
	jne 1f
	movl $2, %edx
1:	movl %esi, %edi /* the Multiboot information */
	movl $__image_start, %esi
	leaq boot_main(%rip), %rax
	/* Every CPU's first 64-bit steps (secondary CPUs: trampoline.S): the
	 * data segments of the boot GDT, then the C entry in RAX; no return. */
	.globl enter_c64
enter_c64:
	movl $GDT_DATA, %ecx
	movl %ecx, %ds
	movl %ecx, %es
	movl %ecx, %ss
	xorl %ecx, %ecx
	movl %ecx, %fs
	movl %ecx, %gs
	call *%rax
6:	cli
	hlt
	jmp 6b

	.section .rodata
no_lm_msg:
	.asciz "Bulkhead needs a 64-bit (long mode) CPU. Stopping.\r\n"
	.balign 8
boot_gdt:
	.quad 0
	.quad 0x00af9a000000ffff /* GDT_CODE: 64-bit code, DPL 0 */
	.quad 0x00cf92000000ffff /* GDT_DATA: data, DPL 0 */
boot_gdt_end:
boot_gdt_ptr:
	.word boot_gdt_end - boot_gdt - 1
	.long boot_gdt

	.section .bss
	.balign 4096
	.globl boot_pml4
boot_pml4:
	.skip 4096
boot_pdpt:
	.skip 4096
boot_pd:
	.skip 4 * 4096
	.balign 16
	.skip BOOT_STACK_SIZE
	.globl boot_stack_top
boot_stack_top:
