/* SPDX-License-Identifier: Apache-2.0 */
/* The virtual GIC's state types alone (gic/vgic.h has the rest), so the
 * architecture's header can embed them in a domain and a vCPU (struct
 * arch_domain, struct arch_vcpu). A leaf header: no project header. */
#ifndef GIC_VGIC_TYPES_H
#define GIC_VGIC_TYPES_H

#include <stdbool.h>
#include <stdint.h>

#define VGIC_MAX_SPIS 960 /* INTIDs 32..991: the largest GIC we target (TI K3) */
#define VGIC_NR_PRIV 32
#define VGIC_MAX_LRS 16
#define VGIC_MAX_OWNED 128 /* SPIs per domain: dom0 on QEMU virt owns ~40 */

/* One virtual interrupt. */
struct virq {
	uint8_t prio;
	uint8_t v2_targets;  /* GICv2 ITARGETSR byte */
	uint8_t target;	     /* vCPU that receives it (SPIs); 0xff = none */
	uint8_t sgi_src;     /* GICv2: CPUs with this SGI pending for us */
	uint8_t lr;	     /* list register holding it, if in_lr */
	bool owned : 1;	     /* the domain may touch it at all */
	bool enabled : 1;
	bool pending : 1;    /* latched pending (edge, or software pend) */
	bool active : 1;
	bool edge : 1;
	bool level : 1;	     /* current line level (level-triggered sources) */
	bool in_lr : 1;
	/* In an LR, its pending there came from the latch: a level's, or (an
	 * edge PPI or SPI) an edge merged into it while pending (sync_listed:
	 * the register asks EOI maintenance, so an edge since needs no kick,
	 * vgic_inject). Cleared when the guest takes it and at each listing. */
	bool lr_latched : 1;
	bool hw : 1;	     /* backed by the physical INTID hw_intid (passed through) */
	bool hw_linked : 1;  /* this instance is active physically: link it in the LR */
	bool group1 : 1;
	bool cfg_edge : 1;   /* its trigger at reset (owned SPIs: as the config says) */
	uint16_t hw_intid;
	uint64_t irouter;    /* GICv3 IROUTER value as written */
};

#define VGIC_GEN_STALE UINT64_MAX /* never a generation: the next entry flushes */

struct vgic_cpu {
	struct virq priv[VGIC_NR_PRIV];
	uint16_t lr_intid[VGIC_MAX_LRS];
	/* Listed, and not read back since (the guest may have taken or
	 * completed it): the next sync reads it, which a change of the model
	 * for this vCPU brings (docs/ARCHITECTURE.md, the in-use registers). */
	uint32_t lr_used;
	/* Not in lr_used, yet taken: HW-linked private interrupts listed by
	 * vgic_list_hw_now, whose deactivation completes the physical one:
	 * nothing there the model must learn at each exit. A sync (after any
	 * change) reads them with the others. */
	uint32_t lr_quiet;
	bool waiting; /* the last flush left deliverable interrupts unlisted */
	/* The next exit syncs and flushes whatever changed: interrupts wait
	 * unlisted (one completed may free a register without the underflow
	 * interrupt), an SPI is listed (another vCPU may need it back: a
	 * retarget, its line), or a listed interrupt has more of it waiting
	 * (a HW-linked one cannot ask for EOI maintenance). Private
	 * interrupts with nothing more waiting alone may stay unread. */
	bool again;
	/* Which of priv[] are enabled (bit = INTID): what a flush looks at, so
	 * it never walks the disabled ones. Kept with priv[i].enabled, which
	 * only write_bits() (ISENABLER/ICENABLER) changes: set one through the
	 * distributor registers, not directly. */
	uint32_t priv_enabled;
	/* The domain's vgic_gen at this vCPU's last flush; VGIC_GEN_STALE
	 * (under the vgic lock) when only this vCPU's own interrupts changed
	 * (SGIs claimed from sgi_in by another reader, a read of its
	 * redistributor): it alone flushes, not every vCPU of the domain as a
	 * generation change would make them. */
	uint64_t seen_gen;
	/* SGIs sent to it since its exit last claimed them (bit = INTID): set
	 * by the sender with an atomic OR, claimed with one atomic exchange
	 * under the vgic lock (vgic.c: sgi_claim). GICv3: its pending state,
	 * not yet in priv[] (no lock on the send); GICv2: the sources are in
	 * priv[].sgi_src already (set under the lock), the bit says only
	 * "new" (docs/ARCHITECTURE.md, the SGI handover). */
	uint32_t sgi_in;
	bool rd_sleep; /* GICR_WAKER.ProcessorSleep */
};

struct vgic_dist {
	bool enabled_grp0, enabled_grp1;
	unsigned nr_spis;
	unsigned nowned;
	uint16_t owned[VGIC_MAX_OWNED]; /* SPIs the domain owns: all an exit scans */
	struct virq spi[VGIC_MAX_SPIS];
};

#endif
