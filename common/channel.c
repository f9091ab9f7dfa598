/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Channels between domains: memory both map, and a doorbell interrupt each
 * way, rung with a hypercall the policy checks. Each channel's memory is
 * taken once from free RAM (zeroed, never the hypervisor's or a domain's
 * own) and placed in each end's IPA space just above its RAM; its doorbell is
 * an emulated edge SPI, the highest ones of the domain's virtual GIC downwards
 * (channel k of the config: the k-th from the top).
 */
#include "common/audit.h"
#include "common/channel.h"
#include "common/console.h"
#include "common/domain.h"
#include "common/lib.h"
#include "common/percpu.h"
#include "common/pmem.h"
#include "dt/devices.h"
#include "dt/dom0.h"
#include "dt/policy.h"

#include <libfdt.h>

static uint64_t chan_pa[BH_MAX_CHANNELS]; /* 0: not allocated yet */

static bool inside_board_ram(uint64_t base, uint64_t size)
{
	for (unsigned i = 0; i < board.nmem; i++)
		if (base >= board.mem[i].base &&
		    base + size <= board.mem[i].base + board.mem[i].size)
			return true;
	return false;
}

static int uses_intid(void *ctx, const struct dom0_device *dev)
{
	for (unsigned i = 0; i < dev->res.nirq; i++)
		if (dev->res.irq[i] == *(const unsigned *)ctx)
			return 1;
	return 0;
}

/* Is INTID already an interrupt of one of the domain's devices? */
bool domain_devices_use_intid(const struct domain *d, unsigned intid)
{
	const struct dom_cfg *cfg = d->cfg;
	for (unsigned k = 0; k < cfg->ndevices; k++)
		for (unsigned i = 0; i < cfg->dev[k].nirq; i++)
			if (cfg->dev[k].irq[i] == intid)
				return true;
	/* Static, not address-taken locals (no stack guard): called while
	 * domains are built, at boot on one CPU. */
	static struct dt_error e;
	static unsigned want;
	want = intid;
	return cfg->control && board.fdt &&
	       dt_dom0_for_each_device(&board, &plan, uses_intid, &want, &e) == 1;
}

int channels_attach(struct domain *d, unsigned uart_intid)
{
	uint64_t ipa = ALIGN_UP(d->ram_ipa + d->ram_size, SZ_2M);
	unsigned top = 32 + arch_irq_lines(d) - 1;
	unsigned self = (unsigned)(d->cfg - plan.dom);

	for (unsigned k = 0; k < plan.nchans; k++) {
		const struct chan_cfg *c = &plan.chan[k];
		if (c->end[0] != self && c->end[1] != self)
			continue;
		if (!chan_pa[k]) {
			uint64_t pa = pmem_alloc(&pmem, c->size, 0x10000ULL);
			if (pa == PMEM_NONE) {
				bh_dlog(d->name, "no memory for channel@%x (0x%llx bytes)",
				       c->id, (unsigned long long)c->size);
				return -1;
			}
			if (arch_map_ram(pa, c->size))
				return -1;
			memset((void *)(uintptr_t)pa, 0, c->size);
			arch_dcache_clean_range(pa, c->size);
			chan_pa[k] = pa;
		}
		ipa = ALIGN_UP(ipa, 0x10000ULL);
		if (!inside_board_ram(ipa, c->size) ||
		    (d->guest_32bit && ipa + c->size > (1ULL << 32))) {
			bh_dlog(d->name, "no room for channel@%x above its memory (IPA 0x%llx is "
			       "outside the board's RAM%s)", c->id, (unsigned long long)ipa,
			       d->guest_32bit ? " or above 4 GiB" : "");
			return -1;
		}
		unsigned intid = top - k;
		if (intid < 32 || intid == uart_intid || domain_devices_use_intid(d, intid)) {
			bh_dlog(d->name, "channel@%x's doorbell would be SPI INTID %u, which is "
			       "already one of its devices' interrupts", c->id, intid);
			return -1;
		}
		if (d->nchans == BH_MAX_CHANNELS)
			return -1;
		if (arch_stage2_map(d, ipa, chan_pa[k], c->size, S2_RW /* data only, never code */))
			return -1;
		if (arch_irq_own(d, intid, true, "a channel's doorbell"))
			return -1;
		struct dom_chan *dc = &d->chans[d->nchans++];
		dc->cfg = c;
		dc->notify_tat = 0;
		dc->notify_period =
		    c->max_notify_rate ? MAX(arch_counter_freq() / c->max_notify_rate, 1ULL) : 0;
		dc->peer = c->end[0] == self ? c->end[1] : c->end[0];
		dc->view = (struct chan_view){.id = c->id, .ipa = ipa, .size = c->size,
					      .intid = intid,
					      .peer = plan.dom[dc->peer].name};
		ipa += c->size;
	}
	return 0;
}

/* The channel numbered id (its config id) of domain d, or NULL. */
static struct dom_chan *find(struct domain *d, uint64_t id)
{
	for (unsigned i = 0; i < d->nchans; i++)
		if (d->chans[i].view.id == id)
			return &d->chans[i];
	return NULL;
}

/*
 * max-notify-rate, as a generic cell rate algorithm on the counter: each ring
 * moves the "theoretical arrival time" one period on; a ring is refused while
 * that lies more than a second (less one period) ahead, so no second holds
 * more than the rate. One counter read and a compare-and-swap: no lock.
 */
static bool within_rate(struct dom_chan *c)
{
	uint64_t now = arch_counter(), tau = arch_counter_freq() - c->notify_period;
	uint64_t tat = __atomic_load_n(&c->notify_tat, __ATOMIC_RELAXED);
	do {
		if (tat > now && tat - now > tau)
			return false;
	} while (!__atomic_compare_exchange_n(&c->notify_tat, &tat,
					      MAX(tat, now) + c->notify_period, false,
					      __ATOMIC_RELAXED, __ATOMIC_RELAXED));
	return true;
}

int64_t channel_notify(struct domain *d, uint64_t id)
{
	struct dom_chan *c = find(d, id);
	if (!c)
		return BH_E_INVALID;
	struct domain *peer = &domains[c->peer];
	if (!policy_check(d, peer, CLASS_CHANNEL, PERM_NOTIFY))
		return BH_E_DENIED;
	if (c->notify_period && !within_rate(c)) {
		if (!c->busy_logged) {
			c->busy_logged = true;
			bh_dlog(d->name, "channel@%x: rings beyond max-notify-rate (%u a second) "
			       "refused with BUSY (logged once)", c->view.id, c->cfg->max_notify_rate);
		}
		return BH_E_BUSY;
	}
	const struct dom_chan *back = find(peer, id);
	if (back && __atomic_load_n(&peer->state, __ATOMIC_ACQUIRE) == DOM_RUNNING)
		arch_irq_inject(peer, NULL, back->view.intid);
	return BH_OK;
}
