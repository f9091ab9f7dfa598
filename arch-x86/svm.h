/* SPDX-License-Identifier: Apache-2.0 */
/*
 * AMD SVM: the VMCB (AMD64 APM vol. 2, appendix B), the intercept bits and
 * exit codes the port uses, and the port's own functions around them.
 */
#ifndef ARCH_X86_SVM_H
#define ARCH_X86_SVM_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vmcb_seg {
	uint16_t sel, attr;
	uint32_t limit;
	uint64_t base;
};

struct vmcb {
	/* control area (table B-1) */
	uint32_t intercept_cr, intercept_dr, intercept_exc, intercept1, intercept2;
	uint8_t rsvd0[0x3c - 0x14];
	uint16_t pause_threshold, pause_count;
	uint64_t iopm_pa, msrpm_pa, tsc_offset;
	uint32_t asid;
	uint8_t tlb_control, rsvd1[3];
	uint64_t vintr, int_shadow, exitcode, exitinfo1, exitinfo2, exitintinfo, np_enable;
	uint8_t rsvd2[0xa8 - 0x98];
	uint64_t eventinj, n_cr3, lbr_virt, clean, nrip;
	uint8_t rsvd3[0x400 - 0xd0];
	/* state save area (table B-2) */
	struct vmcb_seg es, cs, ss, ds, fs, gs, gdtr, ldtr, idtr, tr;
	uint8_t rsvd4[0x4cb - 0x4a0];
	uint8_t cpl, rsvd5[4];
	uint64_t efer;
	uint8_t rsvd6[0x548 - 0x4d8];
	uint64_t cr4, cr3, cr0, dr7, dr6, rflags, rip;
	uint8_t rsvd7[0x5d8 - 0x580];
	uint64_t rsp;
	uint8_t rsvd8[0x5f8 - 0x5e0];
	uint64_t rax, star, lstar, cstar, sfmask, kernel_gs_base, sysenter_cs, sysenter_esp,
	    sysenter_eip, cr2;
	uint8_t rsvd9[0x668 - 0x648];
	uint64_t g_pat;
	uint8_t rsvd10[0x1000 - 0x670];
};
_Static_assert(offsetof(struct vmcb, exitcode) == 0x70, "VMCB control area");
_Static_assert(offsetof(struct vmcb, n_cr3) == 0xb0, "VMCB control area");
_Static_assert(offsetof(struct vmcb, efer) == 0x4d0, "VMCB save area");
_Static_assert(offsetof(struct vmcb, rip) == 0x578, "VMCB save area");
_Static_assert(offsetof(struct vmcb, rax) == 0x5f8, "VMCB save area");
_Static_assert(offsetof(struct vmcb, g_pat) == 0x668, "VMCB save area");
_Static_assert(sizeof(struct vmcb) == 4096, "VMCB is one page");

/* Intercept word 1 (offset 0x0c): bit n intercepts exit code 0x60 + n. */
#define INTERCEPT_INTR	   (1u << 0)
#define INTERCEPT_NMI	   (1u << 1)
#define INTERCEPT_CPUID	   (1u << 18)
#define INTERCEPT_HLT	   (1u << 24)
#define INTERCEPT_IOIO	   (1u << 27)
#define INTERCEPT_MSR	   (1u << 28)
#define INTERCEPT_SHUTDOWN (1u << 31)
/* Intercept word 2 (offset 0x10): bit n intercepts exit code 0x80 + n. */
#define INTERCEPT_VMRUN	    (1u << 0) /* VMRUN fails without it */
#define INTERCEPT_VMMCALL   (1u << 1)
#define INTERCEPT_SVM_INSNS (0x7fu << 0) /* VMRUN, VMMCALL, VMLOAD, VMSAVE, STGI, CLGI, SKINIT */
#define INTERCEPT_XSETBV    (1u << 13)

enum svm_exit {
	SVM_EXIT_INTR = 0x60,
	SVM_EXIT_NMI = 0x61,
	SVM_EXIT_CPUID = 0x72,
	SVM_EXIT_HLT = 0x78,
	SVM_EXIT_IOIO = 0x7b,
	SVM_EXIT_MSR = 0x7c,
	SVM_EXIT_SHUTDOWN = 0x7f,
	SVM_EXIT_VMRUN = 0x80,
	SVM_EXIT_VMMCALL = 0x81,
	SVM_EXIT_SKINIT = 0x86,
	SVM_EXIT_XSETBV = 0x8d,
	SVM_EXIT_NPF = 0x400,
	SVM_EXIT_INVALID = -1,
};

/* Enter the guest with its registers (arch.h: struct trap_frame), keep
 * them again at #VMEXIT (svm_run.S). */
struct trap_frame;
void svm_vmrun(struct trap_frame *g, uint64_t vmcb_pa, uint64_t host_pa);
/* The CPU's stack emptied and cpu_run_loop called on it (svm_run.S). */
void x86_run_loop_on(uint64_t stack_top) __attribute__((noreturn));

/* svm.c */
void svm_init(unsigned ncpus, unsigned boot_cpu);
void svm_cpu_enable(unsigned cpu);
/* npt.c */
uint64_t *npt_create(void);
/* gpa, hpa and size 4 KiB aligned; 1 GiB pages only if gb_pages (npt_has_1g). */
void npt_map(uint64_t *root, uint64_t gpa, uint64_t hpa, uint64_t size, bool gb_pages);
bool npt_has_1g(void);
/* vuart.c: a domain's I/O ports (its emulated 16550, the debug exit) */
struct vcpu;
enum trap_result vuart_io(struct vcpu *v, uint16_t port, bool in, uint64_t *val);
/* mem.c: the hypervisor's memory, from the Multiboot map */
void *x86_alloc(uint64_t size, uint64_t align);

#endif
