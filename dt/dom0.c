/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Builds dom0's DT from the board DT (see dom0.h) in one pass: a copy of the
 * nodes it keeps, edited, plus the nodes it gains.
 */
#include <libfdt.h>

#include "common/lib.h"
#include "dt/blob.h"
#include "dt/dom0.h"
#include "dt/err.h"
#include "dt/out.h"

#define TRY(x, what) FDT_TRY(x, "dom0 DT: %.110s", what)

/* Is node device k of domain dc, or inside it? By node offset (recorded when
 * the config was checked against this board; a walk up the parent index),
 * else by path. */
static bool in_device(const void *fdt, int node, const struct dom_cfg *dc, unsigned k)
{
	if (dc->dev_node[k] >= 0) {
		for (int n = node; n > 0; n = dt_parent(fdt, n))
			if (n == dc->dev_node[k])
				return true;
		return false;
	}
	static char path[128]; /* static: no stack guard (boot, one CPU) */
	if (dt_node_path(fdt, node, path, sizeof(path)))
		return false;
	size_t l = strlen(dc->devices[k]);
	return !strncmp(path, dc->devices[k], l) && (path[l] == 0 || path[l] == '/');
}

/* Is `node` (or an ancestor) passed through to a domain other than dom0? */
static bool owned_by_other(const void *fdt, const struct plan *p, int node)
{
	for (unsigned i = 0; i < p->ndoms; i++)
		for (unsigned k = 0; !p->dom[i].control && k < p->dom[i].ndevices; k++)
			if (in_device(fdt, node, &p->dom[i], k))
				return true;
	return false;
}

/* A DMA master (or inside one) that the control domain does not name itself
 * in its own 'devices': never handed to it implicitly (see dt/devices.c). */
static bool withheld_dma(const void *fdt, const struct plan *p, int node)
{
	const struct dom_cfg *c = NULL;
	for (unsigned i = 0; i < p->ndoms; i++)
		if (p->dom[i].control)
			c = &p->dom[i];
	for (int n = node; n > 0; n = dt_parent(fdt, n)) {
		if (!dt_node_masters_dma(fdt, n))
			continue;
		for (unsigned k = 0; c && k < c->ndevices; k++)
			if (in_device(fdt, n, c, k))
				return false;
		return true;
	}
	return false;
}

bool dt_dom0_owns(const void *fdt, const struct board *b, const struct plan *p, int node)
{
	return node != b->uart_node && !dt_node_dom0_excluded(fdt, b, node) &&
	       !owned_by_other(fdt, p, node) && !withheld_dma(fdt, p, node);
}

int dt_dom0_for_each_device(const struct board *b, const struct plan *p,
			    int (*fn)(void *ctx, const struct dom0_device *dev), void *ctx,
			    struct dt_error *err)
{
	/* Static (no stack guard): the walk and the callbacks run at boot on one CPU. */
	static int depth;
	static struct dom0_device dev;
	depth = 0;
	for (int node = dt_next_node(b->fdt, -1, &depth); node >= 0;
	     node = dt_next_node(b->fdt, node, &depth)) {
		if (!dt_dom0_owns(b->fdt, b, p, node))
			continue;
		memset(&dev, 0, sizeof(dev));
		dev.node = node;
		if (dt_node_path(b->fdt, node, dev.path, sizeof(dev.path)))
			snprintf(dev.path, sizeof(dev.path), "(node at offset %d)", node);
		dev.reserved_memory = !strncmp(dev.path, "/reserved-memory/", 17);
		if (dt_node_resources(b->fdt, b, node, &dev.res, err))
			return -1;
		int rc = fn(ctx, &dev);
		if (rc)
			return rc;
	}
	return 0;
}

/* Does dom0's DT lose this board node? Memory (replaced), other domains' CPUs
 * and devices, PCI hosts, DMA masters it does not name, /chosen subnodes, the
 * GIC's children (ITS/v2m: no virtual MSI controller). */
static bool dom0_drops(const void *host, const struct dom0_dt *g, const struct board *b, int node)
{
	if (dt_is_type(host, node, "memory"))
		return true;
	if (dt_is_type(host, node, "cpu")) {
		for (unsigned c = 0; c < g->dom->ncpus; c++)
			if (g->dom->cpus[c] < b->ncpus && b->cpu_node[g->dom->cpus[c]] == node)
				return false;
		return true;
	}
	int parent = dt_parent(host, node);
	return !strcmp(dt_get_name(host, node, NULL), "cpu-map") ||
	       dt_node_is_pci_host(host, node) || owned_by_other(host, g->plan, node) ||
	       withheld_dma(host, g->plan, node) ||
	       (parent > 0 && !strcmp(dt_get_name(host, parent, NULL), "chosen")) ||
	       parent == b->gic_node;
}

/*
 * The writer: one pass over the board DT, in order, copying each node dom0
 * keeps with its properties and editing the few it sees differently, then
 * appending the nodes it gains. A copied property keeps its name's offset:
 * the board's strings block is copied whole, our own names follow it.
 * Layout: header, an empty reservation map (the board's /memreserve/ ranges
 * are kept out of every domain's RAM anyway), structure, strings. Nesting is
 * bounded by the board DT's index (64 levels), so the recursion is too.
 */
struct out {
	struct dt_out w;
	const struct dom0_dt *g;
	const struct board *b;
	uint32_t clk_ph; /* the emulated console's clock phandle, 0 if none */
	int psci;	 /* the board's PSCI node dom0 gets (edited), -1 if none */
	bool had_psci, had_chosen;
};

static bool in_list(const char *list, const char *word)
{
	for (; *list; list += strlen(list) + 1)
		if (!strcmp(list, word))
			return true;
	return false;
}

/* A root node <prefix>@<ipa> with compatible, reg (ipa, size) and one SPI,
 * left open (dt/out.h), in the board root's cells and interrupt parent. */
static void begin_spi_node(struct out *o, const char *prefix, const char *compat, uint64_t ipa,
			   uint64_t size, unsigned intid, uint32_t trigger)
{
	const void *fdt = o->b->fdt;
	uint32_t gph = o->b->gic_node >= 0 ? dt_blob_phandle(fdt, o->b->gic_node) : 0;
	out_begin_spi_node(&o->w, prefix, compat, ipa, size, intid, trigger,
			   dt_address_cells(fdt, 0), dt_size_cells(fdt, 0), gph);
}

/* What dom0's PSCI node says (the first two), and the board's PSCI node by
 * preference (all three). */
static const char psci_compats[] = "arm,psci-1.0\0arm,psci-0.2\0arm,psci\0";
#define PSCI_COMPAT_LEN sizeof("arm,psci-1.0\0arm,psci-0.2")
static const char pl011_compat[] = "arm,pl011\0arm,primecell";
static const char pl011_clocks[] = "uartclk\0apb_pclk";

/* /chosen: our command line and initrd, nothing of the loader's. */
static void chosen_props(struct out *o)
{
	const struct dom0_dt *g = o->g;
	if (g->dom->bootargs[0])
		out_prop_str(&o->w, NM(bootargs), g->dom->bootargs);
	out_prop_str(&o->w, NM(stdout_path), o->b->uart_path);
	out_prop_u32(&o->w, NM(bulkhead_restarts), 0);
	if (g->initrd_size) {
		out_prop_u64(&o->w, NM(linux_initrd_start), g->initrd_ipa);
		out_prop_u64(&o->w, NM(linux_initrd_end), g->initrd_ipa + g->initrd_size);
	}
}

/* The nodes dom0 gains: its memory (IPA = PA), channels (shared memory and
 * a doorbell SPI each), virtio-net devices (a window and a level SPI each),
 * PSCI if the board has none, the emulated console's clock, /chosen if the
 * board has none. */
static void add_nodes(struct out *o)
{
	const struct dom0_dt *g = o->g;
	const void *fdt = o->b->fdt;
	char name[48];
	snprintf(name, sizeof(name), "memory@%llx", (unsigned long long)g->ram_base);
	out_begin_node(&o->w, name);
	out_prop_str(&o->w, NM(device_type), "memory");
	uint64_t mr[2] = {g->ram_base, g->ram_size};
	out_prop_reg(&o->w, dt_address_cells(fdt, 0), dt_size_cells(fdt, 0), mr, 1);
	out_end_node(&o->w);
	for (unsigned i = 0; i < g->nchans; i++) {
		const struct chan_view *c = &g->chans[i];
		begin_spi_node(o, "bulkhead-channel", "bulkhead,channel", c->ipa, c->size, c->intid,
			       1);
		out_prop_u32(&o->w, NM(bulkhead_id), c->id);
		out_prop_str(&o->w, NM(bulkhead_peer), c->peer);
		out_end_node(&o->w);
	}
	for (unsigned i = 0; i < g->nnets; i++) {
		const struct vnet_view *n = &g->nets[i];
		begin_spi_node(o, "virtio_mmio", "virtio,mmio", n->ipa, VNET_WINDOW_SIZE, n->intid,
			       4);
		out_prop(&o->w, NM(dma_coherent), NULL, 0);
		out_end_node(&o->w);
	}
	if (g->ctl) { /* the control device (common/control.c): its own node
		       * name, so dom0's init tells it from the board's transports */
		begin_spi_node(o, "bulkhead-control", "virtio,mmio", g->ctl->ipa, VNET_WINDOW_SIZE,
			       g->ctl->intid, 4);
		out_prop(&o->w, NM(dma_coherent), NULL, 0);
		out_end_node(&o->w);
	}
	if (!o->had_psci) {
		out_begin_node(&o->w, "psci");
		out_prop(&o->w, NM(compatible), psci_compats, PSCI_COMPAT_LEN);
		out_prop_str(&o->w, NM(method), "hvc");
		out_end_node(&o->w);
	}
	if (o->clk_ph) {
		out_begin_node(&o->w, "bulkhead-uart-clk");
		out_prop_str(&o->w, NM(compatible), "fixed-clock");
		out_prop_u32(&o->w, NM(clock_cells), 0);
		out_prop_u32(&o->w, NM(clock_frequency), 24000000);
		out_prop_u32(&o->w, NM(phandle), o->clk_ph);
		out_end_node(&o->w);
	}
	if (!o->had_chosen) {
		out_begin_node(&o->w, "chosen");
		chosen_props(o);
		out_end_node(&o->w);
	}
}

enum edit { ED_NONE, ED_CPU, ED_GIC, ED_PSCI, ED_UART, ED_CHOSEN };

/* How dom0 sees this board node differently, and the properties it loses
 * (edit_node adds their new values). */
static enum edit edit_of(struct out *o, int node, const char **drop, unsigned *vcpu)
{
	const struct board *b = o->b;
	for (unsigned c = 0; c < o->g->dom->ncpus; c++)
		if (o->g->dom->cpus[c] < b->ncpus && b->cpu_node[o->g->dom->cpus[c]] == node) {
			*vcpu = c; /* its CPUs renumbered to its vCPU MPIDRs, started with PSCI */
			*drop = "reg\0enable-method\0cpu-release-addr\0";
			return ED_CPU;
		}
	if (node == b->gic_node) { /* the distributor and its redistributors / CPU interface */
		*drop = b->gic_version == 3 ? "reg\0redistributor-stride\0#redistributor-regions\0"
					    : "reg\0interrupts\0"; /* v2: no virtualization */
		return ED_GIC;
	}
	if (node == o->psci) { /* PSCI over HVC, emulated by the hypervisor */
		*drop = "compatible\0method\0cpu_on\0cpu_off\0cpu_suspend\0migrate\0";
		return ED_PSCI;
	}
	if (o->clk_ph && node == b->uart_node) { /* an emulated PL011 with a clock */
		/* the emulation has no DMA (the i.MX UART's SDMA) */
		/* The real UART's other suppliers are not the emulated one's: a
		 * power domain or pins served by firmware the domain cannot reach
		 * (ZynqMP's PMU) would hold its probe back for ever. */
		*drop = "compatible\0clocks\0clock-names\0arm,primecell-periphid\0dmas\0dma-names\0"
			"power-domains\0pinctrl-names\0pinctrl-0\0resets\0reset-names\0";
		return ED_UART;
	}
	if (node > 0 && dt_parent(b->fdt, node) == 0 &&
	    !strcmp(dt_get_name(b->fdt, node, NULL), "chosen")) {
		*drop = "bootargs\0stdout-path\0bulkhead,restarts\0linux,initrd-start\0"
			"linux,initrd-end\0";
		return ED_CHOSEN;
	}
	*drop = "";
	return ED_NONE;
}

static void edit_node(struct out *o, int node, enum edit e, unsigned vcpu)
{
	const struct board *b = o->b;
	int parent = dt_parent(b->fdt, node);
	if (e == ED_CPU) {
		fdt32_t reg[2] = {0, cpu_to_fdt32(vcpu)};
		bool two = dt_address_cells(b->fdt, parent) == 2;
		out_prop(&o->w, NM(reg), two ? reg : reg + 1, two ? 8 : 4);
		out_prop_str(&o->w, NM(enable_method), "psci");
	} else if (e == ED_GIC) {
		uint64_t r[4] = {b->gicd.base, 0x1000, b->gicc.base, 0x2000};
		if (b->gic_version == 3) {
			r[1] = 0x10000;
			r[2] = b->gicr.base;
			r[3] = 0x20000ULL * o->g->dom->ncpus;
		}
		out_prop_reg(&o->w, dt_address_cells(b->fdt, parent), dt_size_cells(b->fdt, parent), r, 2);
	} else if (e == ED_PSCI) {
		o->had_psci = true;
		out_prop(&o->w, NM(compatible), psci_compats, PSCI_COMPAT_LEN);
		out_prop_str(&o->w, NM(method), "hvc");
	} else if (e == ED_UART) {
		out_prop(&o->w, NM(compatible), pl011_compat, sizeof(pl011_compat));
		fdt32_t clks[2] = {cpu_to_fdt32(o->clk_ph), cpu_to_fdt32(o->clk_ph)};
		out_prop(&o->w, NM(clocks), clks, sizeof(clks));
		out_prop(&o->w, NM(clock_names), pl011_clocks, sizeof(pl011_clocks));
		/* Else Linux's AMBA bus reads the ID from the last 32 bytes of
		 * 'reg', the board UART's size, where no emulated PL011 ID is. */
		out_prop_u32(&o->w, NM(arm_primecell_periphid), VUART_PERIPHID);
	} else if (e == ED_CHOSEN) {
		o->had_chosen = true;
		chosen_props(o);
	}
}

static void copy_node(struct out *o, int node)
{
	const void *fdt = o->b->fdt;
	const char *strings = (const char *)fdt + fdt_off_dt_strings(fdt);
	/* Static, not address-taken locals (no stack guard): each is done
	 * with before the recursion below; DTs are built at boot on one CPU. */
	static const char *drop;
	static unsigned vcpu;
	static uint32_t name;
	static int it, len;
	vcpu = 0;
	enum edit e = edit_of(o, node, &drop, &vcpu);
	out_begin_node(&o->w, node ? dt_get_name(fdt, node, NULL) : "");
	it = -1;
	for (const void *val; (val = dt_prop_next(fdt, node, &it, &name, &len));)
		if (!in_list(drop, strings + name))
			out_prop_at(&o->w, name, val, (uint32_t)len);
	edit_node(o, node, e, vcpu);
	int child;
	dt_for_each_child(child, fdt, node)
		if (!dom0_drops(fdt, o->g, o->b, child) && !o->w.bad)
			copy_node(o, child);
	if (node == 0)
		add_nodes(o);
	out_end_node(&o->w);
}

/* Does dom0's DT keep this board node (and so each of its ancestors)? */
static bool kept(const struct out *o, int node)
{
	for (int n = node; n > 0; n = dt_parent(o->b->fdt, n))
		if (dom0_drops(o->b->fdt, o->g, o->b, n))
			return false;
	return node >= 0;
}

int dt_dom0_build(void *buf, int bufsize, const struct dom0_dt *g, const struct board *b,
		  struct dt_error *err)
{
	const void *fdt = b->fdt;
	struct out o = {.g = g, .b = b, .psci = -1};
	if (!out_begin(&o.w, buf, bufsize, fdt))
		ERR("dom0 DT: no room (%d bytes)", bufsize);
	unsigned which = 0;
	o.psci = dt_board_compat(fdt, DT_C_PSCI, &which); /* the list psci_compats holds */
	if (!kept(&o, o.psci))
		o.psci = -1;
	if (b->uart != UART_PL011 && kept(&o, b->uart_node)) {
		TRY(dt_blob_max_phandle(fdt, &o.clk_ph), "phandles");
		o.clk_ph++;
	}
	copy_node(&o, 0);
	const char *bad = out_finish(&o.w);
	if (bad)
		ERR("dom0 DT: %s (%d bytes for a board DT of %u)", bad, bufsize, fdt_totalsize(fdt));
	return 0;
}
