/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests of the guest-DT builder (dt/guest.c) on QEMU's GICv2 and GICv3
 * board DTs: the DT a domain gets must be well formed and say exactly what
 * the domain owns (its memory, N PSCI vCPUs, a GIC of the board's version at
 * the board's addresses, the timer with all four PPIs, a PL011 console with
 * clocks, /chosen), and a buffer too small must be an error, not a crash.
 * Usage: test_guest <directory holding the compiled data/>
 */
#include <libfdt.h>

#include "check.h"
#include "dt/guest.h"
#include "dt/out.h"

static const char *data_dir;

static void *load_dtb(const char *name)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", data_dir, name);
	return load_file(path, NULL);
}

/* Property `name` of `path` as big-endian cells; its length in cells, -1 if absent. */
static int cells(const void *fdt, const char *path, const char *name, const fdt32_t **out)
{
	int node = fdt_path_offset(fdt, path), len;
	const fdt32_t *p = node >= 0 ? fdt_getprop(fdt, node, name, &len) : NULL;
	if (out)
		*out = p;
	return p ? len / 4 : -1;
}

/* The property equals these cells exactly. */
static bool same_cells(const void *fdt, const char *path, const char *name, const uint32_t *want,
		       int n, int line)
{
	const fdt32_t *p;
	int got = cells(fdt, path, name, &p);
	bool ok = got == n;
	for (int i = 0; ok && i < n; i++)
		ok = fdt32_to_cpu(p[i]) == want[i];
	check_count++;
	if (!ok) {
		check_report(__FILE__, line);
		fprintf(stderr, "    %s:%s = <", path, name);
		for (int i = 0; i < got; i++)
			fprintf(stderr, "%s0x%x", i ? " " : "", fdt32_to_cpu(p[i]));
		fprintf(stderr, ">%s\n      expected <", got < 0 ? " (absent)" : "");
		for (int i = 0; i < n; i++)
			fprintf(stderr, "%s0x%x", i ? " " : "", want[i]);
		fprintf(stderr, ">\n");
	}
	return ok;
}
#define CHECK_CELLS(fdt, path, name, ...)                                                          \
	do {                                                                                       \
		static const uint32_t want_[] = {__VA_ARGS__};                                     \
		same_cells((fdt), (path), (name), want_, (int)(sizeof(want_) / 4), __LINE__);      \
	} while (0)

static const char *str_prop(const void *fdt, const char *path, const char *name)
{
	int node = fdt_path_offset(fdt, path);
	return node >= 0 ? fdt_getprop(fdt, node, name, NULL) : NULL;
}

static bool has_prop(const void *fdt, const char *path, const char *name)
{
	return cells(fdt, path, name, NULL) >= 0;
}

static uint64_t u64_prop(const void *fdt, const char *path, const char *name)
{
	const fdt32_t *p;
	if (cells(fdt, path, name, &p) != 2)
		return ~0ULL;
	return ((uint64_t)fdt32_to_cpu(p[0]) << 32) | fdt32_to_cpu(p[1]);
}

/* What any domain's DT must hold; `gic` 2 or 3. */
static void check_guest(const void *fdt, const struct guest_dt *g, unsigned gic)
{
	char path[64];
	CHECK_EQ(fdt_check_header(fdt), 0);
	CHECK_CELLS(fdt, "/", "#address-cells", 2);
	CHECK_CELLS(fdt, "/", "#size-cells", 2);
	CHECK_CONTAINS(str_prop(fdt, "/", "model"), g->name);

	/* Memory: exactly the domain's. */
	snprintf(path, sizeof(path), "/memory@%llx", (unsigned long long)g->ram_ipa);
	CHECK_STR(str_prop(fdt, path, "device_type"), "memory");
	CHECK_CELLS(fdt, "/memory@40000000", "reg", 0, 0x40000000, 0, 0x8000000);
	int nmem = 0, node;
	fdt_for_each_subnode(node, fdt, 0)
	{
		const char *t = fdt_getprop(fdt, node, "device_type", NULL);
		nmem += t && !strcmp(t, "memory");
	}
	CHECK_EQ(nmem, 1);

	/* CPUs: reg 0..N-1, started through PSCI. */
	CHECK_CELLS(fdt, "/cpus", "#address-cells", 1);
	CHECK_CELLS(fdt, "/cpus", "#size-cells", 0);
	unsigned ncpu = 0;
	fdt_for_each_subnode(node, fdt, fdt_path_offset(fdt, "/cpus"))
	{
		const char *t = fdt_getprop(fdt, node, "device_type", NULL);
		ncpu += t && !strcmp(t, "cpu");
	}
	CHECK_EQ(ncpu, g->nvcpus);
	for (unsigned i = 0; i < g->nvcpus; i++) {
		snprintf(path, sizeof(path), "/cpus/cpu@%x", i);
		const fdt32_t *reg;
		if (CHECK_EQ(cells(fdt, path, "reg", &reg), 1))
			CHECK_EQ(fdt32_to_cpu(reg[0]), i);
		CHECK_STR(str_prop(fdt, path, "enable-method"), "psci");
		CHECK_STR(str_prop(fdt, path, "device_type"), "cpu");
		CHECK_STR(str_prop(fdt, path, "compatible"), "arm,cortex-a57"); /* the board's */
	}

	/* PSCI over HVC, emulated by the hypervisor. */
	CHECK_STR(str_prop(fdt, "/psci", "method"), "hvc");
	CHECK_EQ(fdt_node_check_compatible(fdt, fdt_path_offset(fdt, "/psci"), "arm,psci-1.0"), 0);
	CHECK_EQ(fdt_node_check_compatible(fdt, fdt_path_offset(fdt, "/psci"), "arm,psci-0.2"), 0);

	/* Timer: all four PPIs (13, 14, 11, 10), level-low; GICv2 adds the vCPU mask. */
	int timer = fdt_node_offset_by_compatible(fdt, -1, "arm,armv8-timer");
	CHECK(timer >= 0);
	char tpath[64] = "";
	fdt_get_path(fdt, timer, tpath, sizeof(tpath));
	uint32_t f = 0x8 | (gic == 2 ? ((1u << g->nvcpus) - 1) << 8 : 0);
	uint32_t want[12] = {1, 13, f, 1, 14, f, 1, 11, f, 1, 10, f};
	same_cells(fdt, tpath, "interrupts", want, 12, __LINE__);

	/* GIC: the board's version at the board's addresses, sized for this domain. */
	int v2 = fdt_node_offset_by_compatible(fdt, -1, "arm,cortex-a15-gic");
	int v3 = fdt_node_offset_by_compatible(fdt, -1, "arm,gic-v3");
	CHECK(gic == 2 ? v2 >= 0 && v3 < 0 : v3 >= 0 && v2 < 0);
	int gnode = gic == 2 ? v2 : v3;
	char gpath[64] = "";
	fdt_get_path(fdt, gnode, gpath, sizeof(gpath));
	CHECK_STR(gpath, "/intc@8000000");
	if (gic == 2) {
		CHECK_CELLS(fdt, "/intc@8000000", "reg", 0, 0x08000000, 0, 0x1000, 0, 0x08010000, 0,
			    0x2000);
	} else {
		uint32_t r[8] = {0, 0x08000000, 0, 0x10000, 0, 0x080a0000, 0, 0x20000 * g->nvcpus};
		same_cells(fdt, "/intc@8000000", "reg", r, 8, __LINE__);
	}
	CHECK(has_prop(fdt, "/intc@8000000", "interrupt-controller"));
	CHECK_CELLS(fdt, "/intc@8000000", "#interrupt-cells", 3);
	uint32_t gic_ph = fdt_get_phandle(fdt, gnode);
	CHECK(gic_ph != 0);
	uint32_t ip[1] = {gic_ph};
	same_cells(fdt, "/", "interrupt-parent", ip, 1, __LINE__);

	/* The emulated PL011 at the given address, with the clocks Linux's driver needs. */
	snprintf(path, sizeof(path), "/pl011@%llx", (unsigned long long)g->uart_ipa);
	int uart = fdt_path_offset(fdt, path);
	CHECK(uart >= 0);
	CHECK_EQ(fdt_node_check_compatible(fdt, uart, "arm,pl011"), 0);
	CHECK_CELLS(fdt, "/pl011@9000000", "reg", 0, 0x09000000, 0, 0x1000);
	CHECK_CELLS(fdt, "/pl011@9000000", "interrupts", 0, 1, 4); /* INTID 33 = SPI 1 */
	const fdt32_t *clk;
	if (CHECK_EQ(cells(fdt, path, "clocks", &clk), 2)) {
		for (int i = 0; i < 2; i++) {
			int c = fdt_node_offset_by_phandle(fdt, fdt32_to_cpu(clk[i]));
			CHECK(c >= 0);
			CHECK_EQ(fdt_node_check_compatible(fdt, c, "fixed-clock"), 0);
			const fdt32_t *cc = fdt_getprop(fdt, c, "#clock-cells", NULL);
			CHECK(cc && fdt32_to_cpu(*cc) == 0);
		}
	}
	int cnlen;
	const char *cn = fdt_getprop(fdt, uart, "clock-names", &cnlen);
	CHECK(cn && cnlen == sizeof("uartclk\0apb_pclk") && !memcmp(cn, "uartclk\0apb_pclk", 17));

	/* /chosen and /aliases point at it. */
	const char *so = str_prop(fdt, "/chosen", "stdout-path");
	CHECK_STR(so, path);
	CHECK_EQ(so ? fdt_path_offset(fdt, so) : -1, uart);
	const char *alias = fdt_get_alias(fdt, "serial0");
	CHECK_EQ(alias ? fdt_path_offset(fdt, alias) : -1, uart);
	if (g->bootargs && g->bootargs[0])
		CHECK_STR(str_prop(fdt, "/chosen", "bootargs"), g->bootargs);
	else
		CHECK(!has_prop(fdt, "/chosen", "bootargs"));
	if (g->initrd_size) {
		CHECK_EQ(u64_prop(fdt, "/chosen", "linux,initrd-start"), g->initrd_ipa);
		CHECK_EQ(u64_prop(fdt, "/chosen", "linux,initrd-end"),
			 g->initrd_ipa + g->initrd_size);
	} else {
		CHECK(!has_prop(fdt, "/chosen", "linux,initrd-start"));
		CHECK(!has_prop(fdt, "/chosen", "linux,initrd-end"));
	}
	/* Nothing of the board that the domain does not own. */
	CHECK(fdt_path_offset(fdt, "/pl061@9030000") < 0);
	CHECK(fdt_path_offset(fdt, "/pcie@10000000") < 0);
	CHECK(fdt_node_offset_by_compatible(fdt, -1, "arm,gic-v2m-frame") < 0);
	CHECK(fdt_node_offset_by_compatible(fdt, -1, "arm,gic-v3-its") < 0);
}

#define BUF_SIZE 0x10000

static void build_and_check(const char *board_dtb, unsigned gic)
{
	void *host = load_dtb(board_dtb);
	struct board b;
	struct dt_error err;
	if (!CHECK_EQ(dt_board_read(host, &b, &err), 0)) {
		fprintf(stderr, "    %s: %s\n", board_dtb, err.msg);
		free(host);
		return;
	}
	void *buf = malloc(BUF_SIZE);

	/* Two vCPUs, an initrd and a command line. */
	struct guest_dt g = {
	    .name = "rt",
	    .ram_ipa = 0x40000000,
	    .ram_size = 0x8000000,
	    .nvcpus = 2,
	    .bootargs = "console=ttyAMA0 earlycon",
	    .initrd_ipa = 0x44000000,
	    .initrd_size = 0x123000,
	    .uart_ipa = b.uart_base,
	    .uart_intid = 33,
	    .conduit = CONDUIT_HVC,
	};
	memset(buf, 0xa5, BUF_SIZE);
	if (CHECK_EQ(dt_guest_build(buf, BUF_SIZE, &g, &b, host, &err), 0))
		check_guest(buf, &g, gic);
	else
		fprintf(stderr, "    %s\n", err.msg);
	int needed = (int)fdt_totalsize(buf);

	/* Our own board reader accepts the GICv3 guest DT and sees the same domain
	 * (a GICv2 guest has no GICH/GICV, so the board reader refuses it by design). */
	if (gic == 3) {
		struct board gb;
		if (CHECK_EQ(dt_board_read(buf, &gb, &err), 0)) {
			CHECK_EQ(gb.ncpus, 2);
			CHECK_EQ(gb.mpidr[1], 1);
			CHECK_EQ(gb.nmem, 1);
			CHECK_EQ(gb.mem[0].base, 0x40000000);
			CHECK_EQ(gb.psci, CONDUIT_HVC);
			CHECK_EQ(gb.uart, UART_PL011);
			CHECK_EQ(gb.uart_base, 0x09000000);
			CHECK_EQ(gb.uart_irq, 33);
			CHECK_EQ(gb.gic_version, 3);
			CHECK_EQ(gb.gicr.size, 0x40000);
			CHECK_EQ(gb.timer_irq[2], 27);
		} else {
			fprintf(stderr, "    guest DT refused by dt_board_read: %s\n", err.msg);
		}
		/* The dt_* lookups answer for the DT read last: the board's again. */
		CHECK_EQ(dt_board_read(host, &b, &err), 0);
	}

	/* One vCPU, no initrd, no command line. */
	g.nvcpus = 1;
	g.bootargs = NULL;
	g.initrd_size = 0;
	if (CHECK_EQ(dt_guest_build(buf, BUF_SIZE, &g, &b, host, &err), 0))
		check_guest(buf, &g, gic);
	g.bootargs = "";
	if (CHECK_EQ(dt_guest_build(buf, BUF_SIZE, &g, &b, host, &err), 0))
		CHECK(!has_prop(buf, "/chosen", "bootargs"));

	/* A passed-through device: copied with its reg in root cells, its interrupt,
	 * our clock instead of the board's, and no phandle of the board's. */
	const char devs[1][96] = {"/pl061@9030000"};
	g.devices = devs;
	g.ndevices = 1;
	if (CHECK_EQ(dt_guest_build(buf, BUF_SIZE, &g, &b, host, &err), 0)) {
		CHECK_EQ(fdt_check_header(buf), 0);
		CHECK_CELLS(buf, "/pl061@9030000", "reg", 0, 0x9030000, 0, 0x1000);
		CHECK_CELLS(buf, "/pl061@9030000", "interrupts", 0, 7, 4);
		CHECK_STR(str_prop(buf, "/pl061@9030000", "status"), "okay");
		CHECK(!has_prop(buf, "/pl061@9030000", "phandle"));
		CHECK(has_prop(buf, "/pl061@9030000", "gpio-controller"));
		const fdt32_t *clk;
		if (CHECK_EQ(cells(buf, "/pl061@9030000", "clocks", &clk), 1))
			CHECK_EQ(fdt_node_check_compatible(
				     buf, fdt_node_offset_by_phandle(buf, fdt32_to_cpu(clk[0])),
				     "fixed-clock"),
				 0);
	} else {
		fprintf(stderr, "    %s\n", err.msg);
	}
	/* A device the board does not have (the plan checks first, but still). */
	const char nodev[1][96] = {"/gpio@1234"};
	g.devices = nodev;
	memset(&err, 0, sizeof(err));
	CHECK_EQ(dt_guest_build(buf, BUF_SIZE, &g, &b, host, &err), -1);
	/* was a known bug (now fixed): */
	{
		CHECK_CONTAINS(err.msg, "/gpio@1234");
	}
	g.devices = NULL;
	g.ndevices = 0;

	/* Too small a buffer, down to nothing: an error naming the domain, never a
	 * write past the end (the buffer is allocated at exactly that size, so
	 * AddressSanitizer would stop an overrun). */
	g.nvcpus = 2;
	g.bootargs = "console=ttyAMA0 earlycon";
	g.initrd_size = 0x123000;
	const int sizes[] = {0, 8, 40, 64, 128, 256, 512, 1024, needed / 2, needed - 4, needed - 1};
	for (unsigned i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		int size = sizes[i];
		void *small = malloc(size ? (size_t)size : 1);
		memset(&err, 0, sizeof(err));
		if (!CHECK_EQ(dt_guest_build(small, size, &g, &b, host, &err), -1))
			fprintf(stderr, "    buffer of %d bytes (%d needed) accepted\n", size,
				needed);
		CHECK_CONTAINS(err.msg, "DT for domain rt");
		free(small);
	}
	void *exact = malloc((size_t)needed);
	CHECK_EQ(dt_guest_build(exact, needed, &g, &b, host, &err), 0);
	CHECK_EQ(fdt_check_header(exact), 0);
	free(exact);

	free(buf);
	free(host);
}

/*
 * The one-pass writer (dt/out.c), reviewed: node names built without
 * printf are printf's; a DT written at any alignment is the same bytes;
 * every buffer size short of the need is an error with no byte written past
 * it; a value whose padded length wraps 32 bits is refused, not copied.
 */
static void test_writer(void)
{
	/* out_unit_name() against "%s@%llx", at 0, every power of two and
	 * the values either side of it. */
	for (int i = -1; i < 64; i++)
		for (int d = -1; d <= 1; d++) {
			uint64_t v = i < 0 ? (uint64_t)(d + 1) : (1ULL << i) + (uint64_t)(int64_t)d;
			char mine[48], want[48];
			memset(mine, 0x5a, sizeof(mine));
			snprintf(want, sizeof(want), "bulkhead-channel@%llx", (unsigned long long)v);
			check_test = "out_unit_name";
			CHECK_STR(out_unit_name(mine, "bulkhead-channel", v), want);
		}
	check_test = "test_writer";

	void *host = load_dtb("qemu-virt-gicv3-el2.dtb");
	struct board b;
	struct dt_error err;
	if (!CHECK_EQ(dt_board_read(host, &b, &err), 0)) {
		free(host);
		return;
	}
	/* Every part the writer has: a device, two channels, a network. */
	const char devs[1][96] = {"/pl061@9030000"};
	const struct chan_view ch[2] = {{1, 0x50000000, 0x2000, 40, "dom0"},
					{0xffffffff, ~0ULL << 12, 0x1000, 41, "a-longer-peer"}};
	const struct vnet_view nv[1] = {{0x0a000000, 42}};
	struct guest_dt g = {.name = "rt", .ram_ipa = 0x40000000, .ram_size = 0x8000000,
			     .nvcpus = 2, .bootargs = "console=ttyAMA0 earlycon",
			     .initrd_ipa = 0x44000000, .initrd_size = 0x123000,
			     .uart_ipa = b.uart_base, .uart_intid = 33, .conduit = CONDUIT_HVC,
			     .devices = devs, .ndevices = 1, .chans = ch, .nchans = 2, .nets = nv,
			     .nnets = 1};
	static char ref[BUF_SIZE], odd[BUF_SIZE + 8];
	if (!CHECK_EQ(dt_guest_build(ref, BUF_SIZE, &g, &b, host, &err), 0)) {
		fprintf(stderr, "    %s\n", err.msg);
		free(host);
		return;
	}
	uint32_t needed = fdt_totalsize(ref);
	CHECK_EQ(fdt_check_full(ref, needed), 0);
	CHECK(fdt_path_offset(ref, "/bulkhead-channel@fffffffffffff000") >= 0);
	for (unsigned a = 1; a < 4; a++) {
		memset(odd, 0xa5, sizeof(odd));
		CHECK_EQ(dt_guest_build(odd + a, (int)needed, &g, &b, host, &err), 0);
		CHECK(!memcmp(odd + a, ref, needed));
	}
	unsigned accepted = 0;
	for (uint32_t size = 0; size < needed; size++) {
		char *small = malloc(size ? size : 1);
		if (dt_guest_build(small, (int)size, &g, &b, host, &err) != -1 ||
		    !strstr(err.msg, "DT for domain rt"))
			accepted++;
		free(small);
	}
	CHECK_EQ(accepted, 0);

	/* A value as long as the buffer or longer, or whose padding wraps. */
	static const uint32_t lens[] = {200, 0xfffffffd, 0xffffffff};
	for (unsigned i = 0; i < 3; i++) {
		struct dt_out o;
		char *buf = malloc(256);
		CHECK(out_begin(&o, buf, 256, NULL));
		out_prop(&o, NM(reg), ref, lens[i]);
		CHECK_STR(o.bad ? o.bad : "(accepted)", "out of room");
		CHECK_EQ(o.pos, 56);
		free(buf);
	}
	free(host);
}

static void test_gicv2(void)
{
	build_and_check("qemu-virt-gicv2-el2.dtb", 2);
}

static void test_gicv3(void)
{
	build_and_check("qemu-virt-gicv3-el2.dtb", 3);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s <unit test data directory>\n", argv[0]);
		return 2;
	}
	data_dir = argv[1];
	RUN(test_gicv2);
	RUN(test_gicv3);
	RUN(test_writer);
	return check_summary("test_guest");
}
