/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What a device node of the board DT occupies: its MMIO ranges (translated to
 * physical addresses) and its GIC SPIs. Used to pass devices through, to
 * check that no resource is given twice, and to build dom0's DT.
 */
#ifndef DT_DEVICES_H
#define DT_DEVICES_H

#include "dt/dt.h"

/* The most of the board DTs checked here (tests/host/partition-boards.sh):
 * 9 register ranges (Raspberry Pi 4 HDMI), 17 SPIs (ZCU102). */
#define DEV_MAX_REGS 16
#define DEV_MAX_IRQS 32

struct dev_res {
	unsigned nreg;
	struct mem_range reg[DEV_MAX_REGS];
	unsigned nirq;
	uint16_t irq[DEV_MAX_IRQS]; /* SPI INTIDs */
	bool irq_edge[DEV_MAX_IRQS];
};

/* Resources of the node at `path`. Returns 0, or -1 with err naming the node. */
int dt_device_resources(const void *fdt, const struct board *b, const char *path,
			struct dev_res *r, struct dt_error *err);
/* May a domain own these resources? Not when a 'reg' range wraps or lies in
 * RAM, nor the hypervisor console's interrupt. 0, or -1 with err naming path. */
int dt_res_check(const struct board *b, const struct dev_res *r, const char *path,
		 struct dt_error *err);
/* Resources of a node by offset (no error for nodes without reg/interrupts). */
int dt_node_resources(const void *fdt, const struct board *b, int node, struct dev_res *r,
		      struct dt_error *err);
/* Is this node something the hypervisor itself owns (GIC, its UART, CPUs, memory...)? */
bool dt_node_is_hypervisor(const void *fdt, const struct board *b, int node);
/* Does the node master DMA by itself? Why (e.g. its compatible), or NULL. */
const char *dt_node_dma_reason(const void *fdt, int node);
/* The same question without the why (no formatting: dom0's DT build asks it
 * of every node and its ancestors). */
bool dt_node_masters_dma(const void *fdt, int node);
/* A PCI host controller (dom0 gets neither it nor what is under it). */
bool dt_node_is_pci_host(const void *fdt, int node);
/* What dom0 never gets whoever the config names: the hypervisor's nodes, a
 * PCI host, a disabled node, or anything under a PCI host, a disabled node
 * or /chosen. The board DT's alone, so memoised per node. */
bool dt_node_dom0_excluded(const void *fdt, const struct board *b, int node);
/* The first node of the subtree at `node` (itself included) that masters
 * DMA, with *why set; -1 if none does. */
int dt_subtree_dma(const void *fdt, int node, const char **why);

#endif
