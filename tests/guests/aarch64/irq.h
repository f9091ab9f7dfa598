/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The test guest's interrupt side: a small GICv2/GICv3 driver (version and
 * addresses from the DT), the IRQ dispatch behind start.S's IRQ vector
 * (handlers may unmask IRQs and be preempted), and the EL1 virtual timer.
 */
#ifndef TESTGUEST_IRQ_H
#define TESTGUEST_IRQ_H

#include <stdbool.h>
#include <stdint.h>

#include "guest.h"

#define IRQ_NR	     1020 /* INTIDs 0-1019: SGIs, PPIs, SPIs; 1020-1023 are special */
#define IRQ_SPURIOUS 1023

/* Distributor registers both versions share (byte offsets). */
#define GICD_CTLR	0x0000
#define GICD_TYPER	0x0004
#define GICD_IIDR	0x0008
#define GICD_IGROUPR	0x0080
#define GICD_ISENABLER	0x0100
#define GICD_ICENABLER	0x0180
#define GICD_ISPENDR	0x0200
#define GICD_ICPENDR	0x0280
#define GICD_ISACTIVER	0x0300
#define GICD_IPRIORITYR 0x0400
#define GICD_ITARGETSR	0x0800 /* GICv2 */
#define GICD_ICFGR	0x0c00
#define GICD_SGIR	0x0f00 /* GICv2 */
#define GICD_CPENDSGIR	0x0f10 /* GICv2 */
#define GICD_SPENDSGIR	0x0f20 /* GICv2 */
#define GICD_IROUTER	0x6000 /* GICv3 */

/* A handler runs with IRQs masked and the interrupt acknowledged; the
 * dispatcher masks IRQs again and writes EOIR (priority drop and
 * deactivation: EOImode 0) when it returns. */
typedef void (*irq_handler_t)(uint32_t iar);

struct gic_desc {
	unsigned version; /* 2 or 3; 0 until gic_probe succeeds */
	uint64_t gicd;	  /* distributor */
	uint64_t gicc;	  /* GICv2 CPU interface */
	uint64_t gicr;	  /* GICv3 redistributors: first frame and region size */
	uint64_t gicr_size;
	unsigned nr_irqs;   /* INTIDs the distributor implements (GICD_TYPER) */
	unsigned timer_irq; /* EL1 virtual timer PPI (27 unless the DT says otherwise) */
	unsigned ptimer_irq; /* EL1 physical timer PPI (30 unless the DT says otherwise) */
};
extern struct gic_desc gic;

/* Finds the GIC in the DT; returns NULL or why it could not. */
const char *gic_probe(const void *fdt);
/* The INTID of the first interrupt of the DT node with this compatible and
 * this first reg address, or 0. */
unsigned dt_device_irq(const void *fdt, const char *compatible, uint64_t base);
/* A node's first reg address and first interrupt's INTID; false if either is missing. */
bool dt_node_reg_irq(const void *fdt, int node, uint64_t *addr, unsigned *intid);
/* Distributor enable, every SPI disabled, not pending, group 1 (GICv3).
 * Once, on the boot CPU. */
void gic_dist_init(void);
/* This CPU's interface (and its redistributor on GICv3); private interrupts
 * disabled at priority 0x80. Returns NULL or why it failed. */
const char *gic_cpu_init(void);

void gic_enable(unsigned intid, bool on);
bool gic_enabled(unsigned intid);
void gic_set_pending(unsigned intid, bool on);
bool gic_pending(unsigned intid);
void gic_set_priority(unsigned intid, uint8_t prio);
/* Route an SPI to this CPU (GICv3 IROUTER = own affinity, GICv2 ITARGETSR). */
void gic_route_to_self(unsigned intid);
/* Send an SGI to the CPU in stack slot `slot` (which ran gic_cpu_init), to
 * this CPU, or to every CPU but this one. */
void gic_send_sgi(unsigned intid, unsigned slot);
void gic_send_sgi_self(unsigned intid);
void gic_send_sgi_others(unsigned intid);
/* GICv2: this CPU's interface number (the sender ID its SGIs carry). */
unsigned gic_cpu_id(void);

uint32_t gic_ack(void);
void gic_eoi(uint32_t iar);
/* EOImode: 0, EOIR drops the priority and deactivates; 1 (split), EOIR only
 * drops the priority and gic_deactivate (DIR) deactivates. */
void gic_set_eoimode(bool split);
bool gic_eoimode_split(void);
void gic_deactivate(uint32_t iar);
bool gic_active(unsigned intid);
unsigned gic_iar_intid(uint32_t iar);
/* GICv2 SGIs: the sending CPU's interface number. */
static inline unsigned gic_iar_source(uint32_t iar)
{
	return (iar >> 10) & 7;
}

uint32_t gicd_read(uint64_t off);
void gicd_write(uint64_t off, uint32_t val);
/* Redistributor (RD frame) register of this CPU; GICv3 only. */
uint32_t gicr_read(uint64_t off);
/* GICv3: this CPU's redistributor, found by affinity (0: none). */
uint64_t gic_find_redist(void);

void irq_set_handler(unsigned intid, irq_handler_t h);
/* Interrupts taken with no handler: counted, then disabled so a level source
 * cannot storm. */
struct irq_stray {
	uint32_t count;
	uint32_t last_intid;
};
extern struct irq_stray irq_stray;
extern uint32_t irq_spurious;

static inline void irq_enable(void)
{
	__asm__ volatile("msr daifclr, #2\n\tisb" ::: "memory");
}

static inline void irq_disable(void)
{
	__asm__ volatile("msr daifset, #2" ::: "memory");
}

/* With IRQs masked: sleep until an interrupt is pending, let it (and any
 * other pending one) be taken, and return with IRQs masked again. No wake-up
 * is lost between a caller's check of its condition and the WFI. */
static inline void irq_wait(void)
{
	__asm__ volatile("wfi" ::: "memory");
	irq_enable();
	irq_disable();
}

/* ---- EL1 virtual timer ---- */

#define CNTV_CTL_ENABLE	 (1u << 0)
#define CNTV_CTL_IMASK	 (1u << 1)
#define CNTV_CTL_ISTATUS (1u << 2)

static inline uint64_t vcount(void)
{
	isb();
	return read_sysreg(cntvct_el0);
}

static inline void vtimer_arm(uint64_t cval)
{
	write_sysreg(cntv_cval_el0, cval);
	write_sysreg(cntv_ctl_el0, CNTV_CTL_ENABLE);
	isb();
}

static inline void vtimer_set(uint64_t cval)
{
	write_sysreg(cntv_cval_el0, cval);
	isb();
}

/* Keeps the timer running but its interrupt line low. */
static inline void vtimer_mask(void)
{
	write_sysreg(cntv_ctl_el0, CNTV_CTL_ENABLE | CNTV_CTL_IMASK);
	isb();
}

static inline void vtimer_stop(void)
{
	write_sysreg(cntv_ctl_el0, 0);
	isb();
}

#endif
