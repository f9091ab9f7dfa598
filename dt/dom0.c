/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Builds dom0's DT from the board DT (see dom0.h). Nodes are removed by path
 * in a second pass, since libfdt offsets move with every deletion.
 */
#include <libfdt.h>

#include "common/lib.h"
#include "dt/dom0.h"
#include "dt/err.h"

#define MAX_DELETE 128 /* QEMU virt alone withholds ~35 DMA masters from dom0 */

#define TRY(x, what) FDT_TRY(x, "dom0 DT: %.110s", what)

static bool is_pci_host(const void *fdt, int node)
{
	const char *type = dt_getprop(fdt, node, "device_type", NULL);
	return (type && !strcmp(type, "pci")) ||
	       dt_is_compatible(fdt, node, "pci-host-ecam-generic");
}

/* Is `node` (or an ancestor) passed through to a domain other than dom0? */
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
	char path[128];
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
		if (!dt_node_dma_reason(fdt, n))
			continue;
		for (unsigned k = 0; c && k < c->ndevices; k++)
			if (in_device(fdt, n, c, k))
				return false;
		return true;
	}
	return false;
}

/* status = "disabled" (or anything but "okay"/"ok"): the device is not there. */
static bool disabled(const void *fdt, int node)
{
	const char *st = dt_getprop(fdt, node, "status", NULL);
	return st && strcmp(st, "okay") && strcmp(st, "ok");
}

bool dt_dom0_owns(const void *fdt, const struct board *b, const struct plan *p, int node)
{
	if (node == b->uart_node || dt_node_is_hypervisor(fdt, b, node) || is_pci_host(fdt, node) ||
	    disabled(fdt, node))
		return false;
	/* Nothing under /chosen (a boot framebuffer in RAM, say), a PCI host or a
	 * disabled node. */
	for (int a = dt_parent(fdt, node); a > 0; a = dt_parent(fdt, a))
		if (is_pci_host(fdt, a) || disabled(fdt, a) ||
		    !strcmp(dt_get_name(fdt, a, NULL), "chosen"))
			return false;
	return !owned_by_other(fdt, p, node) && !withheld_dma(fdt, p, node);
}

int dt_dom0_for_each_device(const struct board *b, const struct plan *p,
			    int (*fn)(void *ctx, const struct dom0_device *dev), void *ctx,
			    struct dt_error *err)
{
	int depth = 0;
	for (int node = dt_next_node(b->fdt, -1, &depth); node >= 0;
	     node = dt_next_node(b->fdt, node, &depth)) {
		if (!dt_dom0_owns(b->fdt, b, p, node))
			continue;
		struct dom0_device dev = {.node = node};
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

static int set_reg(void *fdt, int node, int ac, int sc, const uint64_t *pairs, int n)
{
	uint32_t c[16];
	int k = 0;
	for (int i = 0; i < n; i++) {
		for (int j = ac - 1; j >= 0; j--)
			c[k + (ac - 1 - j)] = cpu_to_fdt32((uint32_t)(pairs[2 * i] >> (32 * j)));
		k += ac;
		for (int j = sc - 1; j >= 0; j--)
			c[k + (sc - 1 - j)] = cpu_to_fdt32((uint32_t)(pairs[2 * i + 1] >> (32 * j)));
		k += sc;
	}
	return fdt_setprop(fdt, node, "reg", c, k * 4);
}

/* Does dom0's DT lose this board node? Memory (replaced), other domains' CPUs
 * and devices, PCI hosts, DMA masters it does not name, /chosen subnodes, the
 * GIC's children (ITS/v2m: no virtual MSI controller). */
static bool dom0_drops(const void *host, const struct dom0_dt *g, const struct board *b, int node)
{
	const char *type = dt_getprop(host, node, "device_type", NULL);
	if (type && !strcmp(type, "memory"))
		return true;
	if (type && !strcmp(type, "cpu")) {
		for (unsigned c = 0; c < g->dom->ncpus; c++)
			if (g->dom->cpus[c] < b->ncpus && b->cpu_node[g->dom->cpus[c]] == node)
				return false;
		return true;
	}
	int parent = dt_parent(host, node);
	return !strcmp(dt_get_name(host, node, NULL), "cpu-map") || is_pci_host(host, node) ||
	       owned_by_other(host, g->plan, node) || withheld_dma(host, g->plan, node) ||
	       (parent > 0 && !strcmp(dt_get_name(host, parent, NULL), "chosen")) ||
	       parent == b->gic_node;
}

/* Pass 1, on the board DT: the paths to remove (libfdt offsets move with
 * every deletion), an ancestor's removal standing for its subtree. */
static int collect_removals(const struct dom0_dt *g, const struct board *b, char (*del)[128],
			    unsigned *ndel, struct dt_error *err)
{
	const void *host = b->fdt;
	int node, depth = 0;
	*ndel = 0;
	for (node = dt_next_node(host, -1, &depth); node >= 0;
	     node = dt_next_node(host, node, &depth)) {
		if (!dom0_drops(host, g, b, node))
			continue;
		if (*ndel == MAX_DELETE - 1) {
			snprintf(err->msg, sizeof(err->msg), "dom0 DT: more than %d nodes to remove",
				 MAX_DELETE);
			return -1;
		}
		if (dt_node_path(host, node, del[*ndel], sizeof(del[0])))
			continue;
		bool under = false;
		for (unsigned k = 0; k < *ndel && !under; k++) {
			size_t l = strlen(del[k]);
			under = !strncmp(del[*ndel], del[k], l) && del[*ndel][l] == '/';
		}
		if (!under)
			(*ndel)++;
	}
	return 0;
}

/* dom0's CPU nodes renumbered to its vCPU MPIDRs, started with PSCI. */
static int renumber_cpus(void *fdt, const struct dom0_dt *g, const struct board *b,
			 struct dt_error *err)
{
	int cpus = dt_path_offset(fdt, "/cpus");
	int cac = cpus >= 0 ? dt_address_cells(fdt, cpus) : 1;
	for (unsigned c = 0; c < g->dom->ncpus; c++) {
		char path[128];
		if (dt_node_path(b->fdt, b->cpu_node[g->dom->cpus[c]], path, sizeof(path)))
			continue;
		int n = dt_path_offset(fdt, path);
		if (n < 0)
			continue;
		uint32_t reg[2] = {0, cpu_to_fdt32(c)};
		TRY(fdt_setprop(fdt, n, "reg", cac == 2 ? reg : reg + 1, cac * 4), "cpu reg");
		TRY(fdt_setprop_string(fdt, n, "enable-method", "psci"), "cpu enable-method");
		fdt_delprop(fdt, n, "cpu-release-addr");
	}
	return 0;
}

/* Memory: exactly dom0's (IPA = PA). */
static int add_memory(void *fdt, const struct dom0_dt *g, struct dt_error *err)
{
	char name[48];
	snprintf(name, sizeof(name), "memory@%llx", (unsigned long long)g->ram_base);
	int mem = fdt_add_subnode(fdt, 0, name);
	TRY(mem, "memory node");
	TRY(fdt_setprop_string(fdt, mem, "device_type", "memory"), "memory node");
	uint64_t mr[2] = {g->ram_base, g->ram_size};
	TRY(set_reg(fdt, mem, dt_address_cells(fdt, 0), dt_size_cells(fdt, 0), mr, 1),
	    "memory reg");
	return 0;
}

/* GIC: the distributor and this domain's redistributors / CPU interface. */
static int fit_gic(void *fdt, const char *gpath, const struct dom0_dt *g, const struct board *b,
		   struct dt_error *err)
{
	int gic = dt_path_offset(fdt, gpath);
	int gp = fdt_parent_offset(fdt, gic);
	int gac = gp >= 0 ? dt_address_cells(fdt, gp) : 2;
	int gsc = gp >= 0 ? dt_size_cells(fdt, gp) : 2;
	if (b->gic_version == 3) {
		uint64_t r[4] = {b->gicd.base, 0x10000, b->gicr.base, 0x20000ULL * g->dom->ncpus};
		TRY(set_reg(fdt, gic, gac, gsc, r, 2), "GIC reg");
		fdt_delprop(fdt, gic, "redistributor-stride");
		fdt_delprop(fdt, gic, "#redistributor-regions");
	} else {
		uint64_t r[4] = {b->gicd.base, 0x1000, b->gicc.base, 0x2000};
		TRY(set_reg(fdt, gic, gac, gsc, r, 2), "GIC reg");
		fdt_delprop(fdt, gic, "interrupts"); /* no virtualization extensions */
	}
	return 0;
}

/* A root node <prefix>@<ipa> with compatible, reg (ipa, size) and one SPI
 * (trigger 1: edge rising, 4: level high) from the GIC at gpath, what
 * channels and virtio-net devices share: its offset, or -1. */
static int add_spi_node(void *fdt, const char *gpath, const char *prefix, const char *compat,
			uint64_t ipa, uint64_t size, unsigned intid, uint32_t trigger,
			struct dt_error *err)
{
	char name[48];
	snprintf(name, sizeof(name), "%s@%llx", prefix, (unsigned long long)ipa);
	int node = fdt_add_subnode(fdt, 0, name);
	TRY(node, name);
	TRY(fdt_setprop_string(fdt, node, "compatible", compat), name);
	uint64_t r[2] = {ipa, size};
	TRY(set_reg(fdt, node, dt_address_cells(fdt, 0), dt_size_cells(fdt, 0), r, 1), name);
	fdt32_t irq[3] = {cpu_to_fdt32(0), cpu_to_fdt32(intid - 32), cpu_to_fdt32(trigger)};
	TRY(fdt_setprop(fdt, node, "interrupts", irq, sizeof(irq)), name);
	int gicn = dt_path_offset(fdt, gpath);
	uint32_t gph = gicn >= 0 ? fdt_get_phandle(fdt, gicn) : 0;
	if (gph)
		TRY(fdt_setprop_u32(fdt, node, "interrupt-parent", gph), name);
	return node;
}

/* Channels: shared memory and a doorbell SPI each. */
static int add_channels(void *fdt, const char *gpath, const struct dom0_dt *g,
			struct dt_error *err)
{
	for (unsigned i = 0; i < g->nchans; i++) {
		const struct chan_view *c = &g->chans[i];
		int cn = add_spi_node(fdt, gpath, "bulkhead-channel", "bulkhead,channel", c->ipa,
				      c->size, c->intid, 1, err);
		if (cn < 0)
			return -1;
		TRY(fdt_setprop_u32(fdt, cn, "bulkhead,id", c->id), "channel");
		TRY(fdt_setprop_string(fdt, cn, "bulkhead,peer", c->peer), "channel");
	}
	return 0;
}

/* Virtio-net devices: a virtio-mmio window and a level SPI each. */
static int add_nets(void *fdt, const char *gpath, const struct dom0_dt *g, struct dt_error *err)
{
	for (unsigned i = 0; i < g->nnets; i++) {
		const struct vnet_view *n = &g->nets[i];
		int nn = add_spi_node(fdt, gpath, "virtio_mmio", "virtio,mmio", n->ipa,
				      VNET_WINDOW_SIZE, n->intid, 4, err);
		if (nn < 0)
			return -1;
		TRY(fdt_setprop(fdt, nn, "dma-coherent", NULL, 0), "virtio-net");
	}
	return 0;
}

/* PSCI over HVC, emulated by the hypervisor. */
static int set_psci(void *fdt, struct dt_error *err)
{
	int psci = dt_find_compatible(fdt, "arm,psci-1.0");
	if (psci < 0)
		psci = dt_find_compatible(fdt, "arm,psci-0.2");
	if (psci < 0)
		psci = dt_find_compatible(fdt, "arm,psci");
	if (psci < 0) {
		psci = fdt_add_subnode(fdt, 0, "psci");
		TRY(psci, "psci node");
	}
	static const char psci_compat[] = "arm,psci-1.0\0arm,psci-0.2";
	TRY(fdt_setprop(fdt, psci, "compatible", psci_compat, sizeof(psci_compat)), "psci");
	TRY(fdt_setprop_string(fdt, psci, "method", "hvc"), "psci method");
	static const char *const old_psci[] = {"cpu_on", "cpu_off", "cpu_suspend", "migrate"};
	for (unsigned i = 0; i < ARRAY_SIZE(old_psci); i++)
		fdt_delprop(fdt, psci, old_psci[i]);
	return 0;
}

/* The console: an emulated PL011 at the board UART's address, with a clock. */
static int emulate_console(void *fdt, const struct board *b, struct dt_error *err)
{
	int uart = dt_path_offset(fdt, b->uart_path);
	if (uart < 0 || b->uart == UART_PL011)
		return 0;
	static const char pl011[] = "arm,pl011\0arm,primecell";
	TRY(fdt_setprop(fdt, uart, "compatible", pl011, sizeof(pl011)), "console UART");
	uint32_t ph = 0;
	TRY(fdt_find_max_phandle(fdt, &ph), "phandles");
	int clk = fdt_add_subnode(fdt, 0, "bulkhead-uart-clk");
	TRY(clk, "UART clock");
	TRY(fdt_setprop_string(fdt, clk, "compatible", "fixed-clock"), "UART clock");
	TRY(fdt_setprop_u32(fdt, clk, "#clock-cells", 0), "UART clock");
	TRY(fdt_setprop_u32(fdt, clk, "clock-frequency", 24000000), "UART clock");
	TRY(fdt_setprop_u32(fdt, clk, "phandle", ph + 1), "UART clock");
	uart = dt_path_offset(fdt, b->uart_path);
	uint32_t clks[2] = {cpu_to_fdt32(ph + 1), cpu_to_fdt32(ph + 1)};
	TRY(fdt_setprop(fdt, uart, "clocks", clks, sizeof(clks)), "UART clocks");
	static const char cn[] = "uartclk\0apb_pclk";
	TRY(fdt_setprop(fdt, uart, "clock-names", cn, sizeof(cn)), "UART clocks");
	/* The real UART's other suppliers are not the emulated one's: a power
	 * domain or pins served by firmware the domain cannot reach (ZynqMP's
	 * PMU) would hold its probe back for ever. */
	static const char *const drop[] = {"power-domains", "pinctrl-names", "pinctrl-0", "resets",
					   "reset-names"};
	for (unsigned i = 0; i < ARRAY_SIZE(drop); i++)
		fdt_delprop(fdt, uart, drop[i]);
	return 0;
}

/* /chosen: our command line and initrd, nothing of the loader's. */
static int set_chosen(void *fdt, const struct dom0_dt *g, const struct board *b,
		      struct dt_error *err)
{
	int chosen = dt_path_offset(fdt, "/chosen");
	if (chosen < 0) {
		chosen = fdt_add_subnode(fdt, 0, "chosen");
		TRY(chosen, "chosen");
	}
	fdt_delprop(fdt, chosen, "linux,initrd-start");
	fdt_delprop(fdt, chosen, "linux,initrd-end");
	fdt_delprop(fdt, chosen, "bootargs");
	if (g->dom->bootargs[0])
		TRY(fdt_setprop_string(fdt, chosen, "bootargs", g->dom->bootargs), "bootargs");
	TRY(fdt_setprop_string(fdt, chosen, "stdout-path", b->uart_path), "stdout-path");
	TRY(fdt_setprop_u32(fdt, chosen, "bulkhead,restarts", 0), "restart count");
	if (g->initrd_size) {
		TRY(fdt_setprop_u64(fdt, chosen, "linux,initrd-start", g->initrd_ipa), "initrd");
		TRY(fdt_setprop_u64(fdt, chosen, "linux,initrd-end", g->initrd_ipa + g->initrd_size),
		    "initrd");
	}
	return 0;
}

int dt_dom0_build(void *buf, int bufsize, const struct dom0_dt *g, const struct board *b,
		  struct dt_error *err)
{
	static char del[MAX_DELETE][128];
	unsigned ndel;
	if (collect_removals(g, b, del, &ndel, err))
		return -1;
	TRY(fdt_open_into(b->fdt, buf, bufsize), "copy of the board DT");
	void *fdt = buf;
	if (renumber_cpus(fdt, g, b, err)) /* before the other CPUs go */
		return -1;
	for (unsigned i = 0; i < ndel; i++) {
		int n = dt_path_offset(fdt, del[i]);
		if (n >= 0)
			TRY(fdt_del_node(fdt, n), del[i]);
	}
	while (fdt_num_mem_rsv(fdt) > 0)
		TRY(fdt_del_mem_rsv(fdt, 0), "/memreserve/");
	/* /reserved-memory stays: those carve-outs are kept out of every domain's RAM
	 * and mapped 1:1 into dom0, which owns the devices that use them. */
	char gpath[128] = "";
	if (dt_node_path(b->fdt, b->gic_node, gpath, sizeof(gpath)) == 0 &&
	    fit_gic(fdt, gpath, g, b, err))
		return -1;
	if (add_memory(fdt, g, err) || add_channels(fdt, gpath, g, err) ||
	    add_nets(fdt, gpath, g, err) || set_psci(fdt, err) ||
	    emulate_console(fdt, b, err) || set_chosen(fdt, g, b, err))
		return -1;
	TRY(fdt_pack(fdt), "pack");
	return 0;
}
