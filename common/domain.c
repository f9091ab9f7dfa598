/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Domain construction (memory, stage-2, images, DT) and lifecycle: power-off,
 * reboot and fault handling. A domain's end never touches another domain:
 * only its own vCPUs are interrupted, with an IPI to their physical CPUs.
 */
#include "common/channel.h"
#include "common/console.h"
#include "common/control.h"
#include "common/domain.h"
#include "common/image.h"
#include "common/lib.h"
#include "common/percpu.h"
#include "common/vnet.h"
#include "dt/blob.h"
#include "dt/dom0.h"
#include "dt/guest.h"

#include <libfdt.h>

struct domain *domains;
unsigned ndomains;

#define GUEST_DT_MAX 0x10000	/* generated DTs are ~2 KiB; leave room for fragments */

struct vcpu *vcpu_of_cpu(unsigned cpu)
{
	return cpu < board.ncpus ? pcpus[cpu].vcpu : NULL;
}

/* Identity and vCPUs, each pinned to its physical CPU. */
int domain_init_vcpus(struct domain *d, const struct dom_cfg *cfg)
{
	memset(d, 0, sizeof(*d));
	d->id = cfg->id;
	d->slot = (unsigned)(d - domains);
	memcpy(d->name, cfg->name, sizeof(d->name));
	d->cfg = cfg;
	d->state = DOM_OFF;
	d->nvcpus = cfg->ncpus;
	d->vcpu = boot_alloc((uint64_t)cfg->ncpus * sizeof(*d->vcpu), 64);
	if (!d->vcpu) {
		bh_dlog(d->name, "out of hypervisor memory for its vCPUs");
		return -1;
	}
	for (unsigned i = 0; i < d->nvcpus; i++) {
		struct vcpu *v = &d->vcpu[i];
		v->dom = d;
		v->index = i;
		v->pcpu = cfg->cpus[i];
		v->state = VCPU_OFF;
		pcpus[v->pcpu].vcpu = v;
		v->exits = stats_exits_of(v);
	}
	return 0;
}

/* Its RAM (fixed or allocated) and the stage-2 tables that map it. Domains
 * with devices (and dom0) see their RAM at its physical address: without an
 * IOMMU, devices use physical addresses. */
static int domain_alloc_ram(struct domain *d, const struct dom_cfg *cfg, const struct board *b)
{
	d->ram_size = cfg->mem_size;
	bool one_to_one = cfg->control || cfg->ndevices;
	if (cfg->mem_base) {
		if (!pmem_take(&pmem, cfg->mem_base, cfg->mem_size)) {
			bh_dlog(d->name, "memory 0x%llx-0x%llx is not free (hypervisor, reserved "
			       "or another domain's)", (unsigned long long)cfg->mem_base,
			       (unsigned long long)(cfg->mem_base + cfg->mem_size - 1));
			return -1;
		}
		d->ram_pa = d->ram_ipa = cfg->mem_base;
	} else {
		/* 1 GiB-aligned when it is that large and there is room: stage 2 and
		 * our own tables then map it in 1 GiB blocks, not 512 per GiB. */
		d->ram_pa = cfg->mem_size >= SZ_1G ? pmem_alloc(&pmem, cfg->mem_size, SZ_1G) : PMEM_NONE;
		if (d->ram_pa == PMEM_NONE)
			d->ram_pa = pmem_alloc(&pmem, cfg->mem_size, SZ_2M);
		if (d->ram_pa == PMEM_NONE) {
			bh_dlog(d->name, "cannot allocate %llu MiB of memory (%llu MiB free)", (unsigned long long)(cfg->mem_size >> 20),
			       (unsigned long long)(pmem_free_total(&pmem) >> 20));
			return -1;
		}
		d->ram_ipa = one_to_one ? d->ram_pa : arch_guest_ram_base(b);
	}
	if (arch_domain_init(d) || arch_map_ram(d->ram_pa, d->ram_size)) /* we scrub and load it */
		return -1;
	return arch_stage2_map(d, d->ram_ipa, d->ram_pa, d->ram_size, S2_RWX);
}

/* Images: where the kernel's header asks (arm64 Image: text_offset; AArch32
 * zImage: +0x8000; raw binary: the RAM base), the initrd below the DT slot at
 * the top; image_layout() refuses anything outside the domain's RAM. */
static int domain_place_images(struct domain *d, const struct dom_cfg *cfg)
{
	d->kernel = package_find(cfg->kernel, &d->kernel_size);
	if (!d->kernel) {
		bh_dlog(d->name, "image \"%s\" is not in the boot image", cfg->kernel);
		return -1;
	}
	if (cfg->initrd[0]) {
		d->initrd = package_find(cfg->initrd, &d->initrd_size);
		if (!d->initrd) {
			bh_dlog(d->name, "image \"%s\" is not in the boot image",
			       cfg->initrd);
			return -1;
		}
	}
	struct image_layout l;
	char why[200];
	if (arch_image_layout(d->kernel, d->kernel_size, cfg->kernel, d->initrd_size, cfg->initrd,
			 d->ram_size, cfg->firmware_layout, &l, why, sizeof(why))) {
		bh_dlog(d->name, "%s", why);
		return -1;
	}
	d->guest_32bit = l.kernel.kind == IMAGE_ZIMAGE;
	if (d->guest_32bit && !arch_guest_32bit_supported()) {
		bh_dlog(d->name, "image \"%s\" is a 32-bit (AArch32) kernel, but this CPU "
		       "cannot run AArch32 at EL1", cfg->kernel);
		return -1;
	}
	if (d->guest_32bit && d->ram_ipa + d->ram_size > (1ULL << 32)) {
		bh_dlog(d->name, "image \"%s\" is a 32-bit (AArch32) kernel, but its memory "
		       "(IPA 0x%llx-0x%llx) reaches above 4 GiB", cfg->kernel, (unsigned long long)d->ram_ipa,
		       (unsigned long long)(d->ram_ipa + d->ram_size - 1));
		return -1;
	}
	d->kernel_ipa = d->ram_ipa + l.kernel.load_offset;
	d->entry_ipa = d->kernel_ipa;
	d->fdt_ipa = d->ram_ipa + l.fdt_off;
	if (d->initrd)
		d->initrd_ipa = d->ram_ipa + l.initrd_off;
	return 0;
}

/* Its virtual GIC, emulated UART, channels and virtio-net devices. */
static int domain_virt_devices(struct domain *d, const struct board *b)
{
	arch_irq_domain_init(d);
	uint32_t uart_intid = b->uart_irq ? b->uart_irq : 33;
	if (vuart_init(d, b->uart_base, b->uart_size, uart_intid))
		return -1;
	if (arch_irq_domain_register(d) != 0) {
		bh_dlog(d->name, "cannot set up its virtual GIC");
		return -1;
	}
	return channels_attach(d, uart_intid) || vnet_attach(d, uart_intid) ||
		       (d->cfg->control && control_attach(d, uart_intid))
		   ? -1
		   : 0;
}

/* Its DT, built once (a restart only rewrites /chosen/bulkhead,restarts):
 * dom0's from the board DT, any other from scratch. */
static __attribute__((unused)) int domain_build_dt(struct domain *d, const struct dom_cfg *cfg, const struct board *b,
			   const void *fdt)
{
	static struct chan_view views[BH_MAX_CHANNELS];
	static struct vnet_view nviews[BH_MAX_NETWORKS];
	for (unsigned i = 0; i < d->nchans; i++)
		views[i] = d->chans[i].view;
	for (unsigned i = 0; i < d->nnets; i++)
		nviews[i] = d->nets[i].view;
	struct dt_error err;
	int rc;
	if (cfg->control) {
		struct dom0_dt g0 = {.dom = cfg, .plan = &plan, .ram_base = d->ram_ipa,
				     .ram_size = d->ram_size, .initrd_ipa = d->initrd_ipa,
				     .initrd_size = d->initrd_size, .chans = views,
				     .nchans = d->nchans, .nets = nviews, .nnets = d->nnets,
				     .ctl = control_view()};
		int size = (int)fdt_totalsize(fdt) + GUEST_DT_MAX;
		d->fdt = boot_alloc_nozero((uint64_t)size, 8);
		rc = d->fdt ? dt_dom0_build(d->fdt, size, &g0, b, &err) : -1;
	} else {
		struct guest_dt g = {
		    .name = d->name,
		    .ram_ipa = d->ram_ipa,
		    .ram_size = d->ram_size,
		    .nvcpus = d->nvcpus,
		    .bootargs = cfg->bootargs,
		    .initrd_ipa = d->initrd_ipa,
		    .initrd_size = d->initrd_size,
		    .uart_ipa = b->uart_base,
		    .uart_intid = b->uart_irq ? b->uart_irq : 33,
		    .conduit = CONDUIT_HVC,
		    .chans = views,
		    .nchans = d->nchans,
		    .nets = nviews,
		    .nnets = d->nnets,
		    .devices = cfg->devices,
		    .ndevices = cfg->ndevices,
		};
		d->fdt = boot_alloc_nozero(GUEST_DT_MAX, 8);
		rc = d->fdt ? dt_guest_build(d->fdt, GUEST_DT_MAX, &g, b, fdt, &err) : -1;
	}
	if (rc) {
		bh_dlog(d->name, "%s", d->fdt ? err.msg : "out of hypervisor memory");
		return -1;
	}
	d->fdt_size = fdt_totalsize(d->fdt);
	boot_alloc_shrink(d->fdt, d->fdt_size); /* the last allocation: built once, kept */
	int chosen = dt_blob_child(d->fdt, 0, "chosen"), plen = 0;
	d->restarts_prop =
	    chosen >= 0
		? (uint32_t *)(uintptr_t)dt_blob_getprop(d->fdt, chosen, "bulkhead,restarts", &plen)
		: NULL;
	if (plen != 4) /* each restart stores 4 bytes there: only into a cell */
		d->restarts_prop = NULL;
	if (d->fdt_size > IMAGE_DT_SLOT) {
		bh_dlog(d->name, "its DT (%llu KiB) is larger than 2 MiB",
		       (unsigned long long)(d->fdt_size >> 10));
		return -1;
	}
	return 0;
}

int domain_create(struct domain *d, const struct dom_cfg *cfg, const struct board *b,
		  const void *fdt)
{
	return domain_init_vcpus(d, cfg) || domain_alloc_ram(d, cfg, b) || domain_place_images(d, cfg) ||
		       domain_virt_devices(d, b) || arch_domain_boot_info(d, cfg, b, fdt)
		   ? -1
		   : 0;
}

/*
 * Zero every byte of d's RAM that the load does not overwrite: what an earlier
 * life of the domain, the boot loader (the boot image holds every domain's
 * images; U-Boot leaves its DT and itself in RAM) or anyone else left there.
 * Runs on the CPU of the domain's vCPU 0, so the time it takes is the
 * domain's own start-up time, never another domain's.
 */
static void domain_scrub(struct domain *d)
{
	struct {
		uint64_t start, end; /* offsets in the domain's RAM */
	} keep[3], t;
	unsigned n = 0;

	keep[n].start = d->kernel_ipa - d->ram_ipa;
	keep[n].end = keep[n].start + d->kernel_size;
	n++;
	if (d->initrd) {
		keep[n].start = d->initrd_ipa - d->ram_ipa;
		keep[n].end = keep[n].start + d->initrd_size;
		n++;
	}
	keep[n].start = d->fdt_ipa - d->ram_ipa;
	keep[n].end = keep[n].start + d->fdt_size;
	n++;
	for (unsigned i = 1; i < n; i++)
		for (unsigned j = i; j > 0 && keep[j].start < keep[j - 1].start; j--)
			t = keep[j], keep[j] = keep[j - 1], keep[j - 1] = t;
	uint64_t pos = 0;
	for (unsigned i = 0; i < n; i++) {
		if (keep[i].start > pos)
			arch_scrub(d->ram_pa + pos, keep[i].start - pos);
		pos = MAX(pos, keep[i].end);
	}
	if (pos < d->ram_size)
		arch_scrub(d->ram_pa + pos, d->ram_size - pos);
}

/* Every change of a domain's state: stored, then each of its vCPUs told to
 * take the full check at its next entry (kick_siblings makes a running one
 * exit soon). */
static void domain_set_state(struct domain *d, enum dom_state s)
{
	__atomic_store_n(&d->state, s, __ATOMIC_RELEASE);
	domain_recheck(d, VCPU_RECHECK_LIFE);
}

/* Runs on vCPU 0's CPU once every vCPU of d is OFF (cpu_run_loop). */
void domain_load(struct domain *d)
{
	vnet_domain_reset(d); /* before the scrub: no frame is written into it after */
	control_domain_reset(d);
	domain_scrub(d);
	arch_copy_clean(d->ram_pa + (d->kernel_ipa - d->ram_ipa), d->kernel, d->kernel_size);
	if (d->initrd)
		arch_copy_clean(d->ram_pa + (d->initrd_ipa - d->ram_ipa), d->initrd, d->initrd_size);
	if (d->restarts_prop) /* a plain store: no libfdt after boot */
		*d->restarts_prop = __builtin_bswap32(d->restarts);
	arch_copy_clean(d->ram_pa + (d->fdt_ipa - d->ram_ipa), d->fdt, d->fdt_size);
	vuart_reset(d);
	arch_irq_domain_reset(d);
	arch_timer_domain_start(d);
	/* Its console state was reset by the flush its restart requested
	 * (console_domain_flush), in order with its output. */
	spin_lock(&d->lock);
	for (unsigned i = 0; i < d->nvcpus; i++)
		__atomic_store_n(&d->vcpu[i].state, VCPU_OFF, __ATOMIC_RELEASE);
	d->vcpu[0].on_entry = d->entry_ipa;
	d->vcpu[0].on_ctx = d->fdt_ipa;
	d->vcpu[0].on_boot = true;
	__atomic_store_n(&d->vcpu[0].state, VCPU_ON_PENDING, __ATOMIC_RELEASE);
	domain_set_state(d, DOM_RUNNING);
	spin_unlock(&d->lock); /* and an event: vCPU 0's CPU is this one, others may idle */
}

void domain_start(struct domain *d)
{
	/* RESTARTING: "to be loaded", which vCPU 0's CPU does (cpu_run_loop). */
	domain_set_state(d, DOM_RESTARTING);
	arch_send_event();
}

/*
 * The vCPU and domain state machine. Every transition that depends on the
 * other object's state happens under d->lock, and every change of a
 * domain's state sets each of its vCPUs' LIFE recheck byte after it
 * (domain_set_state, domain_stop), so an exit that tests only that word
 * still sees it (docs/ARCHITECTURE.md, "The entry flag word"):
 *
 *   domain RUNNING -> RESTARTING | OFF | STOPPED: domain_reboot, _poweroff,
 *     _fault, on any CPU (a restart may come from a peer's hypercall); the
 *     state is stored first, then kick_siblings() runs.
 *   domain OFF | STOPPED -> RESTARTING: a peer's restart (its vCPUs are OFF).
 *   domain RESTARTING -> RUNNING: domain_load, on vCPU 0's CPU, once every
 *     vCPU is OFF; it makes vCPU 0 ON_PENDING, under d->lock.
 *   vCPU OFF -> ON_PENDING: PSCI CPU_ON (vcpu.c: vcpu_request_on), under d->lock,
 *     only while the domain is RUNNING.
 *   vCPU ON_PENDING -> RUNNING: its own CPU (vcpu.c: vcpu_claim), under d->lock, only
 *     while the domain is RUNNING.
 *   vCPU ON_PENDING -> OFF: kick_siblings(), under d->lock, once the domain
 *     has left RUNNING (not if a load made it RUNNING again meanwhile: a
 *     peer's restart of a domain being loaded merges into that load).
 *   vCPU RUNNING -> OFF: its own CPU (common/vcpu.c: vcpu_stop), whenever it
 *     leaves the guest.
 *
 * So a vCPU that starts does so either before kick_siblings() looks at it
 * (then it is RUNNING there and gets an IPI, which stays pending while EL2
 * runs with interrupts masked and makes it leave as soon as it enters the
 * guest) or after (then it sees the domain is not RUNNING and stays off): no
 * vCPU runs through a restart, and no ON_PENDING vCPU is left for
 * all_vcpus_off() to wait on forever.
 */

/* After d left RUNNING: cancel every CPU_ON not yet taken, and make every other
 * running vCPU of d leave its guest (they see the new domain state). */
static void kick_siblings(struct domain *d)
{
	unsigned me = arch_cpu_index();
	spin_lock(&d->lock);
	/* RUNNING again already: a peer's restart came while the domain was being
	 * loaded (only a peer can act on a domain with no vCPU running), and that
	 * load finished after it: the two restarts are one, and vCPU 0's pending
	 * start is the new life's, not to be cancelled. */
	bool down = __atomic_load_n(&d->state, __ATOMIC_ACQUIRE) != DOM_RUNNING;
	for (unsigned i = 0; i < d->nvcpus; i++) {
		struct vcpu *v = &d->vcpu[i];
		if (down && v->state == VCPU_ON_PENDING)
			__atomic_store_n(&v->state, VCPU_OFF, __ATOMIC_RELEASE);
		else if (v->pcpu != me && v->state == VCPU_RUNNING)
			arch_send_ipi(v->pcpu);
	}
	spin_unlock(&d->lock);
	arch_send_event();
}

/* Ends whose line is not out yet (domain_poweroff, domain_fault). A domain
 * shows it ended at once (its other vCPUs leave at their next exit, a
 * restart asked meanwhile is not overwritten), and the machine's power-off,
 * which another CPU may decide in that window, waits for the line
 * (system_check_idle). */
static unsigned ends_unsaid;

bool domain_ends_unsaid(void)
{
	return __atomic_load_n(&ends_unsaid, __ATOMIC_ACQUIRE) != 0;
}

static void end_begin(struct domain *d, enum dom_state s)
{
	__atomic_add_fetch(&ends_unsaid, 1, __ATOMIC_SEQ_CST); /* before the state */
	domain_set_state(d, s);
	vnet_domain_reset(d); /* frames to it are dropped (and counted) from now on */
}

static void end_said(void)
{
	__atomic_sub_fetch(&ends_unsaid, 1, __ATOMIC_RELEASE);
	arch_send_event(); /* a power-off waiting for it */
}

void domain_poweroff(struct domain *d)
{
	console_domain_flush(d);
	report_flush(d);
	end_begin(d, DOM_OFF);
	bh_log("domain %s powered off", d->name);
	stats_print();
	end_said();
	kick_siblings(d);
	system_check_idle();
}

void domain_reboot(struct domain *d)
{
	console_domain_flush(d);
	domain_set_state(d, DOM_RESTARTING);
	vnet_domain_reset(d);
	d->restarts++;
	/* A guest can restart itself in a loop: this line is one of its reports. */
	if (report_allowed(d))
		bh_log("domain %s restarting (restart %u)", d->name, d->restarts);
	kick_siblings(d);
}

bool domain_stop(struct domain *d)
{
	/* Only from RUNNING: a domain being loaded would come back RUNNING. */
	enum dom_state running = DOM_RUNNING;
	console_domain_flush(d);
	if (!__atomic_compare_exchange_n(&d->state, &running, DOM_OFF, false, __ATOMIC_ACQ_REL,
					 __ATOMIC_ACQUIRE))
		return false;
	domain_recheck(d, VCPU_RECHECK_LIFE);
	vnet_domain_reset(d);
	bh_log("domain %s stopped by the control domain", d->name);
	kick_siblings(d);
	return true;
}

void domain_fault(struct domain *d, const char *why)
{
	console_domain_flush(d);
	switch (d->cfg->on_fault) {
	case FAULT_HALT:
		report_flush(d);
		bh_dlog(d->name, "%s; on-fault = \"halt\": halting the system", why);
		arch_halt_system();
	case FAULT_RESTART:
		/* Faulting again after each restart: rate-limited like its reports. */
		if (report_allowed(d))
			bh_dlog(d->name, "%s; on-fault = \"restart\"", why);
		domain_reboot(d);
		return;
	case FAULT_STOP:
		break;
	}
	report_flush(d);
	end_begin(d, DOM_STOPPED);
	bh_log("domain %s stopped: %s (other domains keep running)", d->name, why);
	end_said();
	kick_siblings(d);
	system_check_idle();
}

bool domain_copy_from_guest(struct domain *d, void *dst, uint64_t ipa, uint64_t size)
{
	if (ipa < d->ram_ipa || size > d->ram_size || ipa - d->ram_ipa > d->ram_size - size)
		return false;
	memcpy(dst, (const void *)(uintptr_t)(d->ram_pa + (ipa - d->ram_ipa)), size);
	return true;
}
