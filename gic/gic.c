/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Physical GIC drivers (GICv2 and GICv3), as the hypervisor uses them: its
 * own IPIs (SGI 0 = "leave the guest and look at your domain's state") and
 * acknowledging interrupts. Split priority-drop/deactivate (EOImode = 1) so
 * interrupts forwarded to guests can be deactivated by the guest.
 */
#include "arch.h"
#include "arch-arm64/sysreg.h"
#include "common/console.h"
#include "common/lib.h"
#include "common/percpu.h"
#include "gic/gic.h"
#include "gic/vgic.h"
#include "vtimer/vtimer.h"

#define SGI_KICK 0

/* Distributor (both versions) */
#define GICD_CTLR 0x0000
#define GICD_TYPER 0x0004
#define GICD_IGROUPR 0x0080
#define GICD_ISENABLER 0x0100
#define GICD_ICENABLER 0x0180
#define GICD_ICPENDR 0x0280
#define GICD_ISACTIVER 0x0300
#define GICD_ICACTIVER 0x0380
#define GICD_IPRIORITYR 0x0400
#define GICD_ITARGETSR 0x0800
#define GICD_ICFGR 0x0c00
#define GICD_IROUTER 0x6000
#define GICD_SGIR 0x0f00
/* GICv2 CPU interface */
#define GICC_CTLR 0x0000
#define GICC_PMR 0x0004
#define GICC_BPR 0x0008
#define GICC_IAR 0x000c
#define GICC_EOIR 0x0010
#define GICC_DIR 0x1000
/* GICv2 virtual interface control */
#define GICH_VTR 0x0004
/* GICv3 redistributor */
#define GICR_TYPER 0x0008
#define GICR_WAKER 0x0014
#define GICR_SGI 0x10000
#define GICR_STRIDE 0x20000

static uint64_t gicd, gicc, gich, gicr_base, gicr_size;
static uint64_t gicr_mapped; /* of the redistributor region, from its start */
/* GICC_DIR's offset: 0x1000, or 0x10000 where a GIC-400 repeats each 4 KiB
 * page over 64 KiB (a 128 KiB GICC in the DT, e.g. ZynqMP): there 0x1000 is
 * GICC_CTLR again. */
static unsigned gicc_dir = GICC_DIR;
static unsigned maint_intid, vtimer_intid, ptimer_intid, htimer_intid, uart_intid;

static inline volatile uint32_t *r32(uint64_t base, unsigned off)
{
	return (volatile uint32_t *)(uintptr_t)(base + off);
}
static inline volatile uint64_t *r64(uint64_t base, unsigned off)
{
	return (volatile uint64_t *)(uintptr_t)(base + off);
}

/*
 * What differs between the physical GIC versions, chosen once in gic_init():
 * GICv2 is reached through its memory-mapped CPU interface and GICH frame,
 * GICv3 through system registers and a redistributor per CPU.
 */
struct gic_hw_ops {
	void (*init)(const struct board *b);
	void (*cpu_init)(unsigned index);
	/* Acknowledge and EOI are not here: called directly (gic_v3()), the
	 * kick's exit pays no indirect call for them. */
	void (*route)(unsigned intid, unsigned cpu);
	void (*route_here)(unsigned intid); /* to this CPU, before its gic_cpu_init() */
	void (*spi_group1)(unsigned intid); /* make it an IRQ at EL2 */
};
static const struct gic_hw_ops *hw;

/* The version, known since gic_init(): a test, not an indirect call, on
 * the interrupt path. */
static inline bool gic_v3(void)
{
	return vgic_is_v3; /* set with hw by gic_init's vgic_select */
}

static uint64_t find_redist(uint64_t mpidr);

/* Boot-only: optimised for size (cold), like the -Os files (Makefile). */
__attribute__((cold)) static void v3_init(const struct board *b)
{
	gicr_base = b->gicr.base;
	gicr_size = b->gicr.size;
	/* Only as far as the board's CPUs' redistributors: QEMU's DT gives a
	 * region for 123 CPUs (15 MiB, 352 pages of it off 2 MiB blocks). They
	 * usually come first, in CPU order; if one is not there, the whole
	 * region. Each CPU then finds its own (gic_cpu_init) in what is mapped. */
	gicr_mapped = MIN(gicr_size, (uint64_t)b->ncpus * GICR_STRIDE);
	for (unsigned i = 0;; gicr_mapped = gicr_size) {
		arch_map_device(gicr_base, gicr_mapped);
		while (i < b->ncpus && find_redist(b->mpidr[i]))
			i++;
		if (i == b->ncpus || gicr_mapped == gicr_size)
			break;
	}
	/* Affinity routing on, Group 1 enabled (security disabled or NS view). */
	*r32(gicd, GICD_CTLR) = (1u << 4) | (1u << 1) | (1u << 0);
	uint64_t vtr = read_sysreg(S3_4_C12_C11_1); /* ICH_VTR_EL2 */
	gic_host.nr_lrs = (unsigned)(vtr & 0x1f) + 1;
	gic_host.pri_bits = (unsigned)((vtr >> 29) & 7) + 1;
}

__attribute__((cold)) static void v2_init(const struct board *b)
{
	gicc = b->gicc.base;
	gich = b->gich.base;
	if (b->gicc.size >= 0x20000)
		gicc_dir = 0x10000;
	arch_map_device(gicc, gicc_dir + 0x1000);
	arch_map_device(gich, 0x1000);
	*r32(gicd, GICD_CTLR) = 1;
	uint32_t vtr = *r32(gich, GICH_VTR);
	gic_host.nr_lrs = (vtr & 0x3f) + 1;
	gic_host.pri_bits = ((vtr >> 29) & 7) + 1;
}

static const struct gic_hw_ops v2_ops, v3_ops;

__attribute__((cold)) void gic_init(const struct board *b)
{
	hw = b->gic_version == 3 ? &v3_ops : &v2_ops;
	gicd = b->gicd.base;
	arch_map_device(gicd, 0x10000);
	gic_host.version = b->gic_version;
	vgic_select(b->gic_version);
	gic_host.nr_spis = MIN(((*r32(gicd, GICD_TYPER) & 0x1f) + 1) * 32 - 32, 988u);
	hw->init(b);
	if (gic_host.nr_lrs > VGIC_MAX_LRS)
		gic_host.nr_lrs = VGIC_MAX_LRS;
	maint_intid = b->maint_irq;
	vtimer_intid = b->timer_irq[2];
	gic_host.vtimer_intid = vtimer_intid;
	ptimer_intid = b->timer_irq[1]; /* EL1 physical timer: the guest's too */
	gic_host.ptimer_intid = ptimer_intid;
	htimer_intid = b->timer_irq[3]; /* EL2's: arch_console_later's deadline */
	gic_host.htimer_intid = htimer_intid;
	gic_host.timer_sw = b->gic_version == 2;
	/* The console UART's receive interrupt: to the boot CPU, which owns input. */
	uart_intid = b->uart_irq;
	if (uart_intid >= 32) {
		unsigned n = uart_intid;
		*r32(gicd, GICD_IPRIORITYR + (n & ~3u)) &= ~(0xffu << (8 * (n & 3)));
		*r32(gicd, GICD_ICFGR + (n / 16) * 4) &= ~(2u << (2 * (n % 16))); /* level */
		hw->spi_group1(n);
		hw->route_here(n);
		*r32(gicd, GICD_ISENABLER + (n / 32) * 4) = 1u << (n % 32);
	}
	dsb(sy);
}

void gic_hw_enable(unsigned intid, bool enable)
{
	if (intid < 32)
		return;
	*r32(gicd, (enable ? GICD_ISENABLER : GICD_ICENABLER) + (intid / 32) * 4) = 1u << (intid % 32);
}

void gic_hw_reset(unsigned intid)
{
	if (intid < 32 || intid >= 1020)
		return;
	uint32_t bit = 1u << (intid % 32);
	unsigned word = (intid / 32) * 4;
	*r32(gicd, GICD_ICENABLER + word) = bit;
	*r32(gicd, GICD_ICPENDR + word) = bit; /* a level still asserted pends again */
	*r32(gicd, GICD_ICACTIVER + word) = bit;
	dsb(sy);
}

void gic_hw_configure(unsigned intid, bool edge, unsigned cpu)
{
	if (intid < 32 || intid >= 1020)
		return;
	gic_hw_enable(intid, false);
	volatile uint8_t *prio = (volatile uint8_t *)(uintptr_t)(gicd + GICD_IPRIORITYR + intid);
	*prio = 0xa0;
	volatile uint32_t *cfg = r32(gicd, GICD_ICFGR + (intid / 16) * 4);
	uint32_t bit = 2u << (2 * (intid % 16));
	*cfg = edge ? (*cfg | bit) : (*cfg & ~bit);
	hw->spi_group1(intid);
	gic_hw_route(intid, cpu);
}

/* GICv3: Group 1, the group the CPU interface takes as IRQs. GICv2 (no
 * Security Extensions here): every interrupt is an IRQ already. */
static void v3_spi_group1(unsigned intid)
{
	*r32(gicd, GICD_IGROUPR + (intid / 32) * 4) |= 1u << (intid % 32);
}

static void v2_spi_group1(unsigned intid)
{
	(void)intid;
}

/* Not inlined: only configuration and a passed-through SPI taken on
 * another CPU than its vCPU's reroute it; inlined, the version dispatch was
 * 200 bytes more of gic_handle_irq. */
__attribute__((noinline)) void gic_hw_route(unsigned intid, unsigned cpu)
{
	if (intid < 32 || cpu >= board.ncpus)
		return;
	hw->route(intid, cpu);
}

static void v3_route(unsigned intid, unsigned cpu)
{
	*r64(gicd, GICD_IROUTER + intid * 8) = pcpus[cpu].mpidr & 0xff00ffffffULL;
}

static void v2_route(unsigned intid, unsigned cpu)
{
	volatile uint8_t *t = (volatile uint8_t *)(uintptr_t)(gicd + GICD_ITARGETSR + intid);
	*t = pcpus[cpu].gicv2_mask;
}

static void v3_route_here(unsigned intid)
{
	*r64(gicd, GICD_IROUTER + intid * 8) = arch_read_mpidr() & 0xff00ffffffULL;
}

/* GICD_ITARGETSR0-7 read as this CPU's own mask. */
static void v2_route_here(unsigned intid)
{
	volatile uint8_t *t = (volatile uint8_t *)(uintptr_t)(gicd + GICD_ITARGETSR + intid);
	*t = (uint8_t)(*r32(gicd, GICD_ITARGETSR) & 0xff);
}

/* Banked PPI registers: GICR_SGI frame (v3) or the GICD's banked copy (v2),
 * by the version's test (no indirect call: the GICv2 tick's unmask). */
static uint64_t v3_ppi_base(void)
{
	return pcpus[arch_cpu_index()].gicr + GICR_SGI;
}

static uint64_t v2_ppi_base(void)
{
	return gicd;
}

static uint64_t ppi_base(void)
{
	return gic_v3() ? v3_ppi_base() : v2_ppi_base();
}

void gic_ppi_enable(unsigned intid, bool enable)
{
	uint64_t base = ppi_base();
	if (base && intid < 32)
		*r32(base, enable ? GICD_ISENABLER : GICD_ICENABLER) = 1u << intid;
}

void gic_v2_ppi_unmask(unsigned intid)
{
	*r32(gicd, GICD_ISENABLER) = 1u << (intid & 31); /* v2_ppi_base's bank */
}

void gic_ppi_deactivate(unsigned intid)
{
	uint64_t base = ppi_base();
	if (base && intid < 32)
		*r32(base, GICD_ICACTIVER) = 1u << intid;
}

/* The redistributor whose GICR_TYPER names mpidr (in the part mapped), 0 if none. */
__attribute__((cold)) static uint64_t find_redist(uint64_t mpidr)
{
	uint64_t aff = (mpidr & 0xffffff) | ((mpidr >> 8) & 0xff000000);
	for (uint64_t off = 0; off + GICR_STRIDE <= gicr_mapped; off += GICR_STRIDE) {
		uint64_t typer = *r64(gicr_base, (unsigned)off + GICR_TYPER);
		if ((typer >> 32) == aff)
			return gicr_base + off;
		if (typer & (1u << 4)) /* Last */
			break;
	}
	return 0;
}

__attribute__((cold)) static void v3_cpu_init(unsigned index)
{
	uint64_t rd = find_redist(arch_read_mpidr());
	pcpus[index].gicr = rd;
	if (rd) {
		*r32(rd, GICR_WAKER) &= ~(1u << 1); /* ProcessorSleep = 0 */
		for (int i = 0; i < 100000 && (*r32(rd, GICR_WAKER) & (1u << 2)); i++)
			;
		*r32(rd + GICR_SGI, GICD_IGROUPR) = 0xffffffff;
		*r32(rd + GICR_SGI, GICD_IPRIORITYR) = 0; /* SGIs 0-3 highest */
		*r32(rd + GICR_SGI, GICD_ISENABLER) =
			(1u << SGI_KICK) | (1u << maint_intid) | (1u << vtimer_intid) |
			(1u << ptimer_intid) | (1u << htimer_intid);
	}
	/* System-register interface for EL2, and allowed for EL1 (Enable). */
	write_sysreg(S3_4_C12_C9_5, 0xf); /* ICC_SRE_EL2: SRE | DFB | DIB | Enable */
	isb();
	write_sysreg(S3_0_C4_C6_0, 0xff);  /* ICC_PMR_EL1 */
	write_sysreg(S3_0_C12_C12_3, 0);   /* ICC_BPR1_EL1 */
	write_sysreg(S3_0_C12_C12_4, 1ULL << 1); /* ICC_CTLR_EL1: EOImode = 1 */
	write_sysreg(S3_0_C12_C12_7, 1);   /* ICC_IGRPEN1_EL1 */
	isb();
}

__attribute__((cold)) static void v2_cpu_init(unsigned index)
{
	pcpus[index].gicv2_mask = (uint8_t)(*r32(gicd, GICD_ITARGETSR) & 0xff);
	*r32(gicd, GICD_ISENABLER) =
		(1u << SGI_KICK) | (1u << maint_intid) | (1u << vtimer_intid) |
			(1u << ptimer_intid) | (1u << htimer_intid);
	*r32(gicd, GICD_IPRIORITYR) = 0;
	*r32(gicc, GICC_PMR) = 0xff;
	*r32(gicc, GICC_BPR) = 0;
	*r32(gicc, GICC_CTLR) = 1u | (1u << 9); /* enable, EOImode */
}

void gic_cpu_init(unsigned index)
{
	hw->cpu_init(index);
	dsb(sy);
}

/* The stores the target must see (its recheck byte, the change it
 * announces) complete before the SGI is generated: neither an
 * ICC_SGI1R_EL1 write nor a Device store to GICD_SGIR is ordered after
 * earlier Normal stores without a DSB. */
void gic_send_ipi(unsigned cpu)
{
	stats_kick(cpu);
	dsb(ish);
	gic_kick_own(cpu);
}

static void v3_send_ipi(unsigned cpu)
{
	/* Each target's ICC_SGI1R_EL1 value built once (never 0: a target
	 * bit is set), not from its MPIDR at every kick. In .bss: no image
	 * bytes. */
	static uint64_t sgi1r[BH_MAX_CPUS];
	uint64_t v = sgi1r[cpu];
	if (__builtin_expect(!v, 0)) {
		uint64_t m = pcpus[cpu].mpidr;
		v = ((m >> 32 & 0xff) << 48) | ((m >> 16 & 0xff) << 32) |
		    ((uint64_t)SGI_KICK << 24) | ((m >> 8 & 0xff) << 16) | (1ULL << (m & 0xf));
		sgi1r[cpu] = v;
	}
	write_sysreg(S3_0_C12_C11_5, v); /* ICC_SGI1R_EL1 */
	isb();
}

static void v2_send_ipi(unsigned cpu)
{
	*r32(gicd, GICD_SGIR) = ((uint32_t)pcpus[cpu].gicv2_mask << 16) | SGI_KICK;
}

static uint32_t v3_ack(void)
{
	return (uint32_t)read_sysreg(S3_0_C12_C12_0); /* IAR1 */
}

static uint32_t v2_ack(void)
{
	return *r32(gicc, GICC_IAR); /* an SGI's source CPU in [12:10] */
}

static void v3_eoi(uint32_t iar, bool deactivate)
{
	write_sysreg(S3_0_C12_C12_1, iar); /* EOIR1: priority drop */
	if (deactivate)
		write_sysreg(S3_0_C12_C11_1, iar); /* DIR */
}

static void v2_eoi(uint32_t iar, bool deactivate)
{
	*r32(gicc, GICC_EOIR) = iar;
	if (deactivate)
		*r32(gicc, gicc_dir) = iar;
}

static const struct gic_hw_ops v3_ops = {
    .init = v3_init,
    .cpu_init = v3_cpu_init,
    .route = v3_route,
    .route_here = v3_route_here,
    .spi_group1 = v3_spi_group1,
};

static const struct gic_hw_ops v2_ops = {
    .init = v2_init,
    .cpu_init = v2_cpu_init,
    .route = v2_route,
    .route_here = v2_route_here,
    .spi_group1 = v2_spi_group1,
};

/* The kick's SGI, by the version (no indirect call). Out of line: inlined
 * into every kicker it costs about 180 bytes and gains the round nothing. */
__attribute__((noinline)) void gic_kick_own(unsigned cpu)
{
	if (gic_v3())
		v3_send_ipi(cpu);
	else
		v2_send_ipi(cpu);
}

/* The EOI where the version is already tested (the kick, the timer). */
static inline void eoi_v(bool v3, uint32_t iar, bool deactivate)
{
	if (v3)
		v3_eoi(iar, deactivate);
	else
		v2_eoi(iar, deactivate);
}

/* Out of line: inlined, both versions' EOI at every caller (bytes). */
static __attribute__((noinline)) void eoi(uint32_t iar, bool deactivate)
{
	eoi_v(gic_v3(), iar, deactivate);
}

/* A passed-through SPI. On the CPU of its target vCPU it is linked to the
 * virtual one (the guest's deactivation completes it); anywhere else it is
 * completed here, delivered as an edge, and rerouted for next time. */
static void passthrough_irq(struct domain *d, struct vcpu *cur, uint32_t iar, unsigned intid)
{
	struct virq *q = vgic_irq(&d->vcpu[0], intid);
	struct vcpu *t = q && q->target < d->nvcpus ? &d->vcpu[q->target] : &d->vcpu[0];
	if (cur == t) {
		eoi(iar, false);
		vgic_inject_hw(t, intid, intid);
		return;
	}
	eoi(iar, true);
	vgic_inject(d, NULL, intid);
	gic_hw_route(intid, t->pcpu);
}

/* Every interrupt but the kick (gic_handle_irq): its own frame, which the
 * kick's exit does not pay. */
static __attribute__((noinline)) void handle_other(struct vcpu *v, uint32_t iar, uint32_t intid,
						   bool v3)
{
	if (intid >= 1020 && intid < 1024)
		return; /* spurious: nothing pending */
	bool timer = intid == vtimer_intid || intid == ptimer_intid;
	if (timer && v) { /* GICv3 (GICv2's: v2_vcpu_irq) */
		stats_count_vcpu(EXIT_TIMER, v);
		/* The guest's own timer: hand it over, linked, so the guest's
		 * deactivation deactivates the physical PPI (no second trap). */
		eoi_v(v3, iar, false);
		vtimer_fire(v, intid);
		return;
	}
	if (intid == maint_intid) {
		/* Level-sensitive: asserted until the list registers are synced
		 * (an EOI'd level interrupt, or underflow), so sync them now. */
		if (v) /* inline, no lookup: the GICv2 timer's completion takes this */
			stats_count_vcpu(EXIT_MAINT, v);
		else
			stats_count(EXIT_MAINT, NULL);
		if (v && v->state == VCPU_RUNNING)
			vgic_maintenance(v);
		else
			vgic_hcr_write(0);
		eoi(iar, true);
		return;
	}
	if (timer) { /* no vCPU to hand it to */
		eoi(iar, true);
		return;
	}
	if (intid == htimer_intid) {
		/* The deadline of output this CPU's domain left held
		 * (arch_console_later): caused by that domain. Off first: its
		 * level drops. */
		write_sysreg(cnthp_ctl_el2, 0);
		eoi(iar, true);
		stats_count(EXIT_CONSOLE, v ? v->dom : NULL);
		console_pump();
		return;
	}
	if (intid == uart_intid) {
		eoi(iar, true);
		stats_count(EXIT_CONSOLE, NULL);
		console_interrupt();
		return;
	}
	struct domain *owner = irq_owner(intid);
	if (owner) {
		stats_count(EXIT_DEVICE, owner);
		passthrough_irq(owner, v, iar, intid);
		return;
	}
	eoi(iar, true);
	bh_log("CPU %u: unexpected interrupt %u ignored", arch_cpu_index(), intid);
}

/* GICv2's maintenance interrupt of a running vCPU (level: asserted until
 * its list registers are synced), then its EOI. */
static __attribute__((noinline)) void v2_maintenance(struct vcpu *v, uint32_t iar)
{
	stats_count_vcpu(EXIT_MAINT, v);
	vgic_maintenance(v);
	v2_eoi(iar, true);
}

/*
 * An interrupt taken from a GICv2 vCPU: its timer's tick and the
 * maintenance interrupt of that tick's EOI by their own short paths (each
 * a tail call: no frame here), the rest as handle_other. The timer (see
 * gic_host.timer_sw, always set on GICv2): masked until the guest's EOI,
 * delivered as a level sampled from CNTV/CNTP_CTL.
 */
static __attribute__((noinline)) void v2_vcpu_irq(struct vcpu *v, uint32_t iar, uint32_t intid)
{
	if (intid == vtimer_intid || intid == ptimer_intid) {
		stats_count_vcpu(EXIT_TIMER, v);
		*r32(gicd, GICD_ICENABLER) = 1u << intid; /* v2_ppi_base's bank */
		v2_eoi(iar, true);
		vgic_v2_tick(v, intid);
		return;
	}
	if (intid == maint_intid && v->state == VCPU_RUNNING) {
		v2_maintenance(v, iar);
		return;
	}
	handle_other(v, iar, intid, false);
}

void gic_handle_irq(struct vcpu *v)
{
	/* The IAR value for eoi(); its INTID (1020-1023: none). */
	bool v3 = gic_v3();
	uint32_t iar = v3 ? v3_ack() : v2_ack(), intid = iar & (v3 ? 0xffffffu : 0x3ffu);
	if (intid != SGI_KICK) { /* the kick first: the IPI round's receivers take it */
		if (!v3 && v)
			v2_vcpu_irq(v, iar, intid);
		else
			handle_other(v, iar, intid, v3);
		return;
	}
	/* Kick: the caller re-reads its domain's state. A leaf: no frame. */
	eoi_v(v3, iar, true);
	/* No sender recorded: a vCPU of this one's domain (gic_kick_own). */
	if (!stats_count_kicks() && v)
		stats_count_vcpu(EXIT_IPI, v);
}

void gic_vcpu_reset(struct vcpu *v)
{
	/* No virtual interrupt state survives into a (re)started vCPU, and the
	 * physical timer PPI it may have left active is released. */
	vgic_vcpu_reset(v);
	gic_ppi_deactivate(vtimer_intid);
	gic_ppi_enable(vtimer_intid, true);
	gic_ppi_deactivate(ptimer_intid);
	gic_ppi_enable(ptimer_intid, true);
	isb();
}
