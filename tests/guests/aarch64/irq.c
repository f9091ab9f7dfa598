/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The test guest's GIC driver and IRQ dispatch (see irq.h). One driver for
 * both versions, picked from the DT's interrupt controller: GICv3 through the
 * ICC_* system registers and one redistributor per CPU, GICv2 through the
 * GICC frame. Everything runs in group 1 on GICv3 (the IRQ group of a single
 * security state) and in group 0 on GICv2 (which signals IRQs unless FIQEn).
 */
#include <libfdt.h>

#include "common/lib.h"
#include "irq.h"

/* GICv3 redistributor: RD frame, then the SGI frame with the private
 * interrupts' copies of the distributor registers. */
#define GICR_CTLR      0x0000
#define GICR_TYPER     0x0008
#define GICR_WAKER     0x0014
#define GICR_SGI       0x10000
#define GICR_STRIDE    0x20000
#define GICR_STRIDE_V4 0x40000 /* TYPER.VLPIS: two more frames for vLPIs */
#define TYPER_VLPIS    (1u << 1)
#define TYPER_LAST     (1u << 4)
#define WAKER_SLEEP    (1u << 1)
#define WAKER_ASLEEP   (1u << 2)
#define GICD_CTLR_RWP  (1u << 31)
#define GICD_CTLR_ARE  (1u << 4)
#define GICD_CTLR_GRP1 (1u << 1)
#define GICR_CTLR_RWP  (1u << 3)

/* GICv2 CPU interface */
#define GICC_CTLR 0x0000
#define GICC_PMR  0x0004
#define GICC_BPR  0x0008
#define GICC_IAR  0x000c
#define GICC_EOIR 0x0010
#define GICC_DIR  0x1000
#define GICC_CTLR_EOIMODE (1u << 9)

/* GICv3 CPU interface system registers */
#define ICC_PMR_EL1	S3_0_C4_C6_0
#define ICC_IAR1_EL1	S3_0_C12_C12_0
#define ICC_EOIR1_EL1	S3_0_C12_C12_1
#define ICC_BPR1_EL1	S3_0_C12_C12_3
#define ICC_CTLR_EL1	S3_0_C12_C12_4
#define ICC_SRE_EL1	S3_0_C12_C12_5
#define ICC_IGRPEN1_EL1 S3_0_C12_C12_7
#define ICC_SGI1R_EL1	S3_0_C12_C11_5
#define ICC_DIR_EL1	S3_0_C12_C11_1
#define ICC_CTLR_EOIMODE (1u << 1)
#define SGI1R_IRM	(1ULL << 40)

#define SGIR_FILTER_OTHERS (1u << 24)
#define SGIR_FILTER_SELF   (2u << 24)

#define PRIO_DEFAULT 0x80
#define RWP_SPINS    1000000

#define dsb(opt) __asm__ volatile("dsb " #opt ::: "memory")

struct gic_desc gic;
struct irq_stray irq_stray;
uint32_t irq_spurious;

static irq_handler_t handlers[IRQ_NR];

/* Per stack slot, filled by that CPU's gic_cpu_init. */
static struct {
	uint64_t mpidr;	 /* affinity, for GICv3 SGI targets */
	uint64_t rd;	 /* its redistributor (GICv3) */
	uint8_t v2_mask; /* its GICv2 CPU interface bit (ITARGETSR/SGIR) */
} cpus[MAX_CPUS];

uint32_t gicd_read(uint64_t off)
{
	return mmio_read32(gic.gicd + off);
}

void gicd_write(uint64_t off, uint32_t val)
{
	mmio_write32(gic.gicd + off, val);
}

uint32_t gicr_read(uint64_t off)
{
	return mmio_read32(cpus[cpu_slot()].rd + off);
}

/* ---- DT ---- */

static uint64_t cells(const fdt32_t *p, int n)
{
	uint64_t v = 0;

	for (int i = 0; i < n; i++)
		v = (v << 32) | fdt32_to_cpu(p[i]);
	return v;
}

/* Entry `index` of node's reg (address, and size if wanted), by its parent's cells. */
static bool dt_reg(const void *fdt, int node, int index, uint64_t *addr, uint64_t *size)
{
	int parent = fdt_parent_offset(fdt, node), len;
	int ac = fdt_address_cells(fdt, parent), sc = fdt_size_cells(fdt, parent);
	const fdt32_t *reg = fdt_getprop(fdt, node, "reg", &len);

	if (!reg || ac < 1 || sc < 0 || len < (index + 1) * (ac + sc) * 4)
		return false;
	reg += index * (ac + sc);
	*addr = cells(reg, ac);
	if (size)
		*size = cells(reg + ac, sc);
	return true;
}

/* The INTID of entry `index` of node's interrupts (3-cell GIC specifiers), or 0. */
static unsigned dt_intid(const void *fdt, int node, int index)
{
	int len;
	const fdt32_t *p = fdt_getprop(fdt, node, "interrupts", &len);

	if (!p || len < (index + 1) * 12)
		return 0;
	unsigned type = fdt32_to_cpu(p[3 * index]), num = fdt32_to_cpu(p[3 * index + 1]);
	return type == 1 ? num + 16 : type == 0 ? num + 32 : 0; /* PPI / SPI */
}

unsigned dt_device_irq(const void *fdt, const char *compatible, uint64_t base)
{
	uint64_t addr;

	for (int node = fdt_node_offset_by_compatible(fdt, -1, compatible); node >= 0;
	     node = fdt_node_offset_by_compatible(fdt, node, compatible))
		if (dt_reg(fdt, node, 0, &addr, NULL) && addr == base)
			return dt_intid(fdt, node, 0);
	return 0;
}

const char *gic_probe(const void *fdt)
{
	static const char *const v2_compat[] = {"arm,cortex-a15-gic", "arm,gic-400",
						"arm,cortex-a9-gic", "arm,cortex-a7-gic"};
	int node = fdt_node_offset_by_compatible(fdt, -1, "arm,gic-v3");

	if (node >= 0) {
		if (!dt_reg(fdt, node, 0, &gic.gicd, NULL) ||
		    !dt_reg(fdt, node, 1, &gic.gicr, &gic.gicr_size))
			return "arm,gic-v3 node without GICD and GICR reg entries";
		gic.version = 3;
	} else {
		for (unsigned i = 0; i < ARRAY_SIZE(v2_compat) && node < 0; i++)
			node = fdt_node_offset_by_compatible(fdt, -1, v2_compat[i]);
		if (node < 0)
			return "no arm,gic-v3 or GICv2 interrupt controller in the DT";
		if (!dt_reg(fdt, node, 0, &gic.gicd, NULL) ||
		    !dt_reg(fdt, node, 1, &gic.gicc, NULL))
			return "GICv2 node without GICD and GICC reg entries";
		gic.version = 2;
	}
	gic.nr_irqs = MIN(((gicd_read(GICD_TYPER) & 0x1f) + 1) * 32, (unsigned)IRQ_NR);

	gic.timer_irq = 27;
	node = fdt_node_offset_by_compatible(fdt, -1, "arm,armv8-timer");
	if (node >= 0 && dt_intid(fdt, node, 2) >= 16 && dt_intid(fdt, node, 2) < 32)
		gic.timer_irq = dt_intid(fdt, node, 2); /* third entry: the virtual timer */
	gic.ptimer_irq = 30;
	if (node >= 0 && dt_intid(fdt, node, 1) >= 16 && dt_intid(fdt, node, 1) < 32)
		gic.ptimer_irq = dt_intid(fdt, node, 1); /* second: the non-secure physical one */
	return NULL;
}

/* ---- register helpers ---- */

static void wait_rwp(uint64_t reg, uint32_t bit)
{
	for (int i = 0; i < RWP_SPINS && (mmio_read32(reg) & bit); i++)
		;
}

/* Where interrupt intid's enable/pend/priority bits live for this CPU. */
static uint64_t bank(unsigned intid)
{
	if (intid < 32 && gic.version == 3)
		return cpus[cpu_slot()].rd + GICR_SGI;
	return gic.gicd;
}

static void set_bit_reg(unsigned intid, uint64_t reg)
{
	dsb(ishst); /* flags a handler will look at are visible before it can run */
	mmio_write32(bank(intid) + reg + (intid / 32) * 4, 1u << (intid % 32));
	if (intid < 32 && gic.version == 3 && reg == GICD_ICENABLER)
		wait_rwp(cpus[cpu_slot()].rd + GICR_CTLR, GICR_CTLR_RWP);
	else if (gic.version == 3 && reg == GICD_ICENABLER)
		wait_rwp(gic.gicd + GICD_CTLR, GICD_CTLR_RWP);
}

static bool get_bit_reg(unsigned intid, uint64_t reg)
{
	return (mmio_read32(bank(intid) + reg + (intid / 32) * 4) >> (intid % 32)) & 1;
}

void gic_enable(unsigned intid, bool on)
{
	set_bit_reg(intid, on ? GICD_ISENABLER : GICD_ICENABLER);
}

bool gic_enabled(unsigned intid)
{
	return get_bit_reg(intid, GICD_ISENABLER);
}

void gic_set_pending(unsigned intid, bool on)
{
	set_bit_reg(intid, on ? GICD_ISPENDR : GICD_ICPENDR);
}

bool gic_pending(unsigned intid)
{
	return get_bit_reg(intid, GICD_ISPENDR);
}

/* Byte-wide registers, written as whole words as every GIC must accept. */
static void set_byte(uint64_t base, unsigned intid, uint8_t val)
{
	uint64_t reg = base + (intid & ~3u);
	unsigned shift = 8 * (intid & 3);
	mmio_write32(reg, (mmio_read32(reg) & ~(0xffu << shift)) | ((uint32_t)val << shift));
}

void gic_set_priority(unsigned intid, uint8_t prio)
{
	set_byte(bank(intid) + GICD_IPRIORITYR, intid, prio);
}

void gic_route_to_self(unsigned intid)
{
	if (intid < 32)
		return;
	if (gic.version == 3) {
		uint64_t aff = read_sysreg(mpidr_el1) & 0xff00ffffffULL;
		mmio_write64(gic.gicd + GICD_IROUTER + 8 * intid, aff);
	} else {
		set_byte(gic.gicd + GICD_ITARGETSR, intid, cpus[cpu_slot()].v2_mask);
	}
}

unsigned gic_cpu_id(void)
{
	uint8_t m = cpus[cpu_slot()].v2_mask;
	return m ? (unsigned)__builtin_ctz(m) : 0;
}

/* ---- init ---- */

void gic_dist_init(void)
{
	if (gic.version == 3) {
		gicd_write(GICD_CTLR, GICD_CTLR_ARE); /* affinity routing before anything else */
		wait_rwp(gic.gicd + GICD_CTLR, GICD_CTLR_RWP);
	} else {
		gicd_write(GICD_CTLR, 0);
	}
	for (unsigned i = 32; i < gic.nr_irqs; i += 32) {
		gicd_write(GICD_ICENABLER + i / 8, ~0u);
		gicd_write(GICD_ICPENDR + i / 8, ~0u);
		if (gic.version == 3)
			gicd_write(GICD_IGROUPR + i / 8, ~0u);
	}
	if (gic.version == 3) {
		wait_rwp(gic.gicd + GICD_CTLR, GICD_CTLR_RWP);
		gicd_write(GICD_CTLR, GICD_CTLR_ARE | GICD_CTLR_GRP1);
		wait_rwp(gic.gicd + GICD_CTLR, GICD_CTLR_RWP);
	} else {
		gicd_write(GICD_CTLR, 1);
	}
}

/* The redistributor whose TYPER affinity is this CPU's MPIDR. */
uint64_t gic_find_redist(void)
{
	uint64_t mpidr = read_sysreg(mpidr_el1);
	uint64_t aff = (mpidr & 0xffffff) | ((mpidr >> 8) & 0xff000000);

	for (uint64_t off = 0; off + GICR_STRIDE <= gic.gicr_size;) {
		uint64_t typer = mmio_read64(gic.gicr + off + GICR_TYPER);
		if ((typer >> 32) == aff)
			return gic.gicr + off;
		if (typer & TYPER_LAST)
			break;
		off += (typer & TYPER_VLPIS) ? GICR_STRIDE_V4 : GICR_STRIDE;
	}
	return 0;
}

const char *gic_cpu_init(void)
{
	unsigned slot = cpu_slot();

	cpus[slot].mpidr = read_sysreg(mpidr_el1) & 0xff00ffffffULL;
	if (gic.version == 3) {
		uint64_t rd = gic_find_redist();
		if (!rd)
			return "no redistributor with this CPU's affinity";
		cpus[slot].rd = rd;
		mmio_write32(rd + GICR_WAKER, mmio_read32(rd + GICR_WAKER) & ~WAKER_SLEEP);
		for (int i = 0; i < RWP_SPINS && (mmio_read32(rd + GICR_WAKER) & WAKER_ASLEEP); i++)
			;
		if (mmio_read32(rd + GICR_WAKER) & WAKER_ASLEEP)
			return "GICR_WAKER.ChildrenAsleep stays set";
		uint64_t sgi = rd + GICR_SGI;
		mmio_write32(sgi + GICD_IGROUPR, ~0u);
		mmio_write32(sgi + GICD_ICENABLER, ~0u);
		wait_rwp(rd + GICR_CTLR, GICR_CTLR_RWP);
		mmio_write32(sgi + GICD_ICPENDR, ~0u);
		for (unsigned i = 0; i < 32; i += 4)
			mmio_write32(sgi + GICD_IPRIORITYR + i, PRIO_DEFAULT * 0x01010101u);

		write_sysreg(ICC_SRE_EL1, read_sysreg(ICC_SRE_EL1) | 1);
		isb();
		if (!(read_sysreg(ICC_SRE_EL1) & 1))
			return "ICC_SRE_EL1.SRE stays 0: no system register interface";
		write_sysreg(ICC_PMR_EL1, 0xff);
		write_sysreg(ICC_BPR1_EL1, 0);
		write_sysreg(ICC_CTLR_EL1, 0); /* EOImode 0: EOIR also deactivates */
		write_sysreg(ICC_IGRPEN1_EL1, 1);
		isb();
	} else {
		/* ITARGETSR0-7 are banked and read-only: this CPU's own interface bit. */
		cpus[slot].v2_mask = (uint8_t)gicd_read(GICD_ITARGETSR);
		gicd_write(GICD_ICENABLER, ~0u);
		gicd_write(GICD_ICPENDR, ~0u);
		gicd_write(GICD_CPENDSGIR, ~0u);
		gicd_write(GICD_CPENDSGIR + 4, ~0u);
		gicd_write(GICD_CPENDSGIR + 8, ~0u);
		gicd_write(GICD_CPENDSGIR + 12, ~0u);
		for (unsigned i = 0; i < 32; i += 4)
			gicd_write(GICD_IPRIORITYR + i, PRIO_DEFAULT * 0x01010101u);
		mmio_write32(gic.gicc + GICC_PMR, 0xff);
		mmio_write32(gic.gicc + GICC_BPR, 0);
		mmio_write32(gic.gicc + GICC_CTLR, 1); /* group 0 enabled, EOImode 0 */
	}
	dsb(sy);
	return NULL;
}

/* ---- SGIs ---- */

static void sgi1r(uint64_t val)
{
	dsb(ish); /* memory written before the SGI is visible to its handler */
	write_sysreg(ICC_SGI1R_EL1, val);
	isb();
}

void gic_send_sgi(unsigned intid, unsigned slot)
{
	if (gic.version == 3) {
		uint64_t m = cpus[slot].mpidr;
		sgi1r(((m >> 32 & 0xff) << 48) | ((m >> 16 & 0xff) << 32) |
		      ((uint64_t)(intid & 15) << 24) | ((m >> 8 & 0xff) << 16) |
		      ((uint64_t)(m >> 4 & 0xf) << 44) | (1ULL << (m & 0xf)));
	} else {
		dsb(ishst);
		gicd_write(GICD_SGIR, ((uint32_t)cpus[slot].v2_mask << 16) | (intid & 15));
	}
}

void gic_send_sgi_self(unsigned intid)
{
	if (gic.version == 3) {
		gic_send_sgi(intid, cpu_slot());
	} else {
		dsb(ishst);
		gicd_write(GICD_SGIR, SGIR_FILTER_SELF | (intid & 15));
	}
}

void gic_send_sgi_others(unsigned intid)
{
	if (gic.version == 3) {
		sgi1r(SGI1R_IRM | ((uint64_t)(intid & 15) << 24));
	} else {
		dsb(ishst);
		gicd_write(GICD_SGIR, SGIR_FILTER_OTHERS | (intid & 15));
	}
}

/* ---- acknowledge, complete, dispatch ---- */

uint32_t gic_ack(void)
{
	if (gic.version == 3)
		return (uint32_t)read_sysreg(ICC_IAR1_EL1);
	return mmio_read32(gic.gicc + GICC_IAR);
}

void gic_eoi(uint32_t iar)
{
	if (gic.version == 3) {
		write_sysreg(ICC_EOIR1_EL1, iar);
		isb();
	} else {
		mmio_write32(gic.gicc + GICC_EOIR, iar);
	}
}

void gic_set_eoimode(bool split)
{
	if (gic.version == 3) {
		uint64_t c = read_sysreg(ICC_CTLR_EL1);
		write_sysreg(ICC_CTLR_EL1, split ? c | ICC_CTLR_EOIMODE : c & ~(uint64_t)ICC_CTLR_EOIMODE);
		isb();
	} else {
		uint32_t c = mmio_read32(gic.gicc + GICC_CTLR);
		mmio_write32(gic.gicc + GICC_CTLR, split ? c | GICC_CTLR_EOIMODE : c & ~GICC_CTLR_EOIMODE);
	}
}

bool gic_eoimode_split(void)
{
	if (gic.version == 3)
		return read_sysreg(ICC_CTLR_EL1) & ICC_CTLR_EOIMODE;
	return mmio_read32(gic.gicc + GICC_CTLR) & GICC_CTLR_EOIMODE;
}

void gic_deactivate(uint32_t iar)
{
	if (gic.version == 3) {
		write_sysreg(ICC_DIR_EL1, iar);
		isb();
	} else {
		mmio_write32(gic.gicc + GICC_DIR, iar);
	}
}

bool gic_active(unsigned intid)
{
	return get_bit_reg(intid, GICD_ISACTIVER);
}

unsigned gic_iar_intid(uint32_t iar)
{
	return gic.version == 3 ? iar & 0xffffff : iar & 0x3ff;
}

void irq_set_handler(unsigned intid, irq_handler_t h)
{
	if (intid < IRQ_NR)
		handlers[intid] = h;
}

void irq_entry(struct frame *f, uint64_t vector)
{
	if (!gic.version) { /* nobody asked for interrupts: report it */
		exception_entry(f, vector);
		return;
	}
	uint32_t iar = gic_ack();
	unsigned intid = gic_iar_intid(iar);
	if (intid >= 1020 && intid < 1024) {
		__atomic_fetch_add(&irq_spurious, 1, __ATOMIC_RELAXED);
		return;
	}
	irq_handler_t h = intid < IRQ_NR ? handlers[intid] : NULL;
	if (h) {
		h(iar);
		irq_disable(); /* the handler may have unmasked IRQs to be preempted */
	} else {
		__atomic_store_n(&irq_stray.last_intid, intid, __ATOMIC_RELAXED);
		__atomic_fetch_add(&irq_stray.count, 1, __ATOMIC_RELEASE);
		if (intid < IRQ_NR)
			gic_enable(intid, false);
	}
	gic_eoi(iar);
}

bool dt_node_reg_irq(const void *fdt, int node, uint64_t *addr, unsigned *intid)
{
	*intid = dt_intid(fdt, node, 0);
	return dt_reg(fdt, node, 0, addr, NULL) && *intid;
}
