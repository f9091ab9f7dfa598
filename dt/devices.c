/* SPDX-License-Identifier: Apache-2.0 */
/* Device resources from the board DT (see devices.h). */
#include <libfdt.h>

#include "common/lib.h"
#include "dt/devices.h"
#include "dt/err.h"

#define DT_MAX_INTERRUPT_CELLS 8 /* GIC: 3 or 4; GPIO and others: 1 or 2 */
/* Word lists: each word NUL-terminated, an empty word last. */
#define FOR_EACH_WORD(w, list) for (const char *w = (list); *w; w += strlen(w) + 1)

/* The length a lookup below gave last: a static, not a local whose address
 * is taken (each such function would carry a stack guard: 32 bytes apiece).
 * Read right after the lookup; DTs are read at boot on one CPU, and by the
 * host tools on one thread. */
static int vlen;

static int cells_of(const void *fdt, int node, const char *name, int def)
{
	const uint32_t *p = dt_getprop(fdt, node, name, &vlen);
	return p && vlen == 4 ? (int)fdt32_to_cpu(*p) : def;
}

static int interrupt_parent(const void *fdt, int node)
{
	for (int n = node; n >= 0; n = dt_parent(fdt, n)) {
		const uint32_t *p = dt_prop(fdt, n, DT_P_INTERRUPT_PARENT, &vlen);
		if (p && vlen == 4)
			return dt_node_by_phandle(fdt, fdt32_to_cpu(*p));
		if (n == 0)
			break;
	}
	return -1;
}

static int add_irq(struct dev_res *r, const uint32_t *spec, const char *path,
		   struct dt_error *err)
{
	if (fdt32_to_cpu(spec[0]) != 0)
		return 0; /* only SPIs belong to a device; PPIs are per CPU */
	if (r->nirq == DEV_MAX_IRQS)
		ERR("%s: more than %d interrupts", path, DEV_MAX_IRQS);
	r->irq[r->nirq] = (uint16_t)(32 + fdt32_to_cpu(spec[1]));
	r->irq_edge[r->nirq] = (fdt32_to_cpu(spec[2]) & 3) != 0;
	r->nirq++;
	return 0;
}

int dt_node_resources(const void *fdt, const struct board *b, int node, struct dev_res *r,
		      struct dt_error *err)
{
	static char path[128]; /* static: no stack guard (boot, one CPU) */
	memset(r, 0, sizeof(*r));
	if (dt_node_path(fdt, node, path, sizeof(path)))
		snprintf(path, sizeof(path), "(node at offset %d)", node);

	const uint32_t *reg = dt_prop(fdt, node, DT_P_REG, &vlen);
	int len = vlen, parent = dt_parent(fdt, node);
	/* libfdt's readers bound the counts (1..4 and 0..4) where ours did not:
	 * a huge #address-cells stepped 'reg' out of the blob. */
	int ac = parent >= 0 ? dt_address_cells(fdt, parent) : 2;
	int sc = parent >= 0 ? dt_size_cells(fdt, parent) : 1;
	if (reg && (ac < 0 || sc < 0))
		ERR("%s: has 'reg' but its parent's #address-cells is not 1..4 or its "
		    "#size-cells not 0..4",
		    path);
	if (reg && sc > 0) {
		int n = len / ((ac + sc) * 4);
		for (int i = 0; i < n; i++) {
			if (r->nreg == DEV_MAX_REGS)
				ERR("%s: more than %d 'reg' entries", path, DEV_MAX_REGS);
			static uint64_t a; /* static: no stack guard (boot, one CPU) */
			a = dt_read_cells(reg + i * (ac + sc), ac);
			uint64_t s = dt_read_cells(reg + i * (ac + sc) + ac, sc);
			/* Not memory-mapped (an nvmem cell, say: an offset in its
			 * parent's own space), or empty: nothing to map. */
			if (!dt_translate(fdt, node, &a) || s == 0)
				continue;
			r->reg[r->nreg].base = a;
			r->reg[r->nreg].size = s;
			r->nreg++;
		}
	}

	const uint32_t *irqs = dt_prop(fdt, node, DT_P_INTERRUPTS, &vlen);
	len = vlen; /* before interrupt_parent() below */
	int gcells = (int)dt_gic_cells(fdt, b);
	if (irqs && interrupt_parent(fdt, node) == b->gic_node) {
		for (int i = 0; (i + 1) * gcells * 4 <= len; i++)
			if (add_irq(r, irqs + gcells * i, path, err))
				return -1;
	}
	const uint32_t *ext = dt_getprop(fdt, node, "interrupts-extended", &vlen);
	len = vlen; /* before cells_of() below */
	for (int i = 0; ext && i * 4 < len;) {
		int ctl = dt_node_by_phandle(fdt, fdt32_to_cpu(ext[i]));
		int cells = ctl >= 0 ? cells_of(fdt, ctl, "#interrupt-cells", 0) : 0;
		/* Bounded before the arithmetic: a huge count wrapped the length check. */
		if (ctl < 0 || cells <= 0 || cells > DT_MAX_INTERRUPT_CELLS ||
		    (i + 1 + cells) * 4 > len)
			ERR("%s: malformed 'interrupts-extended'", path);
		if (ctl == b->gic_node && cells >= 3 && add_irq(r, ext + i + 1, path, err))
			return -1;
		i += 1 + cells;
	}
	return 0;
}

int dt_res_check(const struct board *b, const struct dev_res *r, const char *path,
		 struct dt_error *err)
{
	for (unsigned i = 0; i < r->nreg; i++) {
		uint64_t a = r->reg[i].base, s = r->reg[i].size;
		if (a + s < a)
			ERR("device \"%.60s\": 'reg' 0x%llx+0x%llx wraps around", path,
			    (unsigned long long)a, (unsigned long long)s);
		for (unsigned m = 0; m < b->nmem; m++)
			if (a < b->mem[m].base + b->mem[m].size && b->mem[m].base < a + s)
				ERR("device \"%.60s\": 'reg' 0x%llx-0x%llx lies in RAM (0x%llx-0x%llx): "
				    "a domain owning it would reach that memory",
				    path, (unsigned long long)a, (unsigned long long)(a + s - 1),
				    (unsigned long long)b->mem[m].base,
				    (unsigned long long)(b->mem[m].base + b->mem[m].size - 1));
	}
	for (unsigned i = 0; i < r->nirq; i++)
		if (b->uart_irq && r->irq[i] == b->uart_irq)
			ERR("device \"%.60s\": interrupt %u is the hypervisor console's (%.60s)", path,
			    r->irq[i], b->uart_path);
	return 0;
}

int dt_device_resources(const void *fdt, const struct board *b, const char *path,
			struct dev_res *r, struct dt_error *err)
{
	int node = dt_path_offset(fdt, path);
	if (node < 0)
		ERR("device \"%s\" does not exist in the board DT", path);
	if (node == b->uart_node)
		ERR("device \"%s\" is the hypervisor's console UART; every domain gets an emulated "
		    "one",
		    path);
	if (dt_node_is_hypervisor(fdt, b, node))
		ERR("device \"%s\" is used by the hypervisor itself and cannot be given to a domain",
		    path);
	if (dt_node_resources(fdt, b, node, r, err))
		return -1;
	return dt_res_check(b, r, path, err);
}

bool dt_node_is_hypervisor(const void *fdt, const struct board *b, int node)
{
	if (node == b->gic_node || node == 0)
		return true;
	for (int p = dt_parent(fdt, node); p > 0; p = dt_parent(fdt, p))
		if (p == b->gic_node)
			return true; /* ITS, v2m frames */
	if (dt_is_type(fdt, node, "memory") || dt_is_type(fdt, node, "cpu"))
		return true;
	const char *name = dt_get_name(fdt, node, NULL);
	FOR_EACH_WORD(w, "cpus\0chosen\0aliases\0psci\0")
		if (!strcmp(name, w))
			return true;
	if (!strncmp(name, "reserved-memory", 15))
		return true;
	return dt_is_compatible(fdt, node, "arm,armv8-timer") ||
	       dt_is_compatible(fdt, node, "arm,armv7-timer");
}

/*
 * DMA masters. Without an IOMMU a device that masters DMA reaches all of
 * memory, the hypervisor's included, so such a device goes only to a domain
 * that names it and is marked `dma-trusted` (docs/config.md). A node is
 * taken to master DMA when its DT says so: a generic node name of a device
 * class that does (the DT specification's names), a compatible naming one,
 * or a property only bus masters carry. A bus node ("ranges") is not a
 * master itself; unknown devices are taken as not mastering DMA.
 */
/* Word lists, each word NUL-terminated, the list ending in an empty word:
 * no pointer table (each pointer would cost a relocation in the image). */
static const char dma_names[] = "dma-controller\0dma\0ethernet\0usb\0mmc\0sdhci\0sata\0ahci\0"
				"nvme\0gpu\0display\0display-controller\0video-codec\0vpu\0"
				"npu\0pcie\0pci\0";
static const char dma_compatibles[] =
    "virtio,mmio\0fw-cfg\0dma\0xhci\0ehci\0ohci\0dwc2\0dwc3\0musb\0usb\0sdhci\0mshc\0mmc\0"
    "ahci\0sata\0gem\0macb\0dwmac\0stmmac\0genet\0fec\0eqos\0ethernet\0gpu\0mali\0v3d\0"
    "vop\0lcdif\0pcie\0";
static const char dma_properties[] = "dma-coherent\0#dma-cells\0iommus\0msi-parent\0";


static bool contains(const char *s, const char *word)
{
	for (; *s; s++) {
		size_t i = 0;
		while (word[i] && s[i] == word[i])
			i++;
		if (!word[i])
			return true;
	}
	return false;
}

static bool dma_compatible(const char *c)
{
	/* PHYs, transceivers and power sequencers carry a class name but no DMA. */
	if (contains(c, "phy") || contains(c, "xceiv") || contains(c, "pwrseq"))
		return false;
	FOR_EACH_WORD(w, dma_compatibles)
		if (contains(c, w))
			return true;
	return false;
}

#define WHY_MAX 80

/* Does the node master DMA? Why, formatted into why[WHY_MAX], or "" if why
 * is NULL (dom0's DT build asks only whether, for every node); NULL if not. */
static const char *dma_reason(const void *fdt, int node, char *why)
{
	/* Only a device with registers of its own on a memory-mapped bus can be
	 * programmed to master DMA: not a bus ("ranges"), not a memory carve-out
	 * ("shared-dma-pool"), not a PHY, not a child of an I2C/SPI/MDIO bus
	 * (#size-cells = 0). */
	int parent = dt_parent(fdt, node);
	const fdt32_t *sc = parent >= 0 ? dt_prop(fdt, parent, DT_P_SIZE_CELLS, &vlen) : NULL;
	int len = vlen;
	const char *name = dt_get_name(fdt, node, NULL);
	const char *at = strchr(name, '@');
	size_t base = at ? (size_t)(at - name) : strlen(name);
	if (!dt_prop(fdt, node, DT_P_REG, NULL) || dt_prop(fdt, node, DT_P_RANGES, NULL) ||
	    (parent > 0 && !strncmp(dt_get_name(fdt, parent, NULL), "reserved-memory", 15)) ||
	    (sc && len == 4 && fdt32_to_cpu(*sc) == 0) || contains(name, "phy"))
		return NULL;
	const char *fmt = "node name \"%.40s\"", *what = NULL;
	FOR_EACH_WORD(w, dma_names)
		if (strlen(w) == base && !strncmp(name, w, base)) {
			what = w;
			goto found;
		}
	fmt = "compatible \"%.60s\"";
	const char *c = dt_prop(fdt, node, DT_P_COMPATIBLE, &vlen);
	len = vlen;
	for (int pos = 0; c && pos < len; pos += (int)strnlen(c + pos, (size_t)(len - pos)) + 1)
		if (dma_compatible(c + pos)) {
			what = c + pos;
			goto found;
		}
	fmt = "property %s";
	FOR_EACH_WORD(w, dma_properties)
		if (dt_getprop(fdt, node, w, NULL)) {
			what = w;
			goto found;
		}
	return NULL;
found:
	if (why)
		snprintf(why, WHY_MAX, fmt, what);
	return why ? why : "";
}

const char *dt_node_dma_reason(const void *fdt, int node)
{
	static char why[WHY_MAX];
	return dma_reason(fdt, node, why);
}

/* Answers kept in a node's memo byte (dt_node_memo), two bits each: 0 not
 * asked yet, then no or yes. */
enum { MEMO_DMA = 0, MEMO_DOM0_EXCLUDED = 2 };

static bool memo(const void *fdt, const struct board *b, int node, unsigned shift,
		 bool (*ask)(const void *, const struct board *, int))
{
	uint8_t *m = dt_node_memo(fdt, node);
	if (m && (*m >> shift & 3))
		return (*m >> shift & 3) == 2;
	bool yes = ask(fdt, b, node);
	if (m)
		*m = (uint8_t)(*m | (yes ? 2 : 1) << shift);
	return yes;
}

static bool masters_dma(const void *fdt, const struct board *b, int node)
{
	(void)b;
	return dma_reason(fdt, node, NULL) != NULL;
}

/* dom0's walks ask it of every node and each of its ancestors, several
 * times over: the answer is memoised. */
bool dt_node_masters_dma(const void *fdt, int node)
{
	return memo(fdt, NULL, node, MEMO_DMA, masters_dma);
}

bool dt_node_is_pci_host(const void *fdt, int node)
{
	return dt_is_type(fdt, node, "pci") || dt_is_compatible(fdt, node, "pci-host-ecam-generic");
}

static bool dom0_excluded(const void *fdt, const struct board *b, int node)
{
	if (dt_node_is_hypervisor(fdt, b, node) || dt_node_is_pci_host(fdt, node) ||
	    dt_disabled(fdt, node))
		return true;
	for (int a = dt_parent(fdt, node); a > 0; a = dt_parent(fdt, a))
		if (dt_node_is_pci_host(fdt, a) || dt_disabled(fdt, a) ||
		    !strcmp(dt_get_name(fdt, a, NULL), "chosen"))
			return true;
	return false;
}

/* Each of dom0's three walks asks it of every node: memoised (b's GIC node
 * is the board DT's, fixed by the read that zeroed the memo). */
bool dt_node_dom0_excluded(const void *fdt, const struct board *b, int node)
{
	return memo(fdt, b, node, MEMO_DOM0_EXCLUDED, dom0_excluded);
}

int dt_subtree_dma(const void *fdt, int node, const char **why)
{
	int depth = 0;
	for (int n = node; n >= 0 && depth >= 0; n = dt_next_node(fdt, n, &depth)) {
		if (n != node && depth <= 0)
			break;
		if ((*why = dt_node_dma_reason(fdt, n)))
			return n;
	}
	return -1;
}
