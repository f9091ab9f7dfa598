/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Domain construction (memory, stage-2, images, DT) and lifecycle: power-off,
 * reboot and fault handling. A domain's end never touches another domain:
 * only its own vCPUs are interrupted, with an IPI to their physical CPUs.
 */
#include "common/console.h"
#include "common/domain.h"
#include "common/lib.h"
#include "common/percpu.h"
#include "dt/guest.h"
#include "gic/vgic.h"
#include "vtimer/vtimer.h"

#include <libfdt.h>

struct domain domains[BH_MAX_DOMAINS];
unsigned ndomains;

#define GUEST_DT_MAX 0x10000	/* generated DTs are ~2 KiB; leave room for fragments */
#define GUEST_DT_SLOT SZ_2M	/* top 2 MiB of a domain's RAM hold its DT */

struct vcpu *vcpu_of_cpu(unsigned cpu)
{
	return cpu < BH_MAX_CPUS ? pcpus[cpu].vcpu : NULL;
}

static bool read_image_header(const uint8_t *img, uint64_t size, uint64_t *text_offset,
			      uint64_t *image_size)
{
	if (size < 64 || memcmp(img + 0x38, "ARM\x64", 4))
		return false;
	uint64_t to, is;
	memcpy(&to, img + 8, 8);
	memcpy(&is, img + 16, 8);
	*text_offset = to;
	*image_size = is ? is : size;
	return true;
}

int domain_create(struct domain *d, const struct dom_cfg *cfg, const struct board *b,
		  const void *fdt)
{
	struct dt_error err;

	memset(d, 0, sizeof(*d));
	d->id = cfg->id;
	memcpy(d->name, cfg->name, sizeof(d->name));
	d->cfg = cfg;
	d->state = DOM_OFF;
	d->nvcpus = cfg->ncpus;
	for (unsigned i = 0; i < d->nvcpus; i++) {
		struct vcpu *v = &d->vcpu[i];
		v->dom = d;
		v->index = i;
		v->pcpu = cfg->cpus[i];
		v->state = VCPU_OFF;
		pcpus[v->pcpu].vcpu = v;
	}

	d->ram_size = cfg->mem_size;
	if (cfg->mem_base) {
		if (!pmem_take(&pmem, cfg->mem_base, cfg->mem_size)) {
			bh_log("domain %s: memory 0x%llx-0x%llx is not free (hypervisor, reserved "
			       "or another domain's)",
			       d->name, (unsigned long long)cfg->mem_base,
			       (unsigned long long)(cfg->mem_base + cfg->mem_size - 1));
			return -1;
		}
		d->ram_pa = d->ram_ipa = cfg->mem_base;
	} else {
		d->ram_pa = pmem_alloc(&pmem, cfg->mem_size, SZ_2M);
		if (!d->ram_pa) {
			bh_log("domain %s: cannot allocate %llu MiB of memory (%llu MiB free)",
			       d->name, (unsigned long long)(cfg->mem_size >> 20),
			       (unsigned long long)(pmem_free_total(&pmem) >> 20));
			return -1;
		}
		d->ram_ipa = b->mem[0].base;
	}
	if (arch_domain_init(d))
		return -1;
	if (arch_stage2_map(d, d->ram_ipa, d->ram_pa, d->ram_size, 7 /* RWX */))
		return -1;

	/* Images: the kernel at its text_offset (Image) or at the RAM base (raw binary). */
	d->kernel = package_find(cfg->kernel, &d->kernel_size);
	if (!d->kernel) {
		bh_log("domain %s: image \"%s\" is not in the boot image", d->name, cfg->kernel);
		return -1;
	}
	uint64_t text_offset = 0, span = d->kernel_size;
	read_image_header(d->kernel, d->kernel_size, &text_offset, &span);
	if (span < d->kernel_size)
		span = d->kernel_size;
	d->kernel_ipa = d->ram_ipa + text_offset;
	d->entry_ipa = d->kernel_ipa;
	d->fdt_ipa = d->ram_ipa + d->ram_size - GUEST_DT_SLOT;
	uint64_t limit = d->fdt_ipa;
	if (cfg->initrd[0]) {
		d->initrd = package_find(cfg->initrd, &d->initrd_size);
		if (!d->initrd) {
			bh_log("domain %s: image \"%s\" is not in the boot image", d->name,
			       cfg->initrd);
			return -1;
		}
		d->initrd_ipa = ALIGN_DOWN(d->fdt_ipa - d->initrd_size, SZ_4K);
		limit = d->initrd_ipa;
	}
	if (d->ram_size <= GUEST_DT_SLOT || d->fdt_ipa < d->ram_ipa ||
	    d->kernel_ipa + span > limit || (d->initrd && d->initrd_ipa < d->ram_ipa)) {
		bh_log("domain %s: kernel (%llu KiB at +0x%llx)%s%s and its DT (2 MiB) do not fit "
		       "in memory-size 0x%llx",
		       d->name, (unsigned long long)(span >> 10), (unsigned long long)text_offset,
		       d->initrd ? " + initrd " : "", d->initrd ? cfg->initrd : "",
		       (unsigned long long)d->ram_size);
		return -1;
	}

	vgic_domain_init(d);
	uint32_t uart_intid = b->uart_irq ? b->uart_irq : 33;
	vuart_init(d, b->uart_base, uart_intid);
	if ((b->gic_version == 3 ? vgic_v3_register(d) : vgic_v2_register(d)) != 0) {
		bh_log("domain %s: cannot set up its virtual GIC", d->name);
		return -1;
	}

	struct guest_dt g = {
		.name = d->name,
		.ram_ipa = d->ram_ipa,
		.ram_size = d->ram_size,
		.nvcpus = d->nvcpus,
		.bootargs = cfg->bootargs,
		.initrd_ipa = d->initrd_ipa,
		.initrd_size = d->initrd_size,
		.uart_ipa = b->uart_base,
		.uart_intid = uart_intid,
		.conduit = CONDUIT_HVC,
	};
	d->fdt = boot_alloc(GUEST_DT_MAX, 8);
	if (!d->fdt || dt_guest_build(d->fdt, GUEST_DT_MAX, &g, b, fdt, &err)) {
		bh_log("domain %s: %s", d->name, d->fdt ? err.msg : "out of hypervisor memory");
		return -1;
	}
	d->fdt_size = fdt_totalsize(d->fdt);
	return 0;
}

void domain_load(struct domain *d)
{
	uint8_t *ram = (uint8_t *)(uintptr_t)d->ram_pa;

	memcpy(ram + (d->kernel_ipa - d->ram_ipa), d->kernel, d->kernel_size);
	arch_dcache_clean_range(d->ram_pa + (d->kernel_ipa - d->ram_ipa), d->kernel_size);
	if (d->initrd) {
		memcpy(ram + (d->initrd_ipa - d->ram_ipa), d->initrd, d->initrd_size);
		arch_dcache_clean_range(d->ram_pa + (d->initrd_ipa - d->ram_ipa), d->initrd_size);
	}
	memcpy(ram + (d->fdt_ipa - d->ram_ipa), d->fdt, d->fdt_size);
	arch_dcache_clean_range(d->ram_pa + (d->fdt_ipa - d->ram_ipa), d->fdt_size);
	vuart_reset(d);
	vgic_domain_reset(d);
	vtimer_domain_start(d);
	d->con_len = 0;
	for (unsigned i = 0; i < d->nvcpus; i++)
		d->vcpu[i].state = VCPU_OFF;
	d->vcpu[0].on_entry = d->entry_ipa;
	d->vcpu[0].on_ctx = d->fdt_ipa;
	__atomic_store_n(&d->vcpu[0].state, VCPU_ON_PENDING, __ATOMIC_RELEASE);
	__atomic_store_n(&d->state, DOM_RUNNING, __ATOMIC_RELEASE);
	arch_send_event();
}

/* Make every other vCPU of d leave its guest (they see the new domain state). */
static void kick_siblings(struct domain *d)
{
	unsigned me = arch_cpu_index();
	for (unsigned i = 0; i < d->nvcpus; i++) {
		struct vcpu *v = &d->vcpu[i];
		if (v->pcpu != me && v->state == VCPU_RUNNING)
			arch_send_ipi(v->pcpu);
	}
	arch_send_event();
}

void domain_poweroff(struct domain *d)
{
	console_domain_flush(d);
	__atomic_store_n(&d->state, DOM_OFF, __ATOMIC_RELEASE);
	bh_log("domain %s powered off", d->name);
	kick_siblings(d);
	system_check_idle();
}

void domain_reboot(struct domain *d)
{
	console_domain_flush(d);
	__atomic_store_n(&d->state, DOM_RESTARTING, __ATOMIC_RELEASE);
	d->restarts++;
	bh_log("domain %s restarting (restart %u)", d->name, d->restarts);
	kick_siblings(d);
}

void domain_fault(struct domain *d, const char *why)
{
	console_domain_flush(d);
	switch (d->cfg->on_fault) {
	case FAULT_HALT:
		bh_log("domain %s: %s; on-fault = \"halt\": halting the system", d->name, why);
		arch_halt_system();
	case FAULT_RESTART:
		bh_log("domain %s: %s; on-fault = \"restart\"", d->name, why);
		domain_reboot(d);
		return;
	case FAULT_STOP:
		break;
	}
	__atomic_store_n(&d->state, DOM_STOPPED, __ATOMIC_RELEASE);
	bh_log("domain %s stopped: %s (other domains keep running)", d->name, why);
	kick_siblings(d);
	system_check_idle();
}

void vcpu_leave(struct vcpu *v)
{
	__atomic_store_n(&v->state, VCPU_OFF, __ATOMIC_RELEASE);
	arch_send_event();
	arch_park_cpu();
}

static bool all_vcpus_off(struct domain *d)
{
	for (unsigned i = 0; i < d->nvcpus; i++)
		if (__atomic_load_n(&d->vcpu[i].state, __ATOMIC_ACQUIRE) != VCPU_OFF)
			return false;
	return true;
}

void cpu_run_loop(void)
{
	struct vcpu *v = vcpu_of_cpu(arch_cpu_index());

	for (;;) {
		if (v) {
			struct domain *d = v->dom;
			enum dom_state ds = __atomic_load_n(&d->state, __ATOMIC_ACQUIRE);
			/* vCPU 0's CPU reloads a restarting domain once all its vCPUs left. */
			if (ds == DOM_RESTARTING && v->index == 0 && all_vcpus_off(d)) {
				domain_load(d);
				continue;
			}
			if (ds == DOM_RUNNING &&
			    __atomic_load_n(&v->state, __ATOMIC_ACQUIRE) == VCPU_ON_PENDING) {
				v->state = VCPU_RUNNING;
				arch_vcpu_reset(v, v->on_entry, v->on_ctx);
				arch_vcpu_run(v);
			}
		}
		arch_idle();
	}
}

bool domain_copy_from_guest(struct domain *d, void *dst, uint64_t ipa, uint64_t size)
{
	if (ipa < d->ram_ipa || size > d->ram_size || ipa - d->ram_ipa > d->ram_size - size)
		return false;
	memcpy(dst, (const void *)(uintptr_t)(d->ram_pa + (ipa - d->ram_ipa)), size);
	return true;
}
