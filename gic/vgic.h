/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Virtual GIC: per-domain distributor state, per-vCPU SGI/PPI state, and list
 * register management. The guest sees a GIC of the host's version, at the
 * host's addresses, sized to its vCPUs; it can only enable, pend, target or
 * reprioritise interrupts it owns (its SGIs/PPIs, its devices' SPIs).
 */
#ifndef GIC_VGIC_H
#define GIC_VGIC_H

#include <stdbool.h>
#include <stdint.h>

#include "arch-arm64/sysreg.h" /* FAKE_SYSREG_H in the unit tests */
#include "gic/vgic_types.h"

struct vcpu;
struct domain;

/* Host GIC facts the virtual GIC needs (filled by gic/gic.c). */
struct gic_host {
	unsigned version;
	unsigned vtimer_intid;
	unsigned ptimer_intid; /* the EL1 physical timer's PPI, handled alike */
	unsigned htimer_intid; /* EL2's own (CNTHP): the console's deadline */
	/* GICv2: each timer is a software level interrupt re-sampled from its CTL
	 * on EOI, not linked to the physical PPI: QEMU's GICv2 model never
	 * re-signals a linked level interrupt completed while still asserted. */
	bool timer_sw;
	unsigned nr_lrs;
	unsigned pri_bits;
	unsigned nr_spis;
};
extern struct gic_host gic_host;

void vgic_domain_init(struct domain *d);
void vgic_domain_reset(struct domain *d);
void vgic_vcpu_reset(struct vcpu *v);
/* v leaves its guest (CPU_OFF, its domain stops): on v's own CPU, what its
 * list registers hold goes back to the model (SPIs to whichever vCPU they
 * are routed to next). */
void vgic_vcpu_leave(struct vcpu *v);
/* On v's own CPU: has v a virtual interrupt pending in a list register, or
 * may one wait in the model (its next entry's flush has work: an
 * over-approximation)? A virtual interrupt is no WFI wake-up at EL2, so a
 * standby CPU_SUSPEND returns at once then. */
bool vgic_vcpu_pending(struct vcpu *v);
/* Give the domain an SPI (an emulated device's or a passed-through one). */
/* NULL, or why d cannot have the line (past the lines its vGIC holds). */
const char *vgic_own_spi(struct domain *d, unsigned intid, bool edge);

/* Raise an edge / set a level on a virtual interrupt of vCPU v (PPI/SGI) or of
 * the domain (SPI). Safe from any CPU: the target's CPU is kicked if needed. */
void vgic_inject(struct domain *d, struct vcpu *v, unsigned intid);
void vgic_set_level(struct domain *d, unsigned intid, bool level);
/* Level of one of v's private interrupts (the GICv2 timer). */
void vgic_set_level_vcpu(struct vcpu *v, unsigned intid, bool level);
/* A physical interrupt delivered to this CPU's vCPU, linked to the virtual one
 * so the guest's deactivation deactivates the physical interrupt. */
void vgic_inject_hw(struct vcpu *v, unsigned vintid, unsigned pintid);
/* The same, on v's own CPU, for a private interrupt, straight into a list
 * register when that is all a flush would do: the model unchanged since the
 * last flush (which listed everything deliverable), the interrupt enabled,
 * not pending, and its last instance done. False: nothing done, use
 * vgic_inject_hw. No generation change, so the exit needs no flush. */
bool vgic_list_hw_now(struct vcpu *v, unsigned vintid, unsigned pintid);
/* The GICv2 timer's tick (a software level, see gic_host.timer_sw), the
 * same way: asserted and listed with a maintenance interrupt at its EOI.
 * False: the level asserted in the model instead (vgic_set_level_vcpu's
 * change), for the entry's flush to list. */
bool vgic_v2_tick(struct vcpu *v, unsigned vintid);
/* Send SGI intid from vCPU `from` to the vCPUs in `targets` (bitmask). */
void vgic_send_sgi(struct vcpu *from, unsigned intid, uint32_t targets);

/* Called on the vCPU's own CPU before every entry into its guest, when
 * vgic_needs_flush() says so. */
void vgic_sync_and_flush(struct vcpu *v);
/* The same unconditionally (the maintenance interrupt: a quiet list
 * register may ask for it, which vgic_needs_flush does not look at). */
void vgic_maintenance(struct vcpu *v);
/* Anything for vgic_sync_and_flush to do? Not when the domain's vGIC
 * (generation gen, its vgic_gen) has not changed since this vCPU's last
 * flush (nor, seen_gen stale, its own interrupts), no SGI sent to it
 * waits in sgi_in, and nothing
 * waits unlisted, whatever its list registers hold: the model learns what
 * the guest did with them at its next change, a maintenance interrupt or
 * its leave, and nothing listed waits on that (a register with more of its
 * interrupt waiting asks for EOI maintenance). While interrupts wait
 * unlisted or an SPI is listed, every exit looks (again; VGIC stays set).
 * A change made after this check kicks the vCPU's CPU (an IPI: another
 * exit). */
static inline bool vgic_needs_flush(const struct vgic_cpu *c, uint64_t gen)
{
	return c->again || gen != __atomic_load_n(&c->seen_gen, __ATOMIC_RELAXED) ||
	       __atomic_load_n(&c->sgi_in, __ATOMIC_RELAXED);
}
/* The domain's interrupt-model lock; unlocking marks the model changed. */
void vgic_lock(struct domain *d);
void vgic_unlock(struct domain *d);
void vgic_unlock_unchanged(struct domain *d); /* only looked */
/* After a change that may concern any vCPU: IPI those running elsewhere. */
void vgic_kick_others(struct domain *d);

/* Register-level emulation shared by the GICv2/v3 distributor front-ends. */
struct virq *vgic_irq(struct vcpu *v, unsigned intid);
/* SPIs the domain's virtual GIC implements (INTIDs 32 .. 32 + n - 1). */
unsigned vgic_nr_spis(struct domain *d);
/* Which interrupts a register frame covers: the GICv2 distributor all of
 * them, the GICv3 distributor the SPIs, a GICv3 redistributor its SGIs/PPIs. */
enum dist_part { DIST_ALL, DIST_SHARED, DIST_PRIVATE };
bool vgic_dist_common(struct vcpu *v, uint64_t off, unsigned size, bool write, uint64_t *val,
		      enum dist_part part);

/* Enable or disable a physical SPI passed through to a guest. */
void gic_hw_enable(unsigned intid, bool enable);
/* A passed-through SPI back to its state at boot: disabled, not pending, inactive. */
void gic_hw_reset(unsigned intid);

/* Portable LR image, converted by the version-specific code. */
struct lr_val {
	unsigned state; /* bit 0 pending, bit 1 active */
	bool hw, grp1, eoi;
	uint8_t prio;
	uint16_t vintid, pintid;
	uint8_t src; /* GICv2 SGI source CPU */
};

#define VGIC_HCR_EN (1u << 0)
#define VGIC_HCR_UIE (1u << 1)

/*
 * What differs between the GIC versions' virtual interfaces: their list
 * registers and control register (GICv2: the GICH frame; GICv3: ICH_*_EL2
 * system registers), the guest-visible frames a domain gets, and whether an
 * SGI carries its sender. Chosen once (vgic_select, from gic_init), so no
 * path asks the version again; the list-register helpers below are one
 * indirect call each.
 */
struct vgic_ops {
	uint64_t (*lr_read)(unsigned i);
	void (*lr_write)(unsigned i, uint64_t lr);
	uint64_t (*lr_encode)(const struct lr_val *l);
	void (*lr_decode)(uint64_t raw, struct lr_val *l);
	/* A pending interrupt built from its fields (no lr_val by reference):
	 * HW-linked to pintid, or (pintid < 0) not, then with EOI maintenance
	 * if eoi and a GICv2 SGI's source CPU src. */
	uint64_t (*lr_pending)(unsigned vintid, unsigned prio, bool grp1, int pintid, bool eoi,
			       unsigned src);
	unsigned (*lr_state)(uint64_t raw); /* bit 0 pending, bit 1 active */
	uint32_t (*hcr_read)(void);
	void (*hcr_write)(uint32_t hcr);
	void (*hw_vcpu_reset)(void); /* this CPU's interface: no LR, no active priority */
	int (*domain_register)(struct domain *d); /* the domain's emulated GIC frames */
	bool sgi_source; /* GICv2: each pending SGI remembers its source vCPUs */
};
extern const struct vgic_ops vgic_v2_ops, vgic_v3_ops;
extern const struct vgic_ops *vgic_ops;
/* The virtual interface of the host's GIC version (2 or 3). */
void vgic_select(unsigned version);
/* GICv3's virtual interface (the one whose SGIs keep no source): tested
 * through the ops' flag, not the table's address (no constant kept live
 * across calls). */
/* vgic_ops == &vgic_v3_ops as one byte (vgic_select): a load, not a
 * pointer's load and a field's, on the IPI and timer paths. */
extern bool vgic_is_v3;
static inline bool vgic_v3(void)
{
	return vgic_is_v3;
}
/* ICH_LR<n>_EL2 of a pending interrupt, not HW-linked, without EOI
 * maintenance (GICv3: an SGI's only form): vgic_v3_lr_pending's common
 * case, which the SGI's direct listing builds inline. */
static inline uint64_t vgic_v3_lr_sgi(unsigned vintid, unsigned prio, bool grp1)
{
	return (1ULL << 62) | ((uint64_t)grp1 << 60) | ((uint64_t)prio << 48) | vintid;
}
/* A list register's state (bit 0 pending, bit 1 active), by version: the
 * ops' lr_state, and inline where the version is already tested. */
static inline unsigned vgic_v3_lr_st(uint64_t raw)
{
	return (unsigned)(raw >> 62);
}
static inline unsigned vgic_v2_lr_st(uint64_t raw)
{
	return (unsigned)(raw >> 28) & 3;
}
/* GICH_LR<n> of the same, with EOI maintenance if eoi and an SGI's source
 * CPU src (GICv2): vgic_v2_lr_pending's case without a physical link. */
static inline uint32_t vgic_v2_lr_sgi(unsigned vintid, unsigned prio, bool grp1, bool eoi,
				      unsigned src)
{
	return (1u << 28) | ((uint32_t)grp1 << 30) | ((prio >> 3) << 23) | (vintid & 0x3ff) |
	       ((uint32_t)eoi << 19) | ((src & 7) << 10);
}

/* A list register by index where the version is already tested: a
 * direct call (no table, no pointer loaded). */
uint64_t vgic_v3_lr_read(unsigned i);
void vgic_v3_lr_write(unsigned i, uint64_t lr);
uint64_t vgic_v2_lr_read(unsigned i);
void vgic_v2_lr_write(unsigned i, uint64_t lr);
#ifndef FAKE_SYSREG_H
/* GICv3's: the assembly leaf (gic/vgic_v3.c) by a BL from inline
 * assembly that names what it changes, so the caller keeps its other
 * registers live across it (no spill, no callee-saved frame for them). */
static inline void vgic_v3_lr_put(unsigned i, uint64_t lr)
{
	register uint64_t x0 __asm__("x0") = i;
	register uint64_t x1 __asm__("x1") = lr;
	__asm__ volatile("bl vgic_v3_lr_write" : "+r"(x0) : "r"(x1) : "x16", "x17", "x30");
}
/* Is GICv3's list register i empty (ICH_ELRSR_EL2: state 0, and HW or no
 * EOI maintenance)? One register, no read by index: implies state 0. The
 * ISB: a register written earlier in this exit (a maintenance interrupt's
 * flush) shows in the status only after a context synchronization. */
static inline bool vgic_v3_lr_empty(unsigned i)
{
	uint64_t elrsr;
	__asm__ volatile("isb\n\tmrs %0, S3_4_C12_C11_5" : "=r"(elrsr)); /* no memory clobber */
	return elrsr >> i & 1;
}
#else
#define vgic_v3_lr_put vgic_v3_lr_write
/* The unit tests' fake registers: the architecture's rule from the LR. */
static inline bool vgic_v3_lr_empty(unsigned i)
{
	uint64_t lr = vgic_v3_lr_read(i);
	return !(lr >> 62) && ((lr >> 61 & 1) || !(lr >> 41 & 1));
}
#endif
static inline void vgic_lr_write_v(bool v3, unsigned i, uint64_t lr)
{
	if (v3)
		vgic_v3_lr_put(i, lr);
	else
		vgic_v2_lr_write(i, lr);
}

static inline uint64_t vgic_lr_read(unsigned i)
{
	return vgic_ops->lr_read(i);
}
static inline void vgic_lr_write(unsigned i, uint64_t lr)
{
	vgic_ops->lr_write(i, lr);
}
static inline uint64_t vgic_lr_encode(const struct lr_val *l)
{
	return vgic_ops->lr_encode(l);
}
static inline void vgic_lr_decode(uint64_t raw, struct lr_val *l)
{
	vgic_ops->lr_decode(raw, l);
}
static inline uint32_t vgic_hcr_read(void)
{
	return vgic_ops->hcr_read();
}
static inline void vgic_hcr_write(uint32_t hcr)
{
	vgic_ops->hcr_write(hcr);
}
static inline void vgic_hw_vcpu_reset(void)
{
	vgic_ops->hw_vcpu_reset();
}
/* The domain's emulated distributor (and redistributors), for its GIC version. */
static inline int vgic_register(struct domain *d)
{
	return vgic_ops->domain_register(d);
}

/* Route a physical SPI to a physical CPU (passed-through interrupts). */
void gic_hw_route(unsigned intid, unsigned cpu);
/* The physical CPU a passed-through SPI goes to: its target vCPU's, or, when
 * the guest's routing names no vCPU of the domain, vCPU 0's. Never a CPU the
 * domain does not own, whatever the guest wrote. */
unsigned vgic_hw_route_cpu(const struct domain *d, const struct virq *q);
/* Prepare a passed-through SPI: trigger mode, priority, route; left disabled. */
void gic_hw_configure(unsigned intid, bool edge, unsigned cpu);
/* Clear the active state of this CPU's physical PPI (on vCPU reset). */
void gic_ppi_deactivate(unsigned intid);
void gic_ppi_enable(unsigned intid, bool enable);
/* GICv2's: this CPU's PPI enabled again (the tick's unmask), one store. */
void gic_v2_ppi_unmask(unsigned intid);

int vgic_v2_register(struct domain *d);
int vgic_v3_register(struct domain *d);
void vgic_v3_sgi_sysreg(struct vcpu *v, uint64_t val);
/* A 32-bit GICD_SGIR write, and that register's IPA (~0: no GICv2). */
void vgic_v2_sgir(struct vcpu *v, uint64_t w);
extern uint64_t vgic_v2_sgir_ipa;

#endif
