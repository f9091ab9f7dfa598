/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The hypervisor's exception entries (vectors 0-31): each pushes a dummy
 * error code where the CPU pushes none, then its vector number; the common
 * path saves every general register into a struct x86_frame (traps.c) and
 * calls x86_exception, which reports and never returns. And the one
 * interrupt the hypervisor takes: another CPU's kick (KICK_VECTOR).
 */
	.text
.macro stub vec
	.balign 16
vector_\vec:
	.if !(\vec == 8 || (\vec >= 10 && \vec <= 14) || \vec == 17 || \vec == 21 || \vec == 29 || \vec == 30)
	pushq $0
	.endif
	pushq $\vec
	jmp exception_common
.endm

	.irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	stub \v
	.endr

exception_common:
	pushq %rax
	pushq %rbx
	pushq %rcx
	pushq %rdx
	pushq %rsi
	pushq %rdi
	pushq %rbp
	pushq %r8
	pushq %r9
	pushq %r10
	pushq %r11
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	movq %rsp, %rdi
	andq $-16, %rsp
	call x86_exception
1:	cli
	hlt
	jmp 1b

/* KICK_VECTOR (arch_send_ipi): taken only between STGI and CLI in
 * svm_run.S, after the VMRUN it ended; its only work is the LAPIC's EOI. */
	.globl x86_kick_entry
x86_kick_entry:
	pushq %rax
	movq x86_lapic_eoi(%rip), %rax
	movl $0, (%rax)
	popq %rax
	iretq

/* The LAPIC's spurious vector: nothing to acknowledge. */
	.globl x86_spurious_entry
x86_spurious_entry:
	iretq

	.section .rodata
	.balign 8
	.globl x86_vector_stubs
x86_vector_stubs:
	.irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	.quad vector_\v
	.endr
