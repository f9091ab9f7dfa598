/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Builds a domain's DT with libfdt's sequential-write API: memory, CPUs
 * (PSCI), the GIC (same version and addresses as the board, sized to the
 * domain), the architected timer with all four PPIs, PSCI, the emulated
 * PL011 console and /chosen.
 */
#include <libfdt.h>

#include "common/lib.h"
#include "dt/devices.h"
#include "dt/err.h"
#include "dt/guest.h"

#define PH_GIC 1
#define PH_CLK 2

#define TRY(x) FDT_TRY(x, "DT for domain %.60s (guest.c:%d)", g->name, __LINE__)

static int prop_cells(void *fdt, const char *name, const uint32_t *cells, int n)
{
	uint32_t be[64];
	for (int i = 0; i < n; i++)
		be[i] = cpu_to_fdt32(cells[i]);
	return fdt_property(fdt, name, be, n * 4);
}

static int prop_reg2(void *fdt, const uint64_t *pairs, int npairs)
{
	uint32_t c[4 * DEV_MAX_REGS];
	for (int i = 0; i < npairs * 2; i++) {
		c[2 * i] = (uint32_t)(pairs[i] >> 32);
		c[2 * i + 1] = (uint32_t)pairs[i];
	}
	return prop_cells(fdt, "reg", c, npairs * 4);
}

/* A PPI/SPI specifier <type num flags> for an INTID. */
static void irq_spec(uint32_t *c, unsigned intid, uint32_t flags)
{
	c[0] = intid >= 32 ? 0 : 1;
	c[1] = intid >= 32 ? intid - 32 : intid - 16;
	c[2] = flags;
}

/* Copy a passed-through device node: its properties, with reg translated to
 * the root's 2+2 cells and references to board clocks replaced by ours. */
static int copy_device(void *fdt, const struct board *b, const void *host, const char *path,
		       const struct guest_dt *g, struct dt_error *err)
{
	int node = fdt_path_offset(host, path);
	struct dev_res r;
	if (node < 0) {
		snprintf(err->msg, sizeof(err->msg), "DT for domain %s: device \"%.100s\" is not in "
			 "the board DT", g->name, path);
		return -1;
	}
	if (dt_node_resources(host, b, node, &r, err))
		return -1;
	TRY(fdt_begin_node(fdt, fdt_get_name(host, node, NULL)));
	int prop;
	fdt_for_each_property_offset(prop, host, node)
	{
		const char *name;
		int len;
		const void *val = fdt_getprop_by_offset(host, prop, &name, &len);
		if (!val || !strcmp(name, "interrupt-parent") || !strcmp(name, "phandle") ||
		    !strcmp(name, "linux,phandle") || !strcmp(name, "reg") ||
		    !strcmp(name, "clocks") || !strcmp(name, "status"))
			continue;
		TRY(fdt_property(fdt, name, val, len));
	}
	uint64_t reg[2 * DEV_MAX_REGS];
	for (unsigned i = 0; i < r.nreg; i++) {
		reg[2 * i] = r.reg[i].base;
		reg[2 * i + 1] = r.reg[i].size;
	}
	if (r.nreg)
		TRY(prop_reg2(fdt, reg, (int)r.nreg));
	int cn_len;
	const char *cn = fdt_getprop(host, node, "clock-names", &cn_len);
	if (fdt_getprop(host, node, "clocks", NULL)) {
		uint32_t clks[8];
		int n = 0;
		for (int p = 0; cn && p < cn_len && n < 8; p += (int)strlen(cn + p) + 1)
			clks[n++] = PH_CLK;
		if (n == 0)
			clks[n++] = PH_CLK;
		TRY(prop_cells(fdt, "clocks", clks, n));
	}
	TRY(fdt_property_string(fdt, "status", "okay"));
	TRY(fdt_end_node(fdt));
	return 0;
}

/* The root's own properties, /chosen and /aliases (the console). */
static int emit_root(void *fdt, const struct guest_dt *g, const void *host_fdt,
		     struct dt_error *err)
{
	uint32_t two = 2, gic_ph = PH_GIC;
	TRY(prop_cells(fdt, "#address-cells", &two, 1));
	TRY(prop_cells(fdt, "#size-cells", &two, 1));
	int rlen;
	const char *rcompat = fdt_getprop(host_fdt, 0, "compatible", &rlen);
	if (rcompat)
		TRY(fdt_property(fdt, "compatible", rcompat, rlen));
	char model[64], path[64];
	snprintf(model, sizeof(model), "Bulkhead domain %s", g->name);
	TRY(fdt_property_string(fdt, "model", model));
	TRY(prop_cells(fdt, "interrupt-parent", &gic_ph, 1));

	snprintf(path, sizeof(path), "/pl011@%llx", (unsigned long long)g->uart_ipa);
	TRY(fdt_begin_node(fdt, "chosen"));
	if (g->bootargs && g->bootargs[0])
		TRY(fdt_property_string(fdt, "bootargs", g->bootargs));
	TRY(fdt_property_string(fdt, "stdout-path", path));
	TRY(fdt_property_u32(fdt, "bulkhead,restarts", 0));
	if (g->initrd_size) {
		TRY(fdt_property_u64(fdt, "linux,initrd-start", g->initrd_ipa));
		TRY(fdt_property_u64(fdt, "linux,initrd-end", g->initrd_ipa + g->initrd_size));
	}
	TRY(fdt_end_node(fdt));
	TRY(fdt_begin_node(fdt, "aliases"));
	TRY(fdt_property_string(fdt, "serial0", path));
	TRY(fdt_end_node(fdt));
	return 0;
}

/* Memory, and one CPU node per vCPU (the board's CPU compatible, PSCI). */
static int emit_memory_cpus(void *fdt, const struct guest_dt *g, const struct board *b,
			    const void *host_fdt, struct dt_error *err)
{
	char path[64];
	snprintf(path, sizeof(path), "memory@%llx", (unsigned long long)g->ram_ipa);
	TRY(fdt_begin_node(fdt, path));
	TRY(fdt_property_string(fdt, "device_type", "memory"));
	uint64_t mem[2] = {g->ram_ipa, g->ram_size};
	TRY(prop_reg2(fdt, mem, 1));
	TRY(fdt_end_node(fdt));

	int cpu_compat_len = 0;
	const char *cpu_compat =
	    b->ncpus ? fdt_getprop(host_fdt, b->cpu_node[0], "compatible", &cpu_compat_len) : NULL;
	TRY(fdt_begin_node(fdt, "cpus"));
	uint32_t one = 1, zero = 0;
	TRY(prop_cells(fdt, "#address-cells", &one, 1));
	TRY(prop_cells(fdt, "#size-cells", &zero, 1));
	for (unsigned i = 0; i < g->nvcpus; i++) {
		snprintf(path, sizeof(path), "cpu@%x", i);
		TRY(fdt_begin_node(fdt, path));
		TRY(fdt_property_string(fdt, "device_type", "cpu"));
		if (cpu_compat)
			TRY(fdt_property(fdt, "compatible", cpu_compat, cpu_compat_len));
		else
			TRY(fdt_property_string(fdt, "compatible", "arm,armv8"));
		TRY(prop_cells(fdt, "reg", &i, 1));
		TRY(fdt_property_string(fdt, "enable-method", "psci"));
		TRY(fdt_end_node(fdt));
	}
	TRY(fdt_end_node(fdt));
	return 0;
}

/* PSCI, the architected timer (all four PPIs) and the GIC sized to the domain. */
static int emit_psci_timer_gic(void *fdt, const struct guest_dt *g, const struct board *b,
			       struct dt_error *err)
{
	TRY(fdt_begin_node(fdt, "psci"));
	static const char psci_compat[] = "arm,psci-1.0\0arm,psci-0.2";
	TRY(fdt_property(fdt, "compatible", psci_compat, sizeof(psci_compat)));
	TRY(fdt_property_string(fdt, "method", g->conduit == CONDUIT_SMC ? "smc" : "hvc"));
	TRY(fdt_end_node(fdt));

	TRY(fdt_begin_node(fdt, "timer"));
	static const char timer_compat[] = "arm,armv8-timer";
	TRY(fdt_property(fdt, "compatible", timer_compat, sizeof(timer_compat)));
	uint32_t tirq[12];
	/* PPI flags: level-low, routed to every vCPU of this domain (GICv2 CPU mask). */
	uint32_t ppi_flags = 0x8 | (b->gic_version == 2 ? ((1u << g->nvcpus) - 1) << 8 : 0);
	for (int i = 0; i < 4; i++)
		irq_spec(&tirq[3 * i], b->timer_irq[i], ppi_flags);
	TRY(prop_cells(fdt, "interrupts", tirq, 12));
	TRY(fdt_property(fdt, "always-on", NULL, 0));
	TRY(fdt_end_node(fdt));

	char path[64];
	snprintf(path, sizeof(path), "intc@%llx", (unsigned long long)b->gicd.base);
	TRY(fdt_begin_node(fdt, path));
	if (b->gic_version == 3) {
		TRY(fdt_property_string(fdt, "compatible", "arm,gic-v3"));
		uint64_t reg[4] = {b->gicd.base, 0x10000, b->gicr.base, 0x20000ULL * g->nvcpus};
		TRY(prop_reg2(fdt, reg, 2));
	} else {
		TRY(fdt_property_string(fdt, "compatible", "arm,cortex-a15-gic"));
		uint64_t reg[4] = {b->gicd.base, 0x1000, b->gicc.base, 0x2000};
		TRY(prop_reg2(fdt, reg, 2));
	}
	uint32_t three = 3, gic_ph = PH_GIC;
	TRY(prop_cells(fdt, "#interrupt-cells", &three, 1));
	TRY(fdt_property(fdt, "interrupt-controller", NULL, 0));
	TRY(prop_cells(fdt, "phandle", &gic_ph, 1));
	TRY(fdt_end_node(fdt));
	return 0;
}

/* The emulated PL011 console at the board UART's address, and its clock. */
static int emit_console(void *fdt, const struct guest_dt *g, struct dt_error *err)
{
	uint32_t zero = 0, freq = 24000000, clk_ph = PH_CLK;
	TRY(fdt_begin_node(fdt, "apb-pclk"));
	TRY(fdt_property_string(fdt, "compatible", "fixed-clock"));
	TRY(prop_cells(fdt, "#clock-cells", &zero, 1));
	TRY(prop_cells(fdt, "clock-frequency", &freq, 1));
	TRY(fdt_property_string(fdt, "clock-output-names", "clk24mhz"));
	TRY(prop_cells(fdt, "phandle", &clk_ph, 1));
	TRY(fdt_end_node(fdt));

	char path[64];
	snprintf(path, sizeof(path), "pl011@%llx", (unsigned long long)g->uart_ipa);
	TRY(fdt_begin_node(fdt, path));
	static const char uart_compat[] = "arm,pl011\0arm,primecell";
	TRY(fdt_property(fdt, "compatible", uart_compat, sizeof(uart_compat)));
	/* The ID without reading it: the emulation may cover less than 4 KiB. */
	uint32_t periphid = VUART_PERIPHID;
	TRY(prop_cells(fdt, "arm,primecell-periphid", &periphid, 1));
	uint64_t ureg[2] = {g->uart_ipa, 0x1000};
	TRY(prop_reg2(fdt, ureg, 1));
	uint32_t uirq[3];
	irq_spec(uirq, g->uart_intid, 4);
	TRY(prop_cells(fdt, "interrupts", uirq, 3));
	uint32_t clks[2] = {PH_CLK, PH_CLK};
	TRY(prop_cells(fdt, "clocks", clks, 2));
	static const char clk_names[] = "uartclk\0apb_pclk";
	TRY(fdt_property(fdt, "clock-names", clk_names, sizeof(clk_names)));
	TRY(fdt_end_node(fdt));
	return 0;
}

/* Opens node <prefix>@<ipa> with compatible, reg (ipa, size) and one SPI
 * (trigger 1: edge rising, 4: level high), what channels and virtio-net
 * devices share; the caller adds the rest and ends it. */
static int begin_spi_node(void *fdt, const struct guest_dt *g, const char *prefix,
			  const char *compat, uint64_t ipa, uint64_t size, unsigned intid,
			  uint32_t trigger, struct dt_error *err)
{
	char path[64];
	snprintf(path, sizeof(path), "%s@%llx", prefix, (unsigned long long)ipa);
	TRY(fdt_begin_node(fdt, path));
	TRY(fdt_property_string(fdt, "compatible", compat));
	uint64_t reg[2] = {ipa, size};
	TRY(prop_reg2(fdt, reg, 1));
	uint32_t irq[3];
	irq_spec(irq, intid, trigger);
	TRY(prop_cells(fdt, "interrupts", irq, 3));
	return 0;
}

/* Channels: shared memory and a doorbell SPI each. */
static int emit_channels(void *fdt, const struct guest_dt *g, struct dt_error *err)
{
	for (unsigned i = 0; i < g->nchans; i++) {
		const struct chan_view *c = &g->chans[i];
		if (begin_spi_node(fdt, g, "bulkhead-channel", "bulkhead,channel", c->ipa, c->size,
				   c->intid, 1, err))
			return -1;
		TRY(prop_cells(fdt, "bulkhead,id", &c->id, 1));
		TRY(fdt_property_string(fdt, "bulkhead,peer", c->peer));
		TRY(fdt_end_node(fdt));
	}
	return 0;
}

/* Virtio-net devices: a virtio-mmio window and a level SPI each; the
 * hypervisor copies frames into its RAM coherently. */
static int emit_nets(void *fdt, const struct guest_dt *g, struct dt_error *err)
{
	for (unsigned i = 0; i < g->nnets; i++) {
		const struct vnet_view *n = &g->nets[i];
		if (begin_spi_node(fdt, g, "virtio_mmio", "virtio,mmio", n->ipa, VNET_WINDOW_SIZE,
				   n->intid, 4, err))
			return -1;
		TRY(fdt_property(fdt, "dma-coherent", NULL, 0));
		TRY(fdt_end_node(fdt));
	}
	return 0;
}

int dt_guest_build(void *buf, int bufsize, const struct guest_dt *g, const struct board *b,
		   const void *host_fdt, struct dt_error *err)
{
	void *fdt = buf;
	/* No search of the strings block for each property name (quadratic: 70K
	 * instructions of a domain's build): a few repeated names cost less. */
	TRY(fdt_create_with_flags(fdt, bufsize, FDT_CREATE_FLAG_NO_NAME_DEDUP));
	TRY(fdt_finish_reservemap(fdt));
	TRY(fdt_begin_node(fdt, ""));
	if (emit_root(fdt, g, host_fdt, err) || emit_memory_cpus(fdt, g, b, host_fdt, err) ||
	    emit_psci_timer_gic(fdt, g, b, err) || emit_console(fdt, g, err))
		return -1;
	for (unsigned i = 0; i < g->ndevices; i++)
		if (copy_device(fdt, b, host_fdt, g->devices[i], g, err))
			return -1;
	if (emit_channels(fdt, g, err) || emit_nets(fdt, g, err))
		return -1;
	TRY(fdt_end_node(fdt));
	TRY(fdt_finish(fdt));
	return 0;
}
