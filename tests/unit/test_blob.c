/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests of dt/blob.c, the in-place reader of a checked DTB that
 * replaced libfdt's read code in the hypervisor: each lookup gives libfdt's
 * answer for every node of real DTs (board DTs, configs) read without the
 * board index, and the header and reservation checks refuse exactly what
 * libfdt's refuse, on thousands of corrupted headers.
 * Usage: test_blob <directory holding the compiled data/>
 */
#include <libfdt.h>

#include "check.h"
#include "dt/blob.h"
#include "dt/dt.h"

static const char *data_dir;

static void *load_dtb(const char *name)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", data_dir, name);
	return load_file(path, NULL);
}

/* Properties, name, children, parent, path and phandle of one node. */
static unsigned node_agrees(const void *fdt, int node)
{
	unsigned bad = 0;
	int p = fdt_first_property_offset(fdt, node), q = dt_blob_next_prop(fdt, node, -1);
	for (; p >= 0 && q >= 0;
	     p = fdt_next_property_offset(fdt, p), q = dt_blob_next_prop(fdt, node, q)) {
		const char *n1, *n2;
		int l1, l2, l3;
		const void *v1 = fdt_getprop_by_offset(fdt, p, &n1, &l1);
		const void *v2 = dt_blob_prop(fdt, q, &n2, &l2);
		bad += p != q || v1 != v2 || n1 != n2 || l1 != l2;
		bad += dt_blob_getprop(fdt, node, n1, &l3) != fdt_getprop(fdt, node, n1, &l1) ||
		       l1 != l3;
	}
	bad += (p >= 0) != (q >= 0);
	/* The first child from the last property (the config reader's). */
	int last = -1;
	for (q = dt_blob_next_prop(fdt, node, -1); q >= 0; q = dt_blob_next_prop(fdt, node, q))
		last = q;
	int first = fdt_first_subnode(fdt, node);
	bad += dt_blob_child_after(fdt, node, last) != (first >= 0 ? first : -FDT_ERR_NOTFOUND);
	int l1 = 5, l2 = 6;
	bad += dt_blob_getprop(fdt, node, "no-such", &l1) != NULL || l1 != -FDT_ERR_NOTFOUND;
	bad += fdt_getprop(fdt, node, "no-such", &l2) != NULL || l1 != l2;
	bad += dt_blob_name(fdt, node) != fdt_get_name(fdt, node, NULL);
	bad += dt_blob_phandle(fdt, node) != fdt_get_phandle(fdt, node);
	int x = fdt_first_subnode(fdt, node), y = dt_blob_next_child(fdt, node, -1);
	for (; x >= 0 && y >= 0; x = fdt_next_subnode(fdt, x), y = dt_blob_next_child(fdt, node, y)) {
		bad += x != y;
		/* Found by its name, and by its name without the unit address. */
		char name[256];
		snprintf(name, sizeof(name), "%s", fdt_get_name(fdt, x, NULL));
		bad += dt_blob_child(fdt, node, name) != fdt_subnode_offset(fdt, node, name);
		char *at = strchr(name, '@');
		if (at) {
			*at = 0;
			bad += dt_blob_child(fdt, node, name) != fdt_subnode_offset(fdt, node, name);
		}
	}
	bad += (x >= 0) != (y >= 0);
	bad += dt_blob_child(fdt, node, "no-such") != -FDT_ERR_NOTFOUND;
	return bad;
}

/* Every lookup, on every node of DTs nothing indexed. */
static void test_lookups(void)
{
	static const char *const names[] = {"qemu-virt-gicv3-el2.dtb", "qemu-virt-gicv2-el2.dtb",
					    "board-4cpu.dtb",	       "plan/good.dtb",
					    "plan/network.dtb",	       "plan/policy.dtb",
					    "dt/good-alias-bus.dtb"};
	for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		void *fdt = load_dtb(names[i]);
		if (!CHECK(fdt != NULL) || !CHECK_EQ(dt_check_blob(fdt), 0))
			continue;
		unsigned bad = 0, nodes = 0;
		int d1 = 0, d2 = 0, x = fdt_next_node(fdt, -1, &d1),
		    y = dt_blob_next_node(fdt, -1, &d2);
		for (; x >= 0 && d1 >= 0;
		     x = fdt_next_node(fdt, x, &d1), y = dt_blob_next_node(fdt, y, &d2)) {
			bad += x != y || d1 != d2;
			bad += node_agrees(fdt, x);
			nodes++;
		}
		bad += (x < 0) != (y < 0) || (d1 < 0) != (d2 < 0);
		uint32_t m1, m2;
		bad += dt_blob_max_phandle(fdt, &m1) != fdt_find_max_phandle(fdt, &m2) || m1 != m2;
		bad += dt_blob_child(fdt, 0, "bulkhead") != fdt_path_offset(fdt, "/bulkhead");
		/* Aliases, and paths through them. */
		int al = fdt_path_offset(fdt, "/aliases"), p;
		fdt_for_each_property_offset(p, fdt, al >= 0 ? al : -1)
		{
			const char *n;
			fdt_getprop_by_offset(fdt, p, &n, NULL);
			bad += dt_blob_alias(fdt, n, (int)strlen(n)) != fdt_get_alias(fdt, n);
		}
		CHECK(nodes > 3);
		if (!CHECK_EQ(bad, 0))
			fprintf(stderr, "    %s: %u disagreements with libfdt\n", names[i], bad);
		free(fdt);
	}
}

/* The header (its 40 bytes) and the reservation block corrupted: the same
 * verdict, code for code, as fdt_check_header() and fdt_num_mem_rsv(), and
 * dt_check_blob() refuses what fdt_check_full() refuses. */
static void test_header(void)
{
	void *orig = load_dtb("qemu-virt-gicv3-el2.dtb");
	size_t size = fdt_totalsize(orig);
	void *m = malloc(size);
	uint64_t rng = 0x9e3779b97f4a7c15ULL;
	unsigned disagree = 0, accepted = 0;
	for (unsigned iter = 0; iter < 50000; iter++) {
		memcpy(m, orig, size);
		for (unsigned k = 0; k < 1 + iter % 2; k++) {
			rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
			/* a header word made small, huge or a random byte; or a
			 * reservation entry's byte */
			unsigned w = (unsigned)(rng >> 8) % 10, how = (unsigned)(rng >> 20) % 4;
			uint32_t v = fdt32_to_cpu(((fdt32_t *)m)[w]);
			v = how == 0   ? (uint32_t)(rng >> 32) % 0x100
			    : how == 1 ? v + (uint32_t)(rng >> 40) % 64 - 32
			    : how == 2 ? (uint32_t)(rng >> 32)
				       : v ^ (1u << (rng >> 59));
			if (w == 9 && (rng & 0x100)) /* the reservation block instead */
				((uint8_t *)m)[fdt_off_mem_rsvmap(orig) + (rng >> 24) % 32] =
				    (uint8_t)rng;
			else
				((fdt32_t *)m)[w] = cpu_to_fdt32(v);
		}
		if (fdt_totalsize(m) > size)
			continue; /* the callers check totalsize against the buffer first */
		int h1 = dt_blob_check_header(m), h2 = fdt_check_header(m);
		int r1 = h2 ? 0 : dt_blob_num_rsv(m), r2 = h2 ? 0 : fdt_num_mem_rsv(m);
		bool mine = dt_check_blob(m) == 0;
		/* (libfdt 1.6.1's fdt_check_full() crashes on some trees before
		 * version 16, which dt_check_blob() refuses: board.c. At version 16
		 * libfdt bounds property names by the blob's end, dt_check_blob()
		 * by size_dt_strings too: it refuses more.) */
		bool theirs = !h2 && fdt_version(m) >= 16 && fdt_check_full(m, size) == 0;
		if (fdt_version(m) == 16 && !mine && theirs)
			theirs = false;
		accepted += mine;
		if ((h1 != h2 || r1 != r2 || mine != theirs) && disagree++ < 3)
			fprintf(stderr,
				"    mutation %u: header %d/%d, reservations %d/%d, check %d/%d\n",
				iter, h1, h2, r1, r2, mine, theirs);
	}
	CHECK_EQ(disagree, 0);
	CHECK(accepted > 100);
	uint64_t a1, s1, a2, s2;
	int n = dt_blob_num_rsv(orig);
	CHECK_EQ(n, fdt_num_mem_rsv(orig));
	for (int i = 0; i <= n; i++)
		CHECK(dt_blob_rsv(orig, i, &a1, &s1) == fdt_get_mem_rsv(orig, i, &a2, &s2) &&
		      a1 == a2 && s1 == s2);
	free(m);
	free(orig);
}

/*
 * A version-16 board DT (accepted) whose strings block precedes its
 * structure block. boot.c copies dt_used_size() bytes of it and makes that
 * the copy's totalsize. dt_used_size() took the structure block's size from
 * header word 9 (size_dt_struct), which a version-16 header does not have
 * (0 here, as dtc -V 16 pads it): the copy stopped where the structure
 * block starts, and every lookup on it read past the copy (found by a
 * review; the lookup below is ASan's heap-buffer-overflow on that code).
 */
static void test_v16_copy(void)
{
	void *orig = load_dtb("qemu-virt-gicv3-el2.dtb");
	if (!CHECK(orig != NULL))
		return;
	uint32_t rsv_len = (uint32_t)(fdt_num_mem_rsv(orig) + 1) * 16;
	uint32_t str_len = fdt_size_dt_strings(orig), st_len = fdt_size_dt_struct(orig);
	uint32_t off_rsv = 40, off_str = off_rsv + rsv_len;
	uint32_t off_st = (off_str + str_len + 7) & ~7u, total = off_st + st_len;
	char *b = calloc(1, total);
	memcpy(b, orig, 40);
	memcpy(b + off_rsv, (char *)orig + fdt_off_mem_rsvmap(orig), rsv_len);
	memcpy(b + off_str, (char *)orig + fdt_off_dt_strings(orig), str_len);
	memcpy(b + off_st, (char *)orig + fdt_off_dt_struct(orig), st_len);
	fdt_set_version(b, 16);
	fdt_set_last_comp_version(b, 16);
	fdt_set_off_mem_rsvmap(b, off_rsv);
	fdt_set_off_dt_strings(b, off_str);
	fdt_set_off_dt_struct(b, off_st);
	fdt_set_size_dt_struct(b, 0); /* not a version-16 header field */
	fdt_set_totalsize(b, total);
	if (!CHECK_EQ(dt_check_blob(b), 0))
		goto out;
	CHECK(dt_blob_child(b, 0, "chosen") >= 0); /* the original reads fine */
	/* As common/boot.c does after dt_board_read(). */
	uint32_t used = dt_used_size(b);
	if (!CHECK(used >= off_st + st_len))
		fprintf(stderr, "    v16 DT: dt_used_size %u < structure end %u\n", used,
			off_st + st_len);
	else {
		char *copy = malloc(used);
		memcpy(copy, b, used);
		fdt_set_totalsize(copy, used);
		CHECK(dt_blob_child(copy, 0, "chosen") >= 0);
		free(copy);
	}
out:
	free(b);
	free(orig);
}

/* Properties are asked of a node: an error code or a property's offset in
 * its place gets BADOFFSET, as from libfdt, not the tags that follow it. */
static void test_not_a_node(void)
{
	void *b = load_dtb("qemu-virt-gicv3-el2.dtb");
	if (!CHECK(b != NULL))
		return;
	int p = dt_blob_next_prop(b, 0, -1); /* the root's first property */
	CHECK(p > 0);
	CHECK_EQ(dt_blob_next_prop(b, p, -1), -FDT_ERR_BADOFFSET);
	CHECK_EQ(dt_blob_next_prop(b, -FDT_ERR_NOTFOUND, -1), -FDT_ERR_BADOFFSET);
	CHECK_EQ(fdt_first_property_offset(b, p), -FDT_ERR_BADOFFSET); /* libfdt's answer */
	free(b);
}

/* libfdt's name for every code, and for those it has none for. */
static void test_strerror(void)
{
	unsigned bad = 0;
	for (int e = -30; e <= 3; e++)
		if (strcmp(dt_blob_strerror(e), fdt_strerror(e)) && bad++ < 3)
			fprintf(stderr, "    %d: \"%s\", libfdt \"%s\"\n", e, dt_blob_strerror(e),
				fdt_strerror(e));
	CHECK_EQ(bad, 0);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s <unit test data directory>\n", argv[0]);
		return 2;
	}
	data_dir = argv[1];
	RUN(test_lookups);
	RUN(test_header);
	RUN(test_strerror);
	RUN(test_v16_copy);
	RUN(test_not_a_node);
	return check_summary("test_blob");
}
