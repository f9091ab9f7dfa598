/* SPDX-License-Identifier: Apache-2.0 */
/*
 * PSCI and SMCCC: the hypervisor as a PSCI client of the board's firmware
 * (start CPUs, power off), and PSCI 1.1 / SMCCC 1.1 as emulated for guests
 * over HVC or a trapped SMC. Unknown calls return NOT_SUPPORTED and are logged
 * once per function ID, with a bounded log, so probing cannot flood the console.
 */
#include "arch.h"
#include "arch-arm64/sysreg.h"
#include "arch-arm64/trap.h"
#include "common/console.h"
#include "common/hypercall.h"
#include "common/lib.h"
#include "common/percpu.h"

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

void arch_start_secondaries(const struct board *b, unsigned boot_cpu)
{
	extern char secondary_entry[];
	uint64_t entry = (uint64_t)(uintptr_t)secondary_entry;

	for (unsigned i = 0; i < b->ncpus; i++) {
		if (i == boot_cpu)
			continue;
		int r;
		if (b->cpu_method[i] == CPU_METHOD_SPIN_TABLE) {
			volatile uint64_t *rel = (void *)(uintptr_t)b->cpu_release_addr[i];
			/* Spin-table CPUs jump with x0 = 0: they find their index by MPIDR. */
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
	uint64_t deadline = arch_counter() + arch_counter_freq() * 5;
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

/* Returns false if fid is not a PSCI call we know. */
static bool psci_guest(struct vcpu *v, uint64_t *x)
{
	uint32_t fid = (uint32_t)x[0];
	bool is64 = fid & PSCI_64;
	uint32_t base = fid & ~PSCI_64;
	int64_t r;

	if (is64 && v->arch.aarch32)
		return false;
	switch (base) {
	case PSCI_VERSION:
		r = 0x10001; /* 1.1 */
		break;
	case PSCI_CPU_SUSPEND:
		/* Every state is entered as standby: the vCPU owns its CPU, so WFI is exact. */
		arch_wait_interrupt();
		r = PSCI_SUCCESS;
		break;
	case PSCI_CPU_OFF:
		vcpu_leave(v);
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
		vcpu_leave(v);
	case PSCI_SYSTEM_RESET:
	case PSCI_SYSTEM_RESET2:
		domain_reboot(v->dom);
		vcpu_leave(v);
	case PSCI_FEATURES:
		r = psci_supported((uint32_t)x[1]) ? PSCI_SUCCESS : PSCI_NOT_SUPPORTED;
		break;
	default:
		return false;
	}
	x[0] = (uint64_t)r;
	return true;
}

static void log_unknown_once(struct vcpu *v, uint32_t fid)
{
	static uint32_t seen[32];
	static unsigned nseen;
	static struct spinlock lock;
	bool log = false, full = false;

	spin_lock(&lock);
	unsigned i;
	for (i = 0; i < nseen && seen[i] != fid; i++)
		;
	if (i == nseen && nseen < ARRAY_SIZE(seen)) {
		seen[nseen++] = fid;
		log = true;
		full = nseen == ARRAY_SIZE(seen);
	}
	spin_unlock(&lock);
	if (log)
		bh_log("domain %s: unknown SMC/HVC function 0x%08x: NOT_SUPPORTED (logged once)",
		       v->dom->name, fid);
	if (full)
		bh_log("further unknown SMC/HVC function IDs are not logged");
}

void smccc_guest_call(struct vcpu *v, uint64_t *x)
{
	uint32_t fid = (uint32_t)x[0];

	if (fid == SMCCC_VERSION) {
		x[0] = 0x10001; /* SMCCC 1.1 */
		return;
	}
	if (fid == SMCCC_ARCH_FEATURES) {
		uint32_t q = (uint32_t)x[1];
		x[0] = (q == SMCCC_VERSION || q == SMCCC_ARCH_FEATURES) ? 0
									: (uint64_t)PSCI_NOT_SUPPORTED;
		return;
	}
	if ((fid & 0x40000000u) && v->arch.aarch32) {
		/* SMC64 from AArch32 does not exist (SMCCC): NOT_SUPPORTED, quietly. */
		x[0] = (uint64_t)(int64_t)PSCI_NOT_SUPPORTED;
		return;
	}
	if ((fid >> 24 & 0x3f) == 0x04 && psci_guest(v, x)) /* standard service: PSCI */
		return;
	if ((fid >> 24 & 0x3f) == 0x06 && hypercall_handle(v, x)) /* vendor hypervisor */
		return;
	log_unknown_once(v, fid);
	x[0] = (uint64_t)(int64_t)PSCI_NOT_SUPPORTED;
}
