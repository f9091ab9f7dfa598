/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The GIC as the AArch32 test guest uses it, for the boot CPU only: GICv2
 * through the memory-mapped CPU interface (group 0, as a guest without
 * Security Extensions sees it), GICv3 through the ICC_* CP15 registers
 * (group 1, affinity routing, this CPU's redistributor found by affinity).
 */
#include "common/lib.h"
#include "guest32.h"

#define GICD_CTLR	 0x000
#define GICD_CTLR_RWP	 (1u << 31)
#define GICD_ISENABLER0	 0x100
#define GICD_IPRIORITYR	 0x400
#define GICD_SGIR	 0xf00
#define GICD_SGIR_SELF	 (2u << 24) /* TargetListFilter: the requesting CPU only */
#define GICD_PIDR2_V2	 0xfe8	    /* in the 4 KiB GICv2 distributor */
#define GICD_PIDR2_V3	 0xffe8	    /* in the 64 KiB GICv3 distributor */
#define PIDR2_ARCHREV(v) (((v) >> 4) & 0xf)

/* GICv3 GICD_CTLR, one security state (or the non-secure view): ARE, EnableGrp1. */
#define GICD_CTLR_V3_ENABLE 0x12

#define GICC_CTLR 0x00
#define GICC_PMR  0x04
#define GICC_IAR  0x0c
#define GICC_EOIR 0x10

#define GICR_STRIDE		   0x20000
#define GICR_MAX_FRAMES		   64 /* a bound on the walk should Last never be set */
#define GICR_TYPER		   0x08
#define GICR_TYPER_LAST		   (1u << 4)
#define GICR_WAKER		   0x14
#define GICR_WAKER_SLEEP	   (1u << 1) /* ProcessorSleep */
#define GICR_WAKER_CHILDREN_ASLEEP (1u << 2)
#define GICR_SGI		   0x10000 /* SGI/PPI frame, same layout as the distributor's */
#define GICR_IGROUPR0		   0x080

#define PRIORITY	0x80
#define WAIT_US		100000
#define MPIDR_AFF(m, n) (((m) >> (8 * (n))) & 0xff)

static unsigned version;
static uint32_t gicr; /* this CPU's redistributor (GICv3) */

/* The 32-bit word holding byte n of a byte-per-interrupt register array, read-modify-written
 * as a word: every GIC (and emulation of one) must take word accesses there. */
static void set_byte(uint32_t base, unsigned n, uint8_t v)
{
	uint32_t addr = base + (n & ~3u), shift = 8 * (n & 3);
	uint32_t w = mmio_read32(addr);
	mmio_write32(addr, (w & ~(0xffu << shift)) | ((uint32_t)v << shift));
}

/*
 * GICv2's PIDR2 sits at 0xfe8 of its 4 KiB distributor, GICv3's at 0xffe8 of
 * 64 KiB. Try the v2 place first: on a GICv3 it is a reserved register that
 * reads as zero, whereas 0xffe8 lies beyond a GICv2 distributor, where an
 * access may abort.
 */
static unsigned detect(void)
{
	uint32_t v2 = mmio_read32(GICD_BASE + GICD_PIDR2_V2);
	if (PIDR2_ARCHREV(v2) == 2)
		return 2;
	uint32_t v3 = mmio_read32(GICD_BASE + GICD_PIDR2_V3);
	if (PIDR2_ARCHREV(v3) == 3 || PIDR2_ARCHREV(v3) == 4)
		return 3;
	return 0;
}

static bool wait_clear(uint32_t addr, uint32_t bits)
{
	uint64_t end = deadline_in_us(WAIT_US);
	while (mmio_read32(addr) & bits)
		if (expired(end))
			return false;
	return true;
}

static unsigned init_v3(char *why, size_t why_size)
{
	mmio_write32(GICD_BASE + GICD_CTLR, GICD_CTLR_V3_ENABLE);
	if (!wait_clear(GICD_BASE + GICD_CTLR, GICD_CTLR_RWP)) {
		snprintf(why, why_size, "GICD_CTLR.RWP stays set");
		return 0;
	}

	/* GICR_TYPER[63:32] is Aff3.Aff2.Aff1.Aff0; AArch32's MPIDR has no Aff3. */
	uint32_t me = read_mpidr() & 0xffffff;
	uint32_t rd = GICR_BASE;
	for (unsigned i = 0;; i++, rd += GICR_STRIDE) {
		uint32_t typer_lo = mmio_read32(rd + GICR_TYPER);
		if (mmio_read32(rd + GICR_TYPER + 4) == me) {
			gicr = rd;
			break;
		}
		if ((typer_lo & GICR_TYPER_LAST) || i + 1 == GICR_MAX_FRAMES) {
			snprintf(why, why_size, "no redistributor for MPIDR affinity 0x%06lx", me);
			return 0;
		}
	}

	mmio_write32(gicr + GICR_WAKER, mmio_read32(gicr + GICR_WAKER) & ~GICR_WAKER_SLEEP);
	if (!wait_clear(gicr + GICR_WAKER, GICR_WAKER_CHILDREN_ASLEEP)) {
		snprintf(why, why_size, "GICR_WAKER.ChildrenAsleep stays set");
		return 0;
	}
	mmio_write32(gicr + GICR_SGI + GICR_IGROUPR0, ~0u);

	write_icc_sre(read_icc_sre() | 1);
	isb();
	if (!(read_icc_sre() & 1)) {
		snprintf(why, why_size, "ICC_SRE.SRE stays 0: no system register interface");
		return 0;
	}
	write_icc_pmr(0xff);
	write_icc_igrpen1(1);
	isb();
	return 3;
}

unsigned gic_init(char *why, size_t why_size)
{
	version = detect();
	if (version == 2) {
		mmio_write32(GICD_BASE + GICD_CTLR, 1);
		mmio_write32(GICC_BASE + GICC_PMR, 0xff);
		mmio_write32(GICC_BASE + GICC_CTLR, 1);
	} else if (version == 3) {
		version = init_v3(why, why_size);
	} else {
		snprintf(why, why_size, "GICD_PIDR2 gives no GIC architecture 2, 3 or 4");
	}
	return version;
}

/* An SGI or PPI of this CPU: priority 0x80, enabled. */
void gic_enable_private(unsigned intid)
{
	uint32_t base = version == 3 ? gicr + GICR_SGI : GICD_BASE;
	set_byte(base + GICD_IPRIORITYR, intid, PRIORITY);
	mmio_write32(base + GICD_ISENABLER0, 1u << intid);
}

uint32_t gic_ack(void)
{
	return version == 3 ? read_icc_iar1() : mmio_read32(GICC_BASE + GICC_IAR);
}

/* GICv2's IAR also holds the sending CPU of an SGI in [12:10]. */
unsigned gic_intid(uint32_t iar)
{
	return version == 3 ? iar & 0xffffff : iar & 0x3ff;
}

void gic_eoi(uint32_t iar)
{
	if (version == 3) {
		write_icc_eoir1(iar);
		isb();
	} else {
		mmio_write32(GICC_BASE + GICC_EOIR, iar);
	}
}

void gic_send_sgi_self(unsigned sgi)
{
	if (version == 3) {
		/* ICC_SGI1R: Aff3 [55:48] (0: AArch32 has none), RS [47:44], Aff2 [39:32],
		 * INTID [27:24], Aff1 [23:16], TargetList [15:0] (bit Aff0 % 16 of range RS). */
		uint32_t m = read_mpidr(), aff0 = MPIDR_AFF(m, 0);
		uint64_t v = ((uint64_t)(aff0 >> 4) << 44) | ((uint64_t)MPIDR_AFF(m, 2) << 32) |
			     ((uint64_t)sgi << 24) | (MPIDR_AFF(m, 1) << 16) | (1u << (aff0 & 15));
		write_icc_sgi1r(v);
		isb();
	} else {
		mmio_write32(GICD_BASE + GICD_SGIR, GICD_SGIR_SELF | sgi);
	}
}
