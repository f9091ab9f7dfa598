// SPDX-License-Identifier: Apache-2.0
/*
 * A vCPU's entry flag word (common/domain.h: struct vcpu.recheck): an exit
 * that returns to the same vCPU tests only that word, so every change that
 * must stop a vCPU, restart it or make it look at its interrupts again has
 * to set its byte there, for each vCPU it concerns and no other. Here each
 * writer of the domain state machine (common/domain.c), the vCPU's own
 * (common/vcpu.c) and the vGIC's (gic/vgic.c) is driven on the fake
 * architecture (tests/fake/), and the word is checked after it; then that
 * the full check (vcpu_entry_check, through vcpu_trap_done) acts on it.
 */
#include "check.h"
#include "common/vnet.h"
#include "common/control.h"
#include "common/image.h"
#include "common/pmem.h"
#include "dt/dom0.h"
#include "dt/guest.h"
#include "gic/gic.h"
#include "tests/fake/fake_env.h"
#include "tests/fake/harness.h"

/* ---- what common/domain.c and common/vcpu.c use beyond the fake
 * environment: recorded where a test looks, else nothing to do here ---- */

static unsigned nvcpu_stops, nidle_checks, nvnet_runs;
void arch_vcpu_stop(struct vcpu *v)
{
	(void)v;
	nvcpu_stops++;
}
void system_check_idle(void)
{
	nidle_checks++;
}
void vnet_run_pending(struct vcpu *v)
{
	__atomic_store_n(&v->dom->vnet_pending, false, __ATOMIC_RELAXED);
	nvnet_runs++;
}
void arch_send_ipi(unsigned cpu)
{
	gic_send_ipi(cpu);
}
/* Another CPU may look at the domains' states at any moment, and when none
 * is left running it powers the machine off (system_check_idle). So a domain
 * whose state shows it ended before its line is out must be counted as such
 * (domain_ends_unsaid: the power-off waits for it): looked at here, the first
 * call after the state changes. */
static struct domain *watched;
static bool ended_unsaid;
void vnet_domain_reset(struct domain *d)
{
	d->vnet_pending = false;
	if (d == watched && d->state != DOM_RUNNING && !strstr(fake_log, d->name) &&
	    !domain_ends_unsaid())
		ended_unsaid = true;
}
void console_domain_flush(struct domain *d)
{
	(void)d;
}
void stats_print(void)
{
}
void control_domain_reset(struct domain *d)
{
	(void)d;
}
/* The fake architecture's entry step: the real vGIC's, as arm64's. */
void arch_vcpu_prepare(struct vcpu *v)
{
	vgic_sync_and_flush(v);
}
void arch_timer_domain_start(struct domain *d)
{
	(void)d;
}
void arch_scrub(uint64_t pa, uint64_t size)
{
	memset((void *)(uintptr_t)pa, 0, size);
}
void arch_dcache_clean_range(uint64_t pa, uint64_t size)
{
	(void)pa, (void)size;
}
void arch_copy_clean(uint64_t dst, const void *src, uint64_t size)
{
	memcpy((void *)(uintptr_t)dst, src, size);
}
void arch_halt_system(void)
{
	abort();
}
/* Domain construction and the run loop are not driven here. */
#pragma GCC diagnostic ignored "-Wunused-parameter"
#define NOT_HERE(decl)                                                                             \
	decl                                                                                       \
	{                                                                                          \
		abort();                                                                           \
	}
NOT_HERE(void arch_vcpu_reset(struct vcpu *v, uint64_t e, uint64_t c))
NOT_HERE(void arch_vcpu_run(struct vcpu *v))
NOT_HERE(int arch_domain_init(struct domain *d))
NOT_HERE(int arch_map_ram(uint64_t pa, uint64_t size))
NOT_HERE(void *boot_alloc(uint64_t size, uint64_t align))
NOT_HERE(void *boot_alloc_nozero(uint64_t size, uint64_t align))
NOT_HERE(void boot_alloc_shrink(void *p, uint64_t size))
NOT_HERE(const void *package_find(const char *name, uint64_t *size))
NOT_HERE(int channels_attach(struct domain *d, unsigned intid))
NOT_HERE(int vnet_attach(struct domain *d, unsigned intid))
NOT_HERE(int control_attach(struct domain *d, unsigned uart_intid))
NOT_HERE(const struct vnet_view *control_view(void))
NOT_HERE(bool arch_guest_32bit_supported(void))
NOT_HERE(uint64_t pmem_alloc(struct pmem *p, uint64_t size, uint64_t align))
NOT_HERE(bool pmem_take(struct pmem *p, uint64_t base, uint64_t size))
NOT_HERE(uint64_t pmem_free_total(const struct pmem *p))
NOT_HERE(int image_layout(const uint8_t *hdr, uint64_t size, const char *kernel_name,
			  uint64_t initrd_size, const char *initrd_name, uint64_t ram_size,
			  bool firmware, struct image_layout *l, char *why, size_t why_len))
NOT_HERE(int dt_dom0_build(void *buf, int bufsize, const struct dom0_dt *g, const struct board *b,
			   struct dt_error *err))
NOT_HERE(int dt_guest_build(void *buf, int bufsize, const struct guest_dt *g, const struct board *b,
			    const void *host_fdt, struct dt_error *err))
struct pmem pmem;

/* ---- the checks ---- */

/* Which bytes of which vCPUs are set: domain i's vCPU k at bit 2 * i + k. */
static unsigned flagged(enum vcpu_recheck why)
{
	unsigned m = 0;
	for (unsigned i = 0; i < 2; i++)
		for (unsigned k = 0; k < 2; k++)
			if (h_recheck(&domains[i].vcpu[k], why))
				m |= 1u << (2 * i + k);
	return m;
}

#define D1_BOTH 0xcu /* domain 1's two vCPUs */

/* A 32-bit register write by v's guest, through the MMIO dispatch. */
static void guest_w(struct vcpu *v, uint64_t ipa, uint32_t val)
{
	bool handled = false;
	uint64_t x = val;
	fake_enter(v);
	CHECK(vmmio_dispatch(v, ipa, 4, true, &x, &handled) && handled);
}

/* GICv3: v's SGI `sgi` enabled in group 1, the distributor's groups too. */
static void enable_sgi(struct vcpu *v, unsigned sgi)
{
	uint64_t frame = board.gicr.base + h_vcpu_index(v) * 0x20000ull + 0x10000;
	guest_w(v, board.gicd.base + 0x000, 3); /* GICD_CTLR: EnableGrp0 | EnableGrp1 */
	guest_w(v, frame + 0x080, ~0u);		/* GICR_IGROUPR0 */
	guest_w(v, frame + 0x100, 1u << sgi);	/* GICR_ISENABLER0 */
}

/* Two running domains of two running vCPUs, every word clear, domain 1
 * stopping (not halting the system) on a fault. */
static void setup(void)
{
	fake_setup(3);
	plan.dom[1].on_fault = FAULT_STOP;
	h_recheck_clear_all();
	nvcpu_stops = nidle_checks = nvnet_runs = 0;
}

static void test_domain_state_changes(void)
{
	setup();
	domain_poweroff(&domains[1]);
	CHECK_EQ(flagged(VCPU_RECHECK_LIFE), D1_BOTH); /* its vCPUs, no other domain's */
	CHECK_EQ(flagged(VCPU_RECHECK_VGIC) | flagged(VCPU_RECHECK_NET), 0u);

	setup();
	domain_reboot(&domains[1]);
	CHECK_EQ(flagged(VCPU_RECHECK_LIFE), D1_BOTH);

	setup();
	CHECK(domain_stop(&domains[1]));
	CHECK_EQ(flagged(VCPU_RECHECK_LIFE), D1_BOTH);
	h_recheck_clear_all();
	CHECK(!domain_stop(&domains[1])); /* already off: no change, nothing to announce */
	CHECK_EQ(flagged(VCPU_RECHECK_LIFE), 0u);

	setup();
	domain_fault(&domains[1], "a test fault");
	CHECK_EQ(domains[1].state, DOM_STOPPED);
	CHECK_EQ(flagged(VCPU_RECHECK_LIFE), D1_BOTH);

	setup();
	plan.dom[1].on_fault = FAULT_RESTART;
	domain_fault(&domains[1], "a test fault");
	CHECK_EQ(domains[1].state, DOM_RESTARTING);
	CHECK_EQ(flagged(VCPU_RECHECK_LIFE), D1_BOTH);

	setup();
	domain_start(&domains[0]);
	CHECK_EQ(flagged(VCPU_RECHECK_LIFE), 0x3u);
}

static void test_ended_said_first(void)
{
	setup();
	watched = &domains[1];
	ended_unsaid = false;
	fake_log[0] = 0;
	domain_poweroff(&domains[1]);
	CHECK(!ended_unsaid);
	CHECK_EQ(domains[1].state, DOM_OFF);
	CHECK(!domain_ends_unsaid()); /* said: nothing left to wait for */
	setup();
	fake_log[0] = 0;
	domain_fault(&domains[1], "a test fault");
	CHECK(!ended_unsaid);
	CHECK_EQ(domains[1].state, DOM_STOPPED);
	CHECK(!domain_ends_unsaid());
	watched = NULL;
}

/* A restart's load: RESTARTING -> RUNNING with vCPU 0 pending, on its CPU. */
static void test_domain_load(void)
{
	static const uint8_t image[64] = {0x14}, dt[64] = {0xd0};
	setup();
	struct domain *d = &domains[1];
	domain_reboot(d);
	d->kernel = image;
	d->kernel_size = sizeof(image);
	d->kernel_ipa = d->entry_ipa = d->ram_ipa;
	d->fdt = (void *)(uintptr_t)dt;
	d->fdt_size = sizeof(dt);
	d->fdt_ipa = d->ram_ipa + 0x1000;
	for (unsigned k = 0; k < 2; k++)
		d->vcpu[k].state = VCPU_OFF;
	h_recheck_clear_all();
	fake_enter(&d->vcpu[0]);
	domain_load(d);
	CHECK_EQ(d->state, DOM_RUNNING);
	CHECK_EQ(d->vcpu[0].state, VCPU_ON_PENDING);
	CHECK_EQ(flagged(VCPU_RECHECK_LIFE), D1_BOTH);
}

/* A vCPU's own stop (CPU_OFF, or it saw its domain stop): its next life
 * starts with the full check; nobody else's word changes. */
static void test_vcpu_stop(void)
{
	setup();
	struct vcpu *v = &domains[0].vcpu[1];
	fake_enter(v);
	vcpu_stop(v);
	CHECK_EQ(v->state, VCPU_OFF);
	CHECK_EQ(flagged(VCPU_RECHECK_LIFE), 0x2u);
}

/* A change of a domain's interrupt model (vgic_unlock): each of its vCPUs
 * looks at the next exit; an SGI: its targets only. */
static void test_vgic_writers(void)
{
	setup();
	vgic_set_level(&domains[1], 48, true);
	CHECK_EQ(flagged(VCPU_RECHECK_VGIC), D1_BOTH);
	CHECK_EQ(flagged(VCPU_RECHECK_LIFE), 0u);

	setup();
	vgic_set_level(&domains[1], 48, false); /* no change: only looked */
	CHECK_EQ(flagged(VCPU_RECHECK_VGIC), 0u);

	setup();
	struct vcpu *v = &domains[0].vcpu[0];
	fake_enter(v);
	uint32_t tickets = domains[0].arch.vgic_lock.next;
	uint64_t gen = domains[0].arch.vgic_gen;
	vgic_send_sgi(v, 1, 1u << 1);
	CHECK_EQ(flagged(VCPU_RECHECK_VGIC), 0x2u); /* the target, not the sender */
	/* GICv3: the SGI handed over in the target's word, no vGIC lock taken
	 * and no generation (docs/ARCHITECTURE.md, the SGI handover). */
	CHECK_EQ(domains[0].vcpu[1].arch.vgic.sgi_in, 1u << 1);
	CHECK_EQ(domains[0].arch.vgic_lock.next, tickets);
	CHECK_EQ(domains[0].arch.vgic_gen, gen);
	h_recheck_clear_all();
	vgic_send_sgi(v, 1, 1u << 0);
	CHECK_EQ(flagged(VCPU_RECHECK_VGIC), 0x1u); /* to itself */

	/* Another vCPU reads a vCPU's ISPENDR0 while it has a register in
	 * use: that vCPU's next exit reads them back; its own read, nothing. */
	setup();
	struct vcpu *w = &domains[0].vcpu[1];
	uint64_t w_sgi = board.gicr.base + 0x20000ull + 0x10000, val = 0;
	bool handled = false;
	enable_sgi(w, 1);
	vgic_send_sgi(v, 1, 1u << 1);
	fake_enter(w);
	CHECK(vcpu_trap_done(w, TRAP_CONTINUE)); /* listed */
	h_recheck_clear_all();
	CHECK(vmmio_dispatch(w, w_sgi + 0x200, 4, false, &val, &handled) && handled);
	CHECK_EQ(flagged(VCPU_RECHECK_VGIC), 0u);
	fake_enter(v);
	CHECK(vmmio_dispatch(v, w_sgi + 0x200, 4, false, &val, &handled) && handled);
	CHECK_EQ(flagged(VCPU_RECHECK_VGIC), 0x2u);
	CHECK_EQ(val, 1u << 1);
}

/* The full check: it clears the word and acts on what it announces; a list
 * register in use sets nothing (docs/ARCHITECTURE.md, the in-use registers). */
static void test_entry_check(void)
{
	setup();
	struct domain *d = &domains[0];
	struct vcpu *v = &d->vcpu[0];
	fake_enter(v);
	CHECK(vcpu_trap_done(v, TRAP_CONTINUE)); /* nothing set: straight back */
	CHECK_EQ(nvcpu_stops, 0u);

	/* An SGI to itself, enabled: listed at this exit; the next exit has
	 * nothing to do until the model changes. */
	enable_sgi(v, 1);
	h_recheck_clear_all();
	vgic_send_sgi(v, 1, 1u << 0);
	CHECK(vcpu_trap_done(v, TRAP_CONTINUE));
	CHECK(h_lr_used(v) != 0);
	CHECK(!h_recheck(v, VCPU_RECHECK_VGIC));
	CHECK(!h_recheck(v, VCPU_RECHECK_LIFE));

	/* A waiting transmit queue: its next budget at the next exit. */
	setup();
	v = &domains[0].vcpu[0];
	fake_enter(v);
	d = v->dom;
	d->vnet_pending = true;
	domain_recheck(d, VCPU_RECHECK_NET);
	CHECK(vcpu_trap_done(v, TRAP_CONTINUE));
	CHECK_EQ(nvnet_runs, 1u);
	CHECK_EQ(h_recheck_word(v), 0u);

	/* Its domain stopped from another CPU: the vCPU leaves at its next exit. */
	setup();
	v = &domains[1].vcpu[0];
	fake_enter(&domains[0].vcpu[0]);
	CHECK(domain_stop(v->dom));
	fake_enter(v);
	CHECK(!vcpu_trap_done(v, TRAP_CONTINUE));
	CHECK_EQ(v->state, VCPU_OFF);
	CHECK_EQ(nvcpu_stops, 1u);
}

int main(void)
{
	RUN(test_domain_state_changes);
	RUN(test_ended_said_first);
	RUN(test_domain_load);
	RUN(test_vcpu_stop);
	RUN(test_vgic_writers);
	RUN(test_entry_check);
	return check_summary("test_recheck");
}
