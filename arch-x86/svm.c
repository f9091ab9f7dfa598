/* SPDX-License-Identifier: Apache-2.0 */
/*
 * AMD SVM: turned on once (svm_init), a vCPU's VMCB at each reset
 * (arch_vcpu_reset) and its entries and exits (arch_vcpu_run): each exit
 * handled through a table indexed by exit code, then ended by the core's
 * vcpu_trap_done (docs/ARCHITECTURE.md, "Life of a trap"). Each intercept is
 * chosen; docs/x86.md lists them and why. Handlers decode, validate, act and
 * return what the exit path does next: no handler jumps away.
 */
#include "svm.h"
#include "x86.h"
#include "common/console.h"
#include "common/domain.h"
#include "common/hypercall.h"
#include "common/lib.h"
#include "common/percpu.h"
#include "common/report.h"

#define CPUID_SVM_ECX	  (1u << 2) /* 0x80000001 ECX: SVM */
#define CPUID_NPT_EDX	  (1u << 0) /* 0x8000000A EDX: nested paging */
#define VM_CR_MSR	  0xc0010114
#define VM_CR_SVMDIS	  (1u << 4)
#define IOPM_SIZE	  (3 * 4096)
#define MSRPM_SIZE	  (2 * 4096)
#define MSR_PAT		  0x277
#define EVENT_EXCEPTION	  (3u << 8)
#define EVENT_ERROR_VALID (1u << 11)
#define EVENT_VALID	  (1u << 31)
#define VEC_UD		  6
#define VEC_GP		  13
/* MSR numbers leave bit 20 clear (0-0x1fff, 0x40000000-, 0xc0000000-
 * 0xc0011fff): a write's log-once key sets it, a read's does not. */
#define MSR_KEY_WRITE (1u << 20)

static uint64_t iopm_pa, msrpm_pa;
static uint8_t (*hsave)[4096];	   /* each CPU's host save area */
static uint8_t (*host_vmcb)[4096]; /* each CPU's FS, GS, TR...: VMSAVE, VMLOAD (svm_run.S) */

static __attribute__((noreturn)) void svm_missing(const char *what)
{
	bh_printf("bulkhead: this CPU has no %s: the x86 port needs AMD SVM with nested paging "
		  "(QEMU: -cpu EPYC or qemu64,+svm,+npt). Stopping.\n",
		  what);
	x86_power_off(X86_EXIT_FAIL);
}

/* SVM on for this CPU (svm_init checked that every CPU has it: they are
 * alike on the boards the port targets). */
void svm_cpu_enable(unsigned cpu)
{
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SVME);
	wrmsr(MSR_VM_HSAVE_PA, (uint64_t)(uintptr_t)hsave[cpu]);
	/* Its TR and FS are loaded (traps.c, config.c): kept for each exit. */
	__asm__ volatile("vmsave %%rax" : : "a"(host_vmcb[cpu]) : "memory");
}

void svm_init(unsigned ncpus, unsigned boot_cpu)
{
	if (cpuid(0x80000000, 0).eax < 0x8000000a || !(cpuid(0x80000001, 0).ecx & CPUID_SVM_ECX))
		svm_missing("SVM");
	if (rdmsr(VM_CR_MSR) & VM_CR_SVMDIS)
		svm_missing("SVM enabled by its firmware (VM_CR.SVMDIS is set)");
	struct cpuid f = cpuid(0x8000000a, 0);
	if (!(f.edx & CPUID_NPT_EDX))
		svm_missing("nested paging (NPT)");
	hsave = x86_alloc((uint64_t)ncpus * 4096, 4096);
	host_vmcb = x86_alloc((uint64_t)ncpus * 4096, 4096);
	svm_cpu_enable(boot_cpu);
	/* Every I/O port and every MSR intercepted: a guest reaches only what
	 * its domain emulates (vuart.c, msr_access). */
	void *iopm = x86_alloc(IOPM_SIZE, 4096), *msrpm = x86_alloc(MSRPM_SIZE, 4096);
	memset(iopm, 0xff, IOPM_SIZE);
	memset(msrpm, 0xff, MSRPM_SIZE);
	iopm_pa = (uint64_t)(uintptr_t)iopm;
	msrpm_pa = (uint64_t)(uintptr_t)msrpm;
	bh_printf("bulkhead: AMD SVM revision %u, %u ASIDs, nested paging\n", f.eax & 0xff, f.ebx);
}

static void seg(struct vmcb_seg *s, uint16_t sel, uint16_t attr, uint32_t limit)
{
	*s = (struct vmcb_seg){.sel = sel, .attr = attr, .limit = limit};
}

/* x87 and SSE as after reset (FCW 0x37f, MXCSR 0x1f80, registers zero):
 * loaded at each vCPU reset, so no domain sees what an earlier one (or an
 * earlier life of it) left; the hypervisor itself never uses them
 * (-mgeneral-regs-only). */
static const struct __attribute__((aligned(16))) {
	uint16_t fcw;
	uint8_t rest0[22];
	uint32_t mxcsr;
	uint8_t rest1[484];
} fp_clean = {.fcw = 0x37f, .mxcsr = 0x1f80};

/* The vCPU as a Multiboot loader leaves a CPU: 32-bit protected mode, flat
 * 4 GiB segments, paging and interrupts off, at the image's entry, EBX =
 * arg0; the guest enters long mode itself (tests/guests/x86/start.S). */
void arch_vcpu_reset(struct vcpu *vc, uint64_t entry, uint64_t arg0)
{
	struct vmcb *v = vc->arch.vmcb;
	/* bhtest=restartdf: a #DF after the guest's runs, taken on the host's
	 * TSS only if each exit restored it (svm_run.S: VMLOAD). */
	if (x86_restart_self_test && vc->dom->restarts)
		x86_stack_fault_test();
	memset(v, 0, sizeof(*v));
	memset(&vc->arch.regs, 0, sizeof(vc->arch.regs));
	vc->arch.regs.owner = vc;
	vc->arch.regs.rbx = arg0;
	if (vc->index == 0) /* the domain's (re)start: its 16550 as after reset */
		memset(vc->dom->arch.uart, 0, sizeof(vc->dom->arch.uart));
	v->intercept1 = INTERCEPT_INTR | INTERCEPT_NMI | INTERCEPT_CPUID | INTERCEPT_HLT |
			INTERCEPT_IOIO | INTERCEPT_MSR | INTERCEPT_SHUTDOWN;
	v->intercept2 = INTERCEPT_SVM_INSNS | INTERCEPT_XSETBV;
	v->iopm_pa = iopm_pa;
	v->msrpm_pa = msrpm_pa;
	v->asid = vc->dom->id + 1; /* 0 is the host's */
	v->tlb_control = 1;	   /* flush this ASID at the first entry */
	v->vintr = 1ull << 24; /* V_INTR_MASKING: the guest's IF masks only virtual interrupts */
	v->np_enable = 1;
	v->n_cr3 = (uint64_t)(uintptr_t)vc->dom->arch.npt;
	seg(&v->cs, 0x08, 0xc9b, 0xffffffff); /* code, 32-bit, 4 KiB granular */
	seg(&v->ds, 0x10, 0xc93, 0xffffffff);
	v->es = v->ss = v->fs = v->gs = v->ds;
	seg(&v->tr, 0, 0x8b, 0xffff);
	seg(&v->ldtr, 0, 0x82, 0xffff);
	seg(&v->gdtr, 0, 0, 0xffff);
	seg(&v->idtr, 0, 0, 0xffff);
	v->cr0 = CR0_PE | CR0_ET | CR0_NE;
	v->efer = EFER_SVME; /* required in the guest's EFER while it runs; hidden from it */
	v->rflags = 2;
	v->rip = entry;
	v->dr6 = 0xffff0ff0;
	v->dr7 = 0x400;
	v->g_pat = 0x0007040600070406ull; /* the reset value */
	__asm__ volatile("fxrstor64 %0" : : "m"(fp_clean));
}

/* Nothing of a vCPU stays active on its CPU once it left the guest (no
 * timer, no virtual interrupt interface): its VMCB waits for the next reset. */
void arch_vcpu_stop(struct vcpu *v)
{
	(void)v;
}

/* Nothing to bring up to date before an entry: no virtual interrupt
 * controller yet (arm64 flushes its vGIC's list registers here). */
void arch_vcpu_prepare(struct vcpu *v)
{
	(void)v;
}

static void inject(struct vmcb *v, unsigned vec, bool has_error, uint32_t error)
{
	v->eventinj = vec | EVENT_EXCEPTION | EVENT_VALID | (has_error ? EVENT_ERROR_VALID : 0) |
		      (uint64_t)error << 32;
}

/* A guest-triggered report about v's domain, with where its guest was. */
static void report(struct vcpu *v, const char *what)
{
	bh_log("domain %s: %s (RIP 0x%llx)", v->dom->name, what,
	       (unsigned long long)v->arch.vmcb->rip);
}

/* The domain ends as its config's on-fault says (common/domain.c). */
static enum trap_result fault(struct vcpu *v, const char *what)
{
	char why[160];
	snprintf(why, sizeof(why), "%s (RIP 0x%llx)", what, (unsigned long long)v->arch.vmcb->rip);
	domain_fault(v->dom, why);
	return TRAP_LEAVE;
}

/* CPUID: the host's answer, less what the domain does not get (SVM, VMX,
 * XSAVE: XCR0 is not switched yet), with the hypervisor bit and leaf. */
static enum trap_result exit_cpuid(struct vcpu *vc)
{
	struct vmcb *v = vc->arch.vmcb;
	uint32_t leaf = (uint32_t)v->rax, sub = (uint32_t)vc->arch.regs.rcx;
	struct cpuid r = cpuid(leaf, sub);
	if (leaf == 1)
		r.ecx = (r.ecx & ~((1u << 5) | (1u << 26) | (1u << 27))) | (1u << 31);
	else if (leaf == 0x80000001)
		r.ecx &= ~CPUID_SVM_ECX;
	else if (leaf == 0x8000000a || leaf == 0xd)
		r = (struct cpuid){0};
	else if (leaf == 0x40000000) /* "Bulkhead-HYP" */
		r = (struct cpuid){0x40000000, 0x6b6c7542, 0x64616568, 0x5059482d};
	v->rax = r.eax;
	vc->arch.regs.rbx = r.ebx;
	vc->arch.regs.rcx = r.ecx;
	vc->arch.regs.rdx = r.edx;
	v->rip += 2;
	return TRAP_CONTINUE;
}

/* VMMCALL: Bulkhead's hypercalls, served by common/hypercall.c with the
 * ARM numbers and semantics (docs/hypercalls.md). arm64's x0-x4 are RAX,
 * RBX, RCX, RDX, RSI here: the function ID in EAX, the results back in the
 * same registers. An ID outside Bulkhead's range: NOT_SUPPORTED, silently
 * (no guest can flood the console by probing). */
static enum trap_result exit_vmmcall(struct vcpu *vc)
{
	struct vmcb *v = vc->arch.vmcb;
	struct trap_frame *r = &vc->arch.regs;
	uint64_t x[5] = {v->rax, r->rbx, r->rcx, r->rdx, r->rsi};
	if (!hypercall_handle(vc, x))
		x[0] = (uint64_t)(int64_t)BH_E_NOT_SUPPORTED;
	v->rax = x[0];
	r->rbx = x[1];
	r->rcx = x[2];
	r->rdx = x[3];
	r->rsi = x[4];
	v->rip += 3;
	return TRAP_CONTINUE;
}

/* IN/OUT (exit info 1: APM vol. 2, 15.10.2); EXITINFO2 is the next RIP. */
static enum trap_result exit_ioio(struct vcpu *vc)
{
	struct vmcb *v = vc->arch.vmcb;
	uint64_t info = v->exitinfo1;
	bool in = info & 1;
	if (info & (1u << 2)) { /* INS/OUTS */
		return fault(vc, "string I/O (INS/OUTS) is not emulated");
	}
	unsigned bytes = info & (1u << 4) ? 1 : info & (1u << 5) ? 2 : 4;
	uint64_t mask = bytes == 4 ? 0xffffffffull : (1ull << (8 * bytes)) - 1;
	uint64_t val = v->rax & mask;
	enum trap_result a = vuart_io(vc, (uint16_t)(info >> 16), in, &val);
	if (in) /* IN AL/AX keep the rest of RAX; IN EAX zero-extends, as any 32-bit write */
		v->rax = bytes == 4 ? (val & mask) : (v->rax & ~mask) | (val & mask);
	v->rip = v->exitinfo2;
	return a;
}

/* RDMSR/WRMSR: EFER and PAT are the guest's own (EFER.SVME kept set and
 * hidden); any other MSR is absent, as on a CPU without it: #GP. */
static enum trap_result exit_msr(struct vcpu *vc)
{
	struct vmcb *v = vc->arch.vmcb;
	uint32_t msr = (uint32_t)vc->arch.regs.rcx;
	bool write = v->exitinfo1 & 1;
	uint64_t val = (vc->arch.regs.rdx << 32) | (uint32_t)v->rax;
	uint64_t *reg = msr == MSR_EFER ? &v->efer : msr == MSR_PAT ? &v->g_pat : NULL;
	if (!reg || (write && msr == MSR_EFER &&
		     (val & ~(uint64_t)(EFER_LME | 1 /* SCE */ | (1u << 11) /* NXE */)))) {
		if (report_once(vc->dom, REPORT_SYSREG, msr | (write ? MSR_KEY_WRITE : 0))) {
			char what[96];
			snprintf(what, sizeof(what),
				 "%s of MSR 0x%x refused: #GP injected (reported once)",
				 write ? "write" : "read", msr);
			report(vc, what);
		}
		inject(v, VEC_GP, true, 0);
		return TRAP_CONTINUE;
	}
	if (write)
		*reg = msr == MSR_EFER ? val | EFER_SVME | (v->efer & EFER_LMA) : val;
	else {
		val = msr == MSR_EFER ? *reg & ~(uint64_t)EFER_SVME : *reg;
		v->rax = (uint32_t)val;
		vc->arch.regs.rdx = val >> 32;
	}
	v->rip += 2;
	return TRAP_CONTINUE;
}

/* A physical interrupt or NMI arrived while the guest ran: the host has
 * none enabled yet (the legacy PIC is masked at boot), so nothing to do. */
static enum trap_result exit_nothing(struct vcpu *vc)
{
	(void)vc;
	return TRAP_CONTINUE;
}

/* HLT: nothing can wake this vCPU yet (no virtual interrupt sources), so a
 * halted vCPU is off, as a CPU halted with nothing to wake it. */
static enum trap_result exit_hlt(struct vcpu *vc)
{
	report(vc, "halted (HLT) with nothing to wake it: off");
	domain_poweroff(vc->dom);
	return TRAP_LEAVE;
}

static enum trap_result exit_shutdown(struct vcpu *vc)
{
	return fault(vc, "shutdown (a triple fault)");
}

/* SVM instructions and XSETBV: the domain sees no SVM and no XSAVE
 * (exit_cpuid), so they are undefined for it, as on such a CPU. */
static enum trap_result exit_undefined(struct vcpu *vc)
{
	inject(vc->arch.vmcb, VEC_UD, false, 0);
	return TRAP_CONTINUE;
}

/* A guest physical address the nested tables do not map: outside the
 * domain's partition (exit info 1: the #PF error code, APM vol. 2, 15.25.6). */
static enum trap_result exit_npf(struct vcpu *vc)
{
	struct vmcb *v = vc->arch.vmcb;
	char what[128];
	snprintf(what, sizeof(what), "%s at guest physical 0x%llx outside its partition",
		 v->exitinfo1 & (1u << 4) ? "instruction fetch"
		 : v->exitinfo1 & 2	  ? "write"
					  : "read",
		 (unsigned long long)v->exitinfo2);
	return fault(vc, what);
}

/* Indexed by exit code from the first intercepted (APM vol. 2, appendix
 * C): adding an intercept is adding a row. NPF, far above, is apart. */
typedef enum trap_result (*exit_handler)(struct vcpu *vc);
#define EXIT_FIRST SVM_EXIT_INTR
#define ON(code)   [SVM_EXIT_##code - EXIT_FIRST]
static const exit_handler exit_handlers[SVM_EXIT_XSETBV - EXIT_FIRST + 1] = {
    ON(INTR) = exit_nothing,
    ON(NMI) = exit_nothing,
    ON(CPUID) = exit_cpuid,
    ON(HLT) = exit_hlt,
    ON(IOIO) = exit_ioio,
    ON(MSR) = exit_msr,
    ON(SHUTDOWN) = exit_shutdown,
    ON(VMRUN) = exit_undefined,
    ON(VMMCALL) = exit_vmmcall,
    /* VMLOAD, VMSAVE, STGI, CLGI, SKINIT */
    [SVM_EXIT_VMMCALL + 1 - EXIT_FIRST... SVM_EXIT_SKINIT - EXIT_FIRST] = exit_undefined,
    ON(XSETBV) = exit_undefined,
};
#undef ON

/* An exit: counted (common/stats.c: a physical interrupt as an IPI, the
 * rest as the guest's own traps), handled, and ended by the core. */
static enum trap_result svm_exit(struct vcpu *vc)
{
	/* The machine ending (arch_halt_system): this CPU stops before the exit
	 * is handled. Whatever the exit: the kick that ends the run may be
	 * taken as GIF is set after another (svm_run.S), and be no INTR exit. */
	if (__atomic_load_n(&x86_halting, __ATOMIC_ACQUIRE))
		x86_park();
	struct vmcb *v = vc->arch.vmcb;
	v->tlb_control = 0;
	v->eventinj = 0;
	uint64_t code = v->exitcode;
	stats_count_vcpu(code == SVM_EXIT_INTR || code == SVM_EXIT_NMI ? EXIT_IPI : EXIT_TRAP, vc);
	exit_handler h = code == SVM_EXIT_NPF ? exit_npf
			 : code >= EXIT_FIRST && code - EXIT_FIRST < sizeof(exit_handlers) /
									 sizeof(exit_handlers[0])
			     ? exit_handlers[code - EXIT_FIRST]
			     : NULL;
	if (h)
		return h(vc);
	char what[96];
	snprintf(what, sizeof(what), "unexpected exit 0x%llx (info 0x%llx 0x%llx)",
		 (unsigned long long)code, (unsigned long long)v->exitinfo1,
		 (unsigned long long)v->exitinfo2);
	return fault(vc, what);
}

/* Enter the guest, and again after each exit the core lets it go on; once
 * it may not (it left, or its domain stopped), this CPU's stack is emptied
 * and cpu_run_loop takes over (common/vcpu.c). */
void arch_vcpu_run(struct vcpu *vc)
{
	do
		svm_vmrun(&vc->arch.regs, (uint64_t)(uintptr_t)vc->arch.vmcb,
			  (uint64_t)(uintptr_t)host_vmcb[vc->pcpu]);
	while (vcpu_trap_done(vc, svm_exit(vc)));
	x86_run_loop_on(pcpus[vc->pcpu].stack_top);
}
