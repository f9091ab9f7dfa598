// SPDX-License-Identifier: Apache-2.0
/*
 * Passthrough planning (common/passthrough.c) on the fake architecture
 * (tests/fake/): the real board and config readers on data/passthrough/
 * (QEMU virt with devices that share pages: with the console UART, with
 * each other, the last page of a three-page device), then
 * domains_assign_devices(). Checked: which pages are mapped into which
 * domain and how (every arch_stage2_map() call, as the fake records it),
 * which are trapped and forwarded and within which bytes, that no page of
 * the hypervisor's or of two domains is mapped, SPI ownership and the
 * physical set-up of each, and forwarded accesses (past the device's
 * bytes, misaligned, aborted by the device: refused, reported at most four
 * times). passthrough.c keeps static tables: each test runs in a fresh
 * process (RUN_ISOLATED).
 */
#include <libfdt.h>

#include "check.h"
#include "dt/plan.h"
#include "tests/fake/fake_env.h"
#include "tests/fake/harness.h"

static const char *data_dir;
static void *board_fdt, *config;
#define dom0 (&domains[0])
#define rt (&domains[1])

static void *load_dtb(const char *name)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", data_dir, name);
	return load_file(path, NULL);
}

/* The board and plan as the hypervisor reads them at boot, as domains;
 * `edit` may change the plan first (what the config check would refuse). */
static bool boot(void (*edit)(struct plan *p))
{
	static struct board b;
	static struct plan p;
	struct dt_error err;
	board_fdt = load_dtb("passthrough/board.dtb");
	config = load_dtb("passthrough/config.dtb");
	if (!CHECK_EQ(dt_board_read(board_fdt, &b, &err), 0) ||
	    !CHECK_EQ(dt_plan_read(config, &b, &p, &err), 0)) {
		fprintf(stderr, "    %s\n", err.msg);
		return false;
	}
	CHECK_EQ(b.uart_base, 0x9000000);
	CHECK_EQ(b.uart_size, 0x800);
	if (edit)
		edit(&p);
	fake_setup_plan(&b, &p);
	return true;
}

static void done(void)
{
	free(board_fdt);
	free(config);
}

/* The one stage-2 call that mapped exactly [ipa, ipa + size) for d. */
static void check_mapped(const struct domain *d, uint64_t ipa, uint64_t size, unsigned flags)
{
	unsigned n = 0;
	for (unsigned i = 0; i < fake_ns2; i++) {
		const struct fake_s2_map *m = &fake_s2[i];
		if (m->d == d && m->ipa == ipa) {
			n++;
			CHECK_EQ(m->size, size);
			CHECK_EQ(m->pa, ipa); /* 1:1 */
			CHECK_EQ(m->flags, flags);
		}
	}
	if (!CHECK_EQ(n, 1))
		fprintf(stderr, "    mappings of 0x%llx for domain %s\n", (unsigned long long)ipa,
			h_name(d));
}

/* No stage-2 mapping of any domain touches [lo, hi). */
static void check_unmapped(const struct domain *d, uint64_t lo, uint64_t hi, const char *what)
{
	for (unsigned i = 0; i < fake_ns2; i++) {
		const struct fake_s2_map *m = &fake_s2[i];
		if ((!d || m->d == d) && m->ipa < hi && lo < m->ipa + m->size)
			CHECK_FAIL("%s [0x%llx, 0x%llx) mapped into domain %s by [0x%llx, +0x%llx)",
				   what, (unsigned long long)lo, (unsigned long long)hi,
				   h_name(m->d), (unsigned long long)m->ipa,
				   (unsigned long long)m->size);
	}
}

/* d traps [base, base + size) of the page and forwards it to the same bytes. */
static void check_forwarded(const struct domain *d, uint64_t base, uint64_t size)
{
	unsigned n = 0;
	for (unsigned i = 0; i < h_nvmmio(d); i++) {
		uint64_t b, sz, phys;
		h_vmmio(d, i, &b, &sz, &phys);
		if (b == base) {
			n++;
			CHECK_EQ(sz, size);
			CHECK_EQ(phys, base);
		}
	}
	if (!CHECK_EQ(n, 1))
		fprintf(stderr, "    forwarded 0x%llx for domain %s\n", (unsigned long long)base,
			h_name(d));
	bool hyp = false; /* the page is mapped for the hypervisor, to forward to */
	for (unsigned i = 0; i < fake_nhyp_dev; i++)
		hyp |= fake_hyp_dev[i][0] == (base & ~0xfffull) && fake_hyp_dev[i][1] == 0x1000;
	CHECK(hyp);
}

static void test_plan_and_map(void)
{
	if (!boot(NULL))
		return;
	CHECK_EQ(domains_assign_devices(&board), 0);

	/* rt: the PL061's page, dev-c's first two pages in one call. */
	check_mapped(rt, 0x9030000, 0x1000, S2_RW | S2_DEVICE);
	check_mapped(rt, 0x9050000, 0x2000, S2_RW | S2_DEVICE);
	/* Pages it shares: trapped, forwarded within its own bytes. */
	check_unmapped(NULL, 0x9040000, 0x9041000, "dev-a/dev-b's page");
	check_unmapped(NULL, 0x9052000, 0x9053000, "dev-c/dev-d's page");
	check_forwarded(rt, 0x9040000, 0x100);
	check_forwarded(rt, 0x9052000, 0x800);
	CHECK_EQ(h_nvmmio(rt), 2);
	/* dom0: what nobody names, the same way. */
	check_forwarded(dom0, 0x9040100, 0x100);
	check_forwarded(dom0, 0x9052800, 0x800);
	check_forwarded(dom0, 0x9000800, 0x800); /* the console UART's page */
	CHECK_EQ(h_nvmmio(dom0), 3);
	check_mapped(dom0, 0x9010000, 0x1000, S2_RW | S2_DEVICE); /* PL031 */
	check_mapped(dom0, 0x9060000, 0x1000, S2_RW | S2_DEVICE); /* dev-e */
	/* The firmware carve-out in /reserved-memory: RAM, not registers. */
	check_mapped(dom0, 0x7f000000, 0x100000, S2_RWX);
	/* Not dom0's: what rt names. */
	check_unmapped(dom0, 0x9030000, 0x9031000, "the PL061");
	check_unmapped(dom0, 0x9050000, 0x9052000, "dev-c");

	/* Nothing the hypervisor drives, for anyone: UART, GICD, GICR. */
	check_unmapped(NULL, 0x9000000, 0x9001000, "the console UART's page");
	check_unmapped(NULL, 0x8000000, 0x8010000, "the GIC distributor");
	check_unmapped(NULL, 0x80a0000, 0x80a0000 + 0xf60000, "the GIC redistributors");
	/* No page in two domains, and every mapping 1:1 and page-aligned. */
	for (unsigned i = 0; i < fake_ns2; i++) {
		const struct fake_s2_map *a = &fake_s2[i];
		CHECK_EQ(a->ipa, a->pa);
		CHECK_EQ(a->ipa & 0xfff, 0);
		CHECK_EQ(a->size & 0xfff, 0);
		for (unsigned k = 0; k < fake_ns2; k++) {
			const struct fake_s2_map *b = &fake_s2[k];
			if (a->d != b->d && a->ipa < b->ipa + b->size && b->ipa < a->ipa + a->size)
				CHECK_FAIL("0x%llx mapped into %s and %s",
					   (unsigned long long)a->ipa, h_name(a->d), h_name(b->d));
		}
	}

	/* SPIs (INTID = 32 + the DT's number): each to the domain that has the
	 * device, linked to the physical one, set up on its vCPU 0's CPU with
	 * the DT's trigger. */
	static const struct {
		unsigned intid, dom;
		int edge;
	} spi[] = {
	    {39, 1, 0}, /* PL061 */
	    {92, 1, 0}, /* dev-a */
	    {96, 1, 0}, /* dev-c */
	    {93, 0, 1}, /* dev-b, edge */
	    {94, 0, 0}, /* uart-neighbour */
	    {95, 0, 1}, /* dev-e's own, edge */
	    {34, 0, 0}, /* PL031 */
	};
	for (unsigned i = 0; i < sizeof(spi) / sizeof(spi[0]); i++) {
		struct domain *d = &domains[spi[i].dom], *other = &domains[1 - spi[i].dom];
		unsigned hw = 0;
		if (!CHECK(irq_owner(spi[i].intid) == d))
			fprintf(stderr, "    SPI %u\n", spi[i].intid);
		CHECK(h_virq_owned(h_vcpu(d, 0), spi[i].intid));
		CHECK(h_virq_hw(h_vcpu(d, 0), spi[i].intid, &hw));
		CHECK_EQ(hw, spi[i].intid);
		CHECK(!h_virq_owned(h_vcpu(other, 0), spi[i].intid));
		CHECK_EQ(fake_hw_cfg_edge[spi[i].intid], spi[i].edge);
		CHECK_EQ(fake_hw_cfg_cpu[spi[i].intid], h_vcpu_cpu(h_vcpu(d, 0)));
	}
	CHECK_EQ(fake_hw_cfg_cpu[39], 3); /* rt's vCPU 0 runs on CPU 3 (cpus = <3 2>) */
	/* The console's line stays the hypervisor's, though dev-e names it. */
	CHECK(irq_owner(33) == NULL);
	CHECK(!h_virq_owned(h_vcpu(dom0, 0), 33));
	CHECK_EQ(fake_hw_cfg_edge[33], -1);
	done();
}

static bool dispatch(struct vcpu *v, uint64_t ipa, unsigned size, bool write, uint64_t *val,
		     bool *handled)
{
	fake_enter(v);
	return vmmio_dispatch(v, ipa, size, write, val, handled);
}

static void test_forwarding(void)
{
	if (!boot(NULL) || !CHECK_EQ(domains_assign_devices(&board), 0))
		return;
	struct vcpu *v = h_vcpu(rt, 1), *w = h_vcpu(dom0, 0);
	uint64_t val = 0xabcd;
	bool handled = false;
	CHECK(dispatch(v, 0x9040010, 4, true, &val, &handled));
	CHECK(handled);
	CHECK_EQ(fake_mmio_last.pa, 0x9040010);
	CHECK_EQ(fake_mmio_last.size, 4);
	CHECK(fake_mmio_last.write);
	CHECK_EQ(fake_mmio_last.val, 0xabcd);
	fake_mmio_read_val = 0x55aa;
	val = 0;
	CHECK(dispatch(v, 0x90400f8, 8, false, &val, &handled)); /* its last 8 bytes */
	CHECK_EQ(val, 0x55aa);
	CHECK_EQ(fake_mmio_last.pa, 0x90400f8);
	CHECK(!fake_mmio_last.write);
	CHECK(dispatch(v, 0x90527ff, 1, false, &val, &handled)); /* dev-c's last byte */
	CHECK_EQ(fake_mmio_last.pa, 0x90527ff);
	unsigned count = fake_mmio_last.count;

	/* Refused, the device untouched: past its bytes, misaligned; then an
	 * access the device aborts. Each reported, four at most. */
	static const struct {
		uint64_t ipa;
		unsigned size;
		const char *why;
	} bad[] = {
	    {0x90400fc, 8, "reaches past the end of its device's registers"},
	    {0x90527fe, 4, "reaches past the end of its device's registers"},
	    {0x9040002, 4, "is not aligned to its size"},
	};
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		handled = false;
		CHECK(!dispatch(v, bad[i].ipa, bad[i].size, true, &val, &handled));
		CHECK(handled);
		CHECK_EQ(fake_mmio_last.count, count);
		CHECK_CONTAINS(fake_log, bad[i].why);
		CHECK_CONTAINS(fake_log, "domain rt:");
	}
	CHECK(!dispatch(v, 0x9040000, 3, false, &val, &handled)); /* no such access size */
	fake_mmio_abort = true;
	CHECK(!dispatch(v, 0x9040000, 4, false, &val, &handled));
	CHECK_EQ(fake_mmio_last.count, count + 1);
	CHECK_CONTAINS(fake_log, "took an external abort from the device; refused (further ones "
				 "not reported)");
	unsigned logs = fake_nlog;
	CHECK(!dispatch(v, 0x9040004, 4, false, &val, &handled));
	CHECK_EQ(fake_nlog, logs);
	fake_mmio_abort = false;

	/* Another domain's bytes of a shared page are not this one's. */
	handled = true;
	CHECK(!dispatch(w, 0x9040000, 4, false, &val, &handled));
	CHECK(!handled);
	CHECK(dispatch(w, 0x9040100, 4, false, &val, &handled));
	CHECK_EQ(fake_mmio_last.pa, 0x9040100);
	/* dom0's device in the console UART's page: forwarded; the UART's own
	 * bytes there: nobody's. */
	CHECK(dispatch(w, 0x9000800, 4, true, &val, &handled));
	CHECK_EQ(fake_mmio_last.pa, 0x9000800);
	handled = true;
	CHECK(!dispatch(w, 0x90007fc, 4, false, &val, &handled));
	CHECK(!handled);
	done();
}

/* An SPI already given to one domain is never given to another: the
 * config check refuses this (data/plan/device-shared.dts); passthrough
 * refuses it too, naming both. */
static void pl061_on_dev_e_line(struct plan *p)
{
	h_set_device_irq(p, 1, 0, 0, 95);
}

static void test_spi_given_twice(void)
{
	if (!boot(pl061_on_dev_e_line))
		return;
	CHECK_EQ(domains_assign_devices(&board), -1);
	CHECK_CONTAINS(fake_log, "domain dom0: interrupt 95 of /dev-e@9060000 is already given to "
				 "domain rt");
	CHECK(irq_owner(95) == rt);
	done();
}

/* rt's three devices with 32 lines each and two more devices of lines
 * only: 160 SPIs, past the 128 a domain's vGIC holds (VGIC_MAX_OWNED). */
static void rt_many_lines(struct plan *p)
{
	struct dom_cfg *pd = &p->dom[1];
	for (unsigned k = 3; k < 5; k++) {
		pd->dev[k] = (struct dev_res){0};
		snprintf(pd->devices[k], sizeof(pd->devices[k]), "/lines-%u", k);
		pd->dev_node[k] = -1;
	}
	pd->ndevices = 5;
	for (unsigned k = 0; k < 5; k++) {
		pd->dev[k].nirq = DEV_MAX_IRQS;
		for (unsigned j = 0; j < DEV_MAX_IRQS; j++)
			h_set_device_irq(p, 1, k, j, 100 + k * DEV_MAX_IRQS + j);
	}
}

/* Before: lines past the 128th were dropped without a word (never
 * enabled in the guest, yet routed to its CPU): a silent partial boot. */
static void test_too_many_lines(void)
{
	if (!boot(rt_many_lines))
		return;
	CHECK_EQ(domains_assign_devices(&board), -1);
	CHECK_CONTAINS(fake_log, "domain rt: interrupt 228 of /lines-4: more than 128 interrupt lines, the most a domain's virtual GIC holds");
	done();
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s <unit test data directory>\n", argv[0]);
		return 2;
	}
	data_dir = argv[1];
	RUN_ISOLATED(test_plan_and_map);
	RUN_ISOLATED(test_forwarding);
	RUN_ISOLATED(test_spi_given_twice);
	RUN_ISOLATED(test_too_many_lines);
	return check_summary("test_passthrough");
}
