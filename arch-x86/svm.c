/* SPDX-License-Identifier: Apache-2.0 */
/*
 * AMD SVM: turned on once (svm_init), a VMCB per vCPU (svm_vcpu_init) and
 * the VMRUN loop with its exit handlers (svm_run). Each intercept is chosen;
 * docs/x86.md lists them and why. Handlers decode, validate, act and return
 * what the loop does next: no handler jumps away.
 */
#include "svm.h"
#include "x86.h"
#include "common/hypercall.h"
#include "common/lib.h"

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

static uint64_t iopm_pa, msrpm_pa;
static uint8_t (*hsave)[4096]; /* each CPU's host save area */

static __attribute__((noreturn)) void svm_missing(const char *what)
{
	x86_printf("bulkhead: this CPU has no %s: the x86 port needs AMD SVM with nested paging "
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
	svm_cpu_enable(boot_cpu);
	/* Every I/O port and every MSR intercepted: a guest reaches only what
	 * its domain emulates (vuart.c, msr_access). */
	void *iopm = x86_alloc(IOPM_SIZE, 4096), *msrpm = x86_alloc(MSRPM_SIZE, 4096);
	memset(iopm, 0xff, IOPM_SIZE);
	memset(msrpm, 0xff, MSRPM_SIZE);
	iopm_pa = (uint64_t)(uintptr_t)iopm;
	msrpm_pa = (uint64_t)(uintptr_t)msrpm;
	x86_printf("bulkhead: AMD SVM revision %u, %u ASIDs, nested paging\n", f.eax & 0xff, f.ebx);
}

static void seg(struct vmcb_seg *s, uint16_t sel, uint16_t attr, uint32_t limit)
{
	*s = (struct vmcb_seg){.sel = sel, .attr = attr, .limit = limit};
}

/* The vCPU as a Multiboot loader leaves a CPU: 32-bit protected mode, flat
 * 4 GiB segments, paging and interrupts off, at the image's entry; the
 * guest enters long mode itself (tests/guests/x86/start.S). */
void svm_vcpu_init(struct x86_dom *d, uint64_t entry, uint64_t ebx)
{
	struct vmcb *v = d->vmcb = x86_alloc(sizeof(struct vmcb), 4096);
	v->intercept1 = INTERCEPT_INTR | INTERCEPT_NMI | INTERCEPT_CPUID | INTERCEPT_HLT |
			INTERCEPT_IOIO | INTERCEPT_MSR | INTERCEPT_SHUTDOWN;
	v->intercept2 = INTERCEPT_SVM_INSNS | INTERCEPT_XSETBV;
	v->iopm_pa = iopm_pa;
	v->msrpm_pa = msrpm_pa;
	v->asid = d->id + 1;   /* 0 is the host's */
	v->tlb_control = 1;    /* flush this ASID at the first entry */
	v->vintr = 1ull << 24; /* V_INTR_MASKING: the guest's IF masks only virtual interrupts */
	v->np_enable = 1;
	v->n_cr3 = (uint64_t)(uintptr_t)d->npt;
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
	d->gprs.rbx = ebx;
}

static void inject(struct vmcb *v, unsigned vec, bool has_error, uint32_t error)
{
	v->eventinj = vec | EVENT_EXCEPTION | EVENT_VALID | (has_error ? EVENT_ERROR_VALID : 0) |
		      (uint64_t)error << 32;
}

/* Once per (domain, kind, key), in arm64's bounded table (common/ratelimit.c):
 * a guest probing ports or MSRs gets at most ONCE_TABLE_SIZE lines. */
bool svm_report_once(struct x86_dom *d, enum x86_report kind, uint32_t key)
{
	uint64_t k = (uint64_t)kind << 32 | key;
	return !once_seen(&d->reported, k) && once_add(&d->reported, k);
}

static void report(struct x86_dom *d, const char *what)
{
	vuart_flush(d);
	x86_printf("bulkhead: domain %s: %s (RIP 0x%llx)\n", d->name, what,
		   (unsigned long long)d->vmcb->rip);
}

/* CPUID: the host's answer, less what the domain does not get (SVM, VMX,
 * XSAVE: XCR0 is not switched yet), with the hypervisor bit and leaf. */
static enum exit_action exit_cpuid(struct x86_dom *d)
{
	struct vmcb *v = d->vmcb;
	uint32_t leaf = (uint32_t)v->rax, sub = (uint32_t)d->gprs.rcx;
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
	d->gprs.rbx = r.ebx;
	d->gprs.rcx = r.ecx;
	d->gprs.rdx = r.edx;
	v->rip += 2;
	return EXIT_CONTINUE;
}

/* VMMCALL: Bulkhead's hypercalls, the ARM numbers (docs/hypercalls.md):
 * the function ID in EAX, the result in RAX. */
static enum exit_action exit_vmmcall(struct x86_dom *d)
{
	struct vmcb *v = d->vmcb;
	uint32_t id = (uint32_t)v->rax;
	if (id == BH_HC_VERSION || id == BH_HC_32(BH_HC_VERSION))
		v->rax = BH_VERSION_MAJOR << 16 | BH_VERSION_MINOR;
	else
		v->rax = (uint64_t)(int64_t)BH_E_NOT_SUPPORTED;
	v->rip += 3;
	return EXIT_CONTINUE;
}

/* IN/OUT (exit info 1: APM vol. 2, 15.10.2); EXITINFO2 is the next RIP. */
static enum exit_action exit_ioio(struct x86_dom *d)
{
	struct vmcb *v = d->vmcb;
	uint64_t info = v->exitinfo1;
	bool in = info & 1;
	if (info & (1u << 2)) { /* INS/OUTS */
		report(d, "string I/O (INS/OUTS) is not emulated: stopped");
		return EXIT_STOP;
	}
	unsigned bytes = info & (1u << 4) ? 1 : info & (1u << 5) ? 2 : 4;
	uint64_t mask = bytes == 4 ? 0xffffffffull : (1ull << (8 * bytes)) - 1;
	uint64_t val = v->rax & mask;
	enum exit_action a = vuart_io(d, (uint16_t)(info >> 16), in, &val);
	if (in) /* IN AL/AX keep the rest of RAX; IN EAX zero-extends, as any 32-bit write */
		v->rax = bytes == 4 ? (val & mask) : (v->rax & ~mask) | (val & mask);
	v->rip = v->exitinfo2;
	return a;
}

/* RDMSR/WRMSR: EFER and PAT are the guest's own (EFER.SVME kept set and
 * hidden); any other MSR is absent, as on a CPU without it: #GP. */
static enum exit_action exit_msr(struct x86_dom *d)
{
	struct vmcb *v = d->vmcb;
	uint32_t msr = (uint32_t)d->gprs.rcx;
	bool write = v->exitinfo1 & 1;
	uint64_t val = (d->gprs.rdx << 32) | (uint32_t)v->rax;
	uint64_t *reg = msr == MSR_EFER ? &v->efer : msr == MSR_PAT ? &v->g_pat : NULL;
	if (!reg || (write && msr == MSR_EFER &&
		     (val & ~(uint64_t)(EFER_LME | 1 /* SCE */ | (1u << 11) /* NXE */)))) {
		if (svm_report_once(d, write ? XR_MSR_WRITE : XR_MSR_READ, msr)) {
			char what[96];
			snprintf(what, sizeof(what),
				 "%s of MSR 0x%x refused: #GP injected (reported once)",
				 write ? "write" : "read", msr);
			report(d, what);
		}
		inject(v, VEC_GP, true, 0);
		return EXIT_CONTINUE;
	}
	if (write)
		*reg = msr == MSR_EFER ? val | EFER_SVME | (v->efer & EFER_LMA) : val;
	else {
		val = msr == MSR_EFER ? *reg & ~(uint64_t)EFER_SVME : *reg;
		v->rax = (uint32_t)val;
		d->gprs.rdx = val >> 32;
	}
	v->rip += 2;
	return EXIT_CONTINUE;
}

/* A physical interrupt or NMI arrived while the guest ran: the host has
 * none enabled yet (the legacy PIC is masked at boot), so nothing to do. */
static enum exit_action exit_nothing(struct x86_dom *d)
{
	(void)d;
	return EXIT_CONTINUE;
}

/* HLT: nothing can wake this vCPU yet (no virtual interrupt sources), so a
 * halted vCPU is off, as a CPU halted with nothing to wake it. */
static enum exit_action exit_hlt(struct x86_dom *d)
{
	report(d, "halted (HLT) with nothing to wake it: off");
	return EXIT_OFF;
}

static enum exit_action exit_shutdown(struct x86_dom *d)
{
	report(d, "shutdown (a triple fault): stopped");
	return EXIT_STOP;
}

/* SVM instructions and XSETBV: the domain sees no SVM and no XSAVE
 * (exit_cpuid), so they are undefined for it, as on such a CPU. */
static enum exit_action exit_undefined(struct x86_dom *d)
{
	inject(d->vmcb, VEC_UD, false, 0);
	return EXIT_CONTINUE;
}

/* A guest physical address the nested tables do not map: outside the
 * domain's partition (exit info 1: the #PF error code, APM vol. 2, 15.25.6). */
static enum exit_action exit_npf(struct x86_dom *d)
{
	struct vmcb *v = d->vmcb;
	char what[128];
	snprintf(what, sizeof(what), "%s at guest physical 0x%llx outside its partition: stopped",
		 v->exitinfo1 & (1u << 4) ? "instruction fetch"
		 : v->exitinfo1 & 2	  ? "write"
					  : "read",
		 (unsigned long long)v->exitinfo2);
	report(d, what);
	return EXIT_STOP;
}

typedef enum exit_action (*exit_handler)(struct x86_dom *d);
#define EXIT_FIRST SVM_EXIT_INTR
static const exit_handler exit_handlers[SVM_EXIT_XSETBV - EXIT_FIRST + 1] = {
    [SVM_EXIT_INTR - EXIT_FIRST] = exit_nothing,
    [SVM_EXIT_NMI - EXIT_FIRST] = exit_nothing,
    [SVM_EXIT_CPUID - EXIT_FIRST] = exit_cpuid,
    [SVM_EXIT_HLT - EXIT_FIRST] = exit_hlt,
    [SVM_EXIT_IOIO - EXIT_FIRST] = exit_ioio,
    [SVM_EXIT_MSR - EXIT_FIRST] = exit_msr,
    [SVM_EXIT_SHUTDOWN - EXIT_FIRST] = exit_shutdown,
    [SVM_EXIT_VMRUN - EXIT_FIRST] = exit_undefined,
    [SVM_EXIT_VMMCALL - EXIT_FIRST] = exit_vmmcall,
    [SVM_EXIT_VMMCALL - EXIT_FIRST + 1] = exit_undefined,
    [SVM_EXIT_VMMCALL - EXIT_FIRST + 2] = exit_undefined,
    [SVM_EXIT_VMMCALL - EXIT_FIRST + 3] = exit_undefined,
    [SVM_EXIT_VMMCALL - EXIT_FIRST + 4] = exit_undefined,
    [SVM_EXIT_SKINIT - EXIT_FIRST] = exit_undefined,
    [SVM_EXIT_XSETBV - EXIT_FIRST] = exit_undefined,
};

static enum x86_exit_kind exit_kind(uint64_t code)
{
	switch (code) {
	case SVM_EXIT_CPUID:
		return XK_CPUID;
	case SVM_EXIT_IOIO:
		return XK_IO;
	case SVM_EXIT_MSR:
		return XK_MSR;
	case SVM_EXIT_VMMCALL:
		return XK_VMMCALL;
	case SVM_EXIT_HLT:
		return XK_HLT;
	case SVM_EXIT_NPF:
		return XK_NPF;
	case SVM_EXIT_INTR:
	case SVM_EXIT_NMI:
		return XK_INTR;
	default:
		return XK_OTHER;
	}
}

/* Run the domain's vCPU until it stops or powers off. */
enum exit_action svm_run(struct x86_dom *d)
{
	for (;;) {
		svm_vmrun(&d->gprs, (uint64_t)(uintptr_t)d->vmcb);
		struct vmcb *v = d->vmcb;
		v->tlb_control = 0;
		v->eventinj = 0;
		uint64_t code = v->exitcode;
		d->exits[exit_kind(code)]++;
		exit_handler h =
		    code == SVM_EXIT_NPF ? exit_npf
		    : code >= EXIT_FIRST &&
			    code - EXIT_FIRST < sizeof(exit_handlers) / sizeof(exit_handlers[0])
			? exit_handlers[code - EXIT_FIRST]
			: NULL;
		enum exit_action a = EXIT_STOP;
		if (h) {
			a = h(d);
		} else {
			char what[96];
			snprintf(what, sizeof(what),
				 "unexpected exit 0x%llx (info 0x%llx 0x%llx): stopped",
				 (unsigned long long)code, (unsigned long long)v->exitinfo1,
				 (unsigned long long)v->exitinfo2);
			report(d, what);
		}
		if (a != EXIT_CONTINUE) {
			vuart_flush(d);
			return a;
		}
	}
}
