/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Per-CPU EL2 setup, vCPU entry, and the trap handlers: decode, validate, act,
 * return. Each HCR_EL2 bit Bulkhead sets is explained where it is set.
 */
#include "arch.h"
#include "arch-arm64/asm.h"
#include "arch-arm64/sysreg.h"
#include "arch-arm64/trap.h"
#include "common/console.h"
#include "common/lib.h"
#include "common/percpu.h"
#include "gic/gic.h"
#include "gic/vgic.h"
#include "vtimer/vtimer.h"

void arch_enter_guest(const struct trap_frame *f, uint64_t stack_top) __attribute__((noreturn));

/* The boot CPU's stack until it first enters a guest (then its own below). */
char boot_stack[CPU_STACK_SIZE] __attribute__((aligned(16), section(".noinit")));
_Static_assert(sizeof(struct pcpu) == PCPU_SIZE && offsetof(struct pcpu, stack_top) == PCPU_STACK_TOP,
	       "arch-arm64/asm.h: PCPU_SIZE and PCPU_STACK_TOP must match struct pcpu");

_Static_assert(sizeof(struct trap_frame) == TF_SIZE &&
		       offsetof(struct trap_frame, sp_el1) == TF_SP_EL1 &&
		       offsetof(struct trap_frame, owner) == TF_OWNER,
	       "struct trap_frame and arch-arm64/asm.h disagree");

static uint64_t stack_top(unsigned cpu)
{
	return pcpus[cpu].stack_top;
}

unsigned arch_cpu_index(void)
{
	return (unsigned)read_sysreg(tpidr_el2);
}

uint64_t arch_read_mpidr(void)
{
	return read_sysreg(mpidr_el1) & 0xff00ffffffULL;
}

__attribute__((cold)) unsigned arch_boot_cpu_index(const struct board *b)
{
	uint64_t me = arch_read_mpidr();
	/* One stack per CPU of the board, from the boot heap; secondary_entry
	 * finds its own in pcpus[] with its MMU off. */
	char *stacks = boot_alloc_nozero((uint64_t)b->ncpus * CPU_STACK_SIZE, 64);
	if (!stacks)
		return b->ncpus;
	for (unsigned i = 0; i < b->ncpus; i++)
		pcpus[i].stack_top = (uint64_t)(uintptr_t)stacks + (uint64_t)(i + 1) * CPU_STACK_SIZE;
	arch_dcache_clean_range((uint64_t)(uintptr_t)&pcpus, sizeof(pcpus));
	arch_dcache_clean_range((uint64_t)(uintptr_t)pcpus, b->ncpus * sizeof(*pcpus));
	/* A secondary's first frames are written with its MMU off (non-cacheable):
	 * no line of them may be in the cache when it turns the MMU on. */
	for (unsigned i = 0; i < b->ncpus; i++)
		for (uint64_t a = stack_top(i) - 256; a < stack_top(i); a += 64)
			__asm__ volatile("dc civac, %0" ::"r"(a) : "memory");
	dsb(ish);
	for (unsigned i = 0; i < b->ncpus; i++)
		if (b->mpidr[i] == me) {
			arch_secondary_init(i);
			pcpus[i].online = true;
			return i;
		}
	return b->ncpus;
}

static uint64_t hcr_for_guest(bool aarch32)
{
	uint64_t hcr = HCR_VM	 /* stage-2 translation on */
		       | HCR_SWIO /* set/way invalidate acts as clean+invalidate */
		       | HCR_FMO | HCR_IMO | HCR_AMO /* physical FIQ/IRQ/SError to EL2; virtual ones to the guest */
		       | HCR_FB	  /* broadcast the guest's TLB/cache maintenance to the inner shareable domain */
		       | HCR_BSU_IS /* barriers upgraded to inner shareable */
		       | HCR_TSC  /* SMC traps: guests never reach the board's firmware */
		       | HCR_TIDCP /* implementation-defined registers trap (emulated RAZ/WI) */
		       | HCR_TSW; /* set/way cache maintenance traps (it cannot be virtualized) */
	/* RAS error records (ERRIDR_EL1, ERX*_EL1) may be shared by CPUs and hold
	 * other domains' or the hypervisor's errors: they trap, and a guest sees
	 * no records (handle_sysreg). Only with FEAT_RAS, else the bit is RES0. */
	if ((read_sysreg(id_aa64pfr0_el1) >> 28) & 0xf)
		hcr |= HCR_TERR;
	/* Not set: TWI/TWE. vCPUs are pinned, one per physical CPU, so a guest's WFI may
	 * idle its own CPU directly: lowest wake-up latency, no trap per idle. */
	if (!aarch32)
		hcr |= HCR_RW;
	/* Pointer authentication: let guests use it natively when the CPU has it. */
	uint64_t isar1 = read_sysreg(id_aa64isar1_el1);
	if (isar1 & (0xffULL << 4)) /* APA or API */
		hcr |= HCR_API | HCR_APK;
	return hcr;
}

/* MDCR_EL2 for guests. The PMU's counters are the guest's (HPMN = PMCR_EL0.N)
 * so guests measure themselves for real, but they never count EL2 (HPMD; the
 * cycle counter too: HCCD): the hypervisor's work, on this guest's behalf or
 * not, is no business of the guest's. Only the measurement-only config
 * property insecure-pmu-el2 (make bench) leaves EL2 counting open. HPMD
 * exists from PMUv3p1 (Armv8.1): on PMUv3 cores (Cortex-A53/A57/A72) every
 * guest PMU access traps instead (TPM) and vpmu.c clears the filters' NSH.
 * SPE, if present, traps (TPMS; E2PB = 0: its buffer belongs to EL2). Debug
 * registers are not trapped: a pinned vCPU owns its CPU's. */
static uint64_t mdcr_for_guest(void)
{
	uint64_t dfr0 = read_sysreg(id_aa64dfr0_el1);
	unsigned pmuver = (unsigned)(dfr0 >> 8) & 0xf, pmsver = (unsigned)(dfr0 >> 32) & 0xf;
	uint64_t mdcr = (read_sysreg(pmcr_el0) >> 11) & MDCR_HPMN_MASK;
	bool hide = !plan.insecure_pmu_el2 && pmuver != 0xf; /* 0xf: IMPLEMENTATION DEFINED PMU */
	if (hide && pmuver >= 4)
		mdcr |= MDCR_HPMD;
	else if (hide && pmuver >= 1)
		mdcr |= MDCR_TPM;
	if (hide && pmuver >= 6)
		mdcr |= MDCR_HCCD;
	if (pmsver)
		mdcr |= MDCR_TPMS;
	return mdcr;
}

__attribute__((cold)) void arch_secondary_init(unsigned index)
{
	write_sysreg(tpidr_el2, index);
	pcpus[index].index = index;
	pcpus[index].mpidr = arch_read_mpidr();
	/* Guests see the real MIDR; MPIDR is set per vCPU at entry. */
	write_sysreg(vpidr_el2, read_sysreg(midr_el1));
	write_sysreg(mdcr_el2, mdcr_for_guest());
	/* Timers: EL1 owns the physical counter and timer outright, as it owns
	 * the virtual one (vtimer/vtimer.h); CNTVOFF_EL2 is per domain. */
	write_sysreg(cnthctl_el2, 1ULL << 0 /* EL1PCTEN */ | 1ULL << 1 /* EL1PCEN */);
	write_sysreg(cntvoff_el2, 0);
	/* EL2's own timer, off: its CTL resets UNKNOWN and a loader may leave it
	 * armed; arch_console_later takes ENABLE as its own deadline. */
	write_sysreg(cnthp_ctl_el2, 0);
	write_sysreg(vtcr_el2, arch_vtcr());
	write_sysreg(hcr_el2, hcr_for_guest(false) & ~HCR_VM);
	isb();
	gic_cpu_init(index);
	arch_smccc_probe(index);
}

void arch_fp_reset(void);
void arch_sve_reset(void);

#define DBG_BP(n)                                                                                  \
	do {                                                                                       \
		write_sysreg(dbgbcr##n##_el1, 0);                                                  \
		write_sysreg(dbgbvr##n##_el1, 0);                                                  \
	} while (0)
#define DBG_WP(n)                                                                                  \
	do {                                                                                       \
		write_sysreg(dbgwcr##n##_el1, 0);                                                  \
		write_sysreg(dbgwvr##n##_el1, 0);                                                  \
	} while (0)

/*
 * What a vCPU's EL1/EL0 sees of the debug, PMU, pointer-authentication and
 * FP/SIMD/SVE state: none of it is trapped (a pinned vCPU owns its CPU's), so
 * each (re)start sets all of it to cold-reset values, the same at the first
 * boot and after any restart: breakpoints and watchpoints cleared, the OS
 * lock locked (as after a cold reset), PMU counters stopped and zeroed,
 * pointer-authentication keys zero.
 */
/* Every implemented breakpoint and watchpoint, the debug control registers,
 * and the OS lock locked as at a cold reset. */
static void debug_reset(uint64_t dfr0)
{
	unsigned brps = (unsigned)((dfr0 >> 12) & 0xf), wrps = (unsigned)((dfr0 >> 20) & 0xf);
	/* clang-format off */
	switch (brps) { /* BRPs = number of breakpoints - 1 */
	case 15: DBG_BP(15); /* fall through */
	case 14: DBG_BP(14); /* fall through */
	case 13: DBG_BP(13); /* fall through */
	case 12: DBG_BP(12); /* fall through */
	case 11: DBG_BP(11); /* fall through */
	case 10: DBG_BP(10); /* fall through */
	case 9: DBG_BP(9); /* fall through */
	case 8: DBG_BP(8); /* fall through */
	case 7: DBG_BP(7); /* fall through */
	case 6: DBG_BP(6); /* fall through */
	case 5: DBG_BP(5); /* fall through */
	case 4: DBG_BP(4); /* fall through */
	case 3: DBG_BP(3); /* fall through */
	case 2: DBG_BP(2); /* fall through */
	case 1: DBG_BP(1); /* fall through */
	default: DBG_BP(0);
	}
	switch (wrps) {
	case 15: DBG_WP(15); /* fall through */
	case 14: DBG_WP(14); /* fall through */
	case 13: DBG_WP(13); /* fall through */
	case 12: DBG_WP(12); /* fall through */
	case 11: DBG_WP(11); /* fall through */
	case 10: DBG_WP(10); /* fall through */
	case 9: DBG_WP(9); /* fall through */
	case 8: DBG_WP(8); /* fall through */
	case 7: DBG_WP(7); /* fall through */
	case 6: DBG_WP(6); /* fall through */
	case 5: DBG_WP(5); /* fall through */
	case 4: DBG_WP(4); /* fall through */
	case 3: DBG_WP(3); /* fall through */
	case 2: DBG_WP(2); /* fall through */
	case 1: DBG_WP(1); /* fall through */
	default: DBG_WP(0);
	}
	/* clang-format on */
	write_sysreg(mdscr_el1, 0);
	write_sysreg(mdccint_el1, 0);
	write_sysreg(osdlr_el1, 0);
	write_sysreg(oslar_el1, 1);
}

/* The PMU: counters stopped and zeroed, event types, enables, overflow,
 * user access and filters cleared. */
static void pmu_reset(uint64_t dfr0)
{
	unsigned pmuver = (unsigned)((dfr0 >> 8) & 0xf);
	if (pmuver && pmuver != 0xf) {
		unsigned n = (unsigned)((read_sysreg(pmcr_el0) >> 11) & 0x1f);
		write_sysreg(pmcntenclr_el0, ~0ULL);
		write_sysreg(pmintenclr_el1, ~0ULL);
		write_sysreg(pmovsclr_el0, ~0ULL);
		for (unsigned i = 0; i < n; i++) {
			write_sysreg(pmselr_el0, i);
			isb();
			write_sysreg(pmxevtyper_el0, 0);
		}
		write_sysreg(pmselr_el0, 0);
		write_sysreg(pmccfiltr_el0, 0);
		write_sysreg(pmuserenr_el0, 0);
		write_sysreg(pmcr_el0, (1u << 2) | (1u << 1)); /* C, P: zero every counter; E = 0 */
	}
}

/* Pointer-authentication keys, where the CPU has them. */
static void ptrauth_reset(void)
{
	uint64_t isar1 = read_sysreg(id_aa64isar1_el1), isar2 = read_sysreg(id_aa64isar2_el1);
	if ((isar1 & ((0xffULL << 4) | (0xffULL << 24))) || (isar2 & (0xffULL << 8))) {
		write_sysreg(S3_0_C2_C1_0, 0); /* APIAKeyLo_EL1 */
		write_sysreg(S3_0_C2_C1_1, 0); /* APIAKeyHi_EL1 */
		write_sysreg(S3_0_C2_C1_2, 0); /* APIBKeyLo_EL1 */
		write_sysreg(S3_0_C2_C1_3, 0); /* APIBKeyHi_EL1 */
		write_sysreg(S3_0_C2_C2_0, 0); /* APDAKeyLo_EL1 */
		write_sysreg(S3_0_C2_C2_1, 0); /* APDAKeyHi_EL1 */
		write_sysreg(S3_0_C2_C2_2, 0); /* APDBKeyLo_EL1 */
		write_sysreg(S3_0_C2_C2_3, 0); /* APDBKeyHi_EL1 */
		write_sysreg(S3_0_C2_C3_0, 0); /* APGAKeyLo_EL1 */
		write_sysreg(S3_0_C2_C3_1, 0); /* APGAKeyHi_EL1 */
	}
}

static void el1_state_reset(void)
{
	uint64_t dfr0 = read_sysreg(id_aa64dfr0_el1);
	debug_reset(dfr0);
	pmu_reset(dfr0);
	ptrauth_reset();
	arch_fp_reset();
	if ((read_sysreg(id_aa64pfr0_el1) >> 32) & 0xf) { /* SVE */
		write_sysreg(S3_0_C1_C2_0, 0); /* ZCR_EL1 */
		arch_sve_reset();
	}
}

__attribute__((cold)) void arch_vcpu_reset(struct vcpu *v, uint64_t entry, uint64_t arg0)
{
	struct trap_frame *f = &v->arch.entry_frame;
	memset(f, 0, sizeof(*f));
	f->x[0] = arg0;
	f->elr = entry;
	v->arch.aarch32 = v->dom->guest_32bit; /* every vCPU of a domain: one width */
	f->spsr = PSR_DAIF | PSR_MODE_EL1h;
	v->arch.hcr = hcr_for_guest(v->arch.aarch32);

	/* A clean EL1: MMU and caches off, no vectors, no traps of its own. */
	write_sysreg(sctlr_el1, SCTLR_EL1_RES1);
	write_sysreg(cpacr_el1, 0);
	write_sysreg(vbar_el1, 0);
	write_sysreg(tcr_el1, 0);
	write_sysreg(ttbr0_el1, 0);
	write_sysreg(ttbr1_el1, 0);
	write_sysreg(mair_el1, 0);
	write_sysreg(amair_el1, 0);
	write_sysreg(contextidr_el1, 0);
	write_sysreg(tpidr_el1, 0);
	write_sysreg(tpidr_el0, 0);
	write_sysreg(tpidrro_el0, 0);
	write_sysreg(sp_el0, 0);
	write_sysreg(sp_el1, 0); /* the vectors never restore it: zeroed here */
	write_sysreg(esr_el1, 0);
	write_sysreg(far_el1, 0);
	write_sysreg(afsr0_el1, 0);
	write_sysreg(afsr1_el1, 0);
	write_sysreg(par_el1, 0);
	write_sysreg(cntkctl_el1, 0);
	write_sysreg(elr_el1, 0);
	write_sysreg(spsr_el1, 0);
	write_sysreg(csselr_el1, 0);
	el1_state_reset();
	if (v->arch.aarch32)
		guest32_vcpu_reset(f, entry, arg0, v->on_boot);

	write_sysreg(mdcr_el2, mdcr_for_guest()); /* the config is read by now */
	write_sysreg(vmpidr_el2, (1ULL << 31) | v->index);
	write_sysreg(vttbr_el2, v->dom->arch.vttbr);
	write_sysreg(hcr_el2, v->arch.hcr);
	isb();
	/* Nothing cached from an earlier life of this domain survives. */
	__asm__ volatile("tlbi vmalls12e1\n dsb nsh\n ic iallu\n dsb nsh\n isb" ::: "memory");
	gic_vcpu_reset(v);
	vtimer_vcpu_reset(v);
}

void arch_vcpu_run(struct vcpu *v)
{
	v->arch.entry_frame.owner = v; /* copied to where every trap's frame will be */
	v->frame = (struct trap_frame *)(uintptr_t)(stack_top(v->pcpu) - TF_SIZE);
	arch_enter_guest(&v->arch.entry_frame, stack_top(v->pcpu));
}

/* An interrupt taken while this CPU idles in the hypervisor. */
void trap_hyp_irq(struct trap_frame *f)
{
	(void)f;
	gic_handle_irq(vcpu_of_cpu(arch_cpu_index()));
}

void arch_vcpu_stop(struct vcpu *v)
{
	vgic_vcpu_leave(v); /* what its list registers hold is not lost */
	write_sysreg(hcr_el2, read_sysreg(hcr_el2) & ~HCR_VM);
	vgic_hcr_write(0); /* no maintenance interrupts for a vCPU that left */
	write_sysreg(cntv_ctl_el0, 0);
	write_sysreg(cntp_ctl_el0, 0);
	isb();
}

void arch_halt_system(void)
{
	console_sync(); /* what is buffered goes out first (bounded wait) */
	arch_psci_system_off();
	for (;;)
		wfi();
}

/* An entry's vGIC step: its list registers brought up to date. Inlined
 * into vcpu_entry_check (common/vcpu.c) by the link-time optimiser, as
 * when that named the vGIC itself (built -O2, as cpu.c is: from an -Os
 * file the call would stay a call). */
__attribute__((always_inline)) inline void arch_vcpu_prepare(struct vcpu *v)
{
	vgic_sync_and_flush(v);
}

/* The architecture interface's interrupt-controller hooks: on arm64, the GIC. */
void arch_irq_init(const struct board *b)
{
	gic_init(b);
}

/* A domain's (re)start: its generic timer's counter offset (vtimer/). */
void arch_timer_domain_start(struct domain *d)
{
	vtimer_domain_start(d);
}

void arch_send_ipi(unsigned cpu)
{
	gic_send_ipi(cpu);
}

/* EL2's own timer (CNTHP), this CPU's: 10 ms from the first held byte. Only
 * that CPU's domain writes its held output, so only it takes the exit. */
bool arch_console_later(void)
{
	if (read_sysreg(cnthp_ctl_el2) & 1) /* armed (never without the timer) */
		return true;
	if (!gic_host.htimer_intid)
		return false;
	write_sysreg(cnthp_cval_el2, arch_counter() + arch_counter_freq() / 100);
	write_sysreg(cnthp_ctl_el2, 1); /* ENABLE, not masked */
	return true;
}

void arch_console_later_off(void)
{
	write_sysreg(cnthp_ctl_el2, 0);
}
