/* SPDX-License-Identifier: Apache-2.0 */
/*
 * PSCI and SMCCC: the hypervisor as a PSCI client of the board's firmware
 * (start CPUs, power off), and PSCI 1.1 / SMCCC 1.1 as emulated for guests
 * over HVC or a trapped SMC. Unknown calls return NOT_SUPPORTED and are logged
 * once per function ID and domain, rate-limited (common/report.h), so probing
 * cannot flood the console.
 */
#include "arch.h"
#include "arch-arm64/asm.h"
#include "arch-arm64/sysreg.h"
#include "arch-arm64/trap.h"
#include "common/console.h"
#include "common/hypercall.h"
#include "common/lib.h"
#include "common/percpu.h"
#include "common/report.h"
#include "gic/vgic.h"

#define PSCI_VERSION 0x84000000u
#define PSCI_CPU_SUSPEND 0x84000001u
#define PSCI_CPU_OFF 0x84000002u
#define PSCI_CPU_ON 0x84000003u
#define PSCI_AFFINITY_INFO 0x84000004u
#define PSCI_MIGRATE_INFO_TYPE 0x84000006u
#define PSCI_SYSTEM_OFF 0x84000008u
#define PSCI_SYSTEM_RESET 0x84000009u
#define PSCI_FEATURES 0x8400000Au
#define PSCI_SYSTEM_RESET2 0x84000012u
#define PSCI_64 0x40000000u /* SMC64 variant bit */
#define SMCCC_VERSION 0x80000000u
#define SMCCC_ARCH_FEATURES 0x80000001u
#define SMCCC_ARCH_WORKAROUND_1 0x80008000u /* CVE-2017-5715, Spectre v2 */
#define SMCCC_ARCH_WORKAROUND_2 0x80007fffu /* CVE-2018-3639, speculative store bypass */
#define SMCCC_ARCH_WORKAROUND_3 0x80003fffu /* CVE-2017-5715 and CVE-2022-23960 (BHB) */
#define SMCCC_NOT_REQUIRED (-2)

#define PSCI_SUCCESS 0
#define PSCI_NOT_SUPPORTED (-1)
#define PSCI_INVALID_PARAMETERS (-2)
#define PSCI_DENIED (-3)
#define PSCI_ALREADY_ON (-4)
#define PSCI_ON_PENDING (-5)
#define PSCI_INVALID_ADDRESS (-9)

static uint64_t firmware_call(uint64_t fid, uint64_t a1, uint64_t a2, uint64_t a3)
{
	register uint64_t x0 __asm__("x0") = fid;
	register uint64_t x1 __asm__("x1") = a1;
	register uint64_t x2 __asm__("x2") = a2;
	register uint64_t x3 __asm__("x3") = a3;
	if (board.psci == CONDUIT_HVC)
		__asm__ volatile("hvc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)::"memory");
	else
		__asm__ volatile("smc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)::"memory");
	return x0;
}

void arch_psci_system_off(void)
{
	if (board.psci != CONDUIT_NONE)
		firmware_call(PSCI_SYSTEM_OFF, 0, 0, 0);
}

int arch_psci_cpu_on(uint64_t mpidr, uint64_t entry, uint64_t ctx)
{
	if (board.psci == CONDUIT_NONE)
		return PSCI_NOT_SUPPORTED;
	return (int)firmware_call(PSCI_CPU_ON | PSCI_64, mpidr, entry, ctx);
}

/* What secondary_entry (head.S) reads with its MMU off: how many CPUs
 * pcpus[] lists (their MPIDRs), and where a CPU not among them leaves its
 * MPIDR (bit 63 set) before it parks. */
uint32_t secondary_ncpus;
uint64_t secondary_stray;
_Static_assert(offsetof(struct pcpu, mpidr) == PCPU_MPIDR, "arch-arm64/asm.h: PCPU_MPIDR");

/* Clean and invalidate one variable's line: what a CPU with its MMU off
 * wrote is then read from memory, and no stale line is written over it. */
static void civac(const void *p)
{
	__asm__ volatile("dc civac, %0\n\tdsb sy" ::"r"(p) : "memory");
}

/* Do two listed spin-table CPUs share a release address? */
static bool shared_release(const struct board *b)
{
	for (unsigned i = 0; i < b->ncpus; i++)
		for (unsigned k = i + 1; k < b->ncpus; k++)
			if (b->cpu_method[i] == CPU_METHOD_SPIN_TABLE &&
			    b->cpu_method[k] == CPU_METHOD_SPIN_TABLE &&
			    b->cpu_release_addr[i] == b->cpu_release_addr[k])
				return true;
	return false;
}

__attribute__((cold)) void arch_start_secondaries(const struct board *b, unsigned boot_cpu)
{
	extern char secondary_entry[];
	uint64_t entry = (uint64_t)(uintptr_t)secondary_entry;

	for (unsigned i = 0; i < b->ncpus; i++)
		pcpus[i].mpidr = b->mpidr[i];
	arch_dcache_clean_range((uint64_t)(uintptr_t)pcpus, b->ncpus * sizeof(*pcpus));
	secondary_ncpus = b->ncpus;
	civac(&secondary_ncpus);
	civac(&secondary_stray);
	for (unsigned i = 0; i < b->ncpus; i++) {
		if (i == boot_cpu)
			continue;
		int r;
		if (b->cpu_method[i] == CPU_METHOD_SPIN_TABLE) {
			volatile uint64_t *rel = (void *)(uintptr_t)b->cpu_release_addr[i];
			arch_map_ram(b->cpu_release_addr[i], 8);
			/* Released CPUs find their index by MPIDR (x0 is not theirs to
			 * trust); a release address shared by several releases them all. */
			*rel = entry;
			arch_dcache_clean_range((uint64_t)(uintptr_t)rel, 8);
			sev();
			r = 0;
		} else {
			r = arch_psci_cpu_on(b->mpidr[i], entry, i);
		}
		if (r)
			bh_log("CPU %u (MPIDR 0x%llx) could not be started: PSCI error %d", i,
			       (unsigned long long)b->mpidr[i], r);
	}
	/* Wait (sleeping in WFE: a busy loop would stall a deterministic QEMU run). */
	/* 30 s: generous for a loaded emulator (64 CPUs under TCG on 2 host
	 * cores took over 5), and ends as soon as every CPU is up. */
	uint64_t deadline = arch_counter() + arch_counter_freq() * 30;
	unsigned online;
	do {
		online = 0;
		for (unsigned i = 0; i < b->ncpus; i++)
			online += __atomic_load_n(&pcpus[i].online, __ATOMIC_ACQUIRE);
		if (online == b->ncpus)
			break;
		wfe();
	} while (arch_counter() < deadline);
	bh_log("%u of %u CPUs online", online, b->ncpus);
	/* A release address several listed CPUs share may release CPUs the DT
	 * does not list too (firmware that parks every core on one address):
	 * such a stray may arrive after the listed ones are up. Give it half a
	 * second to say so (only then, and only on such boards). */
	uint64_t stray = 0;
	deadline = shared_release(b) ? arch_counter() + arch_counter_freq() / 2 : 0;
	for (;;) {
		civac(&secondary_stray);
		stray = __atomic_load_n(&secondary_stray, __ATOMIC_ACQUIRE);
		if (stray || arch_counter() >= deadline)
			break;
		__asm__ volatile("yield"); /* not WFE: no event comes if no stray does */
	}
	if (stray)
		bh_log("a CPU with MPIDR 0x%llx is not in the DT's /cpus: parked",
		       (unsigned long long)(stray & ~(1ULL << 63)));
}

/*
 * The SMCCC CPU-vulnerability workarounds, as the board's firmware offers them
 * on each CPU (asked once at boot; -1 = NOT_SUPPORTED). Guests get the
 * firmware's own answers, so a guest sees what it would see on the bare board,
 * and their WORKAROUND_1/3 calls go to the firmware, which does the work (a
 * branch-predictor flush needs EL3 on the affected cores). WORKAROUND_2
 * (dynamic SSBD) would hand the guest the CPU's store-bypass setting, which the
 * hypervisor runs under too: only the firmware's "not required" (mitigated
 * for good) is passed on; otherwise NOT_SUPPORTED. Where the firmware has no
 * answer but the CPU's ID registers say it is not affected (CSV2 >= 1: no
 * Spectre v2; CSV2 = 3 or ECBHB: no branch-history injection either), the
 * answer is 1, "safe to call, not required on this PE", and the call does
 * nothing. QEMU's built-in PSCI has no SMCCC 1.1 (PSCI_FEATURES(SMCCC_VERSION)
 * = NOT_SUPPORTED): on its cortex-a53/a57/a72 (CSV2 = 0) every answer is
 * NOT_SUPPORTED, as for a guest on the bare machine, and the guest (Linux)
 * judges its CPU itself.
 */
static int32_t fw_workaround[BH_MAX_CPUS][3];
/* Whether the firmware is called for a workaround: zero (not called) until
 * arch_smccc_probe finds one to call; in .bss, not 192 bytes of the image. */
static bool fw_call[BH_MAX_CPUS][3];

void arch_smccc_probe(unsigned cpu)
{
	static const uint32_t wa[3] = {SMCCC_ARCH_WORKAROUND_1, SMCCC_ARCH_WORKAROUND_2,
				       SMCCC_ARCH_WORKAROUND_3};
	unsigned csv2 = (unsigned)(read_sysreg(id_aa64pfr0_el1) >> 56) & 0xf;
	unsigned ecbhb = (unsigned)(read_sysreg(id_aa64mmfr1_el1) >> 60) & 0xf;
	fw_workaround[cpu][0] = csv2 >= 1 ? 1 : PSCI_NOT_SUPPORTED;
	fw_workaround[cpu][1] = PSCI_NOT_SUPPORTED;
	fw_workaround[cpu][2] = csv2 >= 3 || ecbhb ? 1 : PSCI_NOT_SUPPORTED;
	/* Only a firmware that says it has SMCCC 1.1 is asked: an SMC it does not
	 * know may be undefined (QEMU without EL3). */
	if (board.psci == CONDUIT_NONE || (int32_t)firmware_call(PSCI_VERSION, 0, 0, 0) < 0x10000 ||
	    (int32_t)firmware_call(PSCI_FEATURES, SMCCC_VERSION, 0, 0) != PSCI_SUCCESS ||
	    (int32_t)firmware_call(SMCCC_VERSION, 0, 0, 0) < 0x10001)
		return;
	for (unsigned i = 0; i < 3; i++) {
		int32_t r = (int32_t)firmware_call(SMCCC_ARCH_FEATURES, wa[i], 0, 0);
		/* Else our own "not required": nothing to call. */
		fw_call[cpu][i] = r != PSCI_NOT_SUPPORTED || fw_workaround[cpu][i] < 0;
		if (fw_call[cpu][i])
			fw_workaround[cpu][i] = r;
	}
}

/* SMCCC_ARCH_FEATURES for a workaround, on the calling vCPU's CPU. */
static int32_t workaround_feature(const struct vcpu *v, unsigned i)
{
	int32_t fw = fw_workaround[v->pcpu][i];
	if (i == 1)
		return fw == SMCCC_NOT_REQUIRED ? fw : PSCI_NOT_SUPPORTED;
	return fw == 0 || fw == 1 ? fw : PSCI_NOT_SUPPORTED;
}

/* ---- guests ---- */

static struct vcpu *vcpu_by_mpidr(struct domain *d, uint64_t mpidr)
{
	/* vCPU n has MPIDR Aff0 = n and all other affinity fields 0. */
	if (mpidr & ~0xffULL || (mpidr & 0xff) >= d->nvcpus)
		return NULL;
	return &d->vcpu[mpidr & 0xff];
}

static int64_t psci_cpu_on(struct vcpu *v, uint64_t target, uint64_t entry, uint64_t ctx,
			   bool is64)
{
	struct domain *d = v->dom;
	struct vcpu *t = vcpu_by_mpidr(d, target);
	if (!t)
		return PSCI_INVALID_PARAMETERS;
	if (!is64) {
		entry &= 0xffffffffULL;
		ctx &= 0xffffffffULL;
	}
	if (entry < d->ram_ipa || entry >= d->ram_ipa + d->ram_size)
		return PSCI_INVALID_ADDRESS;
	switch (vcpu_request_on(t, entry, ctx)) {
	case VCPU_ON_OK:
		return PSCI_SUCCESS;
	case VCPU_ON_ALREADY_ON:
		return PSCI_ALREADY_ON;
	case VCPU_ON_ALREADY_PENDING:
		return PSCI_ON_PENDING;
	case VCPU_ON_DOMAIN_DOWN:
		break; /* a sibling reset or stopped the domain: the caller leaves too */
	}
	return PSCI_DENIED;
}

static int64_t psci_affinity_info(struct vcpu *v, uint64_t target, uint64_t level)
{
	if (level != 0)
		return PSCI_INVALID_PARAMETERS;
	struct vcpu *t = vcpu_by_mpidr(v->dom, target);
	if (!t)
		return PSCI_INVALID_PARAMETERS;
	switch (__atomic_load_n(&t->state, __ATOMIC_ACQUIRE)) {
	case VCPU_RUNNING:
		return 0; /* ON */
	case VCPU_ON_PENDING:
		return 2; /* ON_PENDING */
	default:
		return 1; /* OFF */
	}
}

static bool psci_supported(uint32_t fid)
{
	switch (fid & ~PSCI_64) {
	case PSCI_VERSION:
	case PSCI_CPU_SUSPEND:
	case PSCI_CPU_OFF:
	case PSCI_CPU_ON:
	case PSCI_AFFINITY_INFO:
	case PSCI_MIGRATE_INFO_TYPE:
	case PSCI_SYSTEM_OFF:
	case PSCI_SYSTEM_RESET:
	case PSCI_FEATURES:
	case PSCI_SYSTEM_RESET2:
		return true;
	}
	return fid == SMCCC_VERSION;
}

/* CPU_SUSPEND: every state is entered as standby, the vCPU owning its
 * CPU: a WFI. A virtual interrupt is no WFI wake-up at EL2: with one
 * pending, return at once (standby may). The virtual interface off
 * meanwhile, as the architecture has it (QEMU's WFI wakes on a listed
 * one: a miss here would pass its tests). */
static void psci_standby(struct vcpu *v)
{
	if (vgic_vcpu_pending(v))
		return;
	uint32_t hcr = vgic_hcr_read();
	vgic_hcr_write(0);
	arch_wait_interrupt();
	vgic_hcr_write(hcr);
}

/* What psci_guest did: nothing (not a PSCI call we know), answered, or
 * answered and the caller's vCPU leaves its guest (CPU_OFF, SYSTEM_OFF,
 * SYSTEM_RESET). */
enum psci_done { PSCI_UNKNOWN, PSCI_ANSWERED, PSCI_LEAVE };

static enum psci_done psci_guest(struct vcpu *v, uint64_t *x)
{
	uint32_t fid = (uint32_t)x[0];
	bool is64 = fid & PSCI_64;
	uint32_t base = fid & ~PSCI_64;
	int64_t r;

	if (is64 && v->arch.aarch32)
		return PSCI_UNKNOWN;
	switch (base) {
	case PSCI_VERSION:
		r = 0x10001; /* 1.1 */
		break;
	case PSCI_CPU_SUSPEND:
		psci_standby(v);
		r = PSCI_SUCCESS;
		break;
	case PSCI_CPU_OFF:
		return PSCI_LEAVE;
	case PSCI_CPU_ON:
		r = psci_cpu_on(v, x[1], x[2], x[3], is64);
		break;
	case PSCI_AFFINITY_INFO:
		r = psci_affinity_info(v, is64 ? x[1] : (uint32_t)x[1], x[2]);
		break;
	case PSCI_MIGRATE_INFO_TYPE:
		r = 2; /* no Trusted OS needing migration */
		break;
	case PSCI_SYSTEM_OFF:
		domain_poweroff(v->dom);
		return PSCI_LEAVE;
	case PSCI_SYSTEM_RESET:
	case PSCI_SYSTEM_RESET2:
		domain_reboot(v->dom);
		return PSCI_LEAVE;
	case PSCI_FEATURES:
		r = psci_supported((uint32_t)x[1]) ? PSCI_SUCCESS : PSCI_NOT_SUPPORTED;
		break;
	default:
		return PSCI_UNKNOWN;
	}
	x[0] = (uint64_t)r;
	return PSCI_ANSWERED;
}

static void log_unknown_once(struct vcpu *v, uint32_t fid)
{
	if (report_once(v->dom, REPORT_SMCCC, fid))
		bh_dlog(v->dom->name, "unknown SMC/HVC function 0x%08x: NOT_SUPPORTED (logged once)", fid);
}

enum trap_result smccc_guest_call(struct vcpu *v, uint64_t *x)
{
	uint32_t fid = (uint32_t)x[0];

	/* Bulkhead's own calls first (vendor hypervisor service): the hot ones.
	 * SMC64 from AArch32 does not exist (SMCCC): answered below. */
	if ((fid >> 24 & 0x3f) == 0x06 && !((fid & 0x40000000u) && v->arch.aarch32) &&
	    hypercall_handle(v, x))
		return TRAP_CONTINUE;
	if (fid == SMCCC_VERSION) {
		x[0] = 0x10001; /* SMCCC 1.1 */
		return TRAP_CONTINUE;
	}
	if (fid == SMCCC_ARCH_FEATURES) {
		uint32_t q = (uint32_t)x[1];
		int32_t r = PSCI_NOT_SUPPORTED;
		if (q == SMCCC_VERSION || q == SMCCC_ARCH_FEATURES)
			r = 0;
		else if (q == SMCCC_ARCH_WORKAROUND_1)
			r = workaround_feature(v, 0);
		else if (q == SMCCC_ARCH_WORKAROUND_2)
			r = workaround_feature(v, 1);
		else if (q == SMCCC_ARCH_WORKAROUND_3)
			r = workaround_feature(v, 2);
		x[0] = (uint64_t)(int64_t)r;
		return TRAP_CONTINUE;
	}
	if ((fid & 0x40000000u) && v->arch.aarch32) {
		/* SMC64 from AArch32 does not exist (SMCCC): NOT_SUPPORTED, quietly. */
		x[0] = (uint64_t)(int64_t)PSCI_NOT_SUPPORTED;
		return TRAP_CONTINUE;
	}
	if ((fid >> 24 & 0x3f) == 0x04) { /* standard service: PSCI */
		enum psci_done p = psci_guest(v, x);
		if (p != PSCI_UNKNOWN)
			return p == PSCI_LEAVE ? TRAP_LEAVE : TRAP_CONTINUE;
	}
	if ((fid == SMCCC_ARCH_WORKAROUND_1 && workaround_feature(v, 0) >= 0) ||
	    (fid == SMCCC_ARCH_WORKAROUND_3 && workaround_feature(v, 2) >= 0)) {
		/* Offered: the firmware does it, or nothing needs doing. */
		if (fw_call[v->pcpu][fid == SMCCC_ARCH_WORKAROUND_1 ? 0 : 2])
			firmware_call(fid, 0, 0, 0);
		return TRAP_CONTINUE; /* no result (SMCCC): x0 left as it was */
	}
	log_unknown_once(v, fid);
	x[0] = (uint64_t)(int64_t)PSCI_NOT_SUPPORTED;
	return TRAP_CONTINUE;
}
