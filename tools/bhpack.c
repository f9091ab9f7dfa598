// SPDX-License-Identifier: Apache-2.0
/*
 * bhpack: makes the one bootable file. Reads the hypervisor binary and a
 * config DTB, applies command-line overrides, checks the config (against a
 * board DTB when given: the same checks the hypervisor repeats at boot), finds
 * every image the config names, and writes hypervisor + payload, with the
 * Image header's image_size covering image, payload and the hypervisor heap.
 */
#include <errno.h>
#include <libfdt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/image.h"
#include "common/lib.h"
#include "common/package.h"
#include "dt/dom0.h"
#include "dt/guest.h"
#include "dt/plan.h"
#include "dt/policy.h"
#include "common/pmem.h"

static const char *prog = "bhpack";

/* Every message shows '?' for a byte outside printable ASCII: a board DT's
 * names (the config's are checked by dt_plan_read) never reach the
 * terminal as an ESC or CR sequence. */
static void die(const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	for (char *c = msg; *c; c++)
		if ((unsigned char)*c - 0x20u > 0x5eu)
			*c = '?';
	fprintf(stderr, "%s: error: %s\n", prog, msg);
	exit(1);
}

/* A whole, well-formed DTB in buf[0..size): else a clear error. */
static void check_dtb(const void *buf, size_t size, const char *path, const char *hint)
{
	if (size < sizeof(struct fdt_header) || fdt_magic(buf) != FDT_MAGIC)
		die("%s: not a DTB (%s)", path, hint);
	if (fdt_totalsize(buf) > size)
		die("%s: truncated DTB: its header says %u bytes, the file has %zu", path,
		    fdt_totalsize(buf), size);
	int e = dt_check_blob(buf);
	if (e)
		die("%s: malformed DTB: %s", path, fdt_strerror(e));
}

static void *read_file(const char *path, size_t *size, size_t extra)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		die("cannot open %s: %s", path, strerror(errno));
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *buf = calloc(1, (size_t)n + extra + 1);
	if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n)
		die("cannot read %s", path);
	fclose(f);
	*size = (size_t)n;
	return buf;
}

/* The first bytes of an image (its header), zeros past its end. */
static void read_head(const char *path, uint8_t *buf, size_t len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		die("cannot open %s: %s", path, strerror(errno));
	memset(buf, 0, len);
	if (fread(buf, 1, len, f) < len && ferror(f))
		die("cannot read %s", path);
	fclose(f);
}

struct image {
	char name[BH_PKG_NAME_MAX];
	const char *path;
};

static struct image images[BH_PKG_MAX_ENTRIES];
static int nimages;
static const char *dirs[8];
static int ndirs;

static const char *resolve(const char *name, char *buf, size_t bufsz)
{
	for (int i = 0; i < nimages; i++)
		if (!strcmp(images[i].name, name))
			return images[i].path;
	struct stat st;
	for (int i = 0; i < ndirs; i++) {
		snprintf(buf, bufsz, "%s/%s", dirs[i], name);
		if (stat(buf, &st) == 0 && S_ISREG(st.st_mode))
			return buf;
	}
	return NULL;
}

static void set_prop(void *fdt, const char *spec, int u32)
{
	char node[256], prop[64];
	const char *colon = strchr(spec, ':'), *eq = colon ? strchr(colon, '=') : NULL;
	if (!colon || !eq || colon - spec >= (long)sizeof(node) || eq - colon - 1 >= (long)sizeof(prop))
		die("--set%s takes NODE:PROPERTY=VALUE, got \"%s\"", u32 ? "-u32" : "", spec);
	memcpy(node, spec, (size_t)(colon - spec));
	node[colon - spec] = 0;
	memcpy(prop, colon + 1, (size_t)(eq - colon - 1));
	prop[eq - colon - 1] = 0;
	int off = fdt_path_offset(fdt, node);
	if (off < 0)
		die("--set: config has no node %s", node);
	int e;
	if (u32) {
		uint32_t cells[64];
		int n = 0;
		for (const char *p = eq + 1; *p && n < 64;) {
			char *end;
			unsigned long v = strtoul(p, &end, 0);
			if (end == p)
				die("--set-u32 %s: \"%s\" is not a list of numbers", spec, eq + 1);
			cells[n++] = cpu_to_fdt32((uint32_t)v);
			p = *end == ',' || *end == ' ' ? end + 1 : end;
		}
		e = fdt_setprop(fdt, off, prop, cells, n * 4);
	} else {
		e = fdt_setprop_string(fdt, off, prop, eq + 1);
	}
	if (e)
		die("--set %s: %s", spec, fdt_strerror(e));
}

/* Write the DT a domain will be given (its RAM placed at the board's RAM base,
 * or at memory-base: the hypervisor decides the real address at boot). */
static void dump_dt(const struct plan *plan, const struct board *b, const char *spec)
{
	const char *eq = strchr(spec, '=');
	if (!eq)
		die("--dump-dt takes LABEL=FILE, got \"%s\"", spec);
	const struct dom_cfg *d = NULL;
	for (unsigned i = 0; i < plan->ndoms; i++)
		if (!strncmp(plan->dom[i].name, spec, (size_t)(eq - spec)) &&
		    plan->dom[i].name[eq - spec] == 0)
			d = &plan->dom[i];
	if (!d)
		die("--dump-dt: no domain labelled \"%.*s\"", (int)(eq - spec), spec);
	int size = (int)fdt_totalsize(b->fdt) + 0x10000;
	void *buf = calloc(1, (size_t)size);
	struct dt_error err;
	/* Place RAM as the hypervisor's allocator does: fixed bases first taken,
	 * then lowest free 2 MiB-aligned range in config order (the hypervisor's own
	 * image, unknown here, would take a few MiB first). */
	struct pmem pm;
	pmem_init(&pm);
	for (unsigned i = 0; i < b->nmem; i++)
		pmem_add(&pm, b->mem[i].base, b->mem[i].size);
	for (unsigned i = 0; i < b->nresv; i++)
		pmem_reserve(&pm, b->resv[i].base, b->resv[i].size);
	uint64_t base = 0;
	bool placed = false;
	for (unsigned i = 0; i < plan->ndoms; i++) {
		const struct dom_cfg *o = &plan->dom[i];
		uint64_t pa = o->mem_base;
		if (pa && !pmem_take(&pm, pa, o->mem_size))
			pa = PMEM_NONE;
		else if (!pa)
			pa = pmem_alloc(&pm, o->mem_size, 2ULL << 20);
		if (o == d && pa != PMEM_NONE) {
			base = (o->control || o->ndevices || o->mem_base) ? pa : b->mem[0].base;
			placed = true;
		}
	}
	if (!placed)
		die("--dump-dt: domain %s does not fit in the board's free RAM", d->name);
	int rc;
	if (d->control) {
		struct dom0_dt g = {.dom = d, .plan = plan, .ram_base = base, .ram_size = d->mem_size};
		rc = dt_dom0_build(buf, size, &g, b, &err);
	} else {
		struct guest_dt g = {.name = d->name, .ram_ipa = base, .ram_size = d->mem_size,
				     .nvcpus = d->ncpus, .bootargs = d->bootargs,
				     .uart_ipa = b->uart_base, .uart_intid = b->uart_irq ? b->uart_irq : 33,
				     .conduit = CONDUIT_HVC, .devices = d->devices,
				     .ndevices = d->ndevices};
		rc = dt_guest_build(buf, size, &g, b, b->fdt, &err);
	}
	if (rc)
		die("%s", err.msg);
	FILE *f = fopen(eq + 1, "wb");
	if (!f || fwrite(buf, 1, fdt_totalsize(buf), f) != fdt_totalsize(buf) || fclose(f))
		die("cannot write %s", eq + 1);
	free(buf);
}

static void usage(void)
{
	fprintf(stderr,
		"usage: bhpack -o OUT --hyp HYP.bin --payload-offset N --config CONFIG.dtb\n"
		"              [--board BOARD.dtb]\n"
		"              [--image NAME=PATH]... [-I DIR]... [--set NODE:PROP=STRING]...\n"
		"              [--set-u32 NODE:PROP=N,N,...]... [--check-only | --no-check]\n"
		"              [--dump-dt LABEL=FILE]...  (write the DT that domain will see)\n");
	exit(2);
}

struct opts {
	const char *out, *hyp_path, *cfg_path, *board_path;
	const char *sets[32], *dumps[8];
	int setu[32], nsets, ndumps, check_only, no_check;
	uint64_t payload_off;
};

static void parse_args(int argc, char **argv, struct opts *o)
{
	memset(o, 0, sizeof(*o));
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "--check-only")) {
			o->check_only = 1;
			continue;
		}
		if (!strcmp(a, "--no-check")) { /* tests: let the hypervisor's own check see it */
			o->no_check = 1;
			continue;
		}
		if (!v)
			usage();
		i++;
		if (!strcmp(a, "-o"))
			o->out = v;
		else if (!strcmp(a, "--hyp"))
			o->hyp_path = v;
		else if (!strcmp(a, "--config"))
			o->cfg_path = v;
		else if (!strcmp(a, "--dump-dt") && o->ndumps < 8)
			o->dumps[o->ndumps++] = v;
		else if (!strcmp(a, "--payload-offset"))
			o->payload_off = strtoull(v, NULL, 0);
		else if (!strcmp(a, "--board"))
			o->board_path = v;
		else if (!strcmp(a, "-I") && ndirs < 8)
			dirs[ndirs++] = v;
		else if ((!strcmp(a, "--set") || !strcmp(a, "--set-u32")) && o->nsets < 32) {
			o->setu[o->nsets] = !strcmp(a, "--set-u32");
			o->sets[o->nsets++] = v;
		} else if (!strcmp(a, "--image") && nimages < BH_PKG_MAX_ENTRIES) {
			const char *eq = strchr(v, '=');
			if (!eq || eq == v || eq - v >= BH_PKG_NAME_MAX)
				die("--image takes NAME=PATH, got \"%s\"", v);
			memcpy(images[nimages].name, v, (size_t)(eq - v));
			images[nimages++].path = eq + 1;
		} else
			usage();
	}
	if (!o->cfg_path || (!o->check_only && (!o->out || !o->hyp_path)))
		usage();
}

/* The config DTB with every --set applied, packed. */
static void *load_config(const struct opts *o)
{
	size_t cfg_size;
	void *cfg_in = read_file(o->cfg_path, &cfg_size, 0);
	check_dtb(cfg_in, cfg_size, o->cfg_path, "compile the .dts with dtc");
	size_t cap = cfg_size + 65536;
	void *cfg = calloc(1, cap);
	if (fdt_open_into(cfg_in, cfg, (int)cap))
		die("%s: cannot open the DTB", o->cfg_path);
	for (int i = 0; i < o->nsets; i++)
		set_prop(cfg, o->sets[i], o->setu[i]);
	fdt_pack(cfg);
	return cfg;
}

/* The package's entries: the config first, then every image once. */
struct entries {
	int n;
	struct bh_pkg_entry e[BH_PKG_MAX_ENTRIES];
	const char *path[BH_PKG_MAX_ENTRIES]; /* NULL: the config */
};

static void add_entry(struct entries *es, const char *name, const char *path, uint64_t size)
{
	for (int j = 0; j < es->n; j++)
		if (!strcmp(es->e[j].name, name))
			return;
	if (es->n == BH_PKG_MAX_ENTRIES)
		die("more than %d images", BH_PKG_MAX_ENTRIES - 1);
	snprintf(es->e[es->n].name, BH_PKG_NAME_MAX, "%s", name);
	es->e[es->n].size = size;
	es->path[es->n++] = path ? strdup(path) : NULL;
}

/* A domain's images: each must exist and, placed as the hypervisor will
 * place them (image_layout, with its messages), fit in its memory. */
static void add_domain_images(const struct dom_cfg *dc, struct entries *es, int no_check)
{
	const char *names[2] = {dc->kernel, dc->initrd};
	const char *props[2] = {"kernel", "initrd"};
	uint64_t sizes[2] = {0, 0};
	uint8_t hdr[IMAGE_PROBE_BYTES] = {0};
	bool have_kernel = false;
	for (int k = 0; k < 2; k++) {
		if (!names[k][0])
			continue;
		static char buf[4096];
		const char *p = resolve(names[k], buf, sizeof(buf));
		if (!p && no_check)
			continue;
		if (!p)
			die("config /bulkhead/domain@%x (%s): %s = \"%s\": no such image (give "
			    "--image %s=PATH)",
			    dc->id, dc->name, props[k], names[k], names[k]);
		struct stat st;
		if (stat(p, &st))
			die("%s: %s", p, strerror(errno));
		sizes[k] = (uint64_t)st.st_size;
		if (k == 0) {
			read_head(p, hdr, sizeof(hdr));
			have_kernel = true;
		}
		add_entry(es, names[k], p, sizes[k]);
	}
	struct image_layout l;
	char why[200];
	if (have_kernel && !no_check &&
	    image_layout(hdr, sizes[0], dc->kernel, sizes[1], dc->initrd, dc->mem_size,
			 dc->firmware_layout, &l, why, sizeof(why)))
		die("config /bulkhead/domain@%x (%s): %s", dc->id, dc->name, why);
}

static void write_zeros(FILE *f, uint64_t n)
{
	static const uint8_t zero[4096];
	for (; n; n -= MIN(n, sizeof(zero)))
		fwrite(zero, 1, MIN(n, sizeof(zero)), f);
}

/* The x86 image (arch-x86/head.S): a Multiboot v1 header in its first 8 KiB.
 * Its link script places the payload: nothing is written into it. */
static bool multiboot_image(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i + 12 <= n && i < 8192; i += 4) {
		uint32_t w[3];
		memcpy(w, p + i, 12);
		if (w[0] == 0x1badb002 && w[0] + w[1] + w[2] == 0)
			return true;
	}
	return false;
}

/* hypervisor + padding to the payload offset + package (header, entries 4 KiB
 * aligned); the Image header's image_size covers it and the heap. */
static uint64_t write_image(const struct opts *o, const void *cfg, struct entries *es)
{
	size_t hyp_size;
	uint8_t *hyp = read_file(o->hyp_path, &hyp_size, 0);
	bool arm = hyp_size >= 64 && !memcmp(hyp + 0x38, "ARM\x64", 4);
	if (!arm && !multiboot_image(hyp, hyp_size))
		die("%s: not a Bulkhead hypervisor binary (no arm64 Image header, no Multiboot header)",
		    o->hyp_path);
	if (o->payload_off < hyp_size || o->payload_off & 0xfff)
		die("--payload-offset 0x%llx: must be 4 KiB aligned and past the end of %s (%zu "
		    "bytes)",
		    (unsigned long long)o->payload_off, o->hyp_path, hyp_size);
	if (arm)
		memcpy(hyp + BH_HDR_PAYLOAD_OFFSET, &o->payload_off, 8);

	struct bh_pkg_hdr hdr;
	memset(&hdr, 0, sizeof(hdr));
	memcpy(hdr.magic, BH_PKG_MAGIC, 8);
	hdr.count = (uint32_t)es->n;
	uint64_t off = ALIGN_UP(sizeof(hdr), 4096);
	for (int i = 0; i < es->n; i++) {
		es->e[i].offset = off;
		off = ALIGN_UP(off + es->e[i].size, 4096);
		hdr.entry[i] = es->e[i];
	}
	hdr.total_size = off;
	uint64_t file_size = o->payload_off + off;
	uint64_t image_size = ALIGN_UP(file_size, 2ULL << 20) + BH_HEAP_SIZE;
	if (arm)
		memcpy(hyp + BH_HDR_IMAGE_SIZE, &image_size, 8);

	FILE *f = fopen(o->out, "wb");
	if (!f)
		die("cannot write %s: %s", o->out, strerror(errno));
	fwrite(hyp, 1, hyp_size, f);
	write_zeros(f, o->payload_off - hyp_size);
	fwrite(&hdr, 1, sizeof(hdr), f);
	uint64_t pos = sizeof(hdr);
	for (int i = 0; i < es->n; i++) {
		write_zeros(f, es->e[i].offset - pos);
		size_t sz;
		const void *data = es->path[i] ? read_file(es->path[i], &sz, 0)
					       : (sz = fdt_totalsize(cfg), cfg);
		fwrite(data, 1, sz, f);
		pos = es->e[i].offset + sz;
	}
	write_zeros(f, hdr.total_size - pos);
	if (fclose(f))
		die("writing %s failed", o->out);
	return file_size;
}

static void warn_policy(const char *msg, void *cfg_path)
{
	fprintf(stderr, "%s: warning: %s\n", (const char *)cfg_path, msg);
}

int main(int argc, char **argv)
{
	struct opts o;
	parse_args(argc, argv, &o);
	void *cfg = load_config(&o);

	struct board board, *bp = NULL;
	struct dt_error err;
	if (o.board_path) {
		size_t bsz;
		void *bdt = read_file(o.board_path, &bsz, 0);
		check_dtb(bdt, bsz, o.board_path, "a board DTB");
		if (dt_board_read(bdt, &board, &err) || dt_board_windows(&board, NULL, &err))
			die("%s: %s", o.board_path, err.msg); /* as the hypervisor's boot refuses it */
		bp = &board;
	}
	static struct plan plan;
	if (dt_plan_read(cfg, bp, &plan, &err)) {
		if (!o.no_check)
			die("%s", err.msg);
		fprintf(stderr, "%s: warning (--no-check): %s\n", prog, err.msg);
		memset(&plan, 0, sizeof(plan));
	}
	dt_policy_lint(&plan, warn_policy, (void *)o.cfg_path);
	for (int i = 0; i < o.ndumps; i++) {
		if (!bp)
			die("--dump-dt needs --board");
		dump_dt(&plan, bp, o.dumps[i]);
	}

	static struct entries es;
	add_entry(&es, BH_PKG_CONFIG, NULL, fdt_totalsize(cfg));
	for (unsigned d = 0; d < plan.ndoms; d++)
		add_domain_images(&plan.dom[d], &es, o.no_check);
	if (o.check_only) {
		printf("%s: config OK: %u domain%s\n", o.cfg_path, plan.ndoms,
		       plan.ndoms == 1 ? "" : "s");
		return 0;
	}
	uint64_t file_size = write_image(&o, cfg, &es);
	printf("%s: %llu KiB, %u domain%s:", o.out, (unsigned long long)(file_size >> 10),
	       plan.ndoms, plan.ndoms == 1 ? "" : "s");
	for (unsigned d = 0; d < plan.ndoms; d++)
		printf(" %s", plan.dom[d].name);
	printf("\n");
	return 0;
}
