/* SPDX-License-Identifier: Apache-2.0 */
/*
 * svm_vmrun(struct svm_gprs *g, uint64_t vmcb_pa, uint64_t host_pa): enter
 * the guest with the general registers VMRUN does not load from the VMCB
 * (all but RAX and RSP), and keep them again at #VMEXIT. VMRUN saves the
 * host's RSP, RAX and RIP in the host save area (VM_HSAVE_PA) and #VMEXIT
 * restores them: this returns on the same stack. What neither switches (FS,
 * GS, TR, LDTR, KernelGSBase, the SYSCALL and SYSENTER MSRs) VMLOAD loads
 * from the guest's VMCB before the run, VMSAVE keeps there after it, and
 * VMLOAD restores from this CPU's host_pa (svm_cpu_enable): the guest
 * starts from its VMCB, and the host gets its TR back (its TSS names the
 * stack of #DF, NMI and #MC) whatever the guest loaded. GIF is cleared
 * around the switch (APM vol. 2, 15.17): no interrupt or NMI is taken
 * between the two. The host's IF is set only across the run, so a kick
 * (arch_send_ipi) ends the guest's run and is taken right after, when GIF
 * is set again; the host runs with interrupts off everywhere else.
 *
 * x86_run_loop_on(stack_top): the CPU's stack emptied and the core's run
 * loop entered on it (a vCPU left its guest: arch_vcpu_run).
 */
	.text
	.globl svm_vmrun
svm_vmrun:
	pushq %rbp
	pushq %rbx
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	pushq %rdx
	pushq %rdi
	movq %rsi, %rax
	movq 0x08(%rdi), %rcx
	movq 0x10(%rdi), %rdx
	movq 0x18(%rdi), %rsi
	movq 0x28(%rdi), %rbp
	movq 0x30(%rdi), %r8
	movq 0x38(%rdi), %r9
	movq 0x40(%rdi), %r10
	movq 0x48(%rdi), %r11
	movq 0x50(%rdi), %r12
	movq 0x58(%rdi), %r13
	movq 0x60(%rdi), %r14
	movq 0x68(%rdi), %r15
	movq 0x00(%rdi), %rbx
	movq 0x20(%rdi), %rdi
	clgi
	vmload %rax
	sti	/* with GIF clear: only the guest's run is interruptible (INTR exit) */
	vmrun %rax
	vmsave %rax /* RAX is the host's again: the VMCB's address */
	pushq %rdi
	movq 8(%rsp), %rdi
	movq %rbx, 0x00(%rdi)
	movq %rcx, 0x08(%rdi)
	movq %rdx, 0x10(%rdi)
	movq %rsi, 0x18(%rdi)
	movq %rbp, 0x28(%rdi)
	movq %r8, 0x30(%rdi)
	movq %r9, 0x38(%rdi)
	movq %r10, 0x40(%rdi)
	movq %r11, 0x48(%rdi)
	movq %r12, 0x50(%rdi)
	movq %r13, 0x58(%rdi)
	movq %r14, 0x60(%rdi)
	movq %r15, 0x68(%rdi)
	popq %rax
	movq %rax, 0x20(%rdi)
	movq 8(%rsp), %rax
	vmload %rax
	stgi	/* a kick that ended the run (KICK_VECTOR) is taken here */
	cli
	popq %rdi
	popq %rdx
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbx
	popq %rbp
	ret

	.globl x86_run_loop_on
x86_run_loop_on:
	movq %rdi, %rsp
	xorl %ebp, %ebp
	call cpu_run_loop
	ud2
