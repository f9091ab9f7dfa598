/* SPDX-License-Identifier: Apache-2.0 */
/* The fake architecture and board for the fuzzers and unit tests: see fake_env.h. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/channel.h"
#include "common/console.h"
#include "common/percpu.h"
#include "common/report.h"
#include "dt/plan.h"
#include "gic/gic.h"
#include "gic/vgic.h"
#include "tests/fake/fake_env.h"

uint64_t fake_counter;
unsigned fake_hw_route_cpu[1024];
int fake_hw_enabled[1024];
int fake_hw_cfg_edge[1024];
unsigned fake_hw_cfg_cpu[1024];
unsigned fake_hw_resets[1024];
unsigned fake_ipis[BH_MAX_CPUS];
struct fake_s2_map fake_s2[FAKE_MAX_S2];
unsigned fake_ns2;
uint64_t fake_hyp_dev[FAKE_MAX_S2][2];
unsigned fake_nhyp_dev;
struct fake_mmio fake_mmio_last;
uint64_t fake_mmio_read_val;
bool fake_mmio_abort;
char fake_con[BH_MAX_DOMAINS][FAKE_CON_MAX];
size_t fake_con_len[BH_MAX_DOMAINS];
char fake_log[512];
unsigned fake_nlog;
unsigned fake_npump;
const struct domain *fake_notify_dom;
uint64_t fake_notify_id;
unsigned fake_nnotify;
int64_t fake_notify_ret;
static unsigned fake_cpu;

/* ---- system registers: a table per physical CPU, as the hardware banks them ---- */

static struct {
	char name[32];
	uint64_t v;
} sysregs[BH_MAX_CPUS][128];

static uint64_t *sysreg(const char *name)
{
	for (unsigned i = 0; i < 128; i++) {
		if (!sysregs[fake_cpu][i].name[0])
			snprintf(sysregs[fake_cpu][i].name, sizeof(sysregs[0][i].name), "%s", name);
		if (!strcmp(sysregs[fake_cpu][i].name, name))
			return &sysregs[fake_cpu][i].v;
	}
	abort(); /* more registers than the table: grow it */
}

uint64_t fake_sysreg_read(const char *name)
{
	/* ICH_VTR_EL2 (S3_4_C12_C11_1; _0 is ICH_HCR_EL2, read back as written):
	 * 4 LRs, 5 preemption and 5 priority bits. */
	if (!strcmp(name, "S3_4_C12_C11_1"))
		return 3 | (4ULL << 26) | (4ULL << 29);
	return *sysreg(name);
}

void fake_sysreg_write(const char *name, uint64_t v)
{
	*sysreg(name) = v;
}

/* ---- what the hypervisor's other modules would do ---- */

unsigned arch_cpu_index(void)
{
	return fake_cpu;
}

int arch_stage2_map(struct domain *d, uint64_t ipa, uint64_t pa, uint64_t size, unsigned flags)
{
	if (fake_ns2 == FAKE_MAX_S2)
		abort(); /* more mappings than the record: grow it */
	fake_s2[fake_ns2++] = (struct fake_s2_map){d, ipa, pa, size, flags};
	return 0;
}

bool arch_stage2_lookup(struct domain *d, uint64_t ipa, uint64_t *pa)
{
	for (unsigned i = 0; i < fake_ns2; i++)
		if (fake_s2[i].d == d && ipa - fake_s2[i].ipa < fake_s2[i].size) {
			*pa = fake_s2[i].pa + (ipa - fake_s2[i].ipa);
			return true;
		}
	return false;
}

bool arch_stage2_mapped(struct domain *d, uint64_t ipa, uint64_t size)
{
	for (unsigned i = 0; i < fake_ns2; i++)
		if (fake_s2[i].d == d && ipa < fake_s2[i].ipa + fake_s2[i].size &&
		    fake_s2[i].ipa < ipa + size)
			return true;
	return false;
}

int arch_map_device(uint64_t base, uint64_t size)
{
	if (fake_nhyp_dev == FAKE_MAX_S2)
		abort();
	fake_hyp_dev[fake_nhyp_dev][0] = base;
	fake_hyp_dev[fake_nhyp_dev++][1] = size;
	return 0;
}

static bool fake_mmio(uint64_t pa, unsigned size, bool write, uint64_t val)
{
	fake_mmio_last = (struct fake_mmio){pa, val, size, fake_mmio_last.count + 1, write};
	return !fake_mmio_abort;
}

bool arch_mmio_read(uint64_t pa, unsigned size, uint64_t *val)
{
	if (!fake_mmio(pa, size, false, 0))
		return false;
	*val = fake_mmio_read_val;
	return true;
}

bool arch_mmio_write(uint64_t pa, unsigned size, uint64_t val)
{
	return fake_mmio(pa, size, true, val);
}

void bh_log(const char *fmt, ...)
{
	va_list ap; /* formatted, so UBSan sees every argument, and kept */
	va_start(ap, fmt);
	vsnprintf(fake_log, sizeof(fake_log), fmt, ap);
	va_end(ap);
	fake_nlog++;
}

/* As console.c's: the line bh_log("domain NAME: " fmt, ...) would log. */
void bh_dlog(const char *name, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(fake_log, sizeof(fake_log), "domain %s: ", name);
	va_start(ap, fmt);
	vsnprintf(fake_log + n, sizeof(fake_log) - (size_t)n, fmt, ap);
	va_end(ap);
	fake_nlog++;
}

/* The emulated UART's bytes are in the domain's real ring (domain_con_put):
 * the fake composes them (records them as output) where console.c would,
 * here and in console_domain_tx. */
static void fake_compose(struct domain *d)
{
	for (; d->con_in_tail != d->con_in_head; d->con_in_tail++)
		console_domain_write(d, &d->con_in[d->con_in_tail % CON_IN_SIZE], 1);
}

void console_domain_burst_end(struct domain *d)
{
	console_pump();
	fake_compose(d);
}

/* Held bytes wait for a deadline (EL2's timer): always armed here. */
bool arch_console_later(void)
{
	return true;
}

/* Counted only: no other domain's state changes under the fuzzers' eyes. */
void console_pump(void)
{
	fake_npump++;
}

/* A pump that composes all of d's ring. */
enum con_tx console_domain_tx(struct domain *d)
{
	if (d->con_in_head == d->con_in_tail)
		return CON_TX_EMPTY;
	console_pump();
	fake_compose(d);
	return CON_TX_SOME;
}

void console_domain_write(struct domain *d, const char *s, size_t n)
{
	unsigned slot = (unsigned)(d - domains);
	for (size_t i = 0; i < n; i++) /* every byte read: ASan checks the source */
		if (slot < BH_MAX_DOMAINS && fake_con_len[slot] < FAKE_CON_MAX)
			fake_con[slot][fake_con_len[slot]++] = *(volatile const char *)(s + i);
}

int64_t channel_notify(struct domain *d, uint64_t id)
{
	fake_notify_dom = d;
	fake_notify_id = id;
	fake_nnotify++;
	return fake_notify_ret;
}

/* Weak, with domain_copy_from_guest: a test that links common/domain.c
 * (test_recheck) gets the real ones. */
__attribute__((weak)) void domain_reboot(struct domain *d)
{
	d->restarts++;
}

__attribute__((weak)) bool domain_copy_from_guest(struct domain *d, void *dst, uint64_t ipa,
						  uint64_t size)
{
	if (ipa < d->ram_ipa || size > d->ram_size || ipa - d->ram_ipa > d->ram_size - size)
		return false;
	memcpy(dst, (const void *)(uintptr_t)(d->ram_pa + (ipa - d->ram_ipa)), size);
	return true;
}

void gic_hw_enable(unsigned intid, bool enable)
{
	if (intid < 1024)
		fake_hw_enabled[intid] = enable;
}
void gic_hw_reset(unsigned intid)
{
	if (intid < 1024)
		fake_hw_resets[intid]++;
}
void gic_hw_configure(unsigned intid, bool edge, unsigned cpu)
{
	if (intid < 1024) {
		fake_hw_cfg_edge[intid] = edge;
		fake_hw_cfg_cpu[intid] = cpu;
	}
}
void gic_hw_route(unsigned intid, unsigned cpu)
{
	if (intid < 1024)
		fake_hw_route_cpu[intid] = cpu;
}
void gic_ppi_enable(unsigned intid, bool enable)
{
	(void)intid, (void)enable;
}
void gic_v2_ppi_unmask(unsigned intid)
{
	(void)intid;
}
void gic_send_ipi(unsigned cpu)
{
	if (cpu < BH_MAX_CPUS)
		fake_ipis[cpu]++;
}
void gic_kick_own(unsigned cpu)
{
	gic_send_ipi(cpu);
}

/* ---- the board and its two domains ---- */

struct board board;
struct plan plan;
static struct domain fake_domains[BH_MAX_DOMAINS];
/* Weak: common/domain.c defines them where a test links it (fake_reset
 * points domains at fake_domains either way). */
__attribute__((weak)) struct domain *domains;
__attribute__((weak)) unsigned ndomains;
static struct pcpu fake_pcpus[BH_MAX_CPUS];
struct pcpu *pcpus = fake_pcpus;
static struct vcpu fake_vcpus[2][2];
static uint64_t fake_exits[BH_MAX_CPUS][EXIT_KINDS * (BH_MAX_DOMAINS + 1)];
/* The GICv2 virtual interface control frame is banked per CPU: the one at
 * board.gich holds the current CPU's, swapped on fake_enter(). */
static uint8_t gich_frame[0x1000] __attribute__((aligned(16)));
static uint8_t gich_bank[BH_MAX_CPUS][0x1000];
static uint8_t ram[2][FAKE_RAM_SIZE] __attribute__((aligned(16)));

/* Everything recorded, and every domain and CPU, as before boot. */
static void fake_reset(void)
{
	memset(&board, 0, sizeof(board));
	memset(&plan, 0, sizeof(plan));
	memset(fake_domains, 0, sizeof(fake_domains));
	domains = fake_domains;
	memset(fake_pcpus, 0, sizeof(fake_pcpus));
	memset(fake_vcpus, 0, sizeof(fake_vcpus));
	memset(fake_exits, 0, sizeof(fake_exits));
	for (unsigned c = 0; c < BH_MAX_CPUS; c++)
		fake_pcpus[c].exits = fake_exits[c];
	memset(sysregs, 0, sizeof(sysregs));
	memset(gich_frame, 0, sizeof(gich_frame));
	memset(gich_bank, 0, sizeof(gich_bank));
	memset(ram, 0, sizeof(ram));
	fake_cpu = 0;
	memset(fake_hw_route_cpu, 0xff, sizeof(fake_hw_route_cpu));
	memset(fake_hw_enabled, 0xff, sizeof(fake_hw_enabled));
	memset(fake_hw_cfg_edge, 0xff, sizeof(fake_hw_cfg_edge));
	memset(fake_hw_cfg_cpu, 0xff, sizeof(fake_hw_cfg_cpu));
	memset(fake_hw_resets, 0, sizeof(fake_hw_resets));
	memset(fake_ipis, 0, sizeof(fake_ipis));
	fake_ns2 = fake_nhyp_dev = 0;
	memset(&fake_mmio_last, 0, sizeof(fake_mmio_last));
	fake_mmio_read_val = 0;
	fake_mmio_abort = false;
	memset(fake_con_len, 0, sizeof(fake_con_len));
	fake_log[0] = 0;
	fake_nlog = 0;
	fake_npump = 0;
	fake_notify_dom = NULL;
	fake_notify_id = 0;
	fake_nnotify = 0;
	fake_notify_ret = 0;
}

/* Domain i as its config says: vCPUs pinned to its CPUs, RAM a host buffer. */
static void fake_domain(unsigned i, const struct dom_cfg *c)
{
	struct domain *d = &domains[i];
	d->id = c->id;
	memcpy(d->name, c->name, sizeof(d->name));
	d->cfg = c;
	d->state = DOM_RUNNING;
	d->nvcpus = c->ncpus;
	if (c->ncpus > 2)
		abort(); /* vCPUs for two: grow fake_vcpus[] */
	d->vcpu = fake_vcpus[i];
	d->ram_pa = (uint64_t)(uintptr_t)ram[i];
	d->ram_ipa = FAKE_RAM_IPA;
	d->ram_size = FAKE_RAM_SIZE;
	for (unsigned k = 0; k < c->ncpus; k++) {
		struct vcpu *v = &d->vcpu[k];
		v->dom = d;
		v->index = k;
		v->pcpu = c->cpus[k];
		v->state = VCPU_RUNNING;
		pcpus[v->pcpu].vcpu = v;
		pcpus[v->pcpu].index = v->pcpu;
	}
	vgic_domain_init(d);
}

void fake_setup_plan(const struct board *b, const struct plan *p)
{
	fake_reset();
	if (p->ndoms > 2)
		abort(); /* RAM for two: grow ram[] */
	board = *b;
	plan = *p;
	gic_host = (struct gic_host){.version = b->gic_version,
				     .vtimer_intid = 27,
				     .ptimer_intid = 30,
				     .timer_sw = b->gic_version == 2,
				     .nr_lrs = 4,
				     .pri_bits = 5,
				     .nr_spis = 256};
	vgic_select(b->gic_version); /* as gic_init: the version byte the board's */
	ndomains = plan.ndoms;
	for (unsigned i = 0; i < ndomains; i++)
		fake_domain(i, &plan.dom[i]);
}

void fake_setup(unsigned gic_version)
{
	fake_reset();
	board.gic_version = gic_version;
	board.ncpus = 4;
	board.gicd = (struct mem_range){0x08000000, 0x10000};
	board.gicr = (struct mem_range){0x080a0000, 0x20000 * 4};
	board.gicc = (struct mem_range){0x08010000, 0x2000};
	board.gicv = (struct mem_range){0x08040000, 0x2000};
	board.gich = (struct mem_range){(uint64_t)(uintptr_t)gich_frame, 0x1000};
	board.uart_base = 0x09000000;
	board.uart_size = 0x1000;
	board.uart_irq = 33;
	gic_host = (struct gic_host){.version = gic_version,
				     .vtimer_intid = 27,
				     .ptimer_intid = 30,
				     .timer_sw = gic_version == 2,
				     .nr_lrs = 4,
				     .pri_bits = 5,
				     .nr_spis = 96};
	vgic_select(gic_version);
	plan.ndoms = ndomains = 2;
	for (unsigned i = 0; i < 2; i++) {
		struct dom_cfg *c = &plan.dom[i];
		struct domain *d = &domains[i];
		snprintf(c->name, sizeof(c->name), "d%u", i);
		snprintf(c->label, sizeof(c->label), "d%u_t", i);
		c->id = i;
		c->ncpus = 2;
		c->cpus[0] = 2 * i;
		c->cpus[1] = 2 * i + 1;
		fake_domain(i, c);
		vuart_init(d, board.uart_base, board.uart_size, board.uart_irq);
		if (vgic_register(d) != 0)
			abort();
	}
	for (unsigned s = 0; s < 4; s++) {
		vgic_own_spi(&domains[0], 40 + s, s & 1);
		vgic_own_spi(&domains[1], 48 + s, s & 1);
	}
	for (unsigned s = 48; s < 50; s++) { /* linked to the physical GIC, as passthrough does */
		struct virq *q = vgic_irq(&domains[1].vcpu[0], s);
		q->hw = true;
		q->hw_intid = (uint16_t)s;
	}
	for (unsigned d = 0; d < 2; d++)
		for (unsigned k = 0; k < 2; k++) {
			fake_enter(&domains[d].vcpu[k]);
			vgic_vcpu_reset(&domains[d].vcpu[k]);
		}
}

void fake_enter(struct vcpu *v)
{
	memcpy(gich_bank[fake_cpu], gich_frame, sizeof(gich_frame));
	fake_cpu = v->pcpu;
	memcpy(gich_frame, gich_bank[fake_cpu], sizeof(gich_frame));
}

void fake_snapshot(const struct domain *d, struct domain *copy)
{
	memcpy(copy, d, sizeof(*d));
}

void fake_check_unchanged(const struct domain *d, const struct domain *copy, const char *op)
{
	const uint8_t *a = (const void *)d, *b = (const void *)copy;
	if (!memcmp(a, b, sizeof(*d)))
		return;
	for (size_t i = 0; i < sizeof(*d); i++)
		if (a[i] != b[i]) {
			fprintf(stderr,
				"%s by domain %u changed domain %u at byte %zu of its state\n", op,
				1 - d->id, d->id, i);
			abort();
		}
}

bool vmmio_dispatch(struct vcpu *v, uint64_t ipa, unsigned size, bool write, uint64_t *val,
		    bool *handled)
{
	const struct vmmio *m = vmmio_find(v->dom, ipa);
	*handled = m != NULL;
	if (!m)
		return false;
	v->mmio = m;
	return m->access(v, ipa - m->base, size, write, val);
}
