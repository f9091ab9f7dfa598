/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Trap handlers. From a guest: SMCCC calls, stage-2 data aborts (emulated
 * devices or a bad access), trapped system instructions, interrupts. From
 * EL2 itself: a decoded report and a halt, since the hypervisor has a bug.
 */
#include "arch.h"
#include "arch-arm64/asm.h"
#include "arch-arm64/sysreg.h"
#include "arch-arm64/trap.h"
#include "common/console.h"
#include "common/lib.h"
#include "common/percpu.h"
#include "common/report.h"
#include "gic/gic.h"
#include "gic/vgic.h"

const char *esr_class_name(unsigned ec)
{
	switch (ec) {
	case EC_UNKNOWN:
		return "Unknown reason";
	case EC_WFX:
		return "WFI/WFE";
	case EC_CP15_32:
	case EC_CP15_64:
		return "AArch32 CP15 access";
	case EC_CP14_MR:
	case EC_CP14_LS:
	case EC_CP14_64:
		return "AArch32 CP14 access";
	case EC_FP:
		return "FP/SIMD access";
	case EC_CP10_ID:
		return "AArch32 CP10 ID access";
	case EC_PAC:
		return "Pointer authentication";
	case EC_ILL:
		return "Illegal execution state";
	case EC_SVC32:
	case EC_SVC64:
		return "SVC";
	case EC_HVC32:
	case EC_HVC64:
		return "HVC";
	case EC_SMC32:
	case EC_SMC64:
		return "SMC";
	case EC_SYS64:
		return "System register access";
	case EC_SVE:
		return "SVE access";
	case EC_SME:
		return "SME access";
	case EC_IABT_LOW:
		return "Instruction Abort (lower EL)";
	case EC_IABT_CUR:
		return "Instruction Abort (same EL)";
	case EC_PC_ALIGN:
		return "PC alignment fault";
	case EC_DABT_LOW:
		return "Data Abort (lower EL)";
	case EC_DABT_CUR:
		return "Data Abort (same EL)";
	case EC_SP_ALIGN:
		return "SP alignment fault";
	case EC_FP32:
	case EC_FP64:
		return "FP exception";
	case EC_SERROR:
		return "SError";
	case EC_BRK_LOW:
	case EC_BRK_CUR:
		return "Breakpoint";
	case EC_SSTEP_LOW:
	case EC_SSTEP_CUR:
		return "Software step";
	case EC_WATCH_LOW:
	case EC_WATCH_CUR:
		return "Watchpoint";
	case EC_BKPT32:
	case EC_BRK64:
		return "BRK instruction";
	default:
		return "Reserved exception class";
	}
}

static const char *const hyp_kinds[8] = {"sync (SP_EL0)", "IRQ (SP_EL0)",  "FIQ (SP_EL0)",
					  "SError (SP_EL0)", "sync",	      "IRQ",
					  "FIQ",	     "SError"};

static void dump_frame(const struct trap_frame *f)
{
	for (int i = 0; i < 31; i += 2) {
		if (i == 30)
			bh_printf("  x30 %016llx\n", (unsigned long long)f->x[30]);
		else
			bh_printf("  x%-2d %016llx  x%-2d %016llx\n", i, (unsigned long long)f->x[i],
				  i + 1, (unsigned long long)f->x[i + 1]);
	}
}

/* The device accesses of forwarded MMIO (arch-arm64/mmio.S). */
extern const char mmio_guarded_start[], mmio_guarded_end[], mmio_aborted[];

/* An exception taken from EL2: a hypervisor bug. Report it whole and halt.
 * Except a data abort on a forwarded device access: the device's answer to
 * a guest's request, so resume with the access failed (the guest is told). */
void trap_hyp(struct trap_frame *f, unsigned kind)
{
	unsigned cpu = arch_cpu_index();
	struct vcpu *v = vcpu_of_cpu(cpu);
	unsigned ec = ESR_EC(f->esr);
	if (kind == 4 && ec == EC_DABT_CUR && f->elr >= (uintptr_t)mmio_guarded_start &&
	    f->elr < (uintptr_t)mmio_guarded_end) {
		f->elr = (uintptr_t)mmio_aborted;
		return;
	}
	bh_printf("\nbulkhead: *** hypervisor exception: %s on CPU %u (domain %s) ***\n",
		  hyp_kinds[kind & 7], cpu, v ? v->dom->name : "-");
	bh_printf("  class 0x%02x %s; ESR 0x%08llx FAR 0x%016llx\n", ec, esr_class_name(ec),
		  (unsigned long long)f->esr, (unsigned long long)f->far);
	bh_printf("  ELR 0x%016llx SPSR 0x%08llx\n", (unsigned long long)f->elr,
		  (unsigned long long)f->spsr);
	dump_frame(f);
	bh_log("halting the system");
	arch_halt_system();
}

/* Report a guest trap with no emulation, naming domain, vCPU and state
 * (rate-limited per domain: common/report.h). SP_EL1 is read live: the
 * vCPU's EL1 state is loaded while its trap is handled, and the lean entry
 * (vectors.S) does not save it. */
static void report_guest(struct vcpu *v, const struct trap_frame *f, const char *what)
{
	unsigned ec = ESR_EC(f->esr);
	if (!report_allowed(v->dom))
		return;
	bh_log("domain %s vCPU %u (CPU %u): %s", v->dom->name, v->index, v->pcpu, what);
	bh_printf("  class 0x%02x %s; ESR 0x%08llx FAR 0x%016llx IPA 0x%llx\n", ec,
		  esr_class_name(ec), (unsigned long long)f->esr, (unsigned long long)f->far,
		  (unsigned long long)(((f->hpfar >> 4) << 12) | (f->far & 0xfff)));
	bh_printf("  ELR 0x%016llx SPSR 0x%08llx SP_EL1 0x%016llx\n", (unsigned long long)f->elr,
		  (unsigned long long)f->spsr, (unsigned long long)read_sysreg(sp_el1));
}

void inject_sync(struct vcpu *v, struct trap_frame *f, uint64_t esr, uint64_t far)
{
	(void)v;
	uint64_t vbar = read_sysreg(vbar_el1);
	uint64_t mode = f->spsr & PSR_MODE_MASK;
	/* From EL0: "lower EL", +0x200 more if that EL0 is AArch32 (PSR_AA32 << 5). */
	uint64_t offset = mode == PSR_MODE_EL1h	  ? 0x200
			  : mode == PSR_MODE_EL1t ? 0x0
						  : 0x400 | (f->spsr & PSR_AA32) << 5;
	write_sysreg(esr_el1, esr);
	write_sysreg(far_el1, far);
	write_sysreg(elr_el1, f->elr);
	write_sysreg(spsr_el1, f->spsr);
	f->elr = vbar + offset;
	/* As on entry to EL1: PAN set if SCTLR_EL1.SPAN is clear (RES1 without
	 * FEAT_PAN; ID_AA64MMFR1_EL1.PAN checked too), UAO and SSBS clear. */
	bool pan = !(read_sysreg(sctlr_el1) & SCTLR_SPAN) &&
		   (read_sysreg(id_aa64mmfr1_el1) >> 20 & 0xf);
	f->spsr = PSR_DAIF | PSR_MODE_EL1h | (pan ? PSR_PAN : 0);
}

/* Can the guest take an abort? Only if it has vectors and is not already in them. */
static bool guest_can_take_abort(struct vcpu *v, const struct trap_frame *f)
{
	if (v->arch.aarch32)
		return guest32_can_take(v, f, true);
	uint64_t vbar = read_sysreg(vbar_el1);
	if (vbar == 0 || (vbar & 0x7ff))
		return false;
	return !(f->elr >= vbar && f->elr < vbar + 0x800);
}

/* A synchronous external abort at the faulting address, for either width. An
 * AArch64 guest takes it as from a lower EL if the access came from its EL0
 * (EC 0x20/0x24, the LOW code one below CUR's). IL stays 1: the syndrome has
 * no ISV, and the Arm ARM gives IL = 1 for a Data Abort with ISV = 0. */
static void inject_abort(struct vcpu *v, struct trap_frame *f, bool write, bool exec)
{
	if (v->arch.aarch32) {
		guest32_inject_abort(f, exec ? f->elr : f->far, write, exec);
		return;
	}
	uint64_t ec =
	    (exec ? EC_IABT_CUR : EC_DABT_CUR) - ((f->spsr & PSR_MODE_MASK) == PSR_MODE_EL0t);
	uint64_t iss = FSC_SEA | (write && !exec ? DABT_WNR : 0);
	inject_sync(v, f, (ec << 26) | ESR_IL | iss, f->far);
}

/* An access to an IPA the domain does not own: report; inject an external abort
 * if the guest can handle one, as real hardware would, else the domain faults. */
static void bad_access(struct vcpu *v, struct trap_frame *f, uint64_t ipa, bool write,
		       bool exec)
{
	char what[128];
	struct domain *d = v->dom;
	bool inject = guest_can_take_abort(v, f);
	snprintf(what, sizeof(what), "%s at IPA 0x%llx outside its memory and devices%s",
		 exec ? "instruction fetch" : write ? "write" : "read", (unsigned long long)ipa,
		 inject ? ": external abort injected" : "");
	report_guest(v, f, what);
	if (!inject) {
		domain_fault(d, what);
		return;
	}
	inject_abort(v, f, write, exec);
}

static void advance_pc(struct trap_frame *f)
{
	if (f->spsr & PSR_AA32) {
		guest32_advance_pc(f);
		return;
	}
	f->elr += (f->esr & ESR_IL) ? 4 : 2;
	f->spsr &= ~(uint64_t)(PSR_SS | PSR_BTYPE);
}

/* An AArch64 instruction emulated: the guest resumes after it, its software
 * step (if on) taken right there, as after any completed instruction. */
static inline void stepped64(struct trap_frame *f)
{
	f->elr += 4;
	f->spsr &= ~(uint64_t)(PSR_SS | PSR_BTYPE);
}

/* The register an access names: AArch64 x0-x30 (31: zero), or AArch32 r0-r14
 * as banked for the guest's mode. */
static uint64_t reg_get(struct trap_frame *f, unsigned rt)
{
	if (f->spsr & PSR_AA32)
		return guest32_reg_get(f, rt);
	return rt == 31 ? 0 : f->x[rt];
}

static void reg_set(struct trap_frame *f, unsigned rt, uint64_t val)
{
	if (f->spsr & PSR_AA32)
		guest32_reg_set(f, rt, val);
	else if (rt != 31)
		f->x[rt] = val;
}

/* A guest exception we cannot emulate: an Undefined Instruction for the
 * guest if it can take one, else the domain faults. An AArch64 guest's
 * AArch32 EL0 takes EC 0 at its own vector (inject_sync). */
void inject_undef(struct vcpu *v, struct trap_frame *f, const char *why)
{
	if (v->arch.aarch32 ? guest32_can_take(v, f, false) : read_sysreg(vbar_el1) != 0) {
		if (v->arch.aarch32)
			guest32_inject_undef(f);
		else
			inject_sync(v, f, ((uint64_t)EC_UNKNOWN << 26) | ESR_IL, 0);
	} else {
		domain_fault(v->dom, why);
	}
}

static void handle_dabt(struct vcpu *v, struct trap_frame *f)
{
	uint32_t iss = (uint32_t)ESR_ISS(f->esr);
	uint64_t ipa = ((f->hpfar >> 4) << 12) | (f->far & 0xfff);
	bool write = iss & DABT_WNR;
	unsigned dfsc = DABT_DFSC(iss);

	/* Translation faults (levels 0-3) on an IPA: emulated device or bad access. */
	if ((dfsc & 0x3c) != 0x04 || (iss & DABT_S1PTW)) {
		bad_access(v, f, ipa, write, false);
		return;
	}
	const struct vmmio *m = vmmio_find(v->dom, ipa);
	if (!m) {
		bad_access(v, f, ipa, write, false);
		return;
	}
	if (!(iss & DABT_ISV)) {
		report_guest(v, f,
			     "access to an emulated device with an instruction that "
			     "cannot be emulated (no syndrome: use plain LDR/STR)");
		if (guest_can_take_abort(v, f))
			inject_abort(v, f, write, false);
		else
			domain_fault(v->dom, "unemulatable device access");
		return;
	}
	unsigned size = 1u << DABT_SAS(iss), rt = DABT_SRT(iss);
	uint64_t val = write ? reg_get(f, rt) : 0;
	if (write && size < 8)
		val &= (1ULL << (size * 8)) - 1;
	/* The value goes by reference through the vCPU, not a local: no stack
	 * canary on every emulated access. */
	v->mmio = m;
	v->mmio_val = val;
	if (!m->access(v, ipa - m->base, size, write, &v->mmio_val)) {
		report_guest(v, f, "invalid access size or alignment for an emulated device");
		if (guest_can_take_abort(v, f)) {
			inject_abort(v, f, write, false);
			return;
		}
		domain_fault(v->dom, "invalid emulated device access");
		return;
	}
	val = v->mmio_val;
	if (!write) {
		if ((iss & DABT_SSE) && size < 8 && (val & (1ULL << (size * 8 - 1))))
			val |= ~((1ULL << (size * 8)) - 1);
		if (!(iss & DABT_SF))
			val &= 0xffffffffULL;
		reg_set(f, rt, val);
	}
	advance_pc(f);
}

void emulate_dc_setway(uint64_t val)
{
	/* Performed as clean+invalidate on the same set/way, so lines of other
	 * domains are written back, never discarded. */
	unsigned level = (val >> 1) & 7;
	uint64_t clidr = read_sysreg(clidr_el1);
	if (level < 7 && ((clidr >> (3 * level)) & 7) != 0)
		__asm__ volatile("dc cisw, %0" ::"r"(val) : "memory");
}

/* Log an unexpected guest register access once per encoding. */
static void log_once_sysreg(struct vcpu *v, uint32_t iss, const char *what)
{
	/* op0, op2, op1, CRn, CRm: not Rt or direction */
	if (report_once(v->dom, REPORT_SYSREG, iss & 0x3ffc1e))
		bh_log("domain %s: %s S%u_%u_C%u_C%u_%u (logged once)", v->dom->name, what,
		       (iss >> 20) & 3, (iss >> 14) & 7, (iss >> 10) & 0xf, (iss >> 1) & 0xf,
		       (iss >> 17) & 7);
}

/* Complete an emulated MSR/MRS: a read returns val in Rt (XZR discards it). */
static void sysreg_done(struct trap_frame *f, bool read, unsigned rt, uint64_t val)
{
	if (read && rt != 31)
		f->x[rt] = val;
	advance_pc(f);
}

/* The PMU, trapped on PMUv3 CPUs only (cpu.c: MDCR_EL2.TPM). Out of line:
 * its by-reference value would give every system-register trap a stack
 * canary. */
static __attribute__((noinline)) void pmu_sysreg(struct vcpu *v, struct trap_frame *f,
						 uint32_t iss)
{
	unsigned op2 = (iss >> 17) & 7, crn = (iss >> 10) & 0xf, rt = (iss >> 5) & 0x1f;
	unsigned crm = (iss >> 1) & 0xf;
	bool read = iss & 1;
	uint64_t val = rt == 31 ? 0 : f->x[rt];
	if (!vpmu_access(crn, crm, op2, !read, &val)) {
		inject_undef(v, f, "PMU register access");
		return;
	}
	sysreg_done(f, read, rt, val);
}

/* ISS of a trapped DC ISW/CSW/CISW (op0 1, op1 0, CRn 7, op2 2; CRm 6, 10,
 * 14), Rt and CRm left out: the trap guests take most (HCR_EL2.TSW). */
#define ISS_DC_SW ((1u << 20) | (2u << 17) | (0u << 14) | (7u << 10))
#define ISS_SYS_NO_RT_CRM 0x3ffc00u

/* ISS of an MSR ICC_SGI1R_EL1 (op0 3, op1 0, CRn 12, CRm 11, op2 5, a
 * write), Rt left out: every SGI a GICv3 guest sends. */
#define ISS_SGI1R_WRITE ((3u << 20) | (5u << 17) | (12u << 10) | (11u << 1))

/* Is this trapped system instruction a DC ISW/CSW/CISW? */
static inline bool is_dc_setway(uint32_t iss)
{
	unsigned crm4 = (iss >> 1) & 0xf;
	return (iss & ISS_SYS_NO_RT_CRM) == ISS_DC_SW && (crm4 == 6 || crm4 == 10 || crm4 == 14);
}

static void handle_sysreg(struct vcpu *v, struct trap_frame *f)
{
	uint32_t iss = (uint32_t)ESR_ISS(f->esr);
	if (is_dc_setway(iss)) {
		unsigned t = (iss >> 5) & 0x1f;
		emulate_dc_setway(t == 31 ? 0 : f->x[t]);
		advance_pc(f);
		return;
	}
	unsigned op0 = (iss >> 20) & 3, op2 = (iss >> 17) & 7, op1 = (iss >> 14) & 7;
	unsigned crn = (iss >> 10) & 0xf, rt = (iss >> 5) & 0x1f, crm = (iss >> 1) & 0xf;
	bool read = iss & 1;
	uint64_t val = rt == 31 ? 0 : f->x[rt];

	if (op0 == 3 && crn == 12 && crm == 11 && (op2 == 5 || op2 == 6 || op2 == 7) && !read) {
		/* ICC_SGI1R_EL1 / ICC_ASGI1R_EL1 / ICC_SGI0R_EL1: virtual SGIs. */
		vgic_v3_sgi_sysreg(v, val);
		advance_pc(f);
		return;
	}
	if (op0 == 3 && (crn == 11 || crn == 15)) {
		/* Implementation-defined registers: read as zero, writes ignored. */
		log_once_sysreg(v, iss, "implementation-defined register access ignored");
		sysreg_done(f, read, rt, 0);
		return;
	}
	if (op0 == 3 && ((op1 == 3 && ((crn == 9 && crm >= 12) || (crn == 14 && crm >= 8))) ||
			 (op1 == 0 && crn == 9 && crm == 14 && (op2 == 1 || op2 == 2)))) {
		pmu_sysreg(v, f, iss);
		return;
	}
	if ((op0 == 2 && op1 == 1) || (op0 == 3 && op1 == 3 && crn == 13 && crm >= 2)) {
		/* Trace unit (CPTR_EL2.TTA) and activity monitors (CPTR_EL2.TAM):
		 * not given to guests, they would see EL2. Read as zero (no trace
		 * unit features, no counter enabled), so a driver finds nothing
		 * rather than crashing on an undefined instruction. */
		log_once_sysreg(v, iss,
				"trace or activity monitor access: not given to guests (RAZ/WI)");
		sysreg_done(f, read, rt, 0);
		return;
	}
	if (op0 == 3 && op1 == 0 && crn == 5 && crm >= 3 && crm <= 5) {
		/* RAS error records (HCR_EL2.TERR): ERRIDR_EL1 reads 0, so the guest
		 * has no records; the record registers read as zero, writes ignored.
		 * The CPU's records may hold other domains' or EL2's errors. */
		log_once_sysreg(v, iss, "RAS error record access: guests have no records (RAZ/WI)");
		sysreg_done(f, read, rt, 0);
		return;
	}
	log_once_sysreg(v, iss, "unhandled system register access: undefined instruction injected");
	inject_undef(v, f, "unhandled system register access");
}

/* ---- the one entry from a guest: decode, dispatch by exception class ---- */

typedef enum trap_result (*trap_handler)(struct vcpu *v, struct trap_frame *f);

static enum trap_result trap_hvc(struct vcpu *v, struct trap_frame *f)
{
	return smccc_guest_call(v, f->x);
}

/* A trapped SMC returns to the SMC itself; an AArch32 one may have failed
 * its condition, and then it does nothing. */
static enum trap_result trap_smc(struct vcpu *v, struct trap_frame *f)
{
	bool run = !(f->spsr & PSR_AA32) || guest32_cond_passed(f);
	advance_pc(f);
	return run ? smccc_guest_call(v, f->x) : TRAP_CONTINUE;
}

static enum trap_result trap_cp15(struct vcpu *v, struct trap_frame *f)
{
	guest32_cp15(v, f);
	return TRAP_CONTINUE;
}

static enum trap_result trap_dabt(struct vcpu *v, struct trap_frame *f)
{
	handle_dabt(v, f);
	return TRAP_CONTINUE;
}

static enum trap_result trap_iabt(struct vcpu *v, struct trap_frame *f)
{
	bad_access(v, f, ((f->hpfar >> 4) << 12) | (f->far & 0xfff), false, true);
	return TRAP_CONTINUE;
}

static enum trap_result trap_sysreg(struct vcpu *v, struct trap_frame *f)
{
	handle_sysreg(v, f);
	return TRAP_CONTINUE;
}

/* CPTR_EL2.TSM stays set: SME is not offered to guests (nothing here gives
 * them a vector length, nor clears ZA and streaming mode when a domain
 * restarts). Undefined, as on a CPU without SME. */
static enum trap_result trap_sme(struct vcpu *v, struct trap_frame *f)
{
	if (report_once(v->dom, REPORT_TRAP, EC_SME))
		bh_log("domain %s: SME instruction or register: SME is not offered to "
		       "guests: undefined instruction injected (logged once)",
		       v->dom->name);
	inject_undef(v, f, "SME access");
	return TRAP_CONTINUE;
}

static enum trap_result trap_no_emulation(struct vcpu *v, struct trap_frame *f)
{
	report_guest(v, f, "trap with no emulation");
	inject_undef(v, f, "trap with no emulation");
	return TRAP_CONTINUE;
}

/* ESR_EL2.EC -> its handler; a class not listed has no emulation. */
static const trap_handler ec_handlers[64] = {
    [EC_HVC64] = trap_hvc,	[EC_HVC32] = trap_hvc,	   [EC_SMC64] = trap_smc,
    [EC_SMC32] = trap_smc,	[EC_CP15_32] = trap_cp15,  [EC_CP15_64] = trap_cp15,
    [EC_DABT_LOW] = trap_dabt,	[EC_IABT_LOW] = trap_iabt, [EC_SYS64] = trap_sysreg,
    [EC_SME] = trap_sme,
};

static enum trap_result trap_sync(struct vcpu *v, struct trap_frame *f)
{
	trap_handler h = ec_handlers[ESR_EC(f->esr) & 0x3f];
	stats_count_vcpu(EXIT_TRAP, v);
	return (h ? h : trap_no_emulation)(v, f);
}

static enum trap_result trap_serror(struct vcpu *v, struct trap_frame *f)
{
	report_guest(v, f, "SError (asynchronous abort)");
	domain_fault(v->dom, "SError"); /* stopped or restarting (or the system halted) */
	return TRAP_LEAVE;
}

/*
 * Every exception from a guest (vectors.S: `kind` says which) comes here, is
 * handled, and ends in vcpu_trap_done() (common/vcpu.c), which decides
 * whether the guest resumes: true, the vectors restore the frame and ERET;
 * false, the vCPU left, and this CPU returns to its run loop.
 */
bool trap_guest(struct trap_frame *f, unsigned kind)
{
	/* This CPU's vCPU, set at its entry (arch_vcpu_run, which also set
	 * v->frame: this frame's place). */
	struct vcpu *v = f->owner;
	enum trap_result r;

	if (kind == TRAP_GUEST_SYNC) {
		r = trap_sync(v, f);
	} else if (kind == TRAP_GUEST_SERROR) {
		r = trap_serror(v, f);
	} else { /* IRQ, FIQ */
		gic_handle_irq(v);
		r = TRAP_CONTINUE;
	}
	return vcpu_trap_done(v, r);
}

/* Does this AArch64 synchronous trap's handler read and write no more of the
 * frame than the lean entry saved (x0-x18, x30, ELR, SPSR, ESR, FAR, HPFAR)?
 * SMCCC calls use x0-x17; a system register or syndrome-carrying data abort
 * names its one register (31: XZR). Everything else takes the full frame. */
static inline bool rt_in_lean_frame(unsigned rt)
{
	return rt <= 18 || rt >= 30;
}

static inline bool lean_frame_enough(uint64_t esr)
{
	unsigned ec = ESR_EC(esr);
	if (ec == EC_HVC64 || ec == EC_SMC64)
		return true;
	return ec == EC_SYS64 && rt_in_lean_frame(((unsigned)ESR_ISS(esr) >> 5) & 0x1f);
}

/*
 * The lean entry of an AArch64 guest's synchronous exception (vectors.S).
 * The hottest syndromes are handled without the exception-class table,
 * each once the lean frame is known to hold the register it names (x19-x29
 * are not in it): an HVC in Bulkhead's own range (its hypercall
 * table directly: an AArch64 caller, so no SMC64-from-AArch32 rule), a
 * trapped DC set/way (HCR_EL2.TSW), a 4-byte instruction. (A GICv3 SGI,
 * MSR ICC_SGI1R_EL1, never gets here: the vector serves it, guest_sgi64.)
 * Any other HVC takes the SMCCC router (PSCI, SMCCC queries) as before. (A data abort goes to trap_guest_dabt64.)
 */
unsigned trap_guest_sync64(struct trap_frame *f, uint64_t esr)
{
	struct vcpu *v = f->owner;
	uint32_t iss = (uint32_t)ESR_ISS(esr);
	unsigned ec = ESR_EC(esr), rt = (iss >> 5) & 0x1f; /* a system instruction's Rt */
	enum trap_result r;
	if (ec == EC_HVC64) {
		stats_count_vcpu(EXIT_TRAP, v);
		uint32_t fid = (uint32_t)f->x[0];
		if (((fid >> 24) & 0x3f) == 0x06 && hypercall_handle(v, f->x))
			r = TRAP_CONTINUE;
		else
			r = smccc_guest_call(v, f->x);
	} else if (ec == EC_SYS64 && rt_in_lean_frame(rt) && is_dc_setway(iss)) {
		stats_count_vcpu(EXIT_TRAP, v);
		emulate_dc_setway(rt == 31 ? 0 : f->x[rt]);
		stepped64(f);
		r = TRAP_CONTINUE;
	} else if (!lean_frame_enough(esr)) {
		return TRAP_GUEST_FULL; /* nothing done yet: trap_guest does it all */
	} else {
		r = trap_sync(v, f);
	}
	return vcpu_trap_done(v, r) ? TRAP_GUEST_DONE : TRAP_GUEST_LEFT;
}

/* The vectors' SGI write (vectors.S: guest_sgi64) compares the syndrome. */
_Static_assert(ESR_SGI1R_WRITE == ((EC_SYS64 << 26) | ESR_IL | ISS_SGI1R_WRITE),
	       "arch-arm64/asm.h: ESR_SGI1R_WRITE");

/* The vectors' FR read (vectors.S: guest_fr_fast) reads these by offset. */
_Static_assert(offsetof(struct vcpu, dom) == VCPU_DOM &&
		   offsetof(struct vcpu, recheck) == VCPU_RECHECK &&
		   sizeof(((struct vcpu *)0)->recheck) == 4 &&
		   offsetof(struct vcpu, vuart_base) == VCPU_VUART_BASE &&
		   offsetof(struct vcpu, exits) == VCPU_EXITS && EXIT_TRAP == 0,
	       "arch-arm64/asm.h: VCPU_*");
_Static_assert(offsetof(struct domain, con_in_head) == DOM_CON_IN_HEAD &&
		   offsetof(struct domain, con_in_tail) == DOM_CON_IN_HEAD + 4 &&
		   offsetof(struct domain, vuart.rx_count) == DOM_RX_COUNT &&
		   offsetof(struct domain, vuart.dr_written) == DOM_DR_WRITTEN &&
		   sizeof(((struct domain *)0)->vuart.dr_written) == 1 &&
		   VUART_FR == FAST_FR_OFF && VUART_FR_TXFE == FAST_FR_TXFE &&
		   VUART_FR_RXFE == FAST_FR_RXFE && CON_IN_SIZE - CON_TX_ROOM == FAST_FR_NEAR,
	       "arch-arm64/asm.h: DOM_*, FAST_FR_*");

/* ISS of a stage-2 data abort the PL011 fast path takes, less SAS, SSE, SRT,
 * SF and AR: a syndrome (ISV), a translation fault at any level (DFSC
 * 0b0001xx, the level masked) not on a stage-1 table walk, and the
 * direction (WNR). */
#define ISS_FAST_MASK (DABT_ISV | DABT_FNV | DABT_EA | DABT_CM | DABT_S1PTW | DABT_WNR | 0x3c)
#define ISS_FAST_READ (DABT_ISV | 0x04)
#define ISS_FAST_WRITE (DABT_ISV | DABT_WNR | 0x04)

/* An FR read or DR write of the vCPU's own vUART (off: from its base),
 * served (the caller steps it): true; anything else: false, nothing done. */
static inline bool pl011_fast(struct vcpu *v, struct trap_frame *f, uint32_t iss, uint64_t off)
{
	unsigned rt = DABT_SRT(iss), sas = DABT_SAS(iss);
	uint32_t kind = iss & ISS_FAST_MASK;
	if (f->spsr & PSR_AA32)
		return false;
	if (off == VUART_FR && kind == ISS_FAST_READ && (sas == 1 || sas == 2)) {
		uint32_t fr = vuart_fr(v->dom); /* under 0x100: no sign or width to apply */
		if (rt != 31)
			f->x[rt] = fr;
	} else if (off == VUART_DR && kind == ISS_FAST_WRITE && sas != 3) {
		vuart_dr(v->dom, rt == 31 ? 0 : (char)f->x[rt]);
	} else {
		return false;
	}
	return true;
}

/* A 32-bit GICD_SGIR store (GICv2: every SGI a guest sends), served (the
 * caller steps it): true; anything else (another size, an AArch32 EL0, not
 * a plain translation fault): false, nothing done. */
static inline bool sgir_fast(struct vcpu *v, struct trap_frame *f, uint32_t iss)
{
	if ((iss & ISS_FAST_MASK) != ISS_FAST_WRITE || DABT_SAS(iss) != 2 || (f->spsr & PSR_AA32))
		return false;
	unsigned rt = DABT_SRT(iss);
	vgic_v2_sgir(v, rt == 31 ? 0 : f->x[rt]);
	return true;
}

/*
 * A data abort from an AArch64 guest (vectors.S: its frame holds x19-x29 too
 * when the access names one of them). Linux's amba-pl011 console reads FR
 * then writes DR for every character it prints (an FR read in vuart_fr's
 * common case never gets here: the vector serves it, guest_fr_fast, and
 * leaves the others, such as one with the entry flag word set, to this
 * path unchanged): those two are served here
 * straight from the syndrome, the vCPU's copy of its vUART's address and
 * the vUART's two functions (no region search, no generic decode), with the
 * exit counted as every trap's. Anything else (another register or page, a
 * size the general path rejects, an AArch32 EL0, a fault that is not a
 * translation fault) takes handle_dabt unchanged, and an access without a
 * syndrome the whole frame and trap_guest. Neither register (GICv2's
 * GICD_SGIR, say) is told by one compare, so other devices pay little for
 * this one.
 */
unsigned trap_guest_dabt64(struct trap_frame *f, uint64_t esr)
{
	struct vcpu *v = f->owner;
	uint32_t iss = (uint32_t)ESR_ISS(esr);
	if (!(iss & DABT_ISV))
		return TRAP_GUEST_FULL;
	stats_count_vcpu(EXIT_TRAP, v);
	uint64_t ipa = ((f->hpfar >> 4) << 12) | (f->far & 0xfff), off = ipa - v->vuart_base;
	/* A load is never SGIR: one bit test for the other registers' reads. */
	if (off <= VUART_FR ? pl011_fast(v, f, iss, off)
			    : (iss & DABT_WNR) && ipa == vgic_v2_sgir_ipa && sgir_fast(v, f, iss))
		stepped64(f);
	else
		handle_dabt(v, f);
	return vcpu_trap_done(v, TRAP_CONTINUE) ? TRAP_GUEST_DONE : TRAP_GUEST_LEFT;
}
