/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests of dt_board_fallback() (dt/board_fallback.c), the reading of a
 * board DT that dt_board_read() refused: the console /chosen names, /psci's
 * conduit, and which of the index's limits the DT is over. Held to libfdt's
 * answers (ref_* below, the same rule written with libfdt's lookups) on
 * every test DT, on DTs grown to each limit and one past it, and on
 * thousands of corrupted and truncated copies, under ASan: never a read out
 * of bounds, never a loop (an alarm ends a run that does not finish).
 * Usage: test_board_fallback <directory holding the compiled data/> [DTB...]
 */
#include <dirent.h>
#include <libfdt.h>
#include <sys/mman.h>

#include "check.h"
#include "dt/dt.h"

static const char *data_dir;

static void *load_dtb(const char *name)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", data_dir, name);
	return load_file(path, NULL);
}

/* A string property, NUL-terminated inside its value, else NULL. */
static const char *ref_str(const void *fdt, int node, const char *name)
{
	int len;
	const char *v = node >= 0 ? fdt_getprop(fdt, node, name, &len) : NULL;
	return v && len > 0 && !v[len - 1] ? v : NULL;
}

/* A cell count of node: absent, or one cell of at most 2; else -1. */
static int ref_cells(const void *fdt, int node, const char *name, int absent)
{
	int len;
	const fdt32_t *v = fdt_getprop(fdt, node, name, &len);
	if (!v)
		return absent;
	return len == 4 && fdt32_ld(v) <= 2 ? (int)fdt32_ld(v) : -1;
}

static uint64_t ref_cells_at(const fdt32_t *p, int n)
{
	return n == 1 ? fdt32_ld(p) : (uint64_t)fdt32_ld(p) << 32 | fdt32_ld(p + 1);
}

/* An address on the bus inside `bus` through each bus's 'ranges' up to the
 * root's: none, fail; empty, 1:1; else the entry holding it. */
static bool ref_translate(const void *fdt, int bus, uint64_t *addr)
{
	for (; bus > 0; bus = fdt_parent_offset(fdt, bus)) {
		int len;
		const fdt32_t *r = fdt_getprop(fdt, bus, "ranges", &len);
		if (!r)
			return false;
		if (!len)
			continue;
		int ac = ref_cells(fdt, bus, "#address-cells", 2);
		int sc = ref_cells(fdt, bus, "#size-cells", 1);
		int pac = ref_cells(fdt, fdt_parent_offset(fdt, bus), "#address-cells", 2);
		if (ac < 1 || sc < 0 || pac < 1)
			return false;
		bool found = false;
		for (int i = 0; !found && (i + 1) * (ac + pac + sc) * 4 <= len; i++) {
			const fdt32_t *e = r + i * (ac + pac + sc);
			uint64_t child = ref_cells_at(e, ac), size = sc ? ref_cells_at(e + ac + pac, sc) : 0;
			if (*addr >= child && *addr - child < size) {
				*addr = *addr - child + ref_cells_at(e + ac, pac);
				found = true;
			}
		}
		if (!found)
			return false;
	}
	return true;
}

/* The console by libfdt: stdout-path (or linux,), one alias step, the
 * node's path (at most 8 buses deep), read_uart()'s kinds in order, 'reg'
 * under the parent's cells, translated through the buses' 'ranges' (cell
 * counts of at most 2). */
static enum uart_kind ref_uart(const void *fdt, uint64_t *base)
{
	static const char *const kinds[] = {
	    "\1arm,pl011",	 "\2ns16550a",	      "\2snps,dw-apb-uart",
	    "\2ti,am654-uart",	 "\2ns16550",	      "\5brcm,bcm2835-aux-uart",
	    "\4fsl,imx21-uart", "\4fsl,imx6q-uart", "\3cdns,uart-r1p12",
	    "\3xlnx,xuartps"};
	int chosen = fdt_path_offset(fdt, "/chosen");
	const char *p = ref_str(fdt, chosen, "stdout-path");
	if (!p)
		p = ref_str(fdt, chosen, "linux,stdout-path");
	if (!p)
		return UART_NONE;
	char path[128];
	size_t l = strcspn(p, ":");
	if (l >= sizeof(path))
		return UART_NONE;
	memcpy(path, p, l);
	path[l] = 0;
	if (path[0] != '/') {
		p = ref_str(fdt, fdt_path_offset(fdt, "/aliases"), path);
		if (!p || p[0] != '/' || strlen(p) >= sizeof(path))
			return UART_NONE;
		strcpy(path, p);
	}
	int node = fdt_path_offset(fdt, path);
	if (node <= 0)
		return UART_NONE;
	int parent = fdt_parent_offset(fdt, node), len, depth = 0;
	for (int a = parent; a > 0; a = fdt_parent_offset(fdt, a))
		depth++;
	if (depth > 8) /* BUS_MAX */
		return UART_NONE;
	enum uart_kind k = UART_NONE;
	for (unsigned i = 0; i < 10 && !k; i++)
		if (fdt_node_check_compatible(fdt, node, kinds[i] + 1) == 0)
			k = (enum uart_kind)kinds[i][0];
	int ac = ref_cells(fdt, parent, "#address-cells", 2);
	int sc = ref_cells(fdt, parent, "#size-cells", 1);
	const fdt32_t *r = fdt_getprop(fdt, node, "reg", &len);
	if (!k || !r || ac < 1 || sc < 0 || len < (ac + sc) * 4)
		return UART_NONE;
	*base = ref_cells_at(r, ac);
	return ref_translate(fdt, parent, base) ? k : UART_NONE;
}

static enum psci_conduit ref_psci(const void *fdt)
{
	int psci = fdt_path_offset(fdt, "/psci");
	if (psci == -FDT_ERR_NOTFOUND)
		psci = fdt_path_offset(fdt, "/firmware/psci");
	const char *m = ref_str(fdt, psci, "method");
	return !m ? CONDUIT_NONE : !strcmp(m, "smc") ? CONDUIT_SMC
				 : !strcmp(m, "hvc") ? CONDUIT_HVC : CONDUIT_NONE;
}

/* The limit libfdt's walk finds fdt over, as the message names it; "" if none. */
static const char *ref_over(const void *fdt)
{
	unsigned nodes = 0;
	int depth = 0, deepest = 0;
	for (int n = fdt_next_node(fdt, -1, &depth); n >= 0; n = fdt_next_node(fdt, n, &depth)) {
		nodes++;
		deepest = depth > deepest ? depth : deepest;
	}
	uint32_t size = fdt_version(fdt) >= 17 ? fdt_size_dt_struct(fdt)
					       : fdt_totalsize(fdt) - fdt_off_dt_struct(fdt);
	return nodes > 2048	? "DT: more than 2048 nodes: not supported"
	       : deepest > 64	? "DT: more than 64 levels of nodes: not supported"
	       : size > 131072 ? "DT: more than 128 KiB of structure: not supported"
			       : "";
}

/* dt_board_fallback() on fdt against the references; `valid`: libfdt's
 * fdt_check_full() accepts fdt (else only: nothing found, nothing said). */
static void check_against_ref(const void *fdt, bool valid, const char *what)
{
	struct board b;
	struct dt_error err;
	memset(&b, 0, sizeof(b));
	err.msg[0] = 0;
	dt_board_fallback(fdt, &b, &err);
	uint64_t base = 0;
	enum uart_kind k = valid ? ref_uart(fdt, &base) : UART_NONE;
	bool ok = CHECK_EQ(b.uart, k) && (!k || CHECK_EQ(b.uart_base, base));
	ok &= CHECK_EQ(b.psci, valid ? ref_psci(fdt) : CONDUIT_NONE);
	ok &= CHECK_STR(err.msg, valid ? ref_over(fdt) : "");
	if (!ok)
		fprintf(stderr, "    on %s\n", what);
}

/* Where dt_board_read() accepts fdt: the same console and conduit. */
static bool same_as_index(const void *fdt, const char *what)
{
	struct board b, f;
	struct dt_error err;
	if (dt_board_read(fdt, &b, &err))
		return false;
	memset(&f, 0, sizeof(f));
	dt_board_fallback(fdt, &f, &err);
	if (!CHECK_EQ(f.uart, b.uart) | !CHECK_EQ(f.uart_base, b.uart_base) |
	    !CHECK_EQ(f.psci, b.psci))
		fprintf(stderr, "    on %s\n", what);
	return true;
}

/* Every DT of data/, data/dt/ and data/bad-dt/: as libfdt reads it; and
 * where dt_board_read() accepts it, what it found. */
static void test_data_dts(void)
{
	static const char *const dirs[] = {"", "dt/", "bad-dt/"};
	unsigned n = 0, same = 0;
	for (unsigned d = 0; d < 3; d++) {
		char path[512];
		snprintf(path, sizeof(path), "%s/%s", data_dir, dirs[d]);
		DIR *dir = opendir(path);
		if (!CHECK(dir != NULL))
			continue;
		for (struct dirent *e; (e = readdir(dir));) {
			size_t l = strlen(e->d_name);
			if (l < 5 || strcmp(e->d_name + l - 4, ".dtb"))
				continue;
			snprintf(path, sizeof(path), "%s%s", dirs[d], e->d_name);
			void *fdt = load_dtb(path);
			CHECK_EQ(fdt_check_full(fdt, fdt_totalsize(fdt)), 0);
			check_against_ref(fdt, true, path);
			same += same_as_index(fdt, path);
			n++;
			free(fdt);
		}
		closedir(dir);
	}
	fprintf(stderr, "    %u DTs, %u read by dt_board_read() too\n", n, same);
	CHECK(n > 35);	  /* the three folders' DTs were all seen */
	CHECK(same > 10); /* the index's own answer, where it has one */
}

/* orig opened into a buffer of `room` bytes (libfdt's read-write calls). */
static void *open_copy(const void *orig, int room)
{
	void *t = calloc(1, (size_t)room);
	CHECK_EQ(fdt_open_into(orig, t, room), 0);
	return t;
}

/* DTs grown to each limit of dt/board.c's index, and one step past it: at
 * the limit dt_board_read() accepts it; past it, it refuses, and the
 * fallback names that limit and finds the console dt_board_read() found in
 * the original, and its PSCI conduit. */
static void test_limits(void)
{
	static const char *const names[] = {"qemu-virt-gicv3-el2.dtb", "qemu-virt-gicv2-el2.dtb",
					    "dt/good-base.dtb"};
	static const char *const msgs[] = {"DT: more than 2048 nodes: not supported",
					   "DT: more than 64 levels of nodes: not supported",
					   "DT: more than 128 KiB of structure: not supported"};
	const int room = 1 << 20;
	for (unsigned f = 0; f < 3; f++) {
		void *orig = load_dtb(names[f]);
		struct board want, b;
		struct dt_error err;
		CHECK_EQ(dt_board_read(orig, &want, &err), 0);
		int nodes = 0, depth = 0;
		for (int n = fdt_next_node(orig, -1, &depth); n >= 0; n = fdt_next_node(orig, n, &depth))
			nodes++;
		for (unsigned limit = 0; limit < 3; limit++) {
			for (int past = 0; past < 2; past++) {
				void *t = open_copy(orig, room);
				int parent = 0;
				if (limit == 0) { /* 2048 nodes in all, or 2049 */
					for (int i = nodes; i < 2048 + past; i++) {
						char name[16];
						snprintf(name, sizeof(name), "x%d", i);
						CHECK(fdt_add_subnode(t, 0, name) >= 0);
					}
				} else if (limit == 1) { /* 64 levels with the root, or 65 */
					for (int i = 1; i < 64 + past; i++)
						parent = fdt_add_subnode(t, parent, "d");
					CHECK(parent > 0);
				} else { /* a structure block of 128 KiB, or 4 bytes more */
					int len = 131072 - (int)fdt_size_dt_struct(t) - 12 + 4 * past;
					CHECK_EQ(fdt_setprop(t, 0, "zz-pad", (char *)t + room / 2, len), 0);
				}
				CHECK_EQ(fdt_pack(t), 0);
				CHECK_EQ(fdt_size_dt_struct(t) > 131072, limit == 2 && past);
				int rc = dt_board_read(t, &b, &err);
				CHECK_EQ(rc, past ? -1 : 0);
				if (past) {
					memset(&b, 0, sizeof(b));
					dt_board_fallback(t, &b, &err);
					CHECK_STR(err.msg, msgs[limit]);
					CHECK_EQ(b.uart, want.uart);
					CHECK_EQ(b.uart_base, want.uart_base);
					CHECK_EQ(b.psci, want.psci);
					check_against_ref(t, true, msgs[limit]);
				}
				free(t);
			}
		}
		free(orig);
	}
}

/* A structure block that is not 4-byte aligned (the index's fourth limit):
 * the message stays dt_board_read()'s, the console is still found (every
 * word read a byte at a time: UBSan would report a misaligned load). */
static void test_unaligned(void)
{
	void *orig = load_dtb("qemu-virt-gicv3-el2.dtb");
	uint32_t so = fdt_off_dt_struct(orig), total = fdt_totalsize(orig);
	char *t = calloc(1, total + 2);
	memcpy(t, orig, so);
	memcpy(t + so + 2, (char *)orig + so, total - so);
	fdt_set_off_dt_struct(t, so + 2);
	fdt_set_off_dt_strings(t, fdt_off_dt_strings(orig) + 2);
	fdt_set_totalsize(t, total + 2);
	struct board want, b;
	struct dt_error err;
	CHECK_EQ(dt_board_read(orig, &want, &err), 0);
	CHECK_EQ(dt_board_read(t, &b, &err), -1);
	char msg[sizeof(err.msg)];
	memcpy(msg, err.msg, sizeof(msg));
	dt_board_fallback(t, &b, &err);
	CHECK_STR(err.msg, msg);
	CHECK_EQ(b.uart, want.uart);
	CHECK_EQ(b.uart_base, want.uart_base);
	CHECK_EQ(b.psci, want.psci);
	free(t);
	free(orig);
}

/* A header claiming more than the early tables map (arch-arm64/mmu.c: over
 * DT_MAP_MAX, only the first 2 MiB; here PROT_NONE past them) with its
 * reservation map out there: dt_board_early() refuses it by its header,
 * the fallback reads nothing of it. At DT_MAP_MAX, all mapped, it is read. */
static void test_totalsize(void)
{
	void *orig = load_dtb("qemu-virt-gicv3-el2.dtb");
	size_t span = DT_MAP_MAX + (8u << 20);
	char *m = mmap(NULL, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	memcpy(m, orig, fdt_totalsize(orig));
	fdt_set_totalsize(m, (uint32_t)span);
	fdt_set_off_mem_rsvmap(m, DT_MAP_MAX + (4u << 20));
	CHECK_EQ(mprotect(m + (2u << 20), span - (2u << 20), PROT_NONE), 0);
	struct board b;
	struct dt_error err;
	CHECK_EQ(dt_board_early(m, &b, &err), -1);
	CHECK_STR(err.msg, "DT: more than 32 MiB (totalsize): not supported");
	dt_board_fallback(m, &b, &err);
	CHECK_EQ(b.uart, UART_NONE);
	CHECK_EQ(b.psci, CONDUIT_NONE);
	CHECK_EQ(mprotect(m, span, PROT_READ | PROT_WRITE), 0);
	fdt_set_totalsize(m, DT_MAP_MAX);
	fdt_set_off_mem_rsvmap(m, DT_MAP_MAX - 16); /* an empty map, its last bytes */
	CHECK_EQ(dt_board_early(m, &b, &err), 0);
	CHECK_EQ(b.uart, UART_PL011);
	munmap(m, span);
	free(orig);
}

/* A stdout-path not NUL-terminated inside its value: 13 bytes, the byte of
 * padding after them a '0', which would complete the console's path. Not a
 * string, so no console: dt_board_read() says so (it read on into the
 * padding with strlen), the fallback finds none. */
static void test_stdout_unterminated(void)
{
	void *orig = load_dtb("qemu-virt-gicv3-el2.dtb");
	void *t = open_copy(orig, fdt_totalsize(orig) + 64);
	int chosen = fdt_path_offset(t, "/chosen"), len;
	CHECK_EQ(fdt_setprop(t, chosen, "stdout-path", "/pl011@900000", 13), 0);
	char *v = fdt_getprop_w(t, chosen, "stdout-path", &len);
	CHECK_EQ(len, 13);
	v[13] = '0';
	struct board b;
	struct dt_error err;
	CHECK_EQ(dt_board_read(t, &b, &err), -1);
	CHECK_STR(err.msg, "DT: /chosen/stdout-path is not a string");
	memset(&b, 0, sizeof(b));
	dt_board_fallback(t, &b, &err);
	CHECK_EQ(b.uart, UART_NONE);
	free(t);
	free(orig);
}

static uint64_t rng = 0x9e3779b97f4a7c15ULL;
static uint64_t next_rand(void)
{
	rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
	return rng;
}

/* Corrupted copies of a DT: random bytes and structure tags written past the
 * header (or in it), or the blob cut short; each in a buffer of exactly its
 * totalsize, so ASan sees any read past it. */
static void corrupt_run(const void *orig, unsigned iters, unsigned *found)
{
	static const uint32_t tags[] = {FDT_BEGIN_NODE, FDT_END_NODE, FDT_PROP, FDT_NOP, FDT_END,
					0, 0x100000, 7};
	size_t size = fdt_totalsize(orig);
	for (unsigned iter = 0; iter < iters; iter++) {
		uint64_t r = next_rand();
		size_t n = r % 5 == 0 ? 40 + (size_t)(r >> 8) % (size - 40) : size; /* cut short */
		char *m = malloc(n);
		memcpy(m, orig, n);
		if (n < size)
			fdt_set_totalsize(m, (uint32_t)n);
		for (unsigned k = 0, nk = 1 + iter % 3; k < nk && n == size; k++) {
			r = next_rand();
			size_t at = (r & 8 ? 8 : 40) + (size_t)(r >> 8) % (n - 40);
			if (r & 1) {
				m[at] = (char)(r >> 40);
			} else if ((at & ~(size_t)3) + 4 <= n) {
				fdt32_t t = cpu_to_fdt32(tags[(r >> 3) % 8]);
				memcpy(m + (at & ~(size_t)3), &t, 4);
			}
		}
		/* The loader's blob is mapped for its totalsize: never more here. */
		if (fdt_totalsize(m) <= n) {
			bool valid = dt_check_blob(m) == 0;
			if (valid && !CHECK_EQ(fdt_check_full(m, n), 0)) /* test_board's word */
				valid = false;
			check_against_ref(m, valid, "a corrupted copy");
			struct board b;
			struct dt_error err;
			memset(&b, 0, sizeof(b));
			dt_board_fallback(m, &b, &err);
			*found += b.uart != UART_NONE;
		}
		free(m);
	}
}

static void test_corrupted(void)
{
	alarm(120); /* a fallback walk that loops ends the test, unfinished */
	static const char *const names[] = {"qemu-virt-gicv3-el2.dtb", "dt/good-base.dtb",
					    "dt/good-path-options.dtb"};
	unsigned found = 0;
	for (unsigned f = 0; f < 3; f++) {
		void *orig = load_dtb(names[f]);
		corrupt_run(orig, 10000, &found);
		/* over the node limit: the fallback's case */
		void *t = open_copy(orig, 1 << 20);
		for (int i = 0; i < 2100; i++) {
			char name[16];
			snprintf(name, sizeof(name), "x%d", i);
			fdt_add_subnode(t, 0, name);
		}
		CHECK_EQ(fdt_pack(t), 0);
		corrupt_run(t, 2000, &found);
		free(t);
		free(orig);
	}
	CHECK(found > 1000); /* most corruptions leave the console readable */
	alarm(0);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s <unit test data directory> [DTB...]\n", argv[0]);
		return 2;
	}
	data_dir = argv[1];
	/* More DTBs on the command line (Debian's 577 board DTBs, by hand): each
	 * as libfdt reads it, and as the index does where it accepts it. */
	for (int i = 2; i < argc; i++) {
		void *fdt = load_file(argv[i], NULL);
		if (CHECK_EQ(fdt_check_full(fdt, fdt_totalsize(fdt)), 0)) {
			check_against_ref(fdt, true, argv[i]);
			same_as_index(fdt, argv[i]);
		}
		free(fdt);
	}
	RUN(test_data_dts);
	RUN(test_limits);
	RUN(test_unaligned);
	RUN(test_totalsize);
	RUN(test_stdout_unterminated);
	RUN(test_corrupted);
	return check_summary("test_board_fallback");
}
