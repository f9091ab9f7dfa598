/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Builds a domain's DT with the one-pass writer (dt/out.h): memory, CPUs
 * (PSCI), the GIC (same version and addresses as the board, sized to the
 * domain), the architected timer with all four PPIs, PSCI, the emulated
 * PL011 console and /chosen. A passed-through device's properties keep the
 * board's name offsets: the board's strings block is copied when the
 * domain has devices.
 */
#include <libfdt.h>

#include "common/lib.h"
#include "dt/blob.h"
#include "dt/devices.h"
#include "dt/err.h"
#include "dt/guest.h"
#include "dt/out.h"

#define PH_GIC 1
#define PH_CLK 2

/* reg in the root's 2+2 cells. */
static void reg2(struct dt_out *o, const uint64_t *pairs, int npairs)
{
	out_prop_reg(o, 2, 2, pairs, npairs);
}

/* A PPI/SPI specifier <type num flags> for an INTID, big-endian. */
static void irq_spec(fdt32_t *c, unsigned intid, uint32_t flags)
{
	c[0] = cpu_to_fdt32(intid >= 32 ? 0 : 1);
	c[1] = cpu_to_fdt32(intid >= 32 ? intid - 32 : intid - 16);
	c[2] = cpu_to_fdt32(flags);
}

/* Copy a passed-through device node: its properties, with reg translated to
 * the root's 2+2 cells and references to board clocks replaced by ours. */
static int copy_device(struct dt_out *o, const struct board *b, const void *host,
		       const char *path, const struct guest_dt *g, struct dt_error *err)
{
	int node = dt_path_offset(host, path);
	struct dev_res r;
	if (node < 0) {
		snprintf(err->msg, sizeof(err->msg), "DT for domain %s: device \"%.100s\" is not in "
			 "the board DT", g->name, path);
		return -1;
	}
	if (dt_node_resources(host, b, node, &r, err))
		return -1;
	out_begin_node(o, dt_get_name(host, node, NULL));
	const char *strings = (const char *)host + fdt_off_dt_strings(host);
	int prop;
	dt_blob_for_each_prop(prop, host, node)
	{
		const char *name;
		int len;
		const void *val = dt_blob_prop(host, prop, &name, &len);
		if (!strcmp(name, "interrupt-parent") || !strcmp(name, "phandle") ||
		    !strcmp(name, "linux,phandle") || !strcmp(name, "reg") ||
		    !strcmp(name, "clocks") || !strcmp(name, "status"))
			continue;
		out_prop_at(o, (uint32_t)(name - strings), val, (uint32_t)len);
	}
	uint64_t reg[2 * DEV_MAX_REGS];
	for (unsigned i = 0; i < r.nreg; i++) {
		reg[2 * i] = r.reg[i].base;
		reg[2 * i + 1] = r.reg[i].size;
	}
	if (r.nreg)
		reg2(o, reg, (int)r.nreg);
	int cn_len;
	const char *cn = dt_getprop(host, node, "clock-names", &cn_len);
	if (dt_getprop(host, node, "clocks", NULL)) {
		fdt32_t clks[8];
		int n = 0;
		for (int p = 0; cn && p < cn_len && n < 8; p += (int)strlen(cn + p) + 1)
			clks[n++] = cpu_to_fdt32(PH_CLK);
		if (n == 0)
			clks[n++] = cpu_to_fdt32(PH_CLK);
		out_prop(o, NM(clocks), clks, (uint32_t)n * 4);
	}
	out_prop_str(o, NM(status), "okay");
	out_end_node(o);
	return 0;
}

/* The root's own properties, /chosen and /aliases (the console). */
static void emit_root(struct dt_out *o, const struct guest_dt *g, const void *host_fdt)
{
	out_prop_u32(o, NM(address_cells), 2);
	out_prop_u32(o, NM(size_cells), 2);
	int rlen;
	const char *rcompat = dt_prop(host_fdt, 0, DT_P_COMPATIBLE, &rlen);
	if (rcompat)
		out_prop(o, NM(compatible), rcompat, (uint32_t)rlen);
	char model[64] = "Bulkhead domain ", path[64];
	size_t l = strnlen(g->name, sizeof(model) - 17); /* as snprintf would cut it */
	memcpy(model + 16, g->name, l);
	model[16 + l] = 0;
	out_prop_str(o, NM(model), model);
	out_prop_u32(o, NM(interrupt_parent), PH_GIC);

	out_unit_name(path, "/pl011", g->uart_ipa);
	out_begin_node(o, "chosen");
	if (g->bootargs && g->bootargs[0])
		out_prop_str(o, NM(bootargs), g->bootargs);
	out_prop_str(o, NM(stdout_path), path);
	out_prop_u32(o, NM(bulkhead_restarts), 0);
	if (g->initrd_size) {
		out_prop_u64(o, NM(linux_initrd_start), g->initrd_ipa);
		out_prop_u64(o, NM(linux_initrd_end), g->initrd_ipa + g->initrd_size);
	}
	out_end_node(o);
	out_begin_node(o, "aliases");
	out_prop_str(o, NM(serial0), path);
	out_end_node(o);
}

/* Memory, and one CPU node per vCPU (the board's CPU compatible, PSCI). */
static void emit_memory_cpus(struct dt_out *o, const struct guest_dt *g, const struct board *b,
			     const void *host_fdt)
{
	char path[64];
	out_begin_node(o, out_unit_name(path, "memory", g->ram_ipa));
	out_prop_str(o, NM(device_type), "memory");
	uint64_t mem[2] = {g->ram_ipa, g->ram_size};
	reg2(o, mem, 1);
	out_end_node(o);

	int cpu_compat_len = 0;
	const char *cpu_compat =
	    b->ncpus ? dt_prop(host_fdt, b->cpu_node[0], DT_P_COMPATIBLE, &cpu_compat_len) : NULL;
	out_begin_node(o, "cpus");
	out_prop_u32(o, NM(address_cells), 1);
	out_prop_u32(o, NM(size_cells), 0);
	for (unsigned i = 0; i < g->nvcpus; i++) {
		out_begin_node(o, out_unit_name(path, "cpu", i));
		out_prop_str(o, NM(device_type), "cpu");
		if (cpu_compat)
			out_prop(o, NM(compatible), cpu_compat, (uint32_t)cpu_compat_len);
		else
			out_prop_str(o, NM(compatible), "arm,armv8");
		out_prop_u32(o, NM(reg), i);
		out_prop_str(o, NM(enable_method), "psci");
		out_end_node(o);
	}
	out_end_node(o);
}

/* PSCI, the architected timer (all four PPIs) and the GIC sized to the domain. */
static void emit_psci_timer_gic(struct dt_out *o, const struct guest_dt *g, const struct board *b)
{
	out_begin_node(o, "psci");
	static const char psci_compat[] = "arm,psci-1.0\0arm,psci-0.2";
	out_prop(o, NM(compatible), psci_compat, sizeof(psci_compat));
	out_prop_str(o, NM(method), g->conduit == CONDUIT_SMC ? "smc" : "hvc");
	out_end_node(o);

	out_begin_node(o, "timer");
	out_prop_str(o, NM(compatible), "arm,armv8-timer");
	fdt32_t tirq[12];
	/* PPI flags: level-low, routed to every vCPU of this domain (GICv2 CPU mask). */
	uint32_t ppi_flags = 0x8 | (b->gic_version == 2 ? ((1u << g->nvcpus) - 1) << 8 : 0);
	for (int i = 0; i < 4; i++)
		irq_spec(&tirq[3 * i], b->timer_irq[i], ppi_flags);
	out_prop(o, NM(interrupts), tirq, sizeof(tirq));
	out_prop(o, NM(always_on), NULL, 0);
	out_end_node(o);

	char path[64];
	out_begin_node(o, out_unit_name(path, "intc", b->gicd.base));
	uint64_t reg[4] = {b->gicd.base, 0x1000, b->gicc.base, 0x2000};
	if (b->gic_version == 3) {
		out_prop_str(o, NM(compatible), "arm,gic-v3");
		reg[1] = 0x10000;
		reg[2] = b->gicr.base;
		reg[3] = 0x20000ULL * g->nvcpus;
	} else {
		out_prop_str(o, NM(compatible), "arm,cortex-a15-gic");
	}
	reg2(o, reg, 2);
	out_prop_u32(o, NM(interrupt_cells), 3);
	out_prop(o, NM(interrupt_controller), NULL, 0);
	out_prop_u32(o, NM(phandle), PH_GIC);
	out_end_node(o);
}

/* The emulated PL011 console at the board UART's address, and its clock. */
static void emit_console(struct dt_out *o, const struct guest_dt *g)
{
	out_begin_node(o, "apb-pclk");
	out_prop_str(o, NM(compatible), "fixed-clock");
	out_prop_u32(o, NM(clock_cells), 0);
	out_prop_u32(o, NM(clock_frequency), 24000000);
	out_prop_str(o, NM(clock_output_names), "clk24mhz");
	out_prop_u32(o, NM(phandle), PH_CLK);
	out_end_node(o);

	char path[64];
	out_begin_node(o, out_unit_name(path, "pl011", g->uart_ipa));
	static const char uart_compat[] = "arm,pl011\0arm,primecell";
	out_prop(o, NM(compatible), uart_compat, sizeof(uart_compat));
	/* The ID without reading it: the emulation may cover less than 4 KiB. */
	out_prop_u32(o, NM(arm_primecell_periphid), VUART_PERIPHID);
	uint64_t ureg[2] = {g->uart_ipa, 0x1000};
	reg2(o, ureg, 1);
	fdt32_t uirq[3];
	irq_spec(uirq, g->uart_intid, 4);
	out_prop(o, NM(interrupts), uirq, sizeof(uirq));
	fdt32_t clks[2] = {cpu_to_fdt32(PH_CLK), cpu_to_fdt32(PH_CLK)};
	out_prop(o, NM(clocks), clks, sizeof(clks));
	static const char clk_names[] = "uartclk\0apb_pclk";
	out_prop(o, NM(clock_names), clk_names, sizeof(clk_names));
	out_end_node(o);
}

/* Channels (shared memory and a doorbell SPI each) and virtio-net devices
 * (a virtio-mmio window and a level SPI each; the hypervisor copies frames
 * into its RAM coherently). */
static void emit_channels_nets(struct dt_out *o, const struct guest_dt *g)
{
	for (unsigned i = 0; i < g->nchans; i++) {
		const struct chan_view *c = &g->chans[i];
		out_begin_spi_node(o, "bulkhead-channel", "bulkhead,channel", c->ipa, c->size,
				   c->intid, 1, 2, 2, 0);
		out_prop_u32(o, NM(bulkhead_id), c->id);
		out_prop_str(o, NM(bulkhead_peer), c->peer);
		out_end_node(o);
	}
	for (unsigned i = 0; i < g->nnets; i++) {
		const struct vnet_view *n = &g->nets[i];
		out_begin_spi_node(o, "virtio_mmio", "virtio,mmio", n->ipa, VNET_WINDOW_SIZE, n->intid,
				   4, 2, 2, 0);
		out_prop(o, NM(dma_coherent), NULL, 0);
		out_end_node(o);
	}
}

int dt_guest_build(void *buf, int bufsize, const struct guest_dt *g, const struct board *b,
		   const void *host_fdt, struct dt_error *err)
{
	struct dt_out o;
	if (!out_begin(&o, buf, bufsize, g->ndevices ? host_fdt : NULL))
		ERR("DT for domain %.60s: no room (%d bytes)", g->name, bufsize);
	out_begin_node(&o, "");
	emit_root(&o, g, host_fdt);
	emit_memory_cpus(&o, g, b, host_fdt);
	emit_psci_timer_gic(&o, g, b);
	emit_console(&o, g);
	for (unsigned i = 0; i < g->ndevices; i++)
		if (copy_device(&o, b, host_fdt, g->devices[i], g, err))
			return -1;
	emit_channels_nets(&o, g);
	out_end_node(&o);
	const char *bad = out_finish(&o);
	if (bad)
		ERR("DT for domain %.60s: %s (%d bytes)", g->name, bad, bufsize);
	return 0;
}
