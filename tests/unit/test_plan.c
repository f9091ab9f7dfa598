/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests of the partition-config reader (dt/plan.c) against the 4-CPU,
 * 1 GiB QEMU-virt board of data/board-4cpu.dts: a valid two-domain config
 * read field by field, and one broken config per rule (data/plan/), each
 * refused with a message naming the node, the property and what is wrong.
 * Usage: test_plan <directory holding the compiled data/>
 */
#include <libfdt.h>

#include "check.h"
#include "dt/dom0.h"
#include "dt/plan.h"
#include "dt/policy.h"

static const char *data_dir;
static void *board_fdt;
static struct board board;

static void *load_dtb(const char *name)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", data_dir, name);
	return load_file(path, NULL);
}

static void test_good(void)
{
	void *cfg = load_dtb("plan/good.dtb");
	static struct plan p;
	struct dt_error err;
	if (!CHECK_EQ(dt_plan_read(cfg, &board, &p, &err), 0)) {
		fprintf(stderr, "    refused: %s\n", err.msg);
		free(cfg);
		return;
	}
	CHECK_STR(err.msg, "");
	CHECK_EQ(p.ndoms, 2);

	const struct dom_cfg *d = &p.dom[0];
	CHECK_STR(d->name, "dom0");
	CHECK_EQ(d->id, 0);
	CHECK(d->control);
	CHECK_STR(d->label, "dom0_t");
	CHECK_EQ(d->ncpus, 2);
	CHECK_EQ(d->cpus[0], 0);
	CHECK_EQ(d->cpus[1], 1);
	CHECK_EQ(d->mem_size, 0x10000000);
	CHECK_EQ(d->mem_base, 0);
	CHECK_STR(d->kernel, "Image");
	CHECK_STR(d->initrd, "rootfs.cpio.gz");
	CHECK_STR(d->bootargs, "console=ttyAMA0 nokaslr");
	CHECK_EQ(d->on_fault, FAULT_RESTART);
	CHECK_EQ(d->ndevices, 0);
	CHECK_EQ(d->node, fdt_path_offset(cfg, "/bulkhead/domain@0"));

	d = &p.dom[1];
	CHECK_STR(d->name, "rt-1");
	CHECK_EQ(d->id, 1);
	CHECK(!d->control);
	CHECK_STR(d->label, "rt_t");
	CHECK_EQ(d->ncpus, 2);
	CHECK_EQ(d->cpus[0], 3); /* vCPU 0 runs on CPU 3: the order is kept */
	CHECK_EQ(d->cpus[1], 2);
	CHECK_EQ(d->mem_size, 0x800000);
	CHECK_EQ(d->mem_base, 0x48000000);
	CHECK_STR(d->kernel, "rt.bin");
	CHECK_STR(d->initrd, "");
	CHECK_STR(d->bootargs, "");
	CHECK_EQ(d->on_fault, FAULT_HALT);
	CHECK_EQ(d->ndevices, 1);
	CHECK_STR(d->devices[0], "/pl061@9030000");
	/* Its resources, from the board DT: reg <0 0x9030000 0 0x1000>, SPI 7 level-high. */
	CHECK_EQ(d->dev[0].nreg, 1);
	CHECK_EQ(d->dev[0].reg[0].base, 0x9030000);
	CHECK_EQ(d->dev[0].reg[0].size, 0x1000);
	CHECK_EQ(d->dev[0].nirq, 1);
	CHECK_EQ(d->dev[0].irq[0], 39);
	CHECK(!d->dev[0].irq_edge[0]);
	CHECK_EQ(d->node, fdt_path_offset(cfg, "/bulkhead/domain@1"));
	free(cfg);
}

static void test_defaults(void)
{
	void *cfg = load_dtb("plan/good-minimal.dtb");
	static struct plan p;
	struct dt_error err;
	if (!CHECK_EQ(dt_plan_read(cfg, &board, &p, &err), 0)) {
		fprintf(stderr, "    refused: %s\n", err.msg);
		free(cfg);
		return;
	}
	CHECK_EQ(p.ndoms, 1);
	CHECK_STR(p.dom[0].name, "solo");
	CHECK_EQ(p.dom[0].id, 0xa); /* unit addresses are hex */
	CHECK(!p.dom[0].control);
	CHECK_STR(p.dom[0].label, "domain_t");
	CHECK_EQ(p.dom[0].mem_size, 0x200000); /* a one-cell size is fine */
	CHECK_EQ(p.dom[0].mem_base, 0);
	CHECK_EQ(p.dom[0].on_fault, FAULT_STOP);
	CHECK_STR(p.dom[0].initrd, "");
	free(cfg);

	CHECK_STR(dt_fault_name(FAULT_STOP), "stop");
	CHECK_STR(dt_fault_name(FAULT_RESTART), "restart");
	CHECK_STR(dt_fault_name(FAULT_HALT), "halt");
}

/* Networks: ports, members by reference and by label, MACs given and derived, VLANs. */
static void test_networks(void)
{
	void *cfg = load_dtb("plan/network.dtb");
	static struct plan p;
	struct dt_error err;
	if (!CHECK_EQ(dt_plan_read(cfg, &board, &p, &err), 0)) {
		fprintf(stderr, "    refused: %s\n", err.msg);
		free(cfg);
		return;
	}
	CHECK_EQ(p.nnets, 2);
	const struct net_cfg *n = &p.net[0];
	CHECK_EQ(n->id, 0);
	CHECK_EQ(n->nports, 2);
	const struct net_port_cfg *pt = &n->port[0];
	CHECK_EQ(pt->id, 0);
	CHECK_EQ(pt->dom, 0);
	CHECK(pt->trunk);
	CHECK_EQ(pt->pvid, 1);
	CHECK_EQ(pt->nvlans, 2);
	CHECK_EQ(pt->vlans[0], 10);
	CHECK_EQ(pt->vlans[1], 20);
	static const uint8_t mac00[6] = {0x02, 0x62, 0x68, 0x00, 0x00, 0x00};
	CHECK(!memcmp(pt->mac, mac00, 6));
	pt = &n->port[1];
	CHECK_EQ(pt->id, 1);
	CHECK_EQ(pt->dom, 1);
	CHECK(!pt->trunk);
	CHECK_EQ(pt->pvid, 10);
	CHECK_EQ(pt->nvlans, 0);
	static const uint8_t mac_given[6] = {0x02, 0, 0, 0, 0, 0x0a};
	CHECK(!memcmp(pt->mac, mac_given, 6));

	n = &p.net[1];
	CHECK_EQ(n->id, 0x1a);
	CHECK_EQ(n->nports, 2);
	CHECK_EQ(n->port[0].id, 3);
	CHECK_EQ(n->port[0].dom, 1);
	CHECK(!n->port[0].trunk);
	CHECK_EQ(n->port[0].pvid, 1);
	static const uint8_t mac_1a_1[6] = {0x02, 0x62, 0x68, 0x1a, 0x00, 0x01};
	CHECK(!memcmp(n->port[0].mac, mac_1a_1, 6));
	CHECK_EQ(n->port[1].dom, 0);
	free(cfg);
}

static void test_bad(void)
{
	static const struct {
		const char *file, *msg;
	} bad[] = {
	    {"missing-label", "config /bulkhead/domain@1: missing required property 'label'"},
	    {"bad-label-chars", "config /bulkhead/domain@1: label \"RT one\" may only contain "
				"a-z, 0-9, '-' and '_'"},
	    {"label-too-long",
	     "config /bulkhead/domain@1: property 'label' is longer than 15 characters"},
	    {"duplicate-label",
	     "config /bulkhead/domain@1: label \"dom0\" is already used by domain@0"},
	    {"duplicate-id", "config /bulkhead/domain@01: domain id 1 is used twice"},
	    {"two-control", "config /bulkhead/domain@1: only one domain may have role "
			    "\"control\" (domain \"dom0\" has it too)"},
	    {"bad-role", "config /bulkhead/domain@1: role \"admin\" is not known"},
	    {"cpu-out-of-range", "config /bulkhead/domain@1: 'cpus' names CPU 4 but the board "
				 "has 4 CPUs (0-3)"},
	    {"cpu-twice", "config /bulkhead/domain@1: 'cpus' lists CPU 2 twice"},
	    {"cpu-shared", "config /bulkhead/domain@1: CPU 1 is also given to domain \"dom0\""},
	    {"missing-cpus", "config /bulkhead/domain@1: missing required property 'cpus'"},
	    {"missing-memory-size",
	     "config /bulkhead/domain@1: missing required property 'memory-size'"},
	    {"memory-size-unaligned", "config /bulkhead/domain@1: 'memory-size' 0x100000 must "
				      "be a non-zero multiple of 2 MiB"},
	    {"memory-size-zero", "config /bulkhead/domain@1: 'memory-size' 0x0 must be a "
				 "non-zero multiple of 2 MiB"},
	    {"memory-size-string", "config /bulkhead/domain@1: property 'memory-size' must be "
				   "one 32-bit or 64-bit value"},
	    {"memory-base-unaligned",
	     "config /bulkhead/domain@1: 'memory-base' 0x48100000 must be 2 MiB aligned"},
	    {"memory-outside-ram", "config /bulkhead/domain@1: memory 0x80000000-0x807fffff "
				   "is not inside the board's RAM"},
	    {"memory-straddles-ram-end", "config /bulkhead/domain@1: memory "
					 "0x7fe00000-0x805fffff is not inside the board's RAM"},
	    {"memory-overlaps-reserved",
	     "config /bulkhead/domain@1: memory 0x7ee00000-0x7f1fffff overlaps reserved "
	     "memory 0x7f000000-0x7f0fffff"},
	    {"memory-overlaps-domain", "config /bulkhead/domain@1: memory 0x48000000-0x487fffff "
				       "overlaps domain \"dom0\""},
	    {"missing-kernel", "config /bulkhead/domain@1: missing required property 'kernel'"},
	    {"bad-on-fault", "config /bulkhead/domain@1: 'on-fault' is \"explode\"; expected "
			     "\"stop\", \"restart\" or \"halt\""},
	    {"device-missing", "config /bulkhead/domain@1: 'devices': device \"/gpio@1234\" "
			       "does not exist in the board DT"},
	    {"device-console", "config /bulkhead/domain@1: 'devices': device "
			       "\"/pl011@9000000\" is the hypervisor's console UART"},
	    {"device-shared", "config /bulkhead/domain@2: device \"/pl061@9030000\" is also "
			      "given to domain \"rt-1\""},
	    {"no-domains", "config /bulkhead: no domain@<id> node: nothing to run"},
	    {"no-bulkhead", "config: no /bulkhead node"},
	};
	static struct plan p;
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char name[128];
		snprintf(name, sizeof(name), "plan/%s.dtb", bad[i].file);
		check_test = bad[i].file;
		void *cfg = load_dtb(name);
		struct dt_error err;
		memset(&err, 0x55, sizeof(err)); /* no stale message can pass */
		CHECK_EQ(dt_plan_read(cfg, &board, &p, &err), -1);
		CHECK(memchr(err.msg, 0, sizeof(err.msg)) != NULL);
		CHECK_CONTAINS(err.msg, bad[i].msg);
		free(cfg);
	}
	check_test = "test_bad";

	static uint32_t junk[64] = {0x12345678};
	struct dt_error err;
	CHECK_EQ(dt_plan_read(junk, &board, &p, &err), -1);
	CHECK_CONTAINS(err.msg, "config: not a valid DTB");
}

/* The reader takes each node's properties in one pass, dispatched by name:
 * every name it knows lands in its own field, whatever the order. */
static void test_dispatch_every(void)
{
	void *cfg = load_dtb("plan/every-property.dtb");
	static struct plan p;
	struct dt_error err;
	if (!CHECK_EQ(dt_plan_read(cfg, &board, &p, &err), 0)) {
		fprintf(stderr, "    refused: %s\n", err.msg);
		free(cfg);
		return;
	}
	CHECK(p.insecure_pmu_el2);
	CHECK_EQ(p.ndoms, 2);
	const struct dom_cfg *d = &p.dom[0];
	CHECK_STR(d->name, "dom0");
	CHECK(d->control);
	CHECK_STR(d->label, "dom0_t");
	CHECK_EQ(d->ncpus, 2);
	CHECK_EQ(d->cpus[1], 1);
	CHECK_EQ(d->mem_size, 0x10000000);
	CHECK_STR(d->kernel, "Image");
	CHECK_STR(d->initrd, "rootfs.cpio.gz");
	CHECK_STR(d->bootargs, "console=ttyAMA0");
	CHECK_EQ(d->on_fault, FAULT_RESTART);
	CHECK(!d->firmware_layout);
	d = &p.dom[1];
	CHECK_STR(d->name, "rt-1");
	CHECK(!d->control);
	CHECK_STR(d->label, "rt_t");
	CHECK_EQ(d->cpus[0], 3);
	CHECK_EQ(d->mem_size, 0x800000);
	CHECK_EQ(d->mem_base, 0x40000000);
	CHECK_STR(d->kernel, "rt.bin");
	CHECK_EQ(d->on_fault, FAULT_HALT);
	CHECK_EQ(d->ndevices, 1);
	CHECK_STR(d->devices[0], "/pl061@9030000");
	CHECK(d->dma_trusted);
	CHECK(d->firmware_layout);
	/* between <&dom0 &rt>: rt's phandle given as linux,phandle */
	CHECK_EQ(p.nchans, 1);
	CHECK_EQ(p.chan[0].id, 5);
	CHECK_EQ(p.chan[0].end[0], 0);
	CHECK_EQ(p.chan[0].end[1], 1);
	CHECK_EQ(p.chan[0].size, 0x2000);
	CHECK_EQ(p.chan[0].max_notify_rate, 100);
	CHECK(dt_policy_allows(&p, &p.dom[0], &p.dom[1], CLASS_DOMAIN, PERM_QUERY));
	CHECK(!dt_policy_allows(&p, &p.dom[1], &p.dom[0], CLASS_DOMAIN, PERM_QUERY));
	CHECK_EQ(p.nnets, 1);
	const struct net_port_cfg *pt = p.net[0].port;
	CHECK_EQ(p.net[0].nports, 2);
	CHECK_EQ(pt[0].dom, 0);
	CHECK(pt[0].trunk);
	CHECK_EQ(pt[0].nvlans, 2);
	CHECK_EQ(pt[0].vlans[1], 20);
	CHECK_EQ(pt[0].pvid, 30);
	CHECK_EQ(pt[1].dom, 1);
	CHECK(!pt[1].trunk);
	CHECK_EQ(pt[1].pvid, 10);
	CHECK_EQ(pt[1].mac[5], 0x0a);
	free(cfg);
}

/* A one-domain config built in memory: `extra` properties (name, then a
 * string value; NULL ends) go before the usual four, so the first of a
 * name given twice is the extra one. */
static void *config_with(const char *const *extra)
{
	static char buf[4096];
	fdt_create(buf, sizeof(buf));
	fdt_finish_reservemap(buf);
	fdt_begin_node(buf, "");
	fdt_begin_node(buf, "bulkhead");
	fdt_property_string(buf, "compatible", "bulkhead,config-v1");
	fdt_begin_node(buf, "domain@0");
	for (; *extra; extra += 2)
		fdt_property_string(buf, extra[0], extra[1]);
	fdt_property_string(buf, "label", "solo");
	fdt_property_u32(buf, "cpus", 0);
	fdt_property_u64(buf, "memory-size", 0x200000);
	fdt_property_string(buf, "kernel", "k");
	fdt_end_node(buf);
	fdt_end_node(buf);
	fdt_end_node(buf);
	CHECK_EQ(fdt_finish(buf), 0);
	return buf;
}

/* Names it does not know, however close to one it does; a name twice. */
static void test_dispatch_names(void)
{
	static const char known[] = "(known: label, role, type, cpus, memory-size, memory-base, "
				    "kernel, initrd, bootargs, on-fault, devices, dma-trusted, "
				    "layout)";
	/* A prefix of a known name, a known name with more after it, a
	 * name of another kind of node, and one unlike any. */
	static const char *const unknown[] = {"labe", "memory", "labelx", "memory-sizes",
					      "vlan", "insecure-pmu-el2", "x", "phandles"};
	static struct plan p;
	struct dt_error err;
	for (unsigned i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
		const char *extra[] = {unknown[i], "v", NULL};
		char want[96];
		snprintf(want, sizeof(want), "config /bulkhead/domain@0: unknown property '%s' ",
			 unknown[i]);
		check_test = unknown[i];
		CHECK_EQ(dt_plan_read(config_with(extra), &board, &p, &err), -1);
		CHECK_CONTAINS(err.msg, want);
		CHECK_CONTAINS(err.msg, known);
	}
	check_test = "test_dispatch_names";
	/* The phandles any node may have (dtc adds them), and the known
	 * names, in any order. */
	const char *ph[] = {"phandle", "", "linux,phandle", "", "type", "t_t", "role", "control",
			    NULL};
	if (!CHECK_EQ(dt_plan_read(config_with(ph), &board, &p, &err), 0))
		fprintf(stderr, "    refused: %s\n", err.msg);
	CHECK_STR(p.dom[0].label, "t_t");
	CHECK(p.dom[0].control);
	/* A name twice: its first value, as a lookup by name would find. */
	const char *twice[] = {"label", "first", "kernel", "kfirst", NULL};
	if (!CHECK_EQ(dt_plan_read(config_with(twice), &board, &p, &err), 0))
		fprintf(stderr, "    refused: %s\n", err.msg);
	CHECK_STR(p.dom[0].name, "first");
	CHECK_STR(p.dom[0].kernel, "kfirst");
	/* ... and what is wrong with the first is wrong, even if the second is right. */
	const char *bad_first[] = {"memory-size", "bigger", NULL};
	CHECK_EQ(dt_plan_read(config_with(bad_first), &board, &p, &err), -1);
	CHECK_CONTAINS(err.msg, "config /bulkhead/domain@0: property 'memory-size' must be one "
				"32-bit or 64-bit value (<0x0 0x...>), it has 7 bytes");
}

/* What the one-pass reader trusts the check pass for: a property's name
 * inside the strings block and NUL-terminated there, its value inside the
 * structure block. Each broken in a config built in memory. */
static void test_malformed_names(void)
{
	static const char *const none[] = {NULL};
	static const struct {
		const char *what, *msg;
	} c[] = {{"name offset past the strings block", "FDT_ERR_BADOFFSET"},
		 {"name offset at the block's end", "FDT_ERR_BADOFFSET"},
		 {"last name not NUL-terminated", "FDT_ERR_BADOFFSET"},
		 {"length past the structure block", "FDT_ERR_TRUNCATED"},
		 {"length wrapping 32 bits", "FDT_ERR_TRUNCATED"}};
	static struct plan p;
	for (unsigned i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		char *cfg = config_with(none);
		char *strs = cfg + fdt_off_dt_strings(cfg);
		uint32_t ssize = fdt_size_dt_strings(cfg);
		/* domain@0's last property, 'kernel': the last name added */
		int node = fdt_path_offset(cfg, "/bulkhead/domain@0"), prop, last = -1;
		fdt_for_each_property_offset(prop, cfg, node)
			last = prop;
		char *tag = cfg + fdt_off_dt_struct(cfg) + last;
		CHECK_STR(strs + fdt32_ld((const fdt32_t *)(tag + 8)), "kernel");
		if (i == 0)
			*(fdt32_t *)(tag + 8) = cpu_to_fdt32(ssize + 8);
		else if (i == 1)
			*(fdt32_t *)(tag + 8) = cpu_to_fdt32(ssize);
		else if (i == 2)
			strs[ssize - 1] = 'x';
		else
			*(fdt32_t *)(tag + 4) = cpu_to_fdt32(i == 3 ? fdt_size_dt_struct(cfg) : ~3u);
		struct dt_error err;
		check_test = c[i].what;
		CHECK_EQ(dt_plan_read(cfg, &board, &p, &err), -1);
		CHECK_CONTAINS(err.msg, "config: not a valid DTB: ");
		CHECK_CONTAINS(err.msg, c[i].msg);
	}
	check_test = "test_malformed_names";
}

/* Every other kind of node: a name it does not know (one another kind
 * knows, or none does) is refused with its own kind's names. */
static void test_dispatch_kinds(void)
{
	static const struct {
		const char *node, *prop, *msg;
	} c[] = {
	    {"/bulkhead", "label", "config /bulkhead: unknown property 'label' (known: compatible, "
				   "insecure-pmu-el2)"},
	    {"/bulkhead/channel@5", "domain", "config /bulkhead/channel@5: unknown property "
					      "'domain' (known: between, size, max-notify-rate)"},
	    {"/bulkhead/policy", "allows", "config /bulkhead/policy: unknown property 'allows' "
					   "(known: allow)"},
	    {"/bulkhead/network@2", "size", "config /bulkhead/network@2: unknown property 'size' "
					    "(known: )"},
	    {"/bulkhead/network@2/port@1", "vla", "config /bulkhead/network@2/port@1: unknown "
						  "property 'vla' (known: domain, mac-address, "
						  "vlan, vlans, native-vlan)"},
	};
	void *cfg = load_dtb("plan/every-property.dtb");
	static char buf[8192];
	static struct plan p;
	struct dt_error err;
	for (unsigned i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		check_test = c[i].node;
		CHECK_EQ(fdt_open_into(cfg, buf, sizeof(buf)), 0);
		CHECK_EQ(fdt_setprop_u32(buf, fdt_path_offset(buf, c[i].node), c[i].prop, 1), 0);
		CHECK_EQ(dt_plan_read(buf, &board, &p, &err), -1);
		CHECK_STR(err.msg, c[i].msg);
	}
	check_test = "test_dispatch_kinds";
	free(cfg);
}

/* every-property.dtb, edited: refused with msg (the review of the one-pass
 * reader: each of these was accepted before). */
static char edit_buf[8192];
static int edit_node(void *cfg, const char *path)
{
	CHECK_EQ(fdt_open_into(cfg, edit_buf, sizeof(edit_buf)), 0);
	return fdt_path_offset(edit_buf, path);
}

static void refused(const char *what, const char *msg)
{
	static struct plan p;
	struct dt_error err;
	check_test = what;
	if (!CHECK_EQ(dt_plan_read(edit_buf, &board, &p, &err), -1))
		fprintf(stderr, "    accepted\n");
	else
		CHECK_CONTAINS(err.msg, msg);
	check_test = "test_review";
}

/* A reference of 0 is no reference: it named the first domain without a
 * phandle (dt_blob_phandle()'s 0), which the config never referenced. */
static void test_phandle_zero(void *cfg)
{
	const fdt32_t zero_rt[2] = {0, cpu_to_fdt32(7)}, zero = 0;
	int n = edit_node(cfg, "/bulkhead/domain@0");
	CHECK_EQ(fdt_delprop(edit_buf, n, "phandle"), 0);
	n = fdt_path_offset(edit_buf, "/bulkhead/network@2/port@0");
	CHECK_EQ(fdt_setprop_string(edit_buf, n, "domain", "dom0"), 0);
	n = fdt_path_offset(edit_buf, "/bulkhead/channel@5");
	CHECK_EQ(fdt_setprop(edit_buf, n, "between", zero_rt, sizeof(zero_rt)), 0);
	refused("between <0 &rt>", "config /bulkhead/channel@5: 'between' entry 1 is not a "
				   "reference to a domain node");

	n = edit_node(cfg, "/bulkhead/domain@0");
	CHECK_EQ(fdt_delprop(edit_buf, n, "phandle"), 0);
	n = fdt_path_offset(edit_buf, "/bulkhead/channel@5");
	CHECK_EQ(fdt_setprop(edit_buf, n, "between", "dom0\0rt-1", 10), 0);
	n = fdt_path_offset(edit_buf, "/bulkhead/network@2/port@0");
	CHECK_EQ(fdt_setprop(edit_buf, n, "domain", &zero, 4), 0);
	refused("domain = <0>", "config /bulkhead/network@2/port@0: 'domain' is not a reference "
				"to a domain node");
}

/* Unit addresses: hex digits only, within the kind's range (strtoul took a
 * sign, blanks, "0x", and wrapped). */
static void test_unit_addresses(void *cfg)
{
	static const struct {
		const char *node, *name, *msg;
	} c[] = {
	    {"/bulkhead/domain@1", "domain@0x1", "config /bulkhead/domain@0x1: unit address '0x1' "
						 "is not a hexadecimal domain id (0-ffffffff)"},
	    {"/bulkhead/domain@1", "domain@100000001", "unit address '100000001' is not"},
	    {"/bulkhead/domain@1", "domain@-1", "unit address '-1' is not"},
	    {"/bulkhead/domain@1", "domain@ 1", "unit address ' 1' is not"},
	    {"/bulkhead/domain@1", "domain@1:", "unit address '1:' is not"},
	    {"/bulkhead/channel@5", "channel@100000005", "unit address '100000005' is not a "
							 "hexadecimal channel id"},
	    {"/bulkhead/channel@5", "channel@+5", "unit address '+5' is not"},
	    {"/bulkhead/network@2", "network@0x2", "unit address '0x2' is not a hexadecimal "
						   "network id (0-ffff)"},
	    {"/bulkhead/network@2/port@1", "port@ 1", "unit address ' 1' is not"},
	};
	for (unsigned i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		CHECK_EQ(fdt_set_name(edit_buf, edit_node(cfg, c[i].node), c[i].name), 0);
		refused(c[i].name, c[i].msg);
	}
	/* What was right still is: leading zeros, either case. */
	static struct plan p;
	struct dt_error err;
	CHECK_EQ(fdt_set_name(edit_buf, edit_node(cfg, "/bulkhead/domain@1"), "domain@00A"), 0);
	CHECK_EQ(fdt_set_name(edit_buf, fdt_path_offset(edit_buf, "/bulkhead/channel@5"),
			      "channel@ffffffff"), 0);
	if (!CHECK_EQ(dt_plan_read(edit_buf, &board, &p, &err), 0))
		fprintf(stderr, "    refused: %s\n", err.msg);
	CHECK_EQ(p.dom[1].id, 10);
	CHECK_EQ(p.chan[0].id, 0xffffffff);
}

/* A node where none belongs was skipped unread; a name that only starts
 * like a kind's was read as that kind. */
static void test_stray_nodes(void *cfg)
{
	static const char *const in[] = {"/bulkhead/domain@1", "/bulkhead/channel@5",
					 "/bulkhead/policy", "/bulkhead/network@2/port@0"};
	for (unsigned i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		char want[96];
		snprintf(want, sizeof(want), "config %s: unknown node 'memory' inside it", in[i]);
		CHECK_EQ(fdt_add_subnode(edit_buf, edit_node(cfg, in[i]), "memory") >= 0, 1);
		refused(in[i], want);
	}
	static const char *const renamed[][2] = {{"/bulkhead/channel@5", "channels@5"},
						 {"/bulkhead/network@2", "networks@2"},
						 {"/bulkhead/domain@1", "domains@1"}};
	for (unsigned i = 0; i < sizeof(renamed) / sizeof(renamed[0]); i++) {
		char want[128];
		snprintf(want, sizeof(want), "config /bulkhead/%s: unknown node (expected", renamed[i][1]);
		CHECK_EQ(fdt_set_name(edit_buf, edit_node(cfg, renamed[i][0]), renamed[i][1]), 0);
		refused(renamed[i][1], want);
	}
}

/* Bytes outside printable ASCII would reach the operator's terminal in a
 * message (an ESC sequence): a string holding one is refused, naming the
 * property and the byte's offset; a name holding one (a node's, a
 * property's) is shown with '?' for it. */
static void test_control_bytes(void *cfg)
{
	int n = edit_node(cfg, "/bulkhead/domain@1");
	CHECK_EQ(fdt_setprop_string(edit_buf, n, "label", "rt\x1b[2J"), 0);
	refused("ESC in a label", "config /bulkhead/domain@1: 'label' has byte 0x1b at offset 2: "
				  "strings must be printable ASCII");
	n = edit_node(cfg, "/bulkhead/domain@0");
	CHECK_EQ(fdt_setprop_string(edit_buf, n, "bootargs", "console=ttyAMA0\r\x1b]0;x\a"), 0);
	refused("CR in bootargs", "config /bulkhead/domain@0: 'bootargs' has byte 0x0d at offset 15");
	n = edit_node(cfg, "/bulkhead/domain@1");
	CHECK_EQ(fdt_setprop(edit_buf, n, "devices", "/pl061@9030000\0/a\x9b", 19), 0);
	refused("CSI in a devices entry", "'devices' has byte 0x9b at offset 17");
	n = edit_node(cfg, "/bulkhead/network@2/port@1");
	CHECK_EQ(fdt_setprop_string(edit_buf, n, "domain", "rt-1\x1b"), 0);
	refused("ESC in a port's domain", "config /bulkhead/network@2/port@1: 'domain' has byte "
					  "0x1b at offset 4");
	n = edit_node(cfg, "/bulkhead/policy");
	CHECK_EQ(fdt_setprop_string(edit_buf, n, "allow", "dom0_t rt_t : domain { query\x1b }"), 0);
	refused("ESC in a rule", "config /bulkhead/policy: 'allow' has byte 0x1b at offset 28");
	/* Names: shown escaped, whole message printable. */
	n = edit_node(cfg, "/bulkhead/domain@1");
	CHECK_EQ(fdt_setprop_string(edit_buf, n, "on-fault\x1b[2J", "stop"), 0);
	refused("ESC in a property name", "config /bulkhead/domain@1: unknown property "
					  "'on-fault?[2J'");
	CHECK_EQ(fdt_set_name(edit_buf, edit_node(cfg, "/bulkhead/domain@1"), "domain@1\r"), 0);
	refused("CR in a node name", "config /bulkhead/domain@1?: unit address '1?' is not");
	/* Binary values are no text: a phandle reference, cells, bytes. A tab
	 * is a rule's blank (dt_policy_parse_rule) and stays one. */
	static struct plan p;
	struct dt_error err;
	n = edit_node(cfg, "/bulkhead/policy");
	CHECK_EQ(fdt_setprop_string(edit_buf, n, "allow", "dom0_t\trt_t : domain { query }"), 0);
	n = fdt_path_offset(edit_buf, "/bulkhead/network@2/port@1");
	CHECK_EQ(fdt_setprop_u32(edit_buf, n, "domain", 7), 0);
	CHECK_EQ(fdt_setprop(edit_buf, n, "mac-address", "\x02\x1b\x9b\r\0\x01", 6), 0);
	if (!CHECK_EQ(dt_plan_read(edit_buf, &board, &p, &err), 0))
		fprintf(stderr, "    refused: %s\n", err.msg);
	CHECK_EQ(p.nrules, 1);
}

/* Two domains with one phandle (a hand-built blob: dtc refuses it): a
 * reference named the first silently. Either spelling of the phandle. */
static void test_shared_phandle(void *cfg)
{
	int n = edit_node(cfg, "/bulkhead/domain@0");
	CHECK_EQ(fdt_setprop_u32(edit_buf, n, "phandle", 7), 0);
	refused("phandle twice", "config /bulkhead/domain@1: phandle 0x7 is also "
				 "/bulkhead/domain@0's");
	n = edit_node(cfg, "/bulkhead/domain@1");
	CHECK_EQ(fdt_delprop(edit_buf, n, "linux,phandle"), 0);
	CHECK_EQ(fdt_setprop_u32(edit_buf, n, "phandle", 1), 0);
	/* Every reference to the first still resolves: accepted before. */
	n = fdt_path_offset(edit_buf, "/bulkhead/channel@5");
	CHECK_EQ(fdt_setprop(edit_buf, n, "between", "dom0\0rt-1", 10), 0);
	refused("phandle twice, references whole", "config /bulkhead/domain@1: phandle 0x1 is also "
				 "/bulkhead/domain@0's");
}

/* A phandle is any value but 0 and ~0 (DT spec 2.3.3): one set by hand at
 * 2^24 or above starts with a byte other than NUL, and a reference to it is
 * no text. mend9's printable-ASCII rule refused it ("byte 0x01"). */
static void test_high_phandle(void *cfg)
{
	static struct plan p;
	struct dt_error err;
	check_test = "test_high_phandle";
	int n = edit_node(cfg, "/bulkhead/domain@0");
	uint32_t dom0 = fdt_get_phandle(edit_buf, n), rt = 0x01000001;
	n = fdt_path_offset(edit_buf, "/bulkhead/domain@1");
	CHECK_EQ(fdt_setprop_u32(edit_buf, n, "linux,phandle", rt), 0);
	const fdt32_t between[2] = {cpu_to_fdt32(rt), cpu_to_fdt32(dom0)};
	n = fdt_path_offset(edit_buf, "/bulkhead/channel@5");
	CHECK_EQ(fdt_setprop(edit_buf, n, "between", between, sizeof(between)), 0);
	n = fdt_path_offset(edit_buf, "/bulkhead/network@2/port@1");
	CHECK_EQ(fdt_setprop_u32(edit_buf, n, "domain", rt), 0);
	if (!CHECK_EQ(dt_plan_read(edit_buf, &board, &p, &err), 0))
		fprintf(stderr, "    refused: %s\n", err.msg);
	else
		CHECK_EQ(p.chan[0].end[0], 1u);
	/* A label still holds text only, whatever its first byte. */
	CHECK_EQ(fdt_setprop(edit_buf, n, "domain", "\x01rt\0", 4), 0);
	refused("a label starting with 0x01", "'domain' has byte 0x01 at offset 0");
	check_test = "test_review";
}

/* A fixed memory range wrapping past 2^64 ended "inside" the board's RAM. */
static void test_memory_wrap(void)
{
	void *cfg = load_dtb("plan/good.dtb");
	const fdt32_t base[2] = {cpu_to_fdt32(0xffffffff), cpu_to_fdt32(0xffe00000)},
		      size[2] = {0, cpu_to_fdt32(0x400000)};
	int n = edit_node(cfg, "/bulkhead/domain@1");
	CHECK_EQ(fdt_setprop(edit_buf, n, "memory-base", base, sizeof(base)), 0);
	CHECK_EQ(fdt_setprop(edit_buf, n, "memory-size", size, sizeof(size)), 0);
	refused("memory wrapping 2^64", "config /bulkhead/domain@1: memory "
					"0xffffffffffe00000-0x1fffff is not inside the board's RAM");
	free(cfg);
}

/* A domain's vCPUs: at most 8 (BH_MAX_VCPUS), the GICv2 architecture's
 * CPU interfaces: its SGI source and GICD_ITARGETSR fields are a byte, so a
 * ninth vCPU's SGIs would lose their source (review ripi3). Nine refused,
 * naming the domain; eight pass this rule (refused here only for the
 * board's 4 CPUs). */
static void test_vcpus_limit(void)
{
	void *cfg = load_dtb("plan/good.dtb");
	fdt32_t cpus[9];
	for (unsigned i = 0; i < 9; i++)
		cpus[i] = cpu_to_fdt32(i);
	int n = edit_node(cfg, "/bulkhead/domain@1");
	CHECK_EQ(fdt_setprop(edit_buf, n, "cpus", cpus, sizeof(cpus)), 0);
	refused("nine vCPUs", "config /bulkhead/domain@1: 'cpus' lists 9 CPUs, at most 8 are "
			      "supported");
	n = edit_node(cfg, "/bulkhead/domain@1");
	CHECK_EQ(fdt_setprop(edit_buf, n, "cpus", cpus, 8 * sizeof(cpus[0])), 0);
	refused("eight vCPUs", "config /bulkhead/domain@1: 'cpus' names CPU 4 but the board has "
			       "4 CPUs");
	free(cfg);
}

static void test_review(void)
{
	void *cfg = load_dtb("plan/every-property.dtb");
	test_phandle_zero(cfg);
	test_unit_addresses(cfg);
	test_stray_nodes(cfg);
	test_control_bytes(cfg);
	test_shared_phandle(cfg);
	test_high_phandle(cfg);
	free(cfg);
	test_memory_wrap();
	test_vcpus_limit();
}

/* Without a board (the syntax-only check) the board's limits are not applied. */
static void test_no_board(void)
{
	static const char *const ok_without_board[] = {"cpu-out-of-range", "memory-outside-ram",
						       "memory-overlaps-reserved"};
	static struct plan p;
	for (unsigned i = 0; i < sizeof(ok_without_board) / sizeof(ok_without_board[0]); i++) {
		char name[128];
		snprintf(name, sizeof(name), "plan/%s.dtb", ok_without_board[i]);
		void *cfg = load_dtb(name);
		struct dt_error err;
		if (!CHECK_EQ(dt_plan_read(cfg, NULL, &p, &err), 0))
			fprintf(stderr, "    %s refused without a board: %s\n", ok_without_board[i],
				err.msg);
		free(cfg);
	}
	/* ... but everything that is wrong in itself still is. */
	void *cfg = load_dtb("plan/cpu-twice.dtb");
	struct dt_error err;
	CHECK_EQ(dt_plan_read(cfg, NULL, &p, &err), -1);
	CHECK_CONTAINS(err.msg, "'cpus' lists CPU 2 twice");
	free(cfg);
}

/* dom0's DT (the board DT copied, less what other domains own) in buffers
 * of every size short of what it needs, each allocated at exactly that
 * size: an error naming it, never a write past the end (AddressSanitizer
 * stops one); at the size it needs, a valid DT. */
static void test_dom0_room(void)
{
	void *cfg = load_dtb("plan/good.dtb");
	static struct plan p;
	struct dt_error err;
	if (!CHECK_EQ(dt_plan_read(cfg, &board, &p, &err), 0)) {
		free(cfg);
		return;
	}
	struct dom0_dt g = {
	    .dom = &p.dom[0], .plan = &p, .ram_base = 0x40000000, .ram_size = p.dom[0].mem_size};
	static char big[1 << 16];
	if (!CHECK_EQ(dt_dom0_build(big, sizeof(big), &g, &board, &err), 0)) {
		fprintf(stderr, "    refused: %s\n", err.msg);
		free(cfg);
		return;
	}
	CHECK_EQ(fdt_check_full(big, sizeof(big)), 0);
	int needed = (int)fdt_totalsize(big);
	CHECK(needed > 1024);
	unsigned accepted = 0;
	for (int size = 0; size < needed; size++) {
		char *buf = malloc(size ? (size_t)size : 1);
		memset(&err, 0, sizeof(err));
		if (dt_dom0_build(buf, size, &g, &board, &err) != -1 || !strstr(err.msg, "dom0 DT"))
			accepted++;
		free(buf);
	}
	CHECK_EQ(accepted, 0);
	char *exact = malloc((size_t)needed);
	CHECK_EQ(dt_dom0_build(exact, needed, &g, &board, &err), 0);
	CHECK_EQ(fdt_check_full(exact, (size_t)needed), 0);
	CHECK(!memcmp(exact, big, (size_t)needed));
	free(exact);
	free(cfg);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s <unit test data directory>\n", argv[0]);
		return 2;
	}
	data_dir = argv[1];
	board_fdt = load_dtb("board-4cpu.dtb");
	struct dt_error err;
	if (dt_board_read(board_fdt, &board, &err)) {
		fprintf(stderr, "board-4cpu.dtb refused: %s\n", err.msg);
		return 1;
	}
	RUN(test_good);
	RUN(test_defaults);
	RUN(test_networks);
	RUN(test_bad);
	RUN(test_dispatch_every);
	RUN(test_dispatch_names);
	RUN(test_dispatch_kinds);
	RUN(test_review);
	RUN(test_malformed_names);
	RUN(test_no_board);
	RUN(test_dom0_room);
	free(board_fdt);
	return check_summary("test_plan");
}
