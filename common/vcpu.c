/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The life of a vCPU on the physical CPU it is pinned to: started (PSCI
 * CPU_ON or its domain's load), entered, and the end of each of its exits —
 * back into the guest, or out of it to this CPU's run loop. One path out
 * (vcpu_trap_done, inline in common/domain.h since every exit runs it: one
 * word tested), one full check of an entry (vcpu_entry_check, the first
 * entry and any exit whose recheck word is set); the architecture decodes
 * and handles the trap in between (arch-arm64/traps.c).
 */
#include "common/domain.h"
#include "common/vnet.h"
#include "common/percpu.h"

/* The domain's and the vCPU's states, and a waiting transmit queue: what a
 * LIFE or NET byte announces. */
static bool entry_check_life(struct vcpu *v)
{
	struct domain *d = v->dom;
	/* A transmit queue left after its budget: the next budget, on this exit
	 * of the sender (docs/networking.md, "Bounded work"). */
	if (__atomic_load_n(&d->vnet_pending, __ATOMIC_RELAXED))
		vnet_run_pending(v);
	return __atomic_load_n(&d->state, __ATOMIC_ACQUIRE) == DOM_RUNNING &&
	       __atomic_load_n(&v->state, __ATOMIC_ACQUIRE) == VCPU_RUNNING;
}

bool vcpu_entry_check(struct vcpu *v)
{
	/* Read and cleared in one step (acquire): a byte stored before it comes
	 * with the change its writer stored first (release); one stored after
	 * it stays set for the next exit, and its writer kicks this CPU if it
	 * must be seen at once. Only what a byte announces is looked at: every
	 * change of the domain's or the vCPU's state sets LIFE, so without it
	 * both are as the last full check saw them, running. */
	uint32_t why = __atomic_exchange_n(&v->recheck.any, 0, __ATOMIC_ACQ_REL);
	if (why != VCPU_RECHECK_WORD(VCPU_RECHECK_VGIC) && !entry_check_life(v))
		return false;
	/* arm64: the vGIC's list registers, when its model changed for v
	 * (gic/vgic.c). */
	arch_vcpu_prepare(v);
	return true;
}

/* The first entry of a vCPU's life: everything looked at. */
static bool entry_check_first(struct vcpu *v)
{
	vcpu_recheck(v, VCPU_RECHECK_LIFE);
	return vcpu_entry_check(v);
}

/* PSCI CPU_ON of t: make it ON_PENDING, if the domain is running and t is off. */
enum vcpu_on_result vcpu_request_on(struct vcpu *t, uint64_t entry, uint64_t ctx)
{
	struct domain *d = t->dom;
	enum vcpu_on_result r;
	spin_lock(&d->lock);
	if (__atomic_load_n(&d->state, __ATOMIC_ACQUIRE) != DOM_RUNNING) {
		r = VCPU_ON_DOMAIN_DOWN;
	} else if (t->state == VCPU_RUNNING) {
		r = VCPU_ON_ALREADY_ON;
	} else if (t->state == VCPU_ON_PENDING) {
		r = VCPU_ON_ALREADY_PENDING;
	} else {
		t->on_entry = entry;
		t->on_ctx = ctx;
		t->on_boot = false;
		__atomic_store_n(&t->state, VCPU_ON_PENDING, __ATOMIC_RELEASE);
		r = VCPU_ON_OK;
	}
	spin_unlock(&d->lock); /* its event wakes t's CPU */
	return r;
}

/* On v's own CPU: ON_PENDING -> RUNNING, unless its domain stopped running. */
static bool vcpu_claim(struct vcpu *v)
{
	struct domain *d = v->dom;
	bool ok;
	spin_lock(&d->lock);
	ok = __atomic_load_n(&d->state, __ATOMIC_ACQUIRE) == DOM_RUNNING &&
	     v->state == VCPU_ON_PENDING;
	if (ok) {
		__atomic_store_n(&v->state, VCPU_RUNNING, __ATOMIC_RELEASE);
		vcpu_recheck(v, VCPU_RECHECK_LIFE);
	}
	spin_unlock(&d->lock);
	return ok;
}

/* RUNNING -> OFF, on v's own CPU: it left the guest (CPU_OFF, or its domain
 * stopped, powered off or restarts). Whoever waits for its domain's vCPUs to
 * be off (the reload on vCPU 0's CPU) is woken. */
__attribute__((noinline, cold)) void vcpu_stop(struct vcpu *v)
{
	arch_vcpu_stop(v); /* before OFF: a reload may follow at once */
	__atomic_store_n(&v->state, VCPU_OFF, __ATOMIC_RELEASE);
	vcpu_recheck(v, VCPU_RECHECK_LIFE); /* its next life starts with the full check */
	arch_send_event();
}

static bool all_vcpus_off(struct domain *d)
{
	for (unsigned i = 0; i < d->nvcpus; i++)
		if (__atomic_load_n(&d->vcpu[i].state, __ATOMIC_ACQUIRE) != VCPU_OFF)
			return false;
	return true;
}

/* What v's CPU has to do next, by the states alone (no lock, no change). */
enum cpu_work { CPU_IDLE, CPU_RELOAD, CPU_ENTER };

static enum cpu_work cpu_work_of(struct vcpu *v)
{
	if (!v)
		return CPU_IDLE;
	struct domain *d = v->dom;
	enum dom_state ds = __atomic_load_n(&d->state, __ATOMIC_ACQUIRE);
	/* vCPU 0's CPU reloads a restarting domain once all its vCPUs left. */
	if (ds == DOM_RESTARTING && v->index == 0 && all_vcpus_off(d))
		return CPU_RELOAD;
	if (ds == DOM_RUNNING && __atomic_load_n(&v->state, __ATOMIC_ACQUIRE) == VCPU_ON_PENDING)
		return CPU_ENTER;
	return CPU_IDLE;
}

/*
 * A CPU with nothing to run sleeps here until an event (any state change
 * above sends one) gives it work. Its own function, never inlined: make
 * bench leaves its instructions out of the EL2 counts, since on hardware
 * the CPU sleeps, and under QEMU the number of turns it takes depends on
 * the host's scheduling of the round-robin (docs/BENCHMARKS.md, Method).
 */
static __attribute__((noinline)) enum cpu_work cpu_idle_wait(struct vcpu *v)
{
	enum cpu_work w;
	while ((w = cpu_work_of(v)) == CPU_IDLE)
		arch_idle();
	return w;
}

void cpu_run_loop(void)
{
	struct vcpu *v = vcpu_of_cpu(arch_cpu_index());

	for (;;) {
		if (cpu_idle_wait(v) == CPU_RELOAD) {
			domain_load(v->dom);
		} else if (vcpu_claim(v)) {
			arch_vcpu_reset(v, v->on_entry, v->on_ctx);
			if (entry_check_first(v))
				arch_vcpu_run(v);
			vcpu_stop(v); /* its domain stopped meanwhile */
		}
	}
}
