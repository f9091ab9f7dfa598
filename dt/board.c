/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Reads the live board DT: CPUs and how to start them, memory and what is
 * reserved in it, the GIC and its regions, timer PPIs, the PSCI conduit, and
 * the console UART named by /chosen/stdout-path.
 */
#include <libfdt.h>

#include "common/lib.h"
#include "dt/dt.h"
#include "dt/err.h"

uint64_t dt_read_cells(const uint32_t *p, int cells)
{
	uint64_t v = 0;
	for (int i = 0; i < cells; i++)
		v = (v << 32) | fdt32_to_cpu(p[i]);
	return v;
}

unsigned dt_gic_intid(const uint32_t *cells)
{
	/* <type num flags>: type 0 = SPI (INTID 32 + num), 1 = PPI (INTID 16 + num) */
	uint32_t type = fdt32_to_cpu(cells[0]), num = fdt32_to_cpu(cells[1]);
	return type == 0 ? 32 + num : 16 + num;
}

const char *dt_uart_name(enum uart_kind k)
{
	switch (k) {
	case UART_PL011:
		return "PL011";
	case UART_NS16550:
		return "16550";
	case UART_CADENCE:
		return "Cadence";
	case UART_IMX:
		return "i.MX";
	default:
		return "none";
	}
}

/*
 * Parents of the board DT's nodes, from one pass over it. libfdt's
 * fdt_parent_offset() rescans the tree from its start on every call: on
 * QEMU's virt DT that was half of the hypervisor's boot. Built by
 * dt_board_read() for the DT it reads (which nothing modifies afterwards);
 * a node past its capacity, or another tree, falls back to libfdt.
 */
#define DT_INDEX_MAX 1024 /* nodes; the largest board DT checked here has 540 */
static struct {
	const void *fdt;
	unsigned n;
	int node[DT_INDEX_MAX], parent[DT_INDEX_MAX];
} ix;

static void index_build(const void *fdt)
{
	int stack[64], depth = -1; /* the root comes back at depth 0 */
	ix.fdt = fdt;
	ix.n = 0;
	for (int node = fdt_next_node(fdt, -1, &depth); node >= 0 && ix.n < DT_INDEX_MAX;
	     node = fdt_next_node(fdt, node, &depth)) {
		if (depth < 0 || depth >= 64)
			break;
		stack[depth] = node;
		ix.node[ix.n] = node;
		ix.parent[ix.n++] = depth ? stack[depth - 1] : -FDT_ERR_NOTFOUND;
	}
}

int dt_parent(const void *fdt, int node)
{
	if (fdt == ix.fdt && ix.n && node >= 0 && node <= ix.node[ix.n - 1]) {
		unsigned lo = 0, hi = ix.n;
		while (lo < hi) { /* offsets grow in traversal order */
			unsigned mid = (lo + hi) / 2;
			if (ix.node[mid] < node)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo < ix.n && ix.node[lo] == node)
			return ix.parent[lo];
	}
	return fdt_parent_offset(fdt, node);
}

int dt_node_path(const void *fdt, int node, char *buf, size_t len)
{
	int chain[64], n = 0, x = node;
	if (node < 0)
		return -FDT_ERR_BADOFFSET;
	for (; x > 0 && n < 64; x = dt_parent(fdt, x))
		chain[n++] = x;
	if (x > 0)
		return -FDT_ERR_BADSTRUCTURE; /* deeper than any real DT */
	if (len < 2)
		return -FDT_ERR_NOSPACE;
	size_t o = 0;
	buf[0] = '/';
	buf[1] = 0;
	while (n--) {
		int l;
		const char *name = fdt_get_name(fdt, chain[n], &l);
		if (!name || l < 0)
			return -FDT_ERR_BADSTRUCTURE;
		if (o + 1 + (size_t)l + 1 > len)
			return -FDT_ERR_NOSPACE;
		buf[o++] = '/';
		memcpy(buf + o, name, (size_t)l);
		o += (size_t)l;
		buf[o] = 0;
	}
	return 0;
}

void dt_board_move(struct board *b, const void *copy)
{
	if (ix.fdt == b->fdt)
		ix.fdt = copy;
	b->fdt = copy;
}

static int addr_cells(const void *fdt, int node)
{
	int parent = dt_parent(fdt, node);
	int n = parent >= 0 ? fdt_address_cells(fdt, parent) : 2;
	return n < 0 ? 2 : n;
}

static int size_cells(const void *fdt, int node)
{
	int parent = dt_parent(fdt, node);
	int n = parent >= 0 ? fdt_size_cells(fdt, parent) : 1;
	return n < 0 ? 1 : n;
}

/* reg entry `idx` of `node`; false if absent. (No `ranges` translation: the
 * nodes we read sit on the root or a simple-bus with identity ranges.) */
static bool read_reg(const void *fdt, int node, int idx, struct mem_range *r)
{
	int len, ac = addr_cells(fdt, node), sc = size_cells(fdt, node);
	const uint32_t *p = fdt_getprop(fdt, node, "reg", &len);
	int stride = (ac + sc) * 4;

	if (!p || stride == 0 || len < stride * (idx + 1))
		return false;
	p += (ac + sc) * idx;
	r->base = dt_read_cells(p, ac);
	r->size = dt_read_cells(p + ac, sc);
	return true;
}

bool dt_translate(const void *fdt, int node, uint64_t *addr)
{
	for (int parent = dt_parent(fdt, node); parent > 0; parent = dt_parent(fdt, parent)) {
		int len;
		const uint32_t *r = fdt_getprop(fdt, parent, "ranges", &len);
		if (!r)
			return false; /* no ranges: not memory-mapped */
		if (len == 0)
			continue;
		int cac = fdt_address_cells(fdt, parent), csz = fdt_size_cells(fdt, parent);
		int gp = dt_parent(fdt, parent);
		int pac = gp >= 0 ? fdt_address_cells(fdt, gp) : 2;
		if (cac < 1 || csz < 0 || pac < 1)
			return false;
		int stride = cac + pac + csz;
		bool found = false;
		for (int i = 0; (i + 1) * stride * 4 <= len; i++) {
			const uint32_t *e = r + i * stride;
			uint64_t child = dt_read_cells(e, cac), par = dt_read_cells(e + cac, pac);
			uint64_t size = dt_read_cells(e + cac + pac, csz);
			if (*addr >= child && *addr - child < size) {
				*addr = *addr - child + par;
				found = true;
				break;
			}
		}
		if (!found)
			return false;
	}
	return true;
}

static int read_cpus(const void *fdt, struct board *b, struct dt_error *err)
{
	int cpus = fdt_path_offset(fdt, "/cpus");
	if (cpus < 0)
		ERR("DT: no /cpus node");
	int ac = fdt_address_cells(fdt, cpus);
	if (ac < 1 || ac > 2)
		ERR("DT: /cpus: #address-cells is %d, expected 1 or 2", ac);
	int node;
	fdt_for_each_subnode(node, fdt, cpus)
	{
		const char *type = fdt_getprop(fdt, node, "device_type", NULL);
		if (!type || strcmp(type, "cpu"))
			continue;
		const char *st = fdt_getprop(fdt, node, "status", NULL);
		if (st && strcmp(st, "okay") && strcmp(st, "ok"))
			continue;
		const char *name = fdt_get_name(fdt, node, NULL);
		if (b->ncpus == BH_MAX_CPUS)
			ERR("DT: /cpus/%s: more than %d CPUs are not supported", name, BH_MAX_CPUS);
		int len;
		const uint32_t *reg = fdt_getprop(fdt, node, "reg", &len);
		if (!reg || len < ac * 4)
			ERR("DT: /cpus/%s: missing or short 'reg' property", name);
		unsigned i = b->ncpus++;
		b->mpidr[i] = dt_read_cells(reg, ac);
		b->cpu_node[i] = node;
		const char *method = fdt_getprop(fdt, node, "enable-method", NULL);
		if (method && !strcmp(method, "spin-table")) {
			const uint32_t *rel = fdt_getprop(fdt, node, "cpu-release-addr", &len);
			if (!rel || len != 8)
				ERR("DT: /cpus/%s: spin-table CPU without an 8-byte 'cpu-release-addr'",
				    name);
			b->cpu_method[i] = CPU_METHOD_SPIN_TABLE;
			b->cpu_release_addr[i] = dt_read_cells(rel, 2);
		} else {
			b->cpu_method[i] = CPU_METHOD_PSCI;
		}
	}
	if (b->ncpus == 0)
		ERR("DT: /cpus has no usable cpu node");
	for (unsigned i = 0; i < b->ncpus; i++)
		for (unsigned j = i + 1; j < b->ncpus; j++)
			if (b->mpidr[i] == b->mpidr[j])
				ERR("DT: /cpus: two CPUs with reg 0x%llx",
				    (unsigned long long)b->mpidr[i]);
	return 0;
}

static int add_range(struct mem_range *arr, unsigned *n, unsigned max, uint64_t base,
		     uint64_t size, const char *what, struct dt_error *err)
{
	if (size == 0)
		return 0;
	if (*n == max)
		ERR("DT: more than %u %s ranges", max, what);
	if (base + size < base)
		ERR("DT: %s range 0x%llx+0x%llx wraps around", what, (unsigned long long)base,
		    (unsigned long long)size);
	arr[*n].base = base;
	arr[*n].size = size;
	(*n)++;
	return 0;
}

static int read_memory(const void *fdt, struct board *b, struct dt_error *err)
{
	int node;
	fdt_for_each_subnode(node, fdt, 0)
	{
		const char *type = fdt_getprop(fdt, node, "device_type", NULL);
		if (!type || strcmp(type, "memory"))
			continue;
		const char *st = fdt_getprop(fdt, node, "status", NULL);
		if (st && strcmp(st, "okay") && strcmp(st, "ok"))
			continue;
		struct mem_range r;
		for (int i = 0; read_reg(fdt, node, i, &r); i++)
			if (add_range(b->mem, &b->nmem, BH_MAX_MEM, r.base, r.size, "memory", err))
				return -1;
	}
	if (b->nmem == 0)
		ERR("DT: no memory node (device_type = \"memory\") with a 'reg'");

	int n = fdt_num_mem_rsv(fdt);
	for (int i = 0; i < n; i++) {
		uint64_t a, s;
		if (fdt_get_mem_rsv(fdt, i, &a, &s) == 0 &&
		    add_range(b->resv, &b->nresv, BH_MAX_RESV, a, s, "reserved", err))
			return -1;
	}
	int rm = fdt_path_offset(fdt, "/reserved-memory");
	if (rm >= 0) {
		fdt_for_each_subnode(node, fdt, rm)
		{
			struct mem_range r;
			for (int i = 0; read_reg(fdt, node, i, &r); i++)
				if (add_range(b->resv, &b->nresv, BH_MAX_RESV, r.base, r.size,
					      "reserved", err))
					return -1;
		}
	}
	return 0;
}

static int read_gic(const void *fdt, struct board *b, struct dt_error *err)
{
	static const char *const v3[] = {"arm,gic-v3"};
	static const char *const v2[] = {"arm,cortex-a15-gic", "arm,gic-400", "arm,cortex-a9-gic",
					 "arm,cortex-a7-gic", "arm,arm11mp-gic"};
	int node = -1;

	for (unsigned i = 0; i < ARRAY_SIZE(v3) && node < 0; i++) {
		node = fdt_node_offset_by_compatible(fdt, -1, v3[i]);
		if (node >= 0)
			b->gic_version = 3;
	}
	for (unsigned i = 0; i < ARRAY_SIZE(v2) && node < 0; i++) {
		node = fdt_node_offset_by_compatible(fdt, -1, v2[i]);
		if (node >= 0)
			b->gic_version = 2;
	}
	if (node < 0)
		ERR("DT: no supported interrupt controller (arm,gic-v3 or a GICv2 such as "
		    "arm,gic-400)");
	b->gic_node = node;
	const char *name = fdt_get_name(fdt, node, NULL);
	struct mem_range *want[4];
	unsigned nwant;
	if (b->gic_version == 3) {
		want[0] = &b->gicd;
		want[1] = &b->gicr;
		nwant = 2;
	} else {
		want[0] = &b->gicd;
		want[1] = &b->gicc;
		want[2] = &b->gich;
		want[3] = &b->gicv;
		nwant = 4;
	}
	for (unsigned i = 0; i < nwant; i++) {
		if (!read_reg(fdt, node, (int)i, want[i]))
			ERR("DT: %s: 'reg' has %u entries, GICv%u needs %u%s", name, i,
			    b->gic_version, nwant,
			    b->gic_version == 2 ? " (GICD, GICC, GICH, GICV: without GICH and "
						  "GICV the GIC has no virtualization support)"
						: "");
		if (!dt_translate(fdt, node, &want[i]->base))
			ERR("DT: %s: reg entry %u is not reachable through the parents' 'ranges'",
			    name, i);
	}
	/* The GIC binding has 3 cells, or 4 with PPI partitions; anything else
	 * would make every 'interrupts' walk step by a wrong (or huge) stride. */
	int len;
	const uint32_t *ic = fdt_getprop(fdt, node, "#interrupt-cells", &len);
	if (ic && (len != 4 || fdt32_to_cpu(*ic) < 3 || fdt32_to_cpu(*ic) > 4))
		ERR("DT: %s: '#interrupt-cells' must be one cell holding 3 or 4", name);
	const uint32_t *irq = fdt_getprop(fdt, node, "interrupts", &len);
	b->maint_irq = (irq && len >= 12) ? dt_gic_intid(irq) : 25;
	return 0;
}

unsigned dt_gic_cells(const void *fdt, const struct board *b)
{
	int len;
	const uint32_t *p = fdt_getprop(fdt, b->gic_node, "#interrupt-cells", &len);
	unsigned n = p && len == 4 ? fdt32_to_cpu(*p) : 3;
	return n == 4 ? 4 : 3; /* read_gic() rejected anything but 3 or 4 */
}

static void read_timer(const void *fdt, struct board *b)
{
	int node = fdt_node_offset_by_compatible(fdt, -1, "arm,armv8-timer");
	if (node < 0)
		node = fdt_node_offset_by_compatible(fdt, -1, "arm,armv7-timer");
	int len = 0;
	const uint32_t *p = node >= 0 ? fdt_getprop(fdt, node, "interrupts", &len) : NULL;
	unsigned cells = dt_gic_cells(fdt, b); /* 4 on GICs with PPI partitions (RK3399) */
	b->ntimer_irqs = 0;
	for (unsigned i = 0; p && i < 4 && (i + 1) * cells * 4 <= (unsigned)len; i++)
		b->timer_irq[b->ntimer_irqs++] = dt_gic_intid(p + cells * i);
	if (b->ntimer_irqs < 4) {
		/* Architected defaults (SBSA): PPIs 13, 14, 11, 10. */
		static const unsigned def[4] = {29, 30, 27, 26};
		for (unsigned i = b->ntimer_irqs; i < 4; i++)
			b->timer_irq[i] = def[i];
	}
}

static int read_psci(const void *fdt, struct board *b, struct dt_error *err)
{
	static const char *const compat[] = {"arm,psci-1.0", "arm,psci-0.2", "arm,psci"};
	int node = -1;

	for (unsigned i = 0; i < ARRAY_SIZE(compat) && node < 0; i++)
		node = fdt_node_offset_by_compatible(fdt, -1, compat[i]);
	b->psci = CONDUIT_NONE;
	if (node < 0)
		return 0;
	const char *m = fdt_getprop(fdt, node, "method", NULL);
	if (!m)
		ERR("DT: %s: missing 'method' (\"smc\" or \"hvc\")", fdt_get_name(fdt, node, NULL));
	if (!strcmp(m, "smc"))
		b->psci = CONDUIT_SMC;
	else if (!strcmp(m, "hvc"))
		b->psci = CONDUIT_HVC;
	else
		ERR("DT: %s: 'method' is \"%s\", expected \"smc\" or \"hvc\"",
		    fdt_get_name(fdt, node, NULL), m);
	return 0;
}

static int read_uart(const void *fdt, struct board *b, struct dt_error *err)
{
	int chosen = fdt_path_offset(fdt, "/chosen");
	const char *path = chosen >= 0 ? fdt_getprop(fdt, chosen, "stdout-path", NULL) : NULL;
	if (!path)
		path = chosen >= 0 ? fdt_getprop(fdt, chosen, "linux,stdout-path", NULL) : NULL;
	if (!path)
		ERR("DT: /chosen/stdout-path is missing: no console to use");
	size_t plen = strlen(path);
	const char *colon = strchr(path, ':');
	if (colon)
		plen = (size_t)(colon - path);
	if (plen >= sizeof(b->uart_path))
		ERR("DT: /chosen/stdout-path is too long");
	memcpy(b->uart_path, path, plen);
	b->uart_path[plen] = 0;
	int node = path[0] == '/' ? fdt_path_offset(fdt, b->uart_path) : -1;
	if (node < 0 && path[0] != '/') { /* an alias */
		const char *real = fdt_get_alias_namelen(fdt, b->uart_path, (int)plen);
		if (real) {
			snprintf(b->uart_path, sizeof(b->uart_path), "%s", real);
			node = fdt_path_offset(fdt, real);
		}
	}
	if (node < 0)
		ERR("DT: /chosen/stdout-path: \"%s\" names no node", b->uart_path);
	b->uart_node = node;
	if (!fdt_node_check_compatible(fdt, node, "arm,pl011"))
		b->uart = UART_PL011;
	else if (!fdt_node_check_compatible(fdt, node, "ns16550a") ||
		 !fdt_node_check_compatible(fdt, node, "snps,dw-apb-uart") ||
		 !fdt_node_check_compatible(fdt, node, "brcm,bcm2835-aux-uart") ||
		 !fdt_node_check_compatible(fdt, node, "ti,am654-uart") ||
		 !fdt_node_check_compatible(fdt, node, "ns16550"))
		b->uart = UART_NS16550;
	else if (!fdt_node_check_compatible(fdt, node, "fsl,imx21-uart") ||
		 !fdt_node_check_compatible(fdt, node, "fsl,imx6q-uart"))
		b->uart = UART_IMX;
	else if (!fdt_node_check_compatible(fdt, node, "cdns,uart-r1p12") ||
		 !fdt_node_check_compatible(fdt, node, "xlnx,xuartps"))
		b->uart = UART_CADENCE;
	else
		ERR("DT: %.90s: console UART of an unsupported kind (supported: arm,pl011, "
		    "ns16550a, snps,dw-apb-uart, ti,am654-uart, cdns,uart-r1p12, fsl,imx21-uart)",
		    b->uart_path);
	struct mem_range r;
	if (!read_reg(fdt, node, 0, &r) || !dt_translate(fdt, node, &r.base))
		ERR("DT: %s: no usable 'reg'", b->uart_path);
	b->uart_base = r.base;
	b->uart_size = r.size;
	int len;
	const uint32_t *irq = fdt_getprop(fdt, node, "interrupts", &len);
	b->uart_irq = (irq && len >= 12) ? dt_gic_intid(irq) : 0;
	return 0;
}

uint32_t dt_used_size(const void *fdt)
{
	uint32_t end = fdt_off_dt_struct(fdt) + fdt_size_dt_struct(fdt);
	uint32_t str = fdt_off_dt_strings(fdt) + fdt_size_dt_strings(fdt);
	int nrsv = fdt_num_mem_rsv(fdt);
	uint32_t rsv = fdt_off_mem_rsvmap(fdt) + (uint32_t)(nrsv < 0 ? 0 : nrsv + 1) * 16;
	end = MAX(end, MAX(str, rsv));
	return MIN(ALIGN_UP(end, 8), fdt_totalsize(fdt));
}

int dt_check_blob(const void *fdt)
{
	int e = fdt_check_header(fdt);
	if (e)
		return e;
	/* Before version 16 names are full paths, and libfdt 1.6.1's
	 * fdt_check_full() dereferences the NULL name fdt_get_name() gives for
	 * a malformed one (found by tests/fuzz/fuzz_config). dtc and U-Boot
	 * write version 17. */
	if (fdt_version(fdt) < 16)
		return -FDT_ERR_BADVERSION;
	return fdt_check_full(fdt, fdt_totalsize(fdt));
}

int dt_board_read(const void *fdt, struct board *b, struct dt_error *err)
{
	memset(b, 0, sizeof(*b));
	b->fdt = fdt;
	err->msg[0] = 0;
	int e = dt_check_blob(fdt);
	if (e)
		ERR("DT: not a valid DTB: %s", fdt_strerror(e));
	index_build(fdt);
	if (read_uart(fdt, b, err) || read_cpus(fdt, b, err) || read_memory(fdt, b, err) ||
	    read_gic(fdt, b, err) || read_psci(fdt, b, err))
		return -1;
	read_timer(fdt, b);
	return 0;
}
