/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The board-DT reader (dt/board.c) on real boards' DTBs, as shipped in
 * Debian's arm64 kernel package (linux-image-6.1.0-*-arm64). Every expected
 * value below was read off `dtc -I dtb -O dts` of that DTB by hand; none is
 * computed by the code under test.
 *
 * Loaders fill in /memory before booting us (the Raspberry Pi firmware writes
 * its size into an empty memory@0, U-Boot creates /memory on RK3399), so the
 * test does the same where a board's DTB leaves it to the loader.
 * Usage: test_boards <dtbs-arm64 directory>   (run by tests/host/board-dtbs.sh)
 */
#include <libfdt.h>

#include "check.h"
#include "dt/devices.h"
#include "dt/dt.h"

static const char *dtb_dir;

struct expect {
	const char *dtb;
	/* what a loader writes into /memory (size 0: the DTB's own is kept) */
	uint64_t fill_base, fill_size;
	const char *fail; /* when set: dt_board_read must fail with this message */
	unsigned ncpus;
	uint64_t mpidr[BH_MAX_CPUS];
	enum cpu_method method;	       /* of every CPU */
	uint64_t release[BH_MAX_CPUS]; /* spin-table */
	unsigned nmem;
	struct mem_range mem[4];
	unsigned nresv;
	struct mem_range resv[8];
	unsigned gic_version;
	struct mem_range gicd, gicc, gich, gicv, gicr;
	enum psci_conduit psci;
	enum uart_kind uart;
	const char *uart_path;
	uint64_t uart_base, uart_size;
	unsigned uart_irq;
	/* known bugs in the code under test that this board shows */
	const char *read_bug;  /* dt_board_read refuses the board */
	const char *timer_bug; /* the timer PPIs come out wrong */
};

static const struct expect boards[] = {
    {
	/* GIC-400 under /soc, whose ranges map 0x40000000 -> 0xff800000 and
	 * 0x7e000000 -> 0xfe000000; spin-table CPUs, no PSCI node at all;
	 * console "serial1:115200n8" = the mini-UART (8250-like). */
	.dtb = "broadcom/bcm2711-rpi-4-b.dtb",
	.fill_base = 0x0,
	.fill_size = 0x3b400000,
	.ncpus = 4,
	.mpidr = {0, 1, 2, 3},
	.method = CPU_METHOD_SPIN_TABLE,
	.release = {0xd8, 0xe0, 0xe8, 0xf0},
	.nmem = 1,
	.mem = {{0x0, 0x3b400000}},
	.nresv = 1, /* /memreserve/ 0 0x1000; linux,cma has no reg, nvram@0 has size 0 */
	.resv = {{0x0, 0x1000}},
	.gic_version = 2,
	.gicd = {0xff841000, 0x1000},
	.gicc = {0xff842000, 0x2000},
	.gich = {0xff844000, 0x2000},
	.gicv = {0xff846000, 0x2000},
	.psci = CONDUIT_NONE,
	.uart = UART_BCM2835AUX,
	.uart_path = "/soc/serial@7e215040",
	.uart_base = 0xfe215040,
	.uart_size = 0x40,
	.uart_irq = 32 + 93,
    },
    {
	/* GIC-400 under /axi (ranges;), 64 KiB-aligned frames of 128 KiB. */
	.dtb = "xilinx/zynqmp-zcu102-rev1.0.dtb",
	.ncpus = 4,
	.mpidr = {0, 1, 2, 3},
	.method = CPU_METHOD_PSCI,
	.nmem = 2,
	.mem = {{0x0, 0x80000000}, {0x800000000, 0x80000000}},
	.nresv = 0,
	.gic_version = 2,
	.gicd = {0xf9010000, 0x10000},
	.gicc = {0xf9020000, 0x20000},
	.gich = {0xf9040000, 0x20000},
	.gicv = {0xf9060000, 0x20000},
	.psci = CONDUIT_SMC,
	.uart = UART_CADENCE,
	.uart_path = "/axi/serial@ff000000",
	.uart_base = 0xff000000,
	.uart_size = 0x1000,
	.uart_irq = 32 + 21,
    },
    {
	.dtb = "freescale/imx8mp-evk.dtb",
	.ncpus = 4,
	.mpidr = {0, 1, 2, 3},
	.method = CPU_METHOD_PSCI,
	.nmem = 2,
	.mem = {{0x40000000, 0xc0000000}, {0x100000000, 0xc0000000}},
	.nresv = 1,
	.resv = {{0x92400000, 0x2000000}}, /* dsp@92400000 */
	.gic_version = 3,
	.gicd = {0x38800000, 0x10000},
	.gicr = {0x38880000, 0xc0000},
	.psci = CONDUIT_SMC,
	.uart = UART_IMX,
	.uart_path = "/soc@0/bus@30800000/serial@30890000",
	.uart_base = 0x30890000,
	.uart_size = 0x10000,
	.uart_irq = 32 + 27,
    },
    {
	/* Two clusters, GICv3 + ITS with 4-cell interrupt specifiers (PPI
	 * partitions), console "serial2:1500000n8" = a DesignWare 16550. */
	.dtb = "rockchip/rk3399-rockpro64.dtb",
	.fill_base = 0x0,
	.fill_size = 0x80000000,
	.ncpus = 6,
	.mpidr = {0x0, 0x1, 0x2, 0x3, 0x100, 0x101},
	.method = CPU_METHOD_PSCI,
	.nmem = 1,
	.mem = {{0x0, 0x80000000}},
	.nresv = 0,
	.gic_version = 3,
	.gicd = {0xfee00000, 0x10000},
	.gicr = {0xfef00000, 0xc0000},
	.psci = CONDUIT_SMC,
	.uart = UART_NS16550,
	.uart_path = "/serial@ff1a0000",
	.uart_base = 0xff1a0000,
	.uart_size = 0x100,
	.uart_irq = 32 + 100,
	.timer_bug = "dt/board.c:275 read_timer() steps through 'interrupts' 3 cells at a time; "
		     "RK3399's GIC has #interrupt-cells = <4>, so the timer PPIs come out as "
		     "29, 33, 16, 24 instead of 29, 30, 27, 26",
    },
    {
	.dtb = "ti/k3-am654-base-board.dtb",
	.ncpus = 4,
	.mpidr = {0x0, 0x1, 0x100, 0x101},
	.method = CPU_METHOD_PSCI,
	.nmem = 2,
	.mem = {{0x80000000, 0x80000000}, {0x880000000, 0x80000000}},
	.nresv = 6,
	.resv = {{0x9e800000, 0x1800000},
		 {0xa0000000, 0x100000},
		 {0xa0100000, 0xf00000},
		 {0xa1000000, 0x100000},
		 {0xa1100000, 0xf00000},
		 {0xa2000000, 0x100000}},
	.gic_version = 3,
	.gicd = {0x1800000, 0x10000},
	.gicr = {0x1880000, 0x90000},
	.psci = CONDUIT_SMC,
	.uart = UART_NS16550,
	.uart_path = "/bus@100000/serial@2800000",
	.uart_base = 0x2800000,
	.uart_size = 0x100,
	.uart_irq = 32 + 192,
    },
    {
	/* 20 /reserved-memory carve-outs (OP-TEE, R5F, C66x, C71x, IPC). */
	.dtb = "ti/k3-j721e-common-proc-board.dtb",
	.ncpus = 2,
	.mpidr = {0x0, 0x1},
	.method = CPU_METHOD_PSCI,
	.nmem = 2,
	.mem = {{0x80000000, 0x80000000}, {0x880000000, 0x80000000}},
	.nresv = 20,
	.resv = {{0x9e800000, 0x1800000}, {0xa0000000, 0x100000}}, /* the first two */
	.gic_version = 3,
	.gicd = {0x1800000, 0x10000},
	.gicr = {0x1900000, 0x100000},
	.psci = CONDUIT_SMC,
	.uart = UART_NS16550,
	.uart_path = "/bus@100000/serial@2800000",
	.uart_base = 0x2800000,
	.uart_size = 0x100,
	.uart_irq = 32 + 192,
	.read_bug = "dt/dt.h:18 BH_MAX_MEM is 16 but J721E's DT has 20 /reserved-memory "
		    "carve-outs: dt_board_read refuses the board (\"more than 16 reserved "
		    "ranges\")",
    },
    {
	/* An unsupported console must be named, not skipped. */
	.dtb = "amlogic/meson-gxbb-odroidc2.dtb",
	.fail = "DT: /soc/bus@c8100000/serial@4c0: console UART of an unsupported kind",
    },
    {
	.dtb = "marvell/armada-3720-espressobin.dtb",
	.fail = "DT: /soc/internal-regs@d0000000/serial@12000: console UART of an "
		"unsupported kind",
    },
};

/* Write what a loader would into the first memory node (or a new memory@<base>). */
static void *fill_memory(const void *fdt, uint64_t base, uint64_t size)
{
	int bufsize = (int)fdt_totalsize(fdt) + 4096;
	void *buf = malloc((size_t)bufsize);
	if (fdt_open_into(fdt, buf, bufsize))
		return buf;
	int node = fdt_node_offset_by_prop_value(buf, -1, "device_type", "memory", 7);
	if (node < 0) {
		char name[32];
		snprintf(name, sizeof(name), "memory@%llx", (unsigned long long)base);
		node = fdt_add_subnode(buf, 0, name);
		fdt_setprop_string(buf, node, "device_type", "memory");
	}
	int ac = fdt_address_cells(buf, 0), sc = fdt_size_cells(buf, 0), n = 0;
	fdt32_t reg[4];
	if (ac == 2)
		reg[n++] = cpu_to_fdt32((uint32_t)(base >> 32));
	reg[n++] = cpu_to_fdt32((uint32_t)base);
	if (sc == 2)
		reg[n++] = cpu_to_fdt32((uint32_t)(size >> 32));
	reg[n++] = cpu_to_fdt32((uint32_t)size);
	CHECK_EQ(fdt_setprop(buf, node, "reg", reg, n * 4), 0);
	return buf;
}

static void check_board(const struct expect *e)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", dtb_dir, e->dtb);
	check_test = e->dtb;
	FILE *f = fopen(path, "rb");
	if (!f) {
		CHECK_FAIL("%s is missing (is %s a complete copy of the kernel's DTBs?)", path,
			   dtb_dir);
		return;
	}
	fclose(f);
	void *fdt = load_file(path, NULL);
	if (e->fill_size) {
		void *filled = fill_memory(fdt, e->fill_base, e->fill_size);
		free(fdt);
		fdt = filled;
	}
	struct board b;
	struct dt_error err;
	int rc = dt_board_read(fdt, &b, &err);
	if (e->fail) {
		CHECK_EQ(rc, -1);
		CHECK_CONTAINS(err.msg, e->fail);
		free(fdt);
		return;
	}
	check_bug = e->read_bug;
	bool accepted = CHECK_EQ(rc, 0);
	check_bug = NULL;
	if (!accepted) {
		fprintf(stderr, "    refused: %s\n", err.msg);
		free(fdt);
		return;
	}
	CHECK_EQ(b.ncpus, e->ncpus);
	for (unsigned i = 0; i < e->ncpus && i < b.ncpus; i++) {
		CHECK_EQ(b.mpidr[i], e->mpidr[i]);
		CHECK_EQ(b.cpu_method[i], e->method);
		if (e->method == CPU_METHOD_SPIN_TABLE)
			CHECK_EQ(b.cpu_release_addr[i], e->release[i]);
	}
	CHECK_EQ(b.nmem, e->nmem);
	for (unsigned i = 0; i < e->nmem && i < b.nmem; i++) {
		CHECK_EQ(b.mem[i].base, e->mem[i].base);
		CHECK_EQ(b.mem[i].size, e->mem[i].size);
	}
	CHECK_EQ(b.nresv, e->nresv);
	for (unsigned i = 0; i < e->nresv && i < b.nresv && i < 8; i++) {
		if (!e->resv[i].size)
			break;
		CHECK_EQ(b.resv[i].base, e->resv[i].base);
		CHECK_EQ(b.resv[i].size, e->resv[i].size);
	}
	CHECK_EQ(b.gic_version, e->gic_version);
	CHECK_EQ(b.gicd.base, e->gicd.base);
	CHECK_EQ(b.gicd.size, e->gicd.size);
	if (e->gic_version == 2) {
		CHECK_EQ(b.gicc.base, e->gicc.base);
		CHECK_EQ(b.gicc.size, e->gicc.size);
		CHECK_EQ(b.gich.base, e->gich.base);
		CHECK_EQ(b.gich.size, e->gich.size);
		CHECK_EQ(b.gicv.base, e->gicv.base);
		CHECK_EQ(b.gicv.size, e->gicv.size);
	} else {
		CHECK_EQ(b.gicr.base, e->gicr.base);
		CHECK_EQ(b.gicr.size, e->gicr.size);
	}
	CHECK_EQ(b.maint_irq, 25); /* PPI 9 on every one of them */
	/* Architected timer PPIs 13, 14, 11, 10, all four given in each DT. */
	check_bug = e->timer_bug;
	CHECK_EQ(b.ntimer_irqs, 4);
	CHECK_EQ(b.timer_irq[0], 29);
	CHECK_EQ(b.timer_irq[1], 30);
	CHECK_EQ(b.timer_irq[2], 27);
	CHECK_EQ(b.timer_irq[3], 26);
	check_bug = NULL;
	CHECK_EQ(b.psci, e->psci);
	CHECK_EQ(b.uart, e->uart);
	CHECK_STR(b.uart_path, e->uart_path);
	CHECK_EQ(b.uart_node, fdt_path_offset(fdt, e->uart_path));
	CHECK_EQ(b.uart_base, e->uart_base);
	CHECK_EQ(b.uart_size, e->uart_size);
	CHECK_EQ(b.uart_irq, e->uart_irq);
	free(fdt);
}

/* Devices with several interrupts on a GIC with 4-cell specifiers: what a
 * domain that gets them passed through is given (dt/devices.c). */
static void test_rk3399_device_irqs(void)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/rockchip/rk3399-rockpro64.dtb", dtb_dir);
	check_test = "rk3399 device interrupts";
	FILE *f = fopen(path, "rb");
	if (!f) {
		CHECK_FAIL("%s is missing", path);
		return;
	}
	fclose(f);
	void *raw = load_file(path, NULL);
	void *fdt = fill_memory(raw, 0, 0x80000000);
	free(raw);
	struct board b;
	struct dt_error err;
	if (!CHECK_EQ(dt_board_read(fdt, &b, &err), 0)) {
		free(fdt);
		return;
	}
	static const struct {
		const char *path;
		unsigned n, irq[3];
	} devs[] = {
	    {"/serial@ff180000", 1, {32 + 99}},
	    {"/video-codec@ff650000", 2, {32 + 114, 32 + 113}},
	    {"/dma-controller@ff6d0000", 2, {32 + 5, 32 + 6}},
	};
	/* was a known bug (now fixed): */
	{
		for (unsigned i = 0; i < sizeof(devs) / sizeof(devs[0]); i++) {
			struct dev_res r;
			if (!CHECK_EQ(dt_device_resources(fdt, &b, devs[i].path, &r, &err), 0)) {
				fprintf(stderr, "    %s: %s\n", devs[i].path, err.msg);
				continue;
			}
			CHECK_EQ(r.nirq, devs[i].n);
			for (unsigned k = 0; k < devs[i].n && k < r.nirq; k++)
				if (!CHECK_EQ(r.irq[k], devs[i].irq[k]))
					fprintf(stderr, "    interrupt %u of %s\n", k,
						devs[i].path);
		}
	}
	free(fdt);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s <dtbs-arm64 directory>\n", argv[0]);
		return 2;
	}
	dtb_dir = argv[1];
	for (unsigned i = 0; i < sizeof(boards) / sizeof(boards[0]); i++)
		check_board(&boards[i]);
	test_rk3399_device_irqs();
	return check_summary("test_boards");
}
