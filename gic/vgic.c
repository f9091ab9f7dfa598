/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Virtual GIC core: interrupt state, injection from any CPU, and list-register
 * management on the vCPU's own CPU. Each guest exit syncs the list registers
 * back into the model (sync) and refills them by priority (flush); when more
 * interrupts are pending than there are list registers, the underflow
 * maintenance interrupt brings us back to refill. Reset state is the
 * hardware's: priorities 0, everything disabled, SPIs level, SGIs edge.
 */
#include "arch-arm64/sysreg.h"
#include "common/console.h"
#include "common/domain.h"
#include "common/lib.h"
#include "common/percpu.h"
#include "common/spinlock.h"
#include "gic/gic.h"
#include "gic/vgic.h"

struct gic_host gic_host;
const struct vgic_ops *vgic_ops;
bool vgic_is_v3;

void vgic_select(unsigned version)
{
	vgic_ops = version == 3 ? &vgic_v3_ops : &vgic_v2_ops;
	vgic_is_v3 = version == 3;
}

static inline struct vgic_dist *dist(struct domain *d)
{
	return &d->arch.vgic;
}

/*
 * Every change to a domain's interrupt model happens under its vgic lock, and
 * vgic_unlock() bumps the domain's generation: an exit with no list register
 * in use and an unchanged generation has nothing to sync or flush (the common
 * case: a hypercall, an MMIO or system-register trap), so it skips both.
 */
void vgic_lock(struct domain *d)
{
	spin_lock(&d->arch.vgic_lock);
}

void vgic_unlock(struct domain *d)
{
	__atomic_store_n(&d->arch.vgic_gen, d->arch.vgic_gen + 1, __ATOMIC_RELEASE);
	domain_recheck(d, VCPU_RECHECK_VGIC); /* each vCPU's next exit looks */
	spin_unlock(&d->arch.vgic_lock);
}

void vgic_unlock_unchanged(struct domain *d)
{
	spin_unlock(&d->arch.vgic_lock);
}

struct virq *vgic_irq(struct vcpu *v, unsigned intid)
{
	if (intid < VGIC_NR_PRIV)
		return &v->arch.vgic.priv[intid];
	if (intid - VGIC_NR_PRIV < dist(v->dom)->nr_spis)
		return &dist(v->dom)->spi[intid - VGIC_NR_PRIV];
	return NULL;
}

unsigned vgic_hw_route_cpu(const struct domain *d, const struct virq *q)
{
	return d->vcpu[q->target < d->nvcpus ? q->target : 0].pcpu;
}

/* Built whole and stored at once: a domain's load resets every SPI (288 on
 * QEMU's virt), and a memset then field by field cost ~45 each. */
static void virq_reset(struct virq *q, bool owned, bool edge)
{
	*q = (struct virq){.owned = owned || q->owned,
			   .edge = edge,
			   .cfg_edge = edge,
			   .v2_targets = 1,
			   .hw = q->hw,
			   .hw_intid = q->hw_intid};
}

unsigned vgic_nr_spis(struct domain *d)
{
	return dist(d)->nr_spis;
}

/* domain_init_vcpus() zeroed the domain, its distributor (23 KiB) with it. */
void vgic_domain_init(struct domain *d)
{
	struct vgic_dist *g = dist(d);
	g->nr_spis = MIN(gic_host.nr_spis, (unsigned)VGIC_MAX_SPIS);
}

const char *vgic_own_spi(struct domain *d, unsigned intid, bool edge)
{
	struct vgic_dist *g = dist(d);
	if (intid < 32 || intid - 32 >= g->nr_spis)
		return "not one of its virtual GIC's lines";
	if (!g->spi[intid - 32].owned) {
		_Static_assert(VGIC_MAX_OWNED == 128, "the message below");
		if (g->nowned == VGIC_MAX_OWNED)
			return "more than 128 interrupt lines, the most a domain's virtual GIC "
			       "holds";
		g->owned[g->nowned++] = (uint16_t)intid;
	}
	g->spi[intid - 32].owned = true;
	g->spi[intid - 32].edge = edge;
	g->spi[intid - 32].cfg_edge = edge;
	return NULL;
}

void vgic_domain_reset(struct domain *d)
{
	struct vgic_dist *g = dist(d);
	vgic_lock(d);
	__atomic_store_n(&g->enabled_grp0, false, __ATOMIC_RELAXED); /* see group_enabled */
	__atomic_store_n(&g->enabled_grp1, false, __ATOMIC_RELAXED);
	/* Only the SPIs it owns: no register access and no injection changes
	 * another's state (each checks owned), which stays as vgic_domain_init()
	 * left it. A passed-through SPI the last life took and never completed
	 * stays active in the physical GIC (its list register is gone): the
	 * device would never interrupt again. Disabled (the guest enables it),
	 * not pending, inactive. */
	for (unsigned k = 0; k < g->nowned; k++) {
		struct virq *q = &g->spi[g->owned[k] - 32u];
		virq_reset(q, false, q->cfg_edge);
		if (q->hw)
			gic_hw_reset(q->hw_intid);
	}
	/* Every vCPU's SGIs and PPIs too, not only at that vCPU's own start:
	 * until then another vCPU can read them (GICv3: its redistributor). */
	for (unsigned n = 0; n < d->nvcpus; n++) {
		struct vgic_cpu *c = &d->vcpu[n].arch.vgic;
		for (unsigned i = 0; i < VGIC_NR_PRIV; i++)
			virq_reset(&c->priv[i], true, i < 16);
		c->priv_enabled = 0;
		c->rd_sleep = true;
		__atomic_store_n(&c->sgi_in, 0, __ATOMIC_RELAXED); /* sent to the last life */
	}
	vgic_unlock(d);
}

void vgic_vcpu_reset(struct vcpu *v)
{
	struct vgic_cpu *c = &v->arch.vgic;
	/* Under the lock: another vCPU may be pending an SGI here already (v
	 * is RUNNING from its claim on). */
	vgic_lock(v->dom);
	/* sgi_in too: an SGI sent concurrently lands before or after (the
	 * OR's exclusive store fails if a store of the reset came between). */
	memset(c, 0, sizeof(*c));
	c->seen_gen = VGIC_GEN_STALE; /* the first entry flushes (and enables the interface) */
	c->rd_sleep = true;
	for (unsigned i = 0; i < VGIC_NR_PRIV; i++)
		virq_reset(&c->priv[i], true, i < 16);
	vgic_unlock(v->dom);
	vgic_hw_vcpu_reset();
}

static struct vcpu *target_of(struct domain *d, struct vcpu *v, unsigned intid, struct virq *q)
{
	if (intid < VGIC_NR_PRIV)
		return v;
	return q->target < d->nvcpus ? &d->vcpu[q->target] : NULL;
}

/* Does the vCPU run on another CPU, which must be kicked to look at its
 * interrupts soon? */
static inline bool kick_needed(const struct vcpu *t)
{
	return t->pcpu != arch_cpu_index() &&
	       __atomic_load_n(&t->state, __ATOMIC_ACQUIRE) == VCPU_RUNNING;
}

/* Make the vCPU look at its interrupts soon: if it runs on another CPU, IPI it. */
static void kick(struct vcpu *t)
{
	if (t && kick_needed(t))
		gic_send_ipi(t->pcpu);
}

void vgic_kick_others(struct domain *d)
{
	for (unsigned i = 0; i < d->nvcpus; i++)
		kick(&d->vcpu[i]);
}

static bool group_enabled(struct domain *d, const struct virq *q)
{
	return q->group1 ? dist(d)->enabled_grp1 : dist(d)->enabled_grp0;
}

/* group_enabled without the lock (the GICv2 tick): an atomic load, as the
 * enables' writers (GICD_CTLR) store them, so no data race. */
static inline bool group_enabled_nolock(struct domain *d, const struct virq *q)
{
	_Static_assert(offsetof(struct vgic_dist, enabled_grp1) ==
			   offsetof(struct vgic_dist, enabled_grp0) + 1, "indexed by group1");
	return __atomic_load_n(&dist(d)->enabled_grp0 + q->group1, __ATOMIC_RELAXED);
}

/*
 * An edge. Coalesced as a GIC does, and at no cost to the target's CPU (a
 * doorbell rung in a loop must not flood the other domain): if it is already
 * pending, whoever made it pending has made sure it will be delivered (an
 * IPI, a list-register maintenance interrupt, or the enable that makes it
 * deliverable), so nothing changes; if it is disabled it becomes pending and
 * the enable kicks, so no IPI now. Neither if an edge merged into its
 * listed instance (lr_latched): that register's EOI maintenance lists it.
 */
void vgic_inject(struct domain *d, struct vcpu *v, unsigned intid)
{
	struct vcpu *t = NULL;
	vgic_lock(d);
	struct virq *q = vgic_irq(v ? v : &d->vcpu[0], intid);
	if (!q || !q->owned || q->pending) {
		vgic_unlock_unchanged(d);
		return;
	}
	q->pending = true;
	if (q->enabled && group_enabled(d, q) && !(q->in_lr && q->lr_latched && q->edge && !q->hw))
		t = target_of(d, v, intid, q);
	vgic_unlock(d);
	kick(t);
}

void vgic_set_level(struct domain *d, unsigned intid, bool level)
{
	struct vcpu *t = NULL;
	vgic_lock(d);
	struct virq *q = vgic_irq(&d->vcpu[0], intid);
	if (!q || !q->owned || q->level == level) {
		vgic_unlock_unchanged(d); /* e.g. the emulated UART's line, often */
		return;
	}
	q->level = level;
	t = target_of(d, NULL, intid, q);
	vgic_unlock(d);
	kick(t);
}

void vgic_set_level_vcpu(struct vcpu *v, unsigned intid, bool level)
{
	vgic_lock(v->dom);
	struct virq *q = vgic_irq(v, intid);
	if (q)
		q->level = level;
	vgic_unlock(v->dom);
}

void vgic_inject_hw(struct vcpu *v, unsigned vintid, unsigned pintid)
{
	struct domain *d = v->dom;
	vgic_lock(d);
	struct virq *q = vgic_irq(v, vintid);
	if (q) {
		q->hw = true;
		q->hw_linked = true;
		q->hw_intid = (uint16_t)pintid;
		q->pending = true;
	}
	vgic_unlock(d);
}

/*
 * A private interrupt of v (on v's own CPU) straight into a list register,
 * HW-linked (the guest's deactivation completes the physical one), when
 * that is all a flush would do: the model unchanged since the last flush
 * (which listed everything deliverable), nothing waiting unlisted, the
 * interrupt enabled, not pending, and its last instance done. The register
 * is kept in lr_quiet, not lr_used: no exit needs to read it back before
 * that. No generation change: nothing another vCPU must see. The LR is
 * built from the fields directly (lr_pending, lr_state): no lr_val by
 * reference, no stack canary. (GICv2's timer, not linked: vgic_v2_tick.)
 */
bool vgic_list_hw_now(struct vcpu *v, unsigned vintid, unsigned pintid)
{
	struct domain *d = v->dom;
	struct vgic_cpu *c = &v->arch.vgic;
	struct virq *q = &c->priv[vintid & (VGIC_NR_PRIV - 1)];
	unsigned i = VGIC_MAX_LRS;
	spin_lock(&d->arch.vgic_lock); /* another vCPU may be writing our redistributor */
	/* Not past an SGI sent and unclaimed: the flush lists by priority. */
	if (vintid < VGIC_NR_PRIV && c->seen_gen == d->arch.vgic_gen && !c->waiting &&
	    !*(volatile uint32_t *)&c->sgi_in && /* a hint: GCC folds no offset into an atomic load */
	    q->enabled && !q->pending && group_enabled(d, q)) {
		if (q->in_lr) { /* its last instance: reuse that register once done */
			uint64_t raw = vgic_lr_read(q->lr);
			if (!(vgic_v3() ? vgic_v3_lr_st(raw) : vgic_v2_lr_st(raw)))
				i = q->lr;
		} else if (!q->active) {
			uint32_t free = ~(c->lr_used | c->lr_quiet) & ((1u << gic_host.nr_lrs) - 1);
			if (free)
				i = (unsigned)__builtin_ctz(free);
		}
	}
	if (i != VGIC_MAX_LRS) {
		q->hw = true;
		q->hw_linked = false; /* the link is in this LR instance */
		q->hw_intid = (uint16_t)pintid;
		q->level = q->active = q->lr_latched = false;
		q->in_lr = true;
		q->lr = (uint8_t)i;
		c->lr_intid[i] = (uint16_t)vintid;
		c->lr_used &= ~(1u << i);
		c->lr_quiet |= 1u << i;
		vgic_lr_write(i, vgic_ops->lr_pending(vintid, q->prio, q->group1, (int)pintid, false, 0));
	}
	spin_unlock(&d->arch.vgic_lock); /* no model change another vCPU must see */
	return i != VGIC_MAX_LRS;
}

/*
 * The GICv2 timer's tick (gic_host.timer_sw), on v's own CPU: vgic_list_hw_now's
 * rule for a level not linked, built for GICv2 alone (its register by a
 * direct call, its value inline: no indirect call, no bit-field of pintid
 * to choose), and without the vgic lock: on GICv2 everything it reads and
 * writes but the domain's generation and groups is written on v's own CPU
 * alone (docs/ARCHITECTURE.md, "The GICv2 timer tick without the lock").
 * Where it declines, the level is set in the model under the lock
 * (vgic_set_level_vcpu's change: the entry's flush lists it).
 */
__attribute__((noinline)) bool vgic_v2_tick(struct vcpu *v, unsigned vintid)
{
	struct domain *d = v->dom;
	struct vgic_cpu *c = &v->arch.vgic;
	vintid &= VGIC_NR_PRIV - 1; /* a PPI (the board's timer INTIDs are checked) */
	struct virq *q = &c->priv[vintid];
	uint32_t free = ~(c->lr_used | c->lr_quiet) & ((1u << gic_host.nr_lrs) - 1);
	/* Its last instance still listed (its maintenance interrupt not yet
	 * taken) or active: the general path's. */
	if (c->seen_gen == __atomic_load_n(&d->arch.vgic_gen, __ATOMIC_RELAXED) && !c->waiting &&
	    !*(volatile uint32_t *)&c->sgi_in && q->enabled && !q->pending && !q->level &&
	    !q->in_lr && !q->active && free && group_enabled_nolock(d, q)) {
		/* As vgic_list_hw_now lists it, but the fields already so: not
		 * listed, so lr_latched clear (every path that unlists clears
		 * it); never hw, hw_linked (on GICv2 only a passed-through
		 * SPI is linked). */
		unsigned i = (unsigned)__builtin_ctz(free);
		q->level = q->in_lr = true;
		q->lr = (uint8_t)i;
		c->lr_intid[i] = (uint16_t)vintid;
		c->lr_quiet |= 1u << i; /* i was free: not in lr_used */
		vgic_v2_lr_write(i, vgic_v2_lr_sgi(vintid, q->prio, q->group1, true, 0));
		return true;
	}
	vgic_set_level_vcpu(v, vintid, true);
	return false;
}

/*
 * Each target's SGI into its sgi_in with one atomic OR, then its recheck
 * byte (a release store: the OR before it); GICv3 with no vgic lock (the
 * exit claims the bit as its pending state: sgi_claim), GICv2 with the
 * source in the model under the lock. The kick after a DSB ISH: both
 * complete before the IPI can be taken (docs/ARCHITECTURE.md, the SGI
 * handover).
 */
void vgic_send_sgi(struct vcpu *from, unsigned intid, uint32_t targets)
{
	struct domain *d = from->dom;
	targets &= (uint32_t)((1ULL << d->nvcpus) - 1);
	struct vcpu *vcpus = d->vcpu;
	bool by_source = !vgic_v3();
	if (by_source)
		vgic_lock(d);
	for (uint32_t m = targets; m; m &= m - 1) { /* by the targets' bits */
		struct vcpu *t = &vcpus[__builtin_ctz(m)];
		if (by_source)
			t->arch.vgic.priv[intid & 15].sgi_src |= (uint8_t)(1u << from->index);
		__atomic_fetch_or(&t->arch.vgic.sgi_in, 1u << (intid & 15), __ATOMIC_RELAXED);
		vcpu_recheck(t, VCPU_RECHECK_VGIC);
	}
	/* Only the targets' own interrupts changed: no generation. */
	if (by_source)
		vgic_unlock_unchanged(d);
	/* The sender runs on this CPU: its own exit flushes, no kick. The
	 * targets are the sender's domain's: no kick accounting on the way
	 * (their CPUs charge the exit to that domain). */
	for (uint32_t m = targets & ~(1u << from->index); m; m &= m - 1) {
		struct vcpu *t = &vcpus[__builtin_ctz(m)];
		if (kick_needed(t)) {
			dsb(ish);
			gic_kick_own(t->pcpu);
		}
	}
}

/* v's SGIs sent since the last claim (bit = INTID), the vgic lock held:
 * one exchange (none when the word reads 0). GICv3: not yet pending in
 * priv[] (sgi_pend_all). */
static inline uint32_t sgi_claim(struct vgic_cpu *c)
{
	if (!__atomic_load_n(&c->sgi_in, __ATOMIC_RELAXED))
		return 0;
	return __atomic_exchange_n(&c->sgi_in, 0, __ATOMIC_ACQUIRE);
}

/* The SGIs `ids` already claimed and any still in the word, pending in
 * the model (GICv3; GICv2's sources are there already), the vgic lock
 * held; any: v's exit flushes. */
static __attribute__((noinline)) void sgi_pend_all(struct vgic_cpu *c, uint32_t ids)
{
	ids |= sgi_claim(c);
	if (!ids)
		return;
	for (ids = vgic_v3() ? ids : 0; ids; ids &= ids - 1)
		c->priv[__builtin_ctz(ids)].pending = true;
	__atomic_store_n(&c->seen_gen, VGIC_GEN_STALE, __ATOMIC_RELEASE);
}

/* Is q asking to be delivered (apart from being enabled)? */
static bool wants_delivery(const struct virq *q)
{
	return q->pending || (!q->edge && q->level) || q->sgi_src;
}

/* An SPI v gives back to the model (consumed with its line still high, or
 * evicted) that is now routed to another vCPU: that vCPU must look again. */
static struct vcpu *hand_back(struct vcpu *v, unsigned intid, const struct virq *q,
			      struct vcpu *other)
{
	if (intid >= VGIC_NR_PRIV && q->target != v->index && q->target < v->dom->nvcpus &&
	    wants_delivery(q))
		return &v->dom->vcpu[q->target];
	return other;
}

/* A list register sync found still pending or active: the model learns
 * its active state; a dropped level is withdrawn, and EOI maintenance
 * asked for when more of it waits. Out of line: the decode by reference
 * (a stack canary) stays off the common sync, where every register it
 * reads was consumed. */
static __attribute__((noinline)) void sync_listed(struct vcpu *v, unsigned i, uint64_t raw,
						  struct virq *q)
{
	struct vgic_cpu *c = &v->arch.vgic;
	struct lr_val l;
	vgic_lr_decode(raw, &l);
	unsigned id = c->lr_intid[i];
	bool v2_sgi = id < 16 && vgic_ops->sgi_source;
	bool changed = false;
	q->active = l.state & 2;
	if (!(l.state & 1))
		q->lr_latched = false; /* acknowledged: the latch (or merged edge) is spent */
	if (l.state == 1 && !q->edge && !q->hw && !q->level && !q->pending && !q->lr_latched) {
		/* A level source that dropped before the guest took it: withdraw
		 * (not one the guest pended itself: that stays pending until
		 * acknowledged or cleared, whatever the line does). */
		vgic_lr_write(i, 0);
		c->lr_used &= ~(1u << i);
		q->in_lr = false;
		return;
	}
	/* Still pending (the register's state proves it was since it was
	 * listed): an edge since is that one pending instance, as in a GIC
	 * (GICv2: the same sender's SGI). A PPI's or SPI's is marked latched
	 * in the register: its EOI maintenance (below) then lists the edges
	 * that come after without a kick (vgic_inject), taken or not by then.
	 * (SGIs: a send always kicks.) Never a passed-through one, linked
	 * or not: its physical instance waits for a linked register. */
	if ((l.state & 1) && v2_sgi) {
		q->sgi_src &= (uint8_t)~(1u << l.src);
	} else if ((l.state & 1) && !q->hw && q->edge && q->pending) {
		q->lr_latched = id >= 16;
		q->pending = false;
	}
	/* Not once EOI maintenance is asked for: that relists it, whichever
	 * exit syncs first (no exit but a change's must read it back). */
	if (l.state == 2 && !l.eoi && q->pending && q->edge && !v2_sgi) {
		/* A new edge while the last one is being handled: pending+active. */
		l.state = 3;
		q->pending = false;
		changed = true;
	} else if (l.state == 2 && !l.eoi && v2_sgi && (q->sgi_src & (1u << l.src))) {
		/* GICv2: the same SGI from the same sender again. */
		l.state = 3;
		q->sgi_src &= (uint8_t)~(1u << l.src);
		changed = true;
	}
	if (!l.hw && !l.eoi && (q->lr_latched || wants_delivery(q))) {
		/* More of it waits (another sender's SGI, or a further edge) but
		 * cannot be listed while this one is active; the guest may
		 * deactivate it without an exit (EOImode 1: DIR), so ask for a
		 * maintenance interrupt when it does. */
		l.eoi = true;
		changed = true;
	}
	if (changed)
		vgic_lr_write(i, vgic_lr_encode(&l));
}

/* GICv2's timer `id` (gic_host.timer_sw: this vCPU's own, on its CPU):
 * is its line asserted (ENABLE, ISTATUS and not IMASK in its CTL)? */
static bool timer_asserted(unsigned id)
{
	uint64_t ctl = id == gic_host.vtimer_intid ? read_sysreg(cntv_ctl_el0) : read_sysreg(cntp_ctl_el0);
	return (ctl & 5) == 5 && !(ctl & 2);
}

/* Read every list register in use back into the model. Returns a vCPU an
 * SPI given back is now routed to (hand_back), if any: by value, not
 * through a pointer (no stack canary on the exit path). */
static struct vcpu *sync(struct vcpu *v)
{
	struct vgic_cpu *c = &v->arch.vgic;
	struct vcpu *other = NULL;
	uint32_t used = c->lr_used | c->lr_quiet;
	while (used) {
		unsigned i = (unsigned)__builtin_ctz(used);
		used &= used - 1;
		uint64_t raw = vgic_lr_read(i);
		struct virq *q = vgic_irq(v, c->lr_intid[i]);
		if (!q)
			continue;
		if (vgic_ops->lr_state(raw) == 0) {
			/* Consumed: pending taken and the interrupt deactivated (the
			 * common case, told by the state alone: no full decode). */
			q->active = q->lr_latched = false;
			vgic_lr_write(i, 0);
			c->lr_used &= ~(1u << i);
			c->lr_quiet &= ~(1u << i);
			q->in_lr = false;
			unsigned id = c->lr_intid[i];
			if (gic_host.timer_sw && (id == gic_host.vtimer_intid || id == gic_host.ptimer_intid)) {
				q->level = timer_asserted(id); /* sampled again */
				if (!q->level)
					gic_v2_ppi_unmask(id);
			}
			other = hand_back(v, c->lr_intid[i], q, other);
			continue;
		}
		sync_listed(v, i, raw, q);
	}
	return other;
}

static inline void put_in_lr(struct vcpu *v, unsigned i, unsigned intid, struct virq *q)
{
	struct vgic_cpu *c = &v->arch.vgic;
	int pintid = -1;
	unsigned src = 0;
	if (q->hw_linked) { /* the link moves into this LR instance */
		pintid = q->hw_intid;
		q->hw_linked = false;
	}
	if (q->sgi_src) {
		src = (unsigned)__builtin_ctz(q->sgi_src);
		q->sgi_src &= (uint8_t)~(1u << src);
	}
	/* A level without a link: EOI, to re-sample it when the guest
	 * deactivates it; a GICv2 SGI with more senders waiting: EOI, to list
	 * the next (no exit reads the register back before that). */
	bool eoi = pintid < 0 && (!q->edge || q->sgi_src);
	q->lr_latched = q->pending && !q->edge;
	q->pending = false;
	q->in_lr = true;
	q->lr = (uint8_t)i;
	c->lr_intid[i] = (uint16_t)intid;
	c->lr_used |= 1u << i; /* i was free: not quiet either */
	uint64_t lr = vgic_ops->lr_pending(intid, q->prio, q->group1, pintid, eoi, src);
	/* Active in the model too (ISACTIVER, a leave): pending+active, as a
	 * GIC keeps it. Not a linked one: its active state is the physical's. */
	if (q->active && pintid < 0)
		lr |= vgic_v3() ? 2ull << 62 : 2u << 28;
	vgic_lr_write(i, lr);
}

/* Highest-priority deliverable interrupt for v not yet in a list register. */
static unsigned best_candidate(struct vcpu *v, unsigned *count)
{
	struct domain *d = v->dom;
	struct vgic_dist *g = dist(d);
	unsigned best = 1023, bestp = 0x100, n = 0;
	/* Only the enabled ones (most are not): a bit each in priv_enabled. */
	for (uint32_t m = v->arch.vgic.priv_enabled; m; m &= m - 1) {
		unsigned i = (unsigned)__builtin_ctz(m);
		const struct virq *q = &v->arch.vgic.priv[i];
		if (!q->in_lr && wants_delivery(q) && group_enabled(d, q)) {
			n++;
			if (q->prio < bestp)
				best = i, bestp = q->prio;
		}
	}
	for (unsigned k = 0; k < g->nowned; k++) {
		unsigned i = g->owned[k] - 32u;
		struct virq *q = &g->spi[i];
		if (q->enabled && !q->in_lr && q->target == v->index && wants_delivery(q) &&
		    group_enabled(d, q)) {
			n++;
			if (q->prio < bestp)
				best = i + 32, bestp = q->prio;
		}
	}
	*count = n;
	return best;
}

/* Out of line: its eviction decodes an lr_val by reference (a stack
 * canary), which the exits that only sync, or list an SGI directly, skip. */
static __attribute__((noinline)) struct vcpu *flush(struct vcpu *v, struct vcpu *other)
{
	struct vgic_cpu *c = &v->arch.vgic;
	unsigned count;
	bool more = false;


	for (;;) {
		unsigned intid = best_candidate(v, &count);
		if (intid == 1023)
			break;
		struct virq *q = vgic_irq(v, intid);
		uint32_t free = ~(c->lr_used | c->lr_quiet) & ((1u << gic_host.nr_lrs) - 1);
		if (!free) {
			/* Evict the lowest-priority LR that is only pending, if q beats it. */
			unsigned victim = VGIC_MAX_LRS, vprio = 0;
			for (unsigned i = 0; i < gic_host.nr_lrs; i++) {
				struct lr_val l;
				vgic_lr_decode(vgic_lr_read(i), &l);
				struct virq *o = vgic_irq(v, c->lr_intid[i]);
				if (l.state == 1 && o && !l.hw && o->prio >= vprio &&
				    o->prio > q->prio) {
					victim = i;
					vprio = o->prio;
				}
			}
			if (victim == VGIC_MAX_LRS) {
				more = true;
				break;
			}
			struct virq *o = vgic_irq(v, c->lr_intid[victim]);
			struct lr_val l;
			vgic_lr_decode(vgic_lr_read(victim), &l);
			if (c->lr_intid[victim] < 16 && vgic_ops->sgi_source)
				o->sgi_src |= (uint8_t)(1u << l.src);
			else
				/* Pending again as it was listed: an edge, a latch, or
				 * an ISPENDR since; a level one otherwise waits on its
				 * line. */
				o->pending = o->pending || o->edge || o->lr_latched;
			o->lr_latched = false;
			o->in_lr = false;
			other = hand_back(v, c->lr_intid[victim], o, other);
			vgic_lr_write(victim, 0);
			c->lr_used &= ~(1u << victim);
			c->lr_quiet &= ~(1u << victim); /* a GICv2 tick's (not linked) */
			free = 1u << victim;
			count++; /* the evicted one waits again */
		}
		put_in_lr(v, (unsigned)__builtin_ctz(free), intid, q);
		if (count == 1)
			break; /* it was the only one waiting: no need to look again */
	}
	c->waiting = more;
	uint32_t hcr = VGIC_HCR_EN | (more ? VGIC_HCR_UIE : 0);
	if (vgic_hcr_read() != hcr)
		vgic_hcr_write(hcr);
	return other;
}

/*
 * The GICv2 timer's maintenance interrupt, the common case, without the
 * vgic lock (as vgic_v2_tick: all it reads and writes but the domain's
 * generation is v's own CPU's on GICv2): the guest completed the one tick
 * listed quiet (vgic_v2_tick), and nothing else is listed, waits or
 * changed since the last flush. If the timer's line has dropped (the guest
 * re-armed or stopped it), free its register and unmask its PPI: all a
 * sync would do, and the flush after it would find nothing to list.
 * False: nothing done, a full sync and flush is needed (a line still
 * asserted is listed again by it; both timers listed: it too).
 */
static bool timers_done_quiet(struct vcpu *v)
{
	struct vgic_cpu *c = &v->arch.vgic;
	uint32_t quiet = c->lr_quiet;
	if (!gic_host.timer_sw || !quiet || (quiet & (quiet - 1)) || c->lr_used || c->waiting ||
	    c->seen_gen != __atomic_load_n(&v->dom->arch.vgic_gen, __ATOMIC_RELAXED))
		return false;
	unsigned i = (unsigned)__builtin_ctz(quiet), id = c->lr_intid[i];
	if (vgic_v2_lr_st(vgic_v2_lr_read(i))) /* timer_sw: GICv2's */
		return false; /* not completed yet */
	if (timer_asserted(id))
		return false; /* still asserted */
	struct virq *q = &c->priv[id & (VGIC_NR_PRIV - 1)]; /* quiet: private */
	vgic_v2_lr_write(i, 0);
	q->in_lr = q->level = q->active = q->lr_latched = false;
	c->lr_quiet = 0;
	gic_v2_ppi_unmask(id);
	return true;
}

/* Does an interrupt of the list registers in `freed` (just freed by a
 * sync) still want delivery (a level still high, another sender's SGI)? */
static bool freed_want(struct vcpu *v, uint32_t freed)
{
	for (; freed; freed &= freed - 1) {
		struct virq *q = vgic_irq(v, v->arch.vgic.lr_intid[__builtin_ctz(freed)]);
		if (q && wants_delivery(q))
			return true;
	}
	return false;
}

/*
 * The exit of a vCPU whose model changed by one SGI alone since its last
 * flush (`sgis`, just claimed; seen_gen the generation, nothing waiting),
 * the vgic lock held: the SGI
 * listed without reading back the other registers in use. Into its own
 * last register if the guest is done with it (one read), else the lowest
 * free one; the others stay in lr_used for a later sync to read back
 * (what the general sync would free there and relist wants no
 * delivery: tested in the model, no register read). Guest-visible as the
 * general path: its sync frees only registers the guest no longer sees.
 * False, nothing done: the general sync and flush.
 */
static bool list_sgi_direct(struct vcpu *v, uint64_t gen, uint32_t sgis)
{
	struct vgic_cpu *c = &v->arch.vgic;
	unsigned s = (unsigned)__builtin_ctz(sgis), i;
	struct virq *q = &c->priv[s & 15];
	/* Claimed: pending (GICv3), or its sources in sgi_src (GICv2). */
	if (c->seen_gen != gen || c->again || (sgis & (sgis - 1)) || !(c->priv_enabled & sgis) ||
	    !group_enabled(v->dom, q) || q->active)
		return false;
	uint32_t mine = q->in_lr ? 1u << q->lr : 0;
	for (uint32_t m = (c->lr_used | c->lr_quiet) & ~mine; m; m &= m - 1) {
		struct virq *o = vgic_irq(v, c->lr_intid[__builtin_ctz(m)]);
		if (o && wants_delivery(o))
			return false;
	}
	/* The state and the register built inline for the version (chosen at
	 * boot), the register written by a direct call to the version's
	 * accessor: no indirect call; GICv3's state from ICH_ELRSR_EL2 (an
	 * empty register: state 0; one with EOI maintenance is declined). */
	bool v3 = vgic_v3();
	if (mine) { /* its last instance: pending+active is the general path's */
		/* Still in lr_used and lr_intid[] as its listing left them (an
		 * SGI is never quiet; a sync or eviction that frees its register
		 * clears in_lr): nothing to record again. */
		i = q->lr;
		if (v3 ? !vgic_v3_lr_empty(i) : vgic_v2_lr_st(vgic_v2_lr_read(i)) != 0)
			return false;
	} else {
		uint32_t free = ~(c->lr_used | c->lr_quiet) & ((1u << gic_host.nr_lrs) - 1);
		if (!free)
			return false;
		i = (unsigned)__builtin_ctz(free);
		q->lr = (uint8_t)i;
		c->lr_intid[i] = (uint16_t)s;
		c->lr_used |= 1u << i;
	}
	/* put_in_lr's listing for an SGI: an edge (no latch), never linked. */
	q->pending = q->active = q->lr_latched = false;
	q->in_lr = true;
	if (v3) { /* no sources: sgi_src stays 0 on GICv3 */
		vgic_lr_write_v(true, i, vgic_v3_lr_sgi(s, q->prio, q->group1));
		return true;
	}
	/* GICv2: its lowest source, EOI if another sender's waits. */
	unsigned src = (unsigned)__builtin_ctz(q->sgi_src | 0x100u);
	q->sgi_src &= (uint8_t)~(1u << src);
	vgic_lr_write_v(false, i, vgic_v2_lr_sgi(s, q->prio, q->group1, q->sgi_src != 0, src));
	return true;
}

/* Sync and flush, the vgic lock held (not vgic_lock(): no change, mostly);
 * unlocks. */
static void sync_and_flush_locked(struct vcpu *v)
{
	struct domain *d = v->dom;
	struct vgic_cpu *c = &v->arch.vgic;
	uint64_t gen = d->arch.vgic_gen;
	/* The model as at the last flush, which listed all it could (nothing
	 * waits): a flush can only list what this sync frees and still wants
	 * delivery. The exit after a guest completed its interrupts, or sent
	 * an SGI from its handler, skips it. SGIs claimed (seen_gen stale)
	 * that list_sgi_direct declined: the flush. */
	uint32_t held = c->seen_gen == gen && !c->waiting ? c->lr_used | c->lr_quiet : ~0u;
	c->seen_gen = gen;
	struct vcpu *other = sync(v);
	if (held == ~0u || freed_want(v, held & ~(c->lr_used | c->lr_quiet)))
		other = flush(v, other);
	c->again = c->waiting;
	/* An SPI, or more of one waiting; of a tick listed directly, one
	 * pended behind it (ISPENDR0): HW-linked, its deactivation raises no
	 * maintenance interrupt (the GICv2 tick's level asks for one). */
	for (uint32_t m = c->lr_used | c->lr_quiet; m; m &= m - 1) {
		unsigned i = (unsigned)__builtin_ctz(m), id = c->lr_intid[i];
		const struct virq *q = &c->priv[id & 31];
		c->again = c->again || id >= VGIC_NR_PRIV || q->pending ||
			   ((c->lr_used >> i & 1) && wants_delivery(q));
	}
	if (c->again) /* looked at again at the next exit, whatever else happens */
		vcpu_recheck(v, VCPU_RECHECK_VGIC);
	if (!other) {
		spin_unlock(&d->arch.vgic_lock);
		return;
	}
	vgic_unlock(d); /* a change for another vCPU: its next exit looks */
	kick(other);
}

void vgic_sync_and_flush(struct vcpu *v)
{
	struct domain *d = v->dom;
	struct vgic_cpu *c = &v->arch.vgic;
	uint64_t gen = __atomic_load_n(&d->arch.vgic_gen, __ATOMIC_ACQUIRE);
	if (!vgic_needs_flush(c, gen))
		return;
	spin_lock(&d->arch.vgic_lock);
	uint32_t sgis = sgi_claim(c);
	if (sgis && list_sgi_direct(v, d->arch.vgic_gen, sgis)) {
		spin_unlock(&d->arch.vgic_lock); /* only v's own interrupts changed */
		return;
	}
	sgi_pend_all(c, sgis); /* any claimed (or sent since): the general path's */
	sync_and_flush_locked(v);
}

void vgic_maintenance(struct vcpu *v)
{
	struct domain *d = v->dom;
	/* SGIs still in sgi_in: their sender set v's recheck byte, so this
	 * exit's entry check claims and lists them, after this. */
	if (timers_done_quiet(v))
		return;
	spin_lock(&d->arch.vgic_lock);
	sync_and_flush_locked(v);
}

void vgic_vcpu_leave(struct vcpu *v)
{
	struct domain *d = v->dom;
	struct vgic_cpu *c = &v->arch.vgic;
	vgic_lock(d);
	struct vcpu *other = sync(v);
	for (uint32_t used = c->lr_used | c->lr_quiet; used; used &= used - 1) {
		unsigned i = (unsigned)__builtin_ctz(used);
		struct lr_val l;
		vgic_lr_decode(vgic_lr_read(i), &l);
		vgic_lr_write(i, 0);
		struct virq *q = vgic_irq(v, c->lr_intid[i]);
		if (!q)
			continue;
		/* As an eviction gives it back, the active state and the
		 * physical link (a passed-through SPI still active) with it. */
		if (l.state & 1)
			q->pending = q->pending || q->edge || q->lr_latched;
		q->active = l.state & 2;
		q->hw_linked = q->hw_linked || l.hw;
		q->lr_latched = false;
		q->in_lr = false;
		other = hand_back(v, c->lr_intid[i], q, other);
	}
	c->lr_used = c->lr_quiet = 0;
	c->waiting = c->again = false;
	vgic_unlock(d); /* the next flush anywhere looks again */
	vgic_kick_others(d);
}

/* ---- distributor registers shared by GICD (v2, v3) and GICR_SGI (v3) ---- */

/* Is q (intid) in a list register of this CPU, v's, which v runs on? An
 * SPI's register is its holder's: read through v's distributor view, the
 * index alone may name another interrupt of v's own. */
static __attribute__((noinline)) bool listed_here(struct vcpu *v, unsigned intid, const struct virq *q)
{
	const struct vgic_cpu *c = &v->arch.vgic;
	return q->in_lr && v->pcpu == arch_cpu_index() && c->lr_intid[q->lr] == intid &&
	       ((c->lr_used | c->lr_quiet) >> q->lr & 1);
}

/* Another vCPU reads v's SGIs and PPIs (its redistributor) while v has
 * registers unread (the in-use registers' contract): v's next exit reads
 * them back, kicked, so a read after it is at most that exit old. */
static void read_back_soon(struct vcpu *v, uint32_t *kick_mask)
{
	struct vgic_cpu *c = &v->arch.vgic;
	if (c->seen_gen == VGIC_GEN_STALE)
		return; /* already due to sync, and kicked */
	__atomic_store_n(&c->seen_gen, VGIC_GEN_STALE, __ATOMIC_RELEASE);
	vcpu_recheck(v, VCPU_RECHECK_VGIC);
	*kick_mask |= 1u << v->index;
}

static uint32_t read_bits(struct vcpu *v, unsigned first, unsigned reg, uint32_t *kick_mask)
{
	const struct vgic_cpu *c = &v->arch.vgic;
	uint32_t r = 0;
	/* SGIs sent, not yet claimed, are pending too (a read claims nothing:
	 * the exit's direct listing stays possible). GICv3: their pending
	 * state; GICv2: their sources are in sgi_src already (set with the
	 * bit under the lock; consumed only by an exit, which claims the bit
	 * before the vCPU reads again): nothing added. */
	uint32_t sent = first ? 0 : __atomic_load_n(&c->sgi_in, __ATOMIC_RELAXED);
	for (unsigned b = 0; b < 32; b++) {
		struct virq *q = vgic_irq(v, first + b);
		if (!q || (!q->owned && first + b >= 32))
			continue;
		bool bit = false;
		switch (reg) {
		case 0: /* IGROUPR */
			bit = q->group1;
			break;
		case 1: /* ISENABLER/ICENABLER */
			bit = q->enabled;
			break;
		case 2: /* ISPENDR/ICPENDR: pending even when masked; listed
			 * elsewhere: pending until read back */
			bit = wants_delivery(q) || (sent >> b & 1);
			if (q->in_lr)
				bit = bit || !listed_here(v, first + b, q) ||
				      (vgic_ops->lr_state(vgic_lr_read(q->lr)) & 1);
			break;
		case 3: /* ISACTIVER/ICACTIVER: the guest acknowledges without an exit */
			bit = q->active;
			if (listed_here(v, first + b, q))
				bit = vgic_ops->lr_state(vgic_lr_read(q->lr)) & 2;
			break;
		}
		r |= (uint32_t)bit << b;
	}
	/* v's own SGIs and PPIs read from another vCPU: as at its last read-back */
	if (reg >= 2 && !first && v->pcpu != arch_cpu_index() && (c->lr_used | c->lr_quiet))
		read_back_soon(v, kick_mask);
	return r;
}

static void write_bits(struct vcpu *v, unsigned first, unsigned reg, bool set, uint32_t val,
		       uint32_t *kick_mask)
{
	struct domain *d = v->dom;
	for (unsigned b = 0; b < 32; b++) {
		if (!(val & (1u << b)))
			continue;
		unsigned intid = first + b;
		struct virq *q = vgic_irq(v, intid);
		if (!q || (!q->owned && intid >= 32))
			continue; /* not this domain's: stays as it is */
		struct vcpu *t = target_of(d, v, intid, q);
		switch (reg) {
		case 0: /* may make it deliverable (or not): the target looks again */
			q->group1 = set;
			if (t)
				*kick_mask |= 1u << t->index;
			break;
		case 1:
			q->enabled = set;
			if (intid < VGIC_NR_PRIV && set)
				v->arch.vgic.priv_enabled |= 1u << intid;
			else if (intid < VGIC_NR_PRIV)
				v->arch.vgic.priv_enabled &= ~(1u << intid);
			if (set && t)
				*kick_mask |= 1u << t->index;
			if (q->hw && intid >= 32)
				gic_hw_enable(q->hw_intid, set);
			break;
		case 2:
			if (intid < 16 && vgic_ops->sgi_source)
				break; /* GICv2 SGIs: pended through SPENDSGIR */
			q->pending = set;
			if (set && t)
				*kick_mask |= 1u << t->index;
			if (set && listed_here(v, intid, q)) { /* a quiet tick's: its */
				v->arch.vgic.lr_quiet &= ~(1u << q->lr); /* EOI syncs, lists it */
				v->arch.vgic.lr_used |= 1u << q->lr;
			}
			if (!set)
				q->lr_latched = false;
			if (!set && listed_here(v, intid, q)) {
				struct lr_val l;
				vgic_lr_decode(vgic_lr_read(q->lr), &l);
				l.state &= ~1u;
				vgic_lr_write(q->lr, vgic_lr_encode(&l));
			}
			break;
		case 3:
			q->active = set;
			if (listed_here(v, intid, q)) {
				struct lr_val l;
				vgic_lr_decode(vgic_lr_read(q->lr), &l);
				l.state = (l.state & 1) | (set ? 2 : 0);
				vgic_lr_write(q->lr, vgic_lr_encode(&l));
			}
			break;
		}
	}
}

/*
 * IGROUPR..ICFGR (offsets 0x080-0xcff of a GICD or GICR_SGI frame).
 * private_only: only INTIDs 0-31 exist here (GICR_SGI); shared_only: INTIDs
 * 0-31 are RAZ/WI here (GICv3 GICD with affinity routing).
 */
/* One bit per interrupt (0x080-0x3ff): 0 IGROUPR, 1 ISENABLER, 2 ICENABLER,
 * 3 ISPENDR, 4 ICPENDR, 5 ISACTIVER, 6 ICACTIVER, 0x80 bytes each. */
static bool dist_bits(struct vcpu *v, uint64_t off, unsigned size, bool write, uint64_t *val,
		      enum dist_part part, uint32_t *kick_mask)
{
	struct domain *d = v->dom;
	unsigned reg = (unsigned)((off - 0x080) >> 7);
	unsigned first = (unsigned)((off & 0x7f) / 4) * 32;
	static const unsigned kind[7] = {0, 1, 1, 2, 2, 3, 3};
	bool set = reg == 0 || (reg & 1);
	if (size != 4)
		return false;
	if (write && !first && part != DIST_SHARED && kind[reg] == 2)
		sgi_pend_all(&v->arch.vgic, 0); /* ICPENDR0: the SGIs sent, in the model first */
	if ((part == DIST_PRIVATE && first) || (part == DIST_SHARED && first == 0) ||
	    first >= 32 + dist(d)->nr_spis) {
		if (!write)
			*val = 0;
	} else if (write && reg == 0) {
		uint32_t cur = read_bits(v, first, 0, kick_mask);
		write_bits(v, first, 0, true, (uint32_t)*val & ~cur, kick_mask);
		write_bits(v, first, 0, false, ~(uint32_t)*val & cur, kick_mask);
	} else if (write) {
		write_bits(v, first, kind[reg], set, (uint32_t)*val, kick_mask);
	} else {
		*val = read_bits(v, first, kind[reg], kick_mask);
	}
	return true;
}

/* IPRIORITYR (0x400-0x7ff): a byte per interrupt, 5 priority bits. */
static bool dist_prio(struct vcpu *v, uint64_t off, unsigned size, bool write, uint64_t *val,
		      enum dist_part part)
{
	unsigned first = (unsigned)(off - 0x400);
	if (size != 1 && size != 4)
		return false;
	if ((part == DIST_PRIVATE && first >= 32) || (part == DIST_SHARED && first < 32)) {
		if (!write)
			*val = 0;
		return true;
	}
	uint64_t r = 0;
	for (unsigned b = 0; b < size; b++) {
		struct virq *q = vgic_irq(v, first + b);
		if (!q || (!q->owned && first + b >= 32))
			continue;
		if (write)
			q->prio = (uint8_t)((*val >> (8 * b)) & 0xf8); /* 5 bits */
		else
			r |= (uint64_t)q->prio << (8 * b);
	}
	if (!write)
		*val = r;
	return true;
}

/* ICFGR (0xc00-0xcff): two bits per interrupt, edge in the upper one. */
static bool dist_cfg(struct vcpu *v, uint64_t off, unsigned size, bool write, uint64_t *val,
		     enum dist_part part)
{
	unsigned first = (unsigned)(off - 0xc00) * 4;
	if (size != 4)
		return false;
	if ((part == DIST_PRIVATE && first >= 32) || (part == DIST_SHARED && first < 32)) {
		if (!write)
			*val = 0;
		return true;
	}
	uint32_t r = 0;
	for (unsigned b = 0; b < 16; b++) {
		unsigned intid = first + b;
		struct virq *q = vgic_irq(v, intid);
		if (!q || (!q->owned && intid >= 32))
			continue;
		if (write && intid >= 16)
			q->edge = (*val >> (2 * b + 1)) & 1;
		r |= (uint32_t)q->edge << (2 * b + 1);
	}
	if (!write)
		*val = r;
	return true;
}

bool vgic_dist_common(struct vcpu *v, uint64_t off, unsigned size, bool write, uint64_t *val,
		      enum dist_part part)
{
	struct domain *d = v->dom;
	uint32_t kick_mask = 0;
	bool ok = true;

	if (off & (size - 1)) /* misaligned: a word across two registers' bytes */
		return false;
	vgic_lock(d);
	if (off >= 0x080 && off < 0x400)
		ok = dist_bits(v, off, size, write, val, part, &kick_mask);
	else if (off >= 0x400 && off < 0x800)
		ok = dist_prio(v, off, size, write, val, part);
	else if (off >= 0xc00 && off < 0xd00)
		ok = dist_cfg(v, off, size, write, val, part);
	else if (size != 4 && size != 1) /* GICv3 ITARGETSR: RAZ/WI, bytes too */
		ok = false;
	else if (!write)
		*val = 0;
	if (write)
		vgic_unlock(d);
	else
		vgic_unlock_unchanged(d);
	for (unsigned i = 0; i < d->nvcpus; i++)
		if (kick_mask & (1u << i))
			kick(&d->vcpu[i]);
	return ok;
}

bool vgic_vcpu_pending(struct vcpu *v)
{
	struct vgic_cpu *c = &v->arch.vgic;
	if (c->waiting || vgic_needs_flush(c, __atomic_load_n(&v->dom->arch.vgic_gen, __ATOMIC_ACQUIRE)))
		return true;
	for (uint32_t m = c->lr_used | c->lr_quiet; m; m &= m - 1) {
		uint64_t raw = vgic_lr_read((unsigned)__builtin_ctz(m));
		unsigned st = vgic_ops->lr_state(raw);
		/* Completed with EOI maintenance owed (not yet taken): a GICv2
		 * tick's PPI stays masked until it is, and standby turns the
		 * interface off. A wake-up it may have. The EOI and HW bits
		 * read by version, no lr_val by reference: no stack canary in
		 * the PSCI dispatch this is inlined into. */
		bool eoi = vgic_v3() ? raw >> 41 & 1 : raw >> 19 & 1;
		bool hw = vgic_v3() ? raw >> 61 & 1 : raw >> 31 & 1;
		if ((st & 1) || (!st && eoi && !hw))
			return true;
	}
	return false;
}
