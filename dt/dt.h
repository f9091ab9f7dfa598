/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Device-tree model of the board and of the partition plan. dt_board_read()
 * reads the live DT that the loader passes; dt_plan_read() reads a partition
 * config (configs/<name>.dts compiled by dtc) and checks it against the board.
 * Both run with libfdt and only at boot (libfdt uses FP/SIMD registers; see
 * docs/design/fp-state.md), and both build on the host for unit tests.
 */
#ifndef DT_DT_H
#define DT_DT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Static limits, each with its reason. */
#define BH_MAX_CPUS 64	     /* boards we target have <= 8 cores (RK3399: 6); servers more.
			      * Per-CPU and per-domain state is sized at boot from the
			      * board and the config: a small board pays for its own. */
#define BH_MAX_MEM 16	     /* memory regions in a board DT */
#define BH_MAX_RESV 64	     /* reservations: TI J721E alone has 20 carve-outs */
#define BH_MAX_DOMAINS 64    /* at most one domain per CPU */
#define BH_MAX_VCPUS 8	     /* per domain: its virtual GIC keeps SGI sources and
			      * targets a byte per vCPU (the GICv2 architecture's 8) */
#define BH_MAX_IMAGES 16     /* images in one boot image */
#define BH_MAX_DEVICES 16    /* passed-through device nodes per domain */
#define BH_NAME_MAX 16	     /* domain names: short, they prefix every console line */
#define BH_BOOTARGS_MAX 512
#define BH_IMAGE_NAME_MAX 48

struct mem_range {
	uint64_t base, size;
};

enum psci_conduit { CONDUIT_NONE, CONDUIT_SMC, CONDUIT_HVC };

/* A channel as one domain sees it (a "bulkhead,channel" node in its DT). */
struct chan_view {
	unsigned id;	      /* channel@<id>: the hypercalls' channel number */
	uint64_t ipa, size;   /* the shared memory */
	unsigned intid;	      /* its doorbell: an edge SPI */
	const char *peer;     /* the other domain's label */
};
/* A member's virtio-net device (common/vnet.c): a virtio-mmio window and its
 * level-triggered SPI. */
struct vnet_view {
	uint64_t ipa;	/* the window, VIRTIO_MMIO_SIZE (0x200) bytes */
	unsigned intid; /* its interrupt: a level SPI */
};
#define VNET_WINDOW_SIZE 0x200u
enum cpu_method { CPU_METHOD_PSCI, CPU_METHOD_SPIN_TABLE };
/* The emulated PL011's peripheral ID (common/vuart.c's ID registers), which
 * domains' DTs give as arm,primecell-periphid. */
#define VUART_PERIPHID 0x00341011u
enum uart_kind { UART_NONE, UART_PL011, UART_NS16550, UART_CADENCE, UART_IMX, UART_BCM2835AUX };

struct board {
	const void *fdt; /* the DT this was read from */
	unsigned ncpus;
	uint64_t mpidr[BH_MAX_CPUS];
	enum cpu_method cpu_method[BH_MAX_CPUS];
	uint64_t cpu_release_addr[BH_MAX_CPUS]; /* spin-table only */
	int cpu_node[BH_MAX_CPUS];		/* node offsets in the DT read */

	unsigned nmem;
	struct mem_range mem[BH_MAX_MEM];
	unsigned nresv; /* /memreserve/ entries and /reserved-memory children */
	struct mem_range resv[BH_MAX_RESV];

	unsigned gic_version; /* 2 or 3 */
	struct mem_range gicd, gicc, gich, gicv, gicr; /* gicc/gich/gicv: v2; gicr: v3 */
	int gic_node;
	unsigned maint_irq; /* INTID of the GIC maintenance interrupt */

	/* Timer PPIs as INTIDs: secure phys, non-secure phys, virtual, hyp phys. */
	unsigned timer_irq[4];
	unsigned ntimer_irqs;

	enum psci_conduit psci;

	enum uart_kind uart;
	uint64_t uart_base, uart_size;
	unsigned uart_irq; /* INTID, 0 if none */
	int uart_node;
	char uart_path[128];
};

/* A precise, user-facing error: which node, which property, what is wrong. */
struct dt_error {
	char msg[256];
};

int dt_board_read(const void *fdt, struct board *b, struct dt_error *err);
/* After dt_board_read(): 1 if the console's window lies in RAM (or in hyp,
 * the hypervisor's, if not NULL), 2 or more if a GIC window does, err->msg
 * naming it; 0 if none does. */
int dt_board_windows(const struct board *b, const struct mem_range *hyp, struct dt_error *err);
/* The most of a board DT the early tables map (arch-arm64/mmu.c: of a DT
 * claiming more, only the first 2 MiB, its header). dt_board_early()
 * refuses a larger totalsize before dt_board_read() reads by it, and
 * dt_board_fallback() reads nothing of such a DT. */
#define DT_MAP_MAX (32u << 20)
int dt_board_early(const void *fdt, struct board *b, struct dt_error *err);
/* After dt_board_read() refused fdt, read without its index: err->msg names
 * the limit fdt is over, if it is; b's console (uart, uart_base) and PSCI
 * conduit, if the read had not found them, from /chosen (the console's
 * address translated through its buses' 'ranges') and /psci or
 * /firmware/psci. Nothing is read from a DT dt_check_blob() refuses, nor
 * past its header from one over DT_MAP_MAX. */
void dt_board_fallback(const void *fdt, struct board *b, struct dt_error *err);
/* The console kinds read by compatible, in order of preference: words each
 * led by its enum uart_kind, an empty one last (dt/board.c). */
extern const char dt_uarts[];
/* Does a "compatible" value (a string list of len bytes, p may be NULL)
 * hold compat, NUL-terminated inside it? */
bool dt_compat_has(const char *p, int len, const char *compat);
/* The board now lives in `copy`, a byte-for-byte copy of its DT (node
 * offsets stay valid): nothing is read again. */
void dt_board_move(struct board *b, const void *copy);
/* fdt_parent_offset(), from the index of the DT dt_board_read() read last;
 * and the same for these libfdt lookups (same answers, for that DT only: for
 * any other an error, -FDT_ERR_BADOFFSET or NOTFOUND). */
int dt_parent(const void *fdt, int node);
const void *dt_getprop(const void *fdt, int node, const char *name, int *lenp);
/* The properties every reader asks of many nodes: dt_prop() answers them
 * from the index without a scan (the same as dt_getprop with their names). */
enum dt_prop {
	DT_P_COMPATIBLE,
	DT_P_REG,
	DT_P_STATUS,
	DT_P_DEVICE_TYPE,
	DT_P_ADDRESS_CELLS,
	DT_P_SIZE_CELLS,
	DT_P_RANGES,
	DT_P_INTERRUPTS,
	DT_P_INTERRUPT_PARENT,
	DT_NPROPS
};
const void *dt_prop(const void *fdt, int node, enum dt_prop p, int *lenp);
/* The properties of `node` in order, from the index: with *it = -1 the
 * first, then each after *it; its value, name (an offset in the strings
 * block) and length; NULL after the last. */
const void *dt_prop_next(const void *fdt, int node, int *it, uint32_t *nameoff, int *lenp);
/* A byte for `node` of the DT dt_board_read() read, zeroed by that read, for
 * answers that depend on the node alone (it does not change after the read);
 * NULL for any other DT. */
uint8_t *dt_node_memo(const void *fdt, int node);
const char *dt_get_name(const void *fdt, int node, int *lenp);
int dt_path_offset(const void *fdt, const char *path);       /* fdt_path_offset */
int dt_find_compatible(const void *fdt, const char *compat); /* ..._by_compatible(fdt, -1, c) */
/* The first node compatible with the first word of `list` (NUL-terminated
 * words, an empty one last) that any node is compatible with; *which: that
 * word's index. */
int dt_find_compatible_in(const void *fdt, const char *list, unsigned *which);
/* The nodes the board read looks for by compatible: what
 * dt_find_compatible_in() answers for the lists "arm,gic-v3", ...,
 * "arm,arm11mp-gic" (GICv3 first, then GICv2s), "arm,armv8-timer",
 * "arm,armv7-timer" and "arm,psci-1.0", "arm,psci-0.2", "arm,psci",
 * from what the index pass noted when it met each node's compatible. */
enum dt_compat { DT_C_GIC, DT_C_TIMER, DT_C_PSCI, DT_NCOMPAT };
int dt_board_compat(const void *fdt, enum dt_compat l, unsigned *which);
bool dt_is_compatible(const void *fdt, int node, const char *compat); /* !fdt_node_check_compatible */
bool dt_is_type(const void *fdt, int node, const char *type); /* its device_type is `type` */
bool dt_disabled(const void *fdt, int node); /* status, if any, is not "okay" or "ok" */
int dt_address_cells(const void *fdt, int node);
int dt_size_cells(const void *fdt, int node);
int dt_next_node(const void *fdt, int node, int *depth); /* fdt_next_node */
int dt_node_by_phandle(const void *fdt, uint32_t phandle); /* fdt_node_offset_by_phandle */
/* The first child of parent (prev < 0) or the next after child prev; < 0 when none. */
int dt_next_child(const void *fdt, int parent, int prev);
#define dt_for_each_child(node, fdt, parent)                                                      \
	for ((node) = dt_next_child((fdt), (parent), -1); (node) >= 0;                             \
	     (node) = dt_next_child((fdt), (parent), (node)))
/* fdt_get_path(), the same way: a walk up, not a scan from the root. */
int dt_node_path(const void *fdt, int node, char *buf, size_t len);
/* Is this a DTB libfdt can read safely (header, version >= 16, structure)?
 * 0 or a negative FDT_ERR_ code. The caller has checked its totalsize fits. */
int dt_check_blob(const void *fdt);
/* The bytes a checked DTB really uses (header, reservations, structure,
 * strings), 8-aligned: QEMU pads its DT to 1 MiB of totalsize. */
uint32_t dt_used_size(const void *fdt);
/* Cells per interrupt specifier of the GIC (3, or 4 on GICv3 with PPI partitions). */
unsigned dt_gic_cells(const void *fdt, const struct board *b);
/* INTID of a GIC specifier <type num flags ...>. */
unsigned dt_gic_intid(const uint32_t *cells);
/* Translate a node's bus address through its parents' `ranges` (empty = identity);
 * false if it is not memory-mapped. */
bool dt_translate(const void *fdt, int node, uint64_t *addr);
/* Read a value of `cells` 32-bit big-endian cells. */
uint64_t dt_read_cells(const void *p, int cells);
const char *dt_uart_name(enum uart_kind k);

#endif
