/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests of the board-DT reader (dt/board.c): QEMU's own virt DTs (GICv2
 * and GICv3), variants of a small board (data/dt/), and malformed board DTs
 * (data/bad-dt/) that must be refused with a message naming the node, the
 * property and what is wrong. Expected values are written out here, read off
 * the .dts sources, never computed by the code under test.
 * Usage: test_board <directory holding the compiled data/>
 */
#include <dirent.h>
#include <sys/mman.h>
#include <libfdt.h>

#include "check.h"
#include "dt/devices.h"
#include "dt/dt.h"

static const char *data_dir;

static void *load_dtb(const char *name)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", data_dir, name);
	return load_file(path, NULL);
}

/* Read a DTB that must be accepted. */
static bool read_ok(const char *name, void **fdt, struct board *b)
{
	struct dt_error err;
	*fdt = load_dtb(name);
	int rc = dt_board_read(*fdt, b, &err);
	if (!CHECK_EQ(rc, 0)) {
		fprintf(stderr, "    %s refused: %s\n", name, err.msg);
		return false;
	}
	CHECK_STR(err.msg, "");
	CHECK(b->fdt == *fdt);
	return true;
}

#define CHECK_RANGE(r, b, s)                                                                       \
	do {                                                                                       \
		CHECK_EQ((r).base, (b));                                                           \
		CHECK_EQ((r).size, (s));                                                           \
	} while (0)

static void check_timer(const struct board *b, unsigned n_in_dt)
{
	/* QEMU.md: PPIs 13, 14, 11, 10 = INTIDs 29 (secure phys), 30 (phys), 27 (virt), 26 (EL2) */
	CHECK_EQ(b->ntimer_irqs, n_in_dt);
	CHECK_EQ(b->timer_irq[0], 29);
	CHECK_EQ(b->timer_irq[1], 30);
	CHECK_EQ(b->timer_irq[2], 27);
	CHECK_EQ(b->timer_irq[3], 26);
}

/* What both QEMU virt DTs say outside the GIC (data/qemu-virt-gicv*-el2.dts). */
static void check_qemu_common(const void *fdt, const struct board *b)
{
	CHECK_EQ(b->ncpus, 1); /* -smp 1 */
	CHECK_EQ(b->mpidr[0], 0);
	CHECK_EQ(b->cpu_method[0], CPU_METHOD_PSCI);
	CHECK_EQ(b->cpu_node[0], fdt_path_offset(fdt, "/cpus/cpu@0"));
	CHECK_EQ(b->nmem, 1); /* -m 256 */
	CHECK_RANGE(b->mem[0], 0x40000000, 0x10000000);
	CHECK_EQ(b->nresv, 0);
	CHECK_EQ(b->gic_node, fdt_path_offset(fdt, "/intc@8000000"));
	CHECK_EQ(b->maint_irq, 25);
	check_timer(b, 4);
	CHECK_EQ(b->psci, CONDUIT_SMC); /* virtualization=on */
	CHECK_EQ(b->uart, UART_PL011);
	CHECK_EQ(b->uart_base, 0x09000000);
	CHECK_EQ(b->uart_size, 0x1000);
	CHECK_EQ(b->uart_irq, 33);
	CHECK_STR(b->uart_path, "/pl011@9000000");
	CHECK_EQ(b->uart_node, fdt_path_offset(fdt, "/pl011@9000000"));
}

static void test_qemu_gicv2(void)
{
	void *fdt;
	struct board b;
	if (read_ok("qemu-virt-gicv2-el2.dtb", &fdt, &b)) {
		check_qemu_common(fdt, &b);
		CHECK_EQ(b.gic_version, 2);
		CHECK_RANGE(b.gicd, 0x08000000, 0x10000);
		CHECK_RANGE(b.gicc, 0x08010000, 0x10000);
		CHECK_RANGE(b.gich, 0x08030000, 0x10000);
		CHECK_RANGE(b.gicv, 0x08040000, 0x10000);
	}
	free(fdt);
}

static void test_qemu_gicv3(void)
{
	void *fdt;
	struct board b;
	if (read_ok("qemu-virt-gicv3-el2.dtb", &fdt, &b)) {
		check_qemu_common(fdt, &b);
		CHECK_EQ(b.gic_version, 3);
		CHECK_RANGE(b.gicd, 0x08000000, 0x10000);
		CHECK_RANGE(b.gicr, 0x080a0000, 0xf60000);
	}
	free(fdt);
}

static void test_board_4cpu(void)
{
	void *fdt;
	struct board b;
	if (read_ok("board-4cpu.dtb", &fdt, &b)) {
		CHECK_EQ(b.ncpus, 4);
		for (unsigned i = 0; i < 4; i++)
			CHECK_EQ(b.mpidr[i], i);
		CHECK_EQ(b.nmem, 1);
		CHECK_RANGE(b.mem[0], 0x40000000, 0x40000000);
		CHECK_EQ(b.nresv, 1);
		CHECK_RANGE(b.resv[0], 0x7f000000, 0x100000);
	}
	free(fdt);
}

/* The small board of data/dt/base.dtsi as it is. */
static void check_base(const void *fdt, const struct board *b)
{
	static const uint64_t mpidr[4] = {0x0, 0x1, 0x100, 0x101};
	static const char *const cpu_path[4] = {"/cpus/cpu@0", "/cpus/cpu@1", "/cpus/cpu@100",
						"/cpus/cpu@101"};
	CHECK_EQ(b->ncpus, 4);
	for (unsigned i = 0; i < 4; i++) {
		CHECK_EQ(b->mpidr[i], mpidr[i]);
		CHECK_EQ(b->cpu_method[i], CPU_METHOD_PSCI);
		CHECK_EQ(b->cpu_node[i], fdt_path_offset(fdt, cpu_path[i]));
	}
	CHECK_EQ(b->nmem, 1);
	CHECK_RANGE(b->mem[0], 0x40000000, 0x40000000);
	CHECK_EQ(b->nresv, 2);
	CHECK_RANGE(b->resv[0], 0x48000000, 0x1000);   /* /memreserve/ */
	CHECK_RANGE(b->resv[1], 0x7f000000, 0x200000); /* /reserved-memory/firmware@7f000000 */
	CHECK_EQ(b->gic_version, 2);
	CHECK_EQ(b->gic_node, fdt_path_offset(fdt, "/interrupt-controller@8000000"));
	CHECK_RANGE(b->gicd, 0x8000000, 0x1000);
	CHECK_RANGE(b->gicc, 0x8010000, 0x2000);
	CHECK_RANGE(b->gich, 0x8030000, 0x2000);
	CHECK_RANGE(b->gicv, 0x8040000, 0x2000);
	CHECK_EQ(b->maint_irq, 25);
	check_timer(b, 4);
	CHECK_EQ(b->psci, CONDUIT_SMC);
}

static void check_pl011_console(const void *fdt, const struct board *b)
{
	CHECK_EQ(b->uart, UART_PL011);
	CHECK_STR(b->uart_path, "/pl011@9000000");
	CHECK_EQ(b->uart_node, fdt_path_offset(fdt, "/pl011@9000000"));
	CHECK_EQ(b->uart_base, 0x9000000);
	CHECK_EQ(b->uart_size, 0x1000);
	CHECK_EQ(b->uart_irq, 33);
}

static void test_variants(void)
{
	void *fdt;
	struct board b;

	check_test = "test_variants/good-base";
	if (read_ok("dt/good-base.dtb", &fdt, &b)) {
		check_base(fdt, &b);
		check_pl011_console(fdt, &b); /* "serial0:115200n8" through /aliases */
	}
	free(fdt);

	check_test = "test_variants/good-alias-bus";
	if (read_ok("dt/good-alias-bus.dtb", &fdt, &b)) {
		check_base(fdt, &b);
		CHECK_EQ(b.uart, UART_NS16550);
		CHECK_STR(b.uart_path, "/soc/serial@1000");
		CHECK_EQ(b.uart_node, fdt_path_offset(fdt, "/soc/serial@1000"));
		CHECK_EQ(b.uart_base, 0xfe001000); /* through /soc's ranges */
		CHECK_EQ(b.uart_size, 0x100);
		CHECK_EQ(b.uart_irq, 37);
	}
	free(fdt);

	check_test = "test_variants/good-path-options";
	if (read_ok("dt/good-path-options.dtb", &fdt, &b)) {
		check_base(fdt, &b);
		check_pl011_console(fdt, &b);
	}
	free(fdt);

	check_test = "test_variants/good-linux-stdout";
	if (read_ok("dt/good-linux-stdout.dtb", &fdt, &b))
		check_pl011_console(fdt, &b);
	free(fdt);

	check_test = "test_variants/good-spin-table";
	if (read_ok("dt/good-spin-table.dtb", &fdt, &b)) {
		CHECK_EQ(b.ncpus, 4);
		CHECK_EQ(b.cpu_method[0], CPU_METHOD_PSCI);
		CHECK_EQ(b.cpu_method[1], CPU_METHOD_SPIN_TABLE);
		CHECK_EQ(b.cpu_method[2], CPU_METHOD_SPIN_TABLE);
		CHECK_EQ(b.cpu_method[3], CPU_METHOD_SPIN_TABLE);
		CHECK_EQ(b.cpu_release_addr[1], 0xe0);
		CHECK_EQ(b.cpu_release_addr[2], 0xe8);
		CHECK_EQ(b.cpu_release_addr[3], 0x1000000f0);
		CHECK_EQ(b.psci, CONDUIT_NONE);
	}
	free(fdt);

	check_test = "test_variants/good-cpu-disabled";
	if (read_ok("dt/good-cpu-disabled.dtb", &fdt, &b)) {
		CHECK_EQ(b.ncpus, 3);
		CHECK_EQ(b.mpidr[0], 0x0);
		CHECK_EQ(b.mpidr[1], 0x1);
		CHECK_EQ(b.mpidr[2], 0x101);
		CHECK_EQ(b.cpu_node[2], fdt_path_offset(fdt, "/cpus/cpu@101"));
	}
	free(fdt);

	check_test = "test_variants/good-gicv3";
	if (read_ok("dt/good-gicv3.dtb", &fdt, &b)) {
		CHECK_EQ(b.gic_version, 3);
		CHECK_RANGE(b.gicd, 0x8000000, 0x10000);
		CHECK_RANGE(b.gicr, 0x80a0000, 0xf60000);
		CHECK_EQ(b.maint_irq, 25);
		CHECK_EQ(b.ncpus, 4);
		CHECK_EQ(b.mpidr[2], 0x100);
		CHECK_EQ(b.mpidr[3], 0x100000000); /* Aff3 = 1 */
		CHECK_EQ(b.psci, CONDUIT_HVC);
	}
	free(fdt);

	check_test = "test_variants/good-three-timer-irqs";
	if (read_ok("dt/good-three-timer-irqs.dtb", &fdt, &b))
		check_timer(&b, 3);
	free(fdt);

	check_test = "test_variants/good-memory-two";
	if (read_ok("dt/good-memory-two.dtb", &fdt, &b)) {
		CHECK_EQ(b.nmem, 3);
		CHECK_RANGE(b.mem[0], 0x40000000, 0x20000000);
		CHECK_RANGE(b.mem[1], 0x70000000, 0x10000000);
		CHECK_RANGE(b.mem[2], 0x880000000, 0x80000000);
		CHECK_EQ(b.nresv, 2); /* the cma pool has no fixed place */
	}
	free(fdt);
}

static void test_bad(void)
{
	static const struct {
		const char *file, *msg;
	} bad[] = {
	    {"no-cpus", "DT: no /cpus node"},
	    {"cpu-no-reg", "DT: /cpus/cpu@1: missing or short 'reg' property"},
	    {"cpu-duplicate-mpidr", "DT: /cpus: two CPUs with reg 0x100"},
	    {"cpus-address-cells", "DT: /cpus: #address-cells is 3, expected 1 or 2"},
	    {"cpus-all-disabled", "DT: /cpus has no usable cpu node"},
	    {"cpus-too-many", "DT: /cpus/cpu@23c: more than 64 CPUs are not supported"},
	    {"spin-table-no-release-addr",
	     "DT: /cpus/cpu@1: spin-table CPU without an 8-byte 'cpu-release-addr'"},
	    {"spin-table-short-release-addr",
	     "DT: /cpus/cpu@1: spin-table CPU without an 8-byte 'cpu-release-addr'"},
	    {"memory-no-reg", "DT: no memory node (device_type = \"memory\") with a 'reg'"},
	    {"memory-wraps", "DT: memory range 0xffffffffc0000000+0x80000000 wraps around"},
	    {"no-gic", "DT: no supported interrupt controller (arm,gic-v3 or a GICv2 such as "
		       "arm,gic-400)"},
	    {"gicv2-two-regs", "DT: interrupt-controller@8000000: 'reg' has 2 entries, GICv2 "
			       "needs 4 (GICD, GICC, GICH, GICV: without GICH and GICV the GIC "
			       "has no virtualization support)"},
	    {"gicv3-one-reg", "DT: interrupt-controller@8000000: 'reg' has 1 entries, GICv3 "
			      "needs 2"},
	    {"gic-interrupt-cells-huge", "DT: interrupt-controller@8000000: '#interrupt-cells' "
					 "must be one cell holding 3 or 4"},
	    {"gic-interrupt-cells-two", "DT: interrupt-controller@8000000: '#interrupt-cells' "
					"must be one cell holding 3 or 4"},
	    {"no-stdout-path", "DT: /chosen/stdout-path is missing: no console to use"},
	    {"no-chosen", "DT: /chosen/stdout-path is missing"},
	    {"stdout-path-no-node", "DT: /chosen/stdout-path: \"/serial@12345678\" names no node"},
	    {"stdout-path-no-alias", "DT: /chosen/stdout-path: \"serial7\" names no node"},
	    {"stdout-path-dangling-alias",
	     "DT: /chosen/stdout-path: \"/serial@deadbeef\" names no node"},
	    {"uart-unsupported", "DT: /pl011@9000000: console UART of an unsupported kind"},
	    {"uart-no-reg", "DT: /pl011@9000000: no usable 'reg'"},
	    {"uart-bus-without-ranges", "DT: /soc/serial@1000: no usable 'reg'"},
	    {"psci-method-foo", "DT: psci: 'method' is \"foo\", expected \"smc\" or \"hvc\""},
	    {"psci-no-method", "DT: psci: 'method' missing or not a string (\"smc\" or \"hvc\")"},
	    {"timer-irq-spi", "DT: timer: interrupt 2 is not a PPI (GIC type 1, number 0-15)"},
	    {"timer-irq-wrap", "DT: timer: interrupt 1 is not a PPI (GIC type 1, number 0-15)"},
	    {"gic-maint-spi", "DT: interrupt-controller@8000000: interrupt 0 is not a PPI (GIC "
			      "type 1, number 0-15)"},
	    {"uart-irq-type", "DT: /pl011@9000000: 'interrupts' is not a GIC SPI or PPI"},
	    {"uart-irq-huge", "DT: /pl011@9000000: 'interrupts' is not a GIC SPI or PPI"},
	};
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char name[128];
		snprintf(name, sizeof(name), "bad-dt/%s.dtb", bad[i].file);
		check_test = bad[i].file;
		void *fdt = load_dtb(name);
		struct board b;
		struct dt_error err;
		memset(&err, 0x55, sizeof(err)); /* no stale message can pass */
		CHECK_EQ(dt_board_read(fdt, &b, &err), -1);
		CHECK(memchr(err.msg, 0, sizeof(err.msg)) != NULL);
		CHECK_CONTAINS(err.msg, bad[i].msg);
		free(fdt);
	}
	check_test = "test_bad";

	/* Not a DT at all. */
	static uint32_t junk[64] = {0x12345678};
	struct board b;
	struct dt_error err;
	CHECK_EQ(dt_board_read(junk, &b, &err), -1);
	CHECK_CONTAINS(err.msg, "DT: not a valid DTB");
}

static void test_helpers(void)
{
	const uint32_t spi[3] = {cpu_to_fdt32(0), cpu_to_fdt32(1), cpu_to_fdt32(4)};
	const uint32_t ppi[3] = {cpu_to_fdt32(1), cpu_to_fdt32(14), cpu_to_fdt32(0xf08)};
	const uint32_t spi_hi[3] = {cpu_to_fdt32(0), cpu_to_fdt32(987), cpu_to_fdt32(4)};
	CHECK_EQ(dt_gic_intid(spi), 33);
	CHECK_EQ(dt_gic_intid(ppi), 30);
	CHECK_EQ(dt_gic_intid(spi_hi), 1019);
	/* Not an interrupt a GIC has: 0 (never a device's or a timer's). */
	const uint32_t spi_past[3] = {cpu_to_fdt32(0), cpu_to_fdt32(988), cpu_to_fdt32(4)};
	const uint32_t ppi_past[3] = {cpu_to_fdt32(1), cpu_to_fdt32(16), cpu_to_fdt32(4)};
	const uint32_t ppi_wrap[3] = {cpu_to_fdt32(1), cpu_to_fdt32(0xfffffff3), cpu_to_fdt32(4)};
	const uint32_t type2[3] = {cpu_to_fdt32(2), cpu_to_fdt32(1), cpu_to_fdt32(4)};
	CHECK_EQ(dt_gic_intid(spi_past), 0);
	CHECK_EQ(dt_gic_intid(ppi_past), 0);
	CHECK_EQ(dt_gic_intid(ppi_wrap), 0);
	CHECK_EQ(dt_gic_intid(type2), 0);
	const uint32_t cells[3] = {cpu_to_fdt32(0x8), cpu_to_fdt32(0x80000000), cpu_to_fdt32(7)};
	CHECK_EQ(dt_read_cells(cells, 1), 0x8);
	CHECK_EQ(dt_read_cells(cells, 2), 0x880000000);
	CHECK_EQ(dt_read_cells(cells + 2, 1), 7);
	CHECK_EQ(dt_read_cells(cells, 0), 0);
	CHECK_STR(dt_uart_name(UART_PL011), "PL011");
	CHECK_STR(dt_uart_name(UART_NS16550), "16550");
	CHECK_STR(dt_uart_name(UART_NONE), "none");
}

/* dt_parent (the one-pass index dt_board_read builds) agrees with libfdt's
 * fdt_parent_offset for every node, the root included; after
 * dt_board_move to a copy, for the copy; for a tree it did not index, an
 * error (never another tree's answer). */
static void test_parent_index(void)
{
	static const char *const names[] = {"qemu-virt-gicv3-el2.dtb", "qemu-virt-gicv2-el2.dtb",
					    "board-4cpu.dtb"};
	for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		void *fdt;
		static struct board b;
		if (!read_ok(names[i], &fdt, &b))
			continue;
		unsigned n = 0, bad = 0;
		int depth = 0;
		for (int node = 0; node >= 0 && depth >= 0; node = fdt_next_node(fdt, node, &depth), n++)
			bad += dt_parent(fdt, node) != fdt_parent_offset(fdt, node);
		CHECK(n > 3);
		CHECK_EQ(bad, 0);
		CHECK_EQ(dt_parent(fdt, 0), -FDT_ERR_NOTFOUND);
		/* dt_node_path agrees with fdt_get_path for every node too. */
		bad = 0;
		depth = 0;
		for (int node = 0; node >= 0 && depth >= 0; node = fdt_next_node(fdt, node, &depth)) {
			char a[256], b2[256];
			bad += fdt_get_path(fdt, node, a, sizeof(a)) != 0 ||
			       dt_node_path(fdt, node, b2, sizeof(b2)) != 0 || strcmp(a, b2);
		}
		CHECK_EQ(bad, 0);
		char tiny[4];
		CHECK(dt_node_path(fdt, fdt_path_offset(fdt, "/cpus"), tiny, sizeof(tiny)) < 0);
		size_t size = fdt_totalsize(fdt);
		void *copy = malloc(size);
		memcpy(copy, fdt, size);
		dt_board_move(&b, copy);
		CHECK(b.fdt == copy);
		bad = 0;
		depth = 0;
		for (int node = 0; node >= 0 && depth >= 0; node = fdt_next_node(copy, node, &depth))
			bad += dt_parent(copy, node) != fdt_parent_offset(copy, node) ||
			       dt_parent(fdt, node) != -FDT_ERR_BADOFFSET;
		CHECK_EQ(bad, 0);
		free(copy);
		free(fdt);
	}
}

/* The index's lookups (dt_getprop, dt_get_name, dt_*_cells, dt_next_child,
 * dt_next_node, dt_node_by_phandle, dt_path_offset, dt_find_compatible) give libfdt's answers for every node
 * of each DT dt_board_read() indexed. */
static void test_index_lookups(void)
{
	static const char *const names[] = {"qemu-virt-gicv3-el2.dtb", "qemu-virt-gicv2-el2.dtb",
					    "board-4cpu.dtb"};
	static const char *const props[] = {"compatible", "reg",    "#address-cells", "#size-cells",
					    "status",	  "interrupts", "device_type",  "ranges",
					    "no-such-property", "stdout-path", "enable-method"};
	for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		void *fdt;
		static struct board b;
		if (!read_ok(names[i], &fdt, &b))
			continue;
		unsigned bad = 0, nodes = 0, compats = 0;
		int depth = 0;
		for (int node = 0; node >= 0 && depth >= 0; node = fdt_next_node(fdt, node, &depth)) {
			nodes++;
			for (unsigned k = 0; k < sizeof(props) / sizeof(props[0]); k++) {
				int l1 = 7, l2 = 9;
				const void *a = fdt_getprop(fdt, node, props[k], &l1);
				const void *c = dt_getprop(fdt, node, props[k], &l2);
				bad += a != c || l1 != l2;
			}
			int l1, l2;
			bad += fdt_get_name(fdt, node, &l1) != dt_get_name(fdt, node, &l2) || l1 != l2;
			bad += fdt_address_cells(fdt, node) != dt_address_cells(fdt, node);
			bad += fdt_size_cells(fdt, node) != dt_size_cells(fdt, node);
			int x = fdt_first_subnode(fdt, node), y = dt_next_child(fdt, node, -1);
			for (; x >= 0 && y >= 0; x = fdt_next_subnode(fdt, x), y = dt_next_child(fdt, node, y))
				bad += x != y;
			bad += (x >= 0) != (y >= 0);
			char path[256];
			if (fdt_get_path(fdt, node, path, sizeof(path)) == 0)
				bad += dt_path_offset(fdt, path) != fdt_path_offset(fdt, path);
			char *at = strchr(path, '@'); /* the short form, without the unit address */
			if (at && !strchr(at, '/')) {
				*at = 0;
				bad += dt_path_offset(fdt, path) != fdt_path_offset(fdt, path);
			}
			int len;
			const char *cp = fdt_getprop(fdt, node, "compatible", &len);
			for (int o = 0; cp && o < len; o += (int)strlen(cp + o) + 1, compats++) {
				bad += dt_find_compatible(fdt, cp + o) !=
				       fdt_node_offset_by_compatible(fdt, -1, cp + o);
				bad += !dt_is_compatible(fdt, node, cp + o);
			}
		}
		/* Whole-tree and subtree walks, with their depths. */
		for (int start = -1, k = 0; k < 2; k++, start = fdt_path_offset(fdt, "/cpus")) {
			int d1 = 0, d2 = 0, x = fdt_next_node(fdt, start, &d1), y = dt_next_node(fdt, start, &d2);
			for (; x >= 0 && d1 >= 0; x = fdt_next_node(fdt, x, &d1), y = dt_next_node(fdt, y, &d2))
				bad += x != y || d1 != d2;
			bad += (d1 < 0) != (d2 < 0) || (x < 0) != (y < 0);
		}
		for (uint32_t ph = 0; ph < 0x8010; ph += ph < 16 ? 1 : 0x1000)
			bad += dt_node_by_phandle(fdt, ph) != fdt_node_offset_by_phandle(fdt, ph);
		bad += dt_node_by_phandle(fdt, ~0u) != fdt_node_offset_by_phandle(fdt, ~0u);
		bad += dt_path_offset(fdt, "/no/such/node") != fdt_path_offset(fdt, "/no/such/node");
		bad += dt_find_compatible(fdt, "no,such") != -FDT_ERR_NOTFOUND;
		CHECK(nodes > 3 && compats > 3);
		CHECK_EQ(bad, 0);
		free(fdt);
	}
}

/* The properties the index records in its pass (dt_prop), each node's
 * properties in order (dt_prop_next) and the per-node memo byte, against
 * libfdt, for every node of each DT dt_board_read() indexed. */
static void test_index_props(void)
{
	static const char *const names[] = {"qemu-virt-gicv3-el2.dtb", "qemu-virt-gicv2-el2.dtb",
					    "board-4cpu.dtb"};
	/* enum dt_prop's names, in its order, written out here. */
	static const char *const props[DT_NPROPS] = {"compatible",	 "reg",		"status",
						     "device_type",	 "#address-cells", "#size-cells",
						     "ranges",		 "interrupts",	"interrupt-parent"};
	for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		void *fdt;
		static struct board b;
		if (!read_ok(names[i], &fdt, &b))
			continue;
		unsigned bad = 0, found = 0, listed = 0;
		const char *strs = (const char *)fdt + fdt_off_dt_strings(fdt);
		int depth = 0;
		for (int node = 0; node >= 0 && depth >= 0; node = fdt_next_node(fdt, node, &depth)) {
			for (unsigned k = 0; k < DT_NPROPS; k++) {
				int l1 = 7, l2 = 9;
				const void *a = fdt_getprop(fdt, node, props[k], &l1);
				const void *c = dt_prop(fdt, node, (enum dt_prop)k, &l2);
				bad += a != c || l1 != l2;
				found += a != NULL;
			}
			int p = fdt_first_property_offset(fdt, node), it = -1, l1, l2;
			uint32_t nameoff;
			for (; p >= 0; p = fdt_next_property_offset(fdt, p), listed++) {
				const char *name;
				const void *a = fdt_getprop_by_offset(fdt, p, &name, &l1);
				const void *c = dt_prop_next(fdt, node, &it, &nameoff, &l2);
				bad += !c || a != c || l1 != l2 || strs + nameoff != name;
			}
			bad += dt_prop_next(fdt, node, &it, &nameoff, &l2) != NULL;
			uint8_t *m = dt_node_memo(fdt, node);
			bad += !m || *m != 0;
		}
		CHECK(found > 20 && listed > 50);
		CHECK_EQ(bad, 0);
		/* Another tree: no answers from this one's index. */
		size_t size = fdt_totalsize(fdt);
		void *copy = malloc(size);
		memcpy(copy, fdt, size);
		int len = 0;
		CHECK(dt_prop(copy, 0, DT_P_COMPATIBLE, &len) == NULL);
		CHECK_EQ(len, -FDT_ERR_BADOFFSET);
		CHECK(dt_node_memo(copy, 0) == NULL);
		free(copy);
		free(fdt);
	}
}

/* The answers kept in a node's memo byte (dt_node_masters_dma,
 * dt_node_dom0_excluded) are the ones asked afresh: each node's asked with
 * its byte cleared first, then every node asked again in the other order
 * with the byte shared by both answers, every node of each indexed DT. */
static void test_index_memo(void)
{
	static const char *const names[] = {"qemu-virt-gicv3-el2.dtb", "qemu-virt-gicv2-el2.dtb",
					    "board-4cpu.dtb", "passthrough/board.dtb"};
	static bool dma[2048], excl[2048]; /* the index's node limit */
	unsigned ndma = 0;
	for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		void *fdt;
		static struct board b;
		if (!read_ok(names[i], &fdt, &b))
			continue;
		unsigned n = 0, bad = 0, nexcl = 0;
		int depth = 0;
		for (int node = 0; node >= 0 && depth >= 0;
		     node = fdt_next_node(fdt, node, &depth), n++) {
			uint8_t *m = dt_node_memo(fdt, node);
			if (!CHECK(m != NULL) || !CHECK(n < 2048))
				break;
			*m = 0;
			excl[n] = dt_node_dom0_excluded(fdt, &b, node);
			*m = 0;
			dma[n] = dt_node_masters_dma(fdt, node);
			*m = 0;
			ndma += dma[n];
			nexcl += excl[n];
		}
		for (int pass = 0; pass < 2; pass++) {
			depth = 0;
			unsigned k = 0;
			for (int node = 0; node >= 0 && depth >= 0;
			     node = fdt_next_node(fdt, node, &depth), k++) {
				bool d = pass ? dt_node_masters_dma(fdt, node) : false;
				bad += dt_node_dom0_excluded(fdt, &b, node) != excl[k];
				bad += dt_node_masters_dma(fdt, node) != dma[k];
				bad += pass && d != dma[k];
			}
		}
		CHECK(n > 10 && nexcl > 0 && nexcl < n); /* not a constant answer */
		CHECK_EQ(bad, 0);
		free(fdt);
	}
	CHECK(ndma > 0);
}

/* A board DT the index cannot hold whole is refused, saying why: more
 * nodes than it has slots, nesting deeper than it follows, a structure
 * block bigger than its node map or one it cannot read a word at a time;
 * and one without a single node (found by tests/fuzz/fuzz_board: an
 * empty index was read before its first slot). */
#define LIMITS_MSG "DT: over 2048 nodes, 64 levels or 128 KiB of structure, or unaligned: not supported"
static void test_index_limits(void)
{
	size_t size = 1 << 20;
	void *t = calloc(1, size);
	struct board b;
	struct dt_error err;
	for (unsigned shape = 0; shape < 3; shape++) {
		/* 2049 nodes with the root; 66 levels; 2 nodes, a 129 KiB property */
		unsigned n = shape == 0 ? 2048 : shape == 1 ? 65 : 1;
		bool deep = shape == 1;
		CHECK_EQ(fdt_create(t, (int)size), 0);
		CHECK_EQ(fdt_finish_reservemap(t), 0);
		CHECK_EQ(fdt_begin_node(t, ""), 0);
		for (unsigned i = 0; i < n; i++) {
			char name[16];
			snprintf(name, sizeof(name), "n@%x", i);
			CHECK_EQ(fdt_begin_node(t, name), 0);
			if (shape == 2)
				CHECK_EQ(fdt_property(t, "blob", (char *)t + size / 2, 129 << 10), 0);
			if (!deep)
				CHECK_EQ(fdt_end_node(t), 0);
		}
		for (unsigned i = 0; deep && i < n; i++)
			CHECK_EQ(fdt_end_node(t), 0);
		CHECK_EQ(fdt_end_node(t), 0);
		CHECK_EQ(fdt_finish(t), 0);
		CHECK_EQ(fdt_check_full(t, size), 0);
		CHECK_EQ(dt_board_read(t, &b, &err), -1);
		CHECK_CONTAINS(err.msg, LIMITS_MSG);
		/* Refused: none of it is looked up, not even the nodes the pass
		 * indexed before it stopped (2048 of them, or 64). */
		CHECK_EQ(dt_next_child(t, 0, -1), -FDT_ERR_BADOFFSET);
		CHECK_EQ(dt_parent(t, 0), -FDT_ERR_BADOFFSET);
		CHECK_EQ(dt_path_offset(t, "/n@0"), -FDT_ERR_BADPATH);
	}
	/* The QEMU DT with its structure and strings blocks moved by 2 bytes. */
	void *orig = load_dtb("qemu-virt-gicv3-el2.dtb");
	uint32_t so = fdt_off_dt_struct(orig), total = fdt_totalsize(orig);
	memset(t, 0, size);
	memcpy(t, orig, so);
	memcpy((char *)t + so + 2, (char *)orig + so, total - so);
	fdt_set_off_dt_struct(t, so + 2);
	fdt_set_off_dt_strings(t, fdt_off_dt_strings(orig) + 2);
	fdt_set_totalsize(t, total + 2);
	CHECK_EQ(fdt_check_full(t, total + 2), 0); /* libfdt reads it */
	CHECK_EQ(dt_board_read(t, &b, &err), -1);
	CHECK_CONTAINS(err.msg, LIMITS_MSG);
	free(orig);
	/* No node at all: the structure block holds FDT_END alone. */
	memset(t, 0, size);
	CHECK_EQ(fdt_create(t, 4096), 0);
	CHECK_EQ(fdt_finish_reservemap(t), 0);
	CHECK_EQ(fdt_finish(t), 0);
	CHECK_EQ(dt_board_read(t, &b, &err), -1);
	CHECK_CONTAINS(err.msg, "DT:");
	CHECK_EQ(dt_parent(t, 0), -FDT_ERR_BADOFFSET);
	free(t);
}

/*
 * A refused DT after an accepted one: nothing of the accepted one's index
 * answers for it, whatever refused it: its layout (structure block not
 * word-aligned, or over 128 KiB: refused before the pass), its header (the
 * same buffer, its magic broken), or its structure (a bad tag). Each
 * refusal is read into `t`, where the accepted DT was read first.
 */
static void test_index_refused_after_read(void)
{
	void *orig = load_dtb("qemu-virt-gicv3-el2.dtb");
	uint32_t so = fdt_off_dt_struct(orig), total = fdt_totalsize(orig);
	size_t size = 1 << 20;
	char *t = calloc(1, size);
	unsigned bad = 0;
	for (unsigned how = 0; how < 4; how++) {
		struct board b;
		struct dt_error err;
		memset(t, 0, size);
		memcpy(t, orig, total);
		if (!CHECK_EQ(dt_board_read(t, &b, &err), 0))
			break;
		int cpus = dt_path_offset(t, "/cpus");
		CHECK(cpus > 0 && dt_next_child(t, 0, -1) > 0);
		if (how == 0) { /* the blocks moved by 2 bytes */
			memmove(t + so + 2, t + so, total - so);
			fdt_set_off_dt_struct(t, so + 2);
			fdt_set_off_dt_strings(t, fdt_off_dt_strings(orig) + 2);
			fdt_set_totalsize(t, total + 2);
		} else if (how == 1) { /* a 129 KiB property in the root, first */
			CHECK_EQ(fdt_open_into(orig, t, (int)size), 0);
			CHECK_EQ(fdt_setprop(t, 0, "blob", t + size / 2, 129 << 10), 0);
		} else if (how == 2) {
			fdt_set_magic(t, 0);
		} else { /* the last node's END_NODE, a bad tag */
			fdt32_t tag = cpu_to_fdt32(7);
			memcpy(t + so + fdt_size_dt_struct(orig) - 8, &tag, 4);
		}
		CHECK_EQ(dt_board_read(t, &b, &err), -1);
		unsigned which;
		int r[6] = {dt_path_offset(t, "/cpus"),
			    dt_next_child(t, 0, -1),
			    dt_parent(t, cpus),
			    dt_board_compat(t, DT_C_GIC, &which),
			    dt_find_compatible(t, "arm,pl011"),
			    dt_getprop(t, cpus, "#address-cells", NULL) ? 0 : -1};
		for (unsigned k = 0; k < 6; k++)
			if (r[k] >= 0 && bad++ < 4)
				fprintf(stderr, "    refusal %u (%s): lookup %u answered %d\n", how,
					err.msg, k, r[k]);
	}
	CHECK_EQ(bad, 0);
	free(t);
	free(orig);
}

/* enum dt_prop's names, in its order. */
static const char *const prop_name[DT_NPROPS] = {"compatible",	  "reg",	"status",
						 "device_type",	  "#address-cells", "#size-cells",
						 "ranges",	  "interrupts",	"interrupt-parent"};

/*
 * Every byte offset of the structure block (and a little past it), on each
 * indexed DT and on mutated ones the pass accepts: at a node (as libfdt's
 * own walk finds them), the index's parent, first child, name, a property
 * and each property slot its pass filled (dt_prop) are libfdt's; anywhere
 * else (inside a name, a property, a word inside a value that reads
 * FDT_BEGIN_NODE, which libfdt's lookups take for a node) every lookup
 * refuses it.
 */
static unsigned offsets_same(const void *fdt, unsigned char *isnode)
{
	unsigned bad = 0, n = fdt_size_dt_struct(fdt) + 16;
	int depth = 0;
	memset(isnode, 0, n);
	for (int node = 0; node >= 0 && depth >= 0; node = fdt_next_node(fdt, node, &depth))
		isnode[node] = 1;
	for (int off = 0; off < (int)n; off++) {
		int l1 = 1, l2 = 2;
		int p = dt_parent(fdt, off), c = dt_next_child(fdt, off, -1);
		const void *v = dt_getprop(fdt, off, "reg", &l1);
		const char *name = dt_get_name(fdt, off, NULL);
		if (!isnode[off]) {
			bad += p != -FDT_ERR_BADOFFSET || c != -FDT_ERR_BADOFFSET || v || name ||
			       l1 != -FDT_ERR_BADOFFSET;
			continue;
		}
		bad += p != fdt_parent_offset(fdt, off) || c != fdt_first_subnode(fdt, off) ||
		       v != fdt_getprop(fdt, off, "reg", &l2) || l1 != l2 ||
		       name != fdt_get_name(fdt, off, NULL);
		for (unsigned k = 0; k < DT_NPROPS; k++) { /* the slots the pass filled */
			v = dt_prop(fdt, off, (enum dt_prop)k, &l1);
			bad += v != fdt_getprop(fdt, off, prop_name[k], &l2) || (v && l1 != l2);
		}
	}
	return bad;
}

static void test_index_every_offset(void)
{
	static const char *const names[] = {"qemu-virt-gicv3-el2.dtb", "qemu-virt-gicv2-el2.dtb",
					    "board-4cpu.dtb"};
	static unsigned char isnode[1 << 17];
	static const uint32_t tags[] = {FDT_BEGIN_NODE, FDT_END_NODE, FDT_PROP, FDT_NOP, FDT_END};
	uint64_t rng = 0x9e3779b97f4a7c15ULL;
	unsigned bad = 0, accepted = 0;
	for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		void *orig = load_dtb(names[i]);
		size_t size = fdt_totalsize(orig);
		void *m = malloc(size);
		for (unsigned iter = 0; iter < 150; iter++) {
			memcpy(m, orig, size);
			for (unsigned k = 0; iter && k < 1 + iter % 2; k++) {
				rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
				size_t at = fdt_off_dt_struct(m) + (rng >> 8) % fdt_size_dt_struct(m);
				fdt32_t t = cpu_to_fdt32(tags[(rng >> 3) % 5]);
				if (rng & 1)
					((uint8_t *)m)[at] = (uint8_t)(rng >> 40);
				else
					memcpy((char *)m + (at & ~(size_t)3), &t, 4);
			}
			struct board b;
			struct dt_error err;
			dt_board_read(m, &b, &err); /* the index, whatever it refuses after */
			if (dt_check_blob(m) || fdt_check_full(m, size))
				continue;
			accepted++;
			unsigned x = offsets_same(m, isnode);
			if (x && bad < 3)
				fprintf(stderr, "    %s, mutation %u: %u lookups differ\n", names[i], iter, x);
			bad += x;
		}
		free(m);
		free(orig);
	}
	CHECK(accepted > 100);
	CHECK_EQ(bad, 0);
}

/* What the index pass noted of the board's compatible lists is what a
 * search over every node finds: for each list, the same node and word. */
static const char *const compat_lists[DT_NCOMPAT] = {
	"arm,gic-v3\0arm,cortex-a15-gic\0arm,gic-400\0arm,cortex-a9-gic\0arm,cortex-a7-gic\0"
	"arm,arm11mp-gic\0",
	"arm,armv8-timer\0arm,armv7-timer\0",
	"arm,psci-1.0\0arm,psci-0.2\0arm,psci\0",
};

static unsigned compat_same(const void *fdt, unsigned *found)
{
	unsigned bad = 0;
	for (unsigned l = 0; l < DT_NCOMPAT; l++) {
		unsigned w1 = 99, w2 = 99;
		int n1 = dt_board_compat(fdt, (enum dt_compat)l, &w1);
		int n2 = dt_find_compatible_in(fdt, compat_lists[l], &w2);
		bad += n1 != n2 || (n1 >= 0 && w1 != w2);
		*found += n1 >= 0;
	}
	return bad;
}

/* On every DT of the unit data (accepted or refused by the board read
 * after its index pass) and on the mutated DTs of test_check_blob. */
static void compat_dir(const char *sub, unsigned *n, unsigned *bad, unsigned *found)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", data_dir, sub);
	DIR *d = opendir(path);
	for (struct dirent *e; d && (e = readdir(d));) {
		size_t l = strlen(e->d_name);
		char name[512];
		snprintf(name, sizeof(name), "%s%s%s", sub, *sub ? "/" : "", e->d_name);
		if (e->d_name[0] == '.')
			continue;
		if (l < 5 || strcmp(e->d_name + l - 4, ".dtb")) {
			compat_dir(name, n, bad, found); /* a directory, or nothing */
			continue;
		}
		void *fdt = load_dtb(name);
		struct board b;
		struct dt_error err;
		dt_board_read(fdt, &b, &err);
		unsigned k = compat_same(fdt, found);
		if (k)
			fprintf(stderr, "    %s: dt_board_compat disagrees on %u lists\n", name, k);
		*bad += k;
		(*n)++;
		free(fdt);
	}
	if (d)
		closedir(d);
}

static void test_index_compat(void)
{
	unsigned n = 0, bad = 0, found = 0;
	compat_dir("", &n, &bad, &found);
	CHECK(n > 40);
	fprintf(stderr, "    compat: %u DTs, %u answers\n", n, found);
	CHECK(found > n); /* the board DTs name a GIC, a timer, PSCI; configs none */
	CHECK_EQ(bad, 0);
}

/* Hostile compatibles, one small DT per case: the node and word the index
 * pass noted for each list, written out here, and the same as the search
 * over every node answers (compat_same). */
struct compat_node {
	const char *name, *val;
	int len; /* of val, NUL or not */
	bool disabled;
};
struct compat_case {
	struct compat_node n[3];
	const char *want[DT_NCOMPAT]; /* the node's name, NULL for none */
	unsigned which[DT_NCOMPAT];
};
#define CV(s) s, (int)sizeof(s)	   /* with its NUL */
#define CVN(s) s, (int)sizeof(s) - 1 /* without */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers" /* the table's zeros */
static const struct compat_case compat_cases[] = {
	/* A later node with a better word wins. */
	{{{"a", CV("arm,gic-400")}, {"b", CV("arm,gic-v3")}}, {"b"}, {0}},
	/* A value not NUL-terminated matches nothing. */
	{{{"a", CVN("arm,gic-v3")}, {"b", CV("arm,gic-400")}}, {"b"}, {2}},
	/* Two listed words in one node: its best; an equal one later loses. */
	{{{"a", CV("arm,cortex-a15-gic\0arm,gic-v3")}, {"b", CV("arm,gic-v3")}}, {"a"}, {0}},
	/* A disabled node is noted as the search finds it (neither skips it). */
	{{{"a", CV("arm,gic-v3"), true}, {"b", CV("arm,gic-v3")}}, {"a"}, {0}},
	/* Prefixes, suffixes and a word inside another do not match. */
	{{{"a", CV("xarm,gic-v3\0arm,gic-v3-its\0arm,psci-1.0x")},
	  {"b", CV("arm,\0arm,armv8-timer")},
	  {"c", CV("foo\0arm,psci-0.2\0arm,psci")}},
	 {NULL, "b", "c"},
	 {0, 0, 1}},
	/* Its last string not NUL-terminated: the whole ones before it still match. */
	{{{"a", CVN("arm,psci-0.2\0arm,psci-1.0")}}, {NULL, NULL, "a"}, {0, 0, 1}},
};

static void test_index_compat_hostile(void)
{
	static char buf[4096] __attribute__((aligned(8)));
	for (unsigned i = 0; i < sizeof(compat_cases) / sizeof(compat_cases[0]); i++) {
		const struct compat_case *c = &compat_cases[i];
		CHECK_EQ(fdt_create_empty_tree(buf, sizeof(buf)), 0);
		for (int k = 2; k >= 0; k--) { /* each added first: in the listed order */
			if (!c->n[k].name)
				continue;
			int off = fdt_add_subnode(buf, 0, c->n[k].name);
			CHECK_EQ(fdt_setprop(buf, off, "compatible", c->n[k].val, c->n[k].len), 0);
			if (c->n[k].disabled)
				CHECK_EQ(fdt_setprop_string(buf, off, "status", "disabled"), 0);
		}
		struct board b;
		struct dt_error err;
		dt_board_read(buf, &b, &err); /* refused (no CPUs...) after its index pass */
		for (unsigned l = 0; l < DT_NCOMPAT; l++) {
			unsigned which = 99;
			int node = dt_board_compat(buf, (enum dt_compat)l, &which);
			char path[8];
			snprintf(path, sizeof(path), "/%s", c->want[l] ? c->want[l] : "");
			int want = c->want[l] ? fdt_path_offset(buf, path) : -FDT_ERR_NOTFOUND;
			if (!CHECK(node == want && (node < 0 || which == c->which[l])))
				fprintf(stderr, "    case %u list %u: node %d word %u, want %d word %u\n", i,
					l, node, which, want, c->which[l]);
		}
		unsigned found = 0;
		CHECK_EQ(compat_same(buf, &found), 0);
	}
}

/* The QEMU DT with node's prop set to the len bytes at val, and the padding
 * after them (to the next 4-byte boundary, -len & 3 bytes) set to pad: bytes
 * a reader running past the property's end would take for its own. libfdt
 * checks the blob whole; the caller frees it. */
static char *with_padded_prop(const char *node, const char *prop, const char *val, int len,
			      const char *pad)
{
	void *orig = load_dtb("qemu-virt-gicv3-el2.dtb");
	int size = (int)fdt_totalsize(orig) + 256;
	char *f = malloc((size_t)size);
	CHECK_EQ(fdt_open_into(orig, f, size), 0);
	free(orig);
	int off = fdt_path_offset(f, node);
	CHECK_EQ(fdt_setprop(f, off, prop, val, len), 0);
	memcpy(fdt_getprop_w(f, off, prop, NULL) + len, pad, (size_t)(-len & 3));
	CHECK_EQ(fdt_check_full(f, (size_t)size), 0);
	return f;
}

/*
 * /psci's 'method' of 2 bytes, "hv", with no NUL inside it and the padding
 * after it set to "c\0": not a string, refused; read with strcmp, it was
 * taken for "hvc" from a byte outside the property.
 */
static void test_method_unterminated(void)
{
	char *f = with_padded_prop("/psci", "method", "hv", 2, "c");
	struct board b;
	struct dt_error err;
	if (!CHECK_EQ(dt_board_read(f, &b, &err), -1))
		fprintf(stderr, "    accepted, conduit %d\n", (int)b.psci);
	CHECK_STR(err.msg, "DT: psci: 'method' missing or not a string (\"smc\" or \"hvc\")");
	free(f);
}

/* A CPU's 'enable-method' of 9 bytes, "spin-tabl", the padding after it
 * "e\0\0": not "spin-table" (a PSCI CPU); read with strcmp, it was taken
 * for spin-table from bytes outside the property. */
static void test_enable_method_unterminated(void)
{
	char *f = with_padded_prop("/cpus/cpu@0", "enable-method", "spin-tabl", 9, "e\0");
	struct board b;
	struct dt_error err;
	if (CHECK_EQ(dt_board_read(f, &b, &err), 0))
		CHECK_EQ(b.cpu_method[0], CPU_METHOD_PSCI);
	else
		fprintf(stderr, "    refused: %s\n", err.msg);
	free(f);
}

/* dt_check_blob() (one pass, no libfdt walk) accepts exactly what libfdt's
 * fdt_check_full() accepts, on thousands of corrupted copies of a real DT:
 * random bytes and random structure tags written past the header. */
static void test_check_blob(void)
{
	void *orig = load_dtb("qemu-virt-gicv3-el2.dtb");
	size_t size = fdt_totalsize(orig);
	void *m = malloc(size);
	uint64_t rng = 0x2545f4914f6cdd1dULL;
	unsigned disagree = 0, accepted = 0, cbad = 0, cfound = 0;
	static const uint32_t tags[] = {FDT_BEGIN_NODE, FDT_END_NODE, FDT_PROP, FDT_NOP, FDT_END, 0,
					0x100000, 7};
	for (unsigned iter = 0; iter < 20000; iter++) {
		memcpy(m, orig, size);
		unsigned n = 1 + iter % 3;
		for (unsigned k = 0; k < n; k++) {
			rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
			size_t at = 40 + (size_t)(rng >> 8) % (size - 40);
			if (rng & 1) {
				((uint8_t *)m)[at] = (uint8_t)(rng >> 40);
			} else {
				at &= ~(size_t)3;
				if (at + 4 <= size) {
					fdt32_t t = cpu_to_fdt32(tags[(rng >> 3) % 8]);
					memcpy((char *)m + at, &t, 4);
				}
			}
		}
		bool mine = dt_check_blob(m) == 0, theirs = fdt_check_full(m, size) == 0;
		accepted += mine;
		if (mine) { /* the index pass's compatible notes, on a changed tree */
			struct board b;
			struct dt_error err;
			dt_board_read(m, &b, &err);
			cbad += compat_same(m, &cfound);
		}
		if (mine != theirs && disagree++ < 3)
			fprintf(stderr, "    mutation %u: dt_check_blob %s, fdt_check_full %s\n", iter,
				mine ? "accepts" : "refuses", theirs ? "accepts" : "refuses");
	}
	CHECK_EQ(disagree, 0);
	CHECK(accepted > 100); /* some mutations (in property values) stay valid */
	CHECK_EQ(cbad, 0);
	CHECK(cfound > 2 * accepted);
	free(m);
	free(orig);
}

/*
 * The index pass reads node names a word at a time (nul_from): a board DT
 * laid out with its structure block last, ending at a page with no access
 * after it, cut short by 4 to 256 bytes (inside names, properties, tags):
 * each refused as invalid, nothing read past the block (SIGSEGV if it were);
 * uncut, accepted.
 */
static void test_index_guard(void)
{
	void *orig = load_dtb("qemu-virt-gicv3-el2.dtb");
	const char *ostr = (const char *)orig + fdt_off_dt_strings(orig);
	const char *ostruct = (const char *)orig + fdt_off_dt_struct(orig);
	uint32_t nstr = fdt_size_dt_strings(orig), nstruct = fdt_size_dt_struct(orig);
	uint32_t off_struct = 56 + ((nstr + 3) & ~3u);
	long page = sysconf(_SC_PAGESIZE);
	size_t span = ((off_struct + nstruct + (size_t)page - 1) / (size_t)page + 1) * (size_t)page;
	char *m = mmap(NULL, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (!CHECK(m != MAP_FAILED))
		return;
	char *guard = m + span - (size_t)page;
	CHECK_EQ(mprotect(guard, (size_t)page, PROT_NONE), 0);
	unsigned bad = 0;
	for (uint32_t cut = 0; cut <= 256; cut += 4) {
		uint32_t size = nstruct - cut, total = off_struct + size;
		char *f = guard - total;
		memset(f, 0, off_struct);
		memcpy(f, orig, 40);
		fdt_set_off_mem_rsvmap(f, 40);
		fdt_set_off_dt_strings(f, 56);
		fdt_set_off_dt_struct(f, off_struct);
		fdt_set_size_dt_struct(f, size);
		fdt_set_totalsize(f, total);
		memcpy(f + 56, ostr, nstr);
		memcpy(f + off_struct, ostruct, size);
		struct board b;
		struct dt_error err;
		int rc = dt_board_read(f, &b, &err);
		if (cut ? rc != -1 || !strstr(err.msg, "not a valid DTB") : rc != 0) {
			if (bad++ < 3)
				fprintf(stderr, "    cut by %u: %d \"%s\"\n", cut, rc, err.msg);
		}
	}
	CHECK_EQ(bad, 0);
	munmap(m, span);
	free(orig);
}

/*
 * compat_note() scans a compatible value without a bound once it has cut the
 * value after its last NUL. The pass meets a value before it knows the tree
 * is whole: here the structure block ends right after a compatible value
 * (no END_NODE, no FDT_END), at a page with no access after it. Values with
 * no NUL, with a listed word last and unterminated, of only NULs, empty:
 * each tree refused as truncated, nothing read past the value (SIGSEGV if
 * it were).
 */
static void test_compat_at_guard(void)
{
	static const struct {
		const char *v;
		int len;
	} vals[] = {{"arm,psci-1.0", 12}, {"arm,gic-400\0arm,psci-1.0", 24},
		    {"arm,psci-1.0\0\0\0\0", 16}, {"\0\0\0\0", 4}, {"", 0}};
	static char tree[4096] __attribute__((aligned(8)));
	long page = sysconf(_SC_PAGESIZE);
	char *m = mmap(NULL, 2 * (size_t)page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		       -1, 0);
	if (!CHECK(m != MAP_FAILED))
		return;
	char *guard = m + page;
	CHECK_EQ(mprotect(guard, (size_t)page, PROT_NONE), 0);
	unsigned bad = 0;
	for (unsigned i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
		CHECK_EQ(fdt_create_empty_tree(tree, sizeof(tree)), 0);
		int node = fdt_add_subnode(tree, 0, "psci");
		CHECK_EQ(fdt_setprop(tree, node, "compatible", vals[i].v, vals[i].len), 0);
		int len;
		const char *p = fdt_getprop(tree, node, "compatible", &len);
		const char *ostruct = tree + fdt_off_dt_struct(tree);
		uint32_t nstr = fdt_size_dt_strings(tree), size = (uint32_t)(p + len - ostruct);
		uint32_t off_struct = 56 + ((nstr + 3) & ~3u), total = off_struct + size;
		char *f = guard - total;
		memset(f, 0, off_struct);
		memcpy(f, tree, 40);
		fdt_set_off_mem_rsvmap(f, 40);
		fdt_set_off_dt_strings(f, 56);
		fdt_set_off_dt_struct(f, off_struct);
		fdt_set_size_dt_struct(f, size);
		fdt_set_totalsize(f, total);
		memcpy(f + 56, tree + fdt_off_dt_strings(tree), nstr);
		memcpy(f + off_struct, ostruct, size);
		struct board b;
		struct dt_error err;
		if ((dt_board_read(f, &b, &err) != -1 || !strstr(err.msg, "not a valid DTB")) &&
		    bad++ < 3)
			fprintf(stderr, "    value %u: \"%s\"\n", i, err.msg);
	}
	CHECK_EQ(bad, 0);
	munmap(m, 2 * (size_t)page);
}

/* A window the hypervisor maps as a device, the console's or one of the
 * GIC's, on RAM (or on the hypervisor itself) is refused, naming the node
 * and the address: arch_map_device() would map nothing over memory already
 * mapped, and the writes would land in it. QEMU's DTs, one 'reg' entry
 * (its address, at byte `at`) moved to base. */
static int windows_with(int gic, const char *node, unsigned at, uint64_t base,
			const struct mem_range *hyp, struct dt_error *err)
{
	void *fdt = load_dtb(gic == 3 ? "qemu-virt-gicv3-el2.dtb" : "qemu-virt-gicv2-el2.dtb");
	struct board b;
	int off = fdt_path_offset(fdt, node), rc = -100;
	fdt64_t a = cpu_to_fdt64(base);
	if (CHECK(off >= 0) &&
	    CHECK_EQ(fdt_setprop_inplace_namelen_partial(fdt, off, "reg", 3, at, &a, 8), 0) &&
	    CHECK_EQ(dt_board_read(fdt, &b, err), 0))
		rc = dt_board_windows(&b, hyp, err);
	free(fdt);
	return rc;
}

static void test_windows_not_ram(void)
{
	struct dt_error err;
	const struct mem_range hyp = {0x40200000, 0x400000}, below = {0x08ff0000, 0x20000};
	const char *uart = "/pl011@9000000", *gic = "/intc@8000000";
	CHECK_EQ(windows_with(3, uart, 0, 0x9000000, &hyp, &err), 0);
	CHECK_EQ(windows_with(2, uart, 0, 0x9000000, &hyp, &err), 0);
	CHECK_EQ(windows_with(3, uart, 0, 0x48000000, NULL, &err), 1);
	CHECK_STR(err.msg, "DT: /pl011@9000000: 'reg' 0x48000000 is RAM, not a device");
	CHECK_EQ(windows_with(3, uart, 0, 0x403ff000, &hyp, &err), 1);
	CHECK_EQ(windows_with(3, gic, 0, 0x4fff0000, NULL, &err), 2);
	CHECK_STR(err.msg, "DT: intc@8000000: 'reg' 0x4fff0000 is RAM, not a device");
	/* Only the hypervisor's own range (not /memory) under the console. */
	CHECK_EQ(windows_with(3, uart, 0, 0x9000000, &below, &err), 1);
	/* GICv2: the hypervisor interface, the third 'reg' entry (GICH). */
	CHECK_EQ(windows_with(2, gic, 32, 0x40000000, NULL, &err), 4);
	/* GICv3: the redistributors, the second. */
	CHECK_EQ(windows_with(3, gic, 16, 0x40000000, NULL, &err), 6);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s <unit test data directory>\n", argv[0]);
		return 2;
	}
	data_dir = argv[1];
	RUN(test_qemu_gicv2);
	RUN(test_qemu_gicv3);
	RUN(test_board_4cpu);
	RUN(test_variants);
	RUN(test_bad);
	RUN(test_helpers);
	RUN(test_parent_index);
	RUN(test_index_lookups);
	RUN(test_index_props);
	RUN(test_index_memo);
	RUN(test_index_compat);
	RUN(test_index_compat_hostile);
	RUN(test_index_limits);
	RUN(test_index_refused_after_read);
	RUN(test_index_every_offset);
	RUN(test_check_blob);
	RUN(test_index_guard);
	RUN(test_compat_at_guard);
	RUN(test_method_unterminated);
	RUN(test_enable_method_unterminated);
	RUN(test_windows_not_ram);
	return check_summary("test_board");
}
