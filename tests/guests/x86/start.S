/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The x86 test guest's entry: started as a Multiboot loader starts a CPU
 * (32-bit flat protected mode, paging off) at 1 MiB with EBX = its command
 * line, it enters long mode on its own identity map of the first 1 GiB
 * (2 MiB pages; its partition is far smaller: the rest is for probing).
 */
	.section .head, "ax"
	.code32
	.globl _start
_start:
	cli
	cld
	movl %ebx, %esi
	movl %fs, %ebp /* the FS and GS the hypervisor entered it with (main.c) */
	movl %gs, %edx
	movl $__bss_start, %edi
	movl $__bss_end, %ecx
	subl %edi, %ecx
	xorl %eax, %eax
	rep stosb
	movw %bp, entry_fs
	movw %dx, entry_gs
	movl $stack_top, %esp
	movl $pdpt + 3, pml4
	movl $pd + 3, pdpt
	xorl %ecx, %ecx
1:	movl %ecx, %eax
	shll $21, %eax
	orl $0x83, %eax /* present, writable, 2 MiB */
	movl %eax, pd(, %ecx, 8)
	incl %ecx
	cmpl $512, %ecx
	jne 1b
	movl $pml4, %eax
	movl %eax, %cr3
	movl %cr4, %eax
	orl $(1 << 5), %eax /* PAE */
	movl %eax, %cr4
	movl $0xc0000080, %ecx /* EFER.LME */
	rdmsr
	orl $(1 << 8), %eax
	wrmsr
	movl %cr0, %eax
	orl $0x80000001, %eax /* PG, PE */
	movl %eax, %cr0
	lgdt gdt_ptr
	ljmp $0x08, $start64

	.code64
start64:
	movl $0x10, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	movl %esi, %edi
	call guest_main
2:	hlt
	jmp 2b

/* #UD and #GP (the exceptions the hypervisor injects): report and end. */
	.globl guest_vec_ud, guest_vec_gp
guest_vec_ud:
	movl $6, %edi
	jmp 3f
guest_vec_gp:
	movl $13, %edi
3:	andq $-16, %rsp
	call guest_exception
4:	hlt
	jmp 4b

	.data
	.balign 8
	.globl guest_gdt
guest_gdt: /* room at 0x18 for a TSS (main.c: test=restart) */
	.quad 0
	.quad 0x00af9a000000ffff
	.quad 0x00cf92000000ffff
	.quad 0, 0
gdt_ptr:
	.word gdt_ptr - guest_gdt - 1
	.long guest_gdt

	.section .bss
	.globl entry_fs, entry_gs
entry_fs:	.skip 2
entry_gs:	.skip 2
	.balign 4096
pml4:	.skip 4096
pdpt:	.skip 4096
pd:	.skip 4096
	.skip 8192
stack_top:
