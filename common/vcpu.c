/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The life of a vCPU on the physical CPU it is pinned to: started (PSCI
 * CPU_ON or its domain's load), entered, and the end of each of its exits —
 * back into the guest, or out of it to this CPU's run loop. One path in
 * (vcpu_prepare_entry), one path out (vcpu_trap_done), both inline in
 * common/domain.h since every exit runs them; the architecture
 * decodes and handles the trap in between (arch-arm64/traps.c).
 */
#include "common/domain.h"
#include "common/vnet.h"
#include "common/percpu.h"

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
	if (ok)
		__atomic_store_n(&v->state, VCPU_RUNNING, __ATOMIC_RELEASE);
	spin_unlock(&d->lock);
	return ok;
}

/* RUNNING -> OFF, on v's own CPU: it left the guest (CPU_OFF, or its domain
 * stopped, powered off or restarts). Whoever waits for its domain's vCPUs to
 * be off (the reload on vCPU 0's CPU) is woken. */
__attribute__((noinline)) void vcpu_stop(struct vcpu *v)
{
	arch_vcpu_stop(v); /* before OFF: a reload may follow at once */
	__atomic_store_n(&v->state, VCPU_OFF, __ATOMIC_RELEASE);
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
			if (vcpu_prepare_entry(v))
				arch_vcpu_run(v);
			vcpu_stop(v); /* its domain stopped meanwhile */
		}
	}
}
