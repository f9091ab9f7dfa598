/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Virtual networks wired into domains: one switch (common/vswitch.c) per
 * config network, one port per member, each member's virtio-net device as a
 * trapped virtio-mmio window (common/virtio_mmio.c) and a level SPI. One
 * lock per network covers its switch and every one of its ports' devices
 * (docs/networking.md, "Locking"); it is taken before a domain's vGIC lock,
 * never inside it.
 */
#include "common/vnet.h"
#include "common/audit.h"
#include "common/channel.h"
#include "common/console.h"
#include "common/domain.h"
#include "common/lib.h"
#include "common/percpu.h"
#include "common/report.h"
#include "common/vswitch.h"
#include "dt/policy.h"

struct vnet {
	struct spinlock lock;		       /* sw, and every port's device */
	bool ready;			       /* vswitch_init done */
	struct domain *dom[VSWITCH_PORTS_MAX]; /* port -> its member */
	unsigned intid[VSWITCH_PORTS_MAX];     /* port -> its SPI in the member's view */
	uint8_t allow[VSWITCH_PORTS_MAX];      /* port -> the ports it may send to (policy
						* "net { send }", computed at boot) */
	struct vswitch sw;
};

/* Indexed like plan.net[]: from the boot heap, as many as the config has
 * (none without networks; 40 KiB of .bss zeroed at every boot otherwise). */
static struct vnet *nets;

/*
 * Where a member's virtio-mmio windows go, chosen here only: above its RAM
 * and above its channels (common/channel.c puts those from the first 2 MiB
 * boundary above RAM up), on the next 64 KiB boundary, one 4 KiB page per
 * network in config order. That range is board RAM the domain does not own,
 * so no device, GIC frame or RAM of its own lies there; stage 2 maps nothing
 * there, so every access traps.
 */
uint64_t vnet_window_ipa(const struct domain *d, unsigned k)
{
	uint64_t end = ALIGN_UP(d->ram_ipa + d->ram_size, SZ_2M);
	for (unsigned i = 0; i < d->nchans; i++)
		end = MAX(end, d->chans[i].view.ipa + d->chans[i].view.size);
	return ALIGN_UP(end, 0x10000ULL) + (uint64_t)k * 0x1000;
}

static bool inside_board_ram(uint64_t base, uint64_t size)
{
	for (unsigned i = 0; i < board.nmem; i++)
		if (base >= board.mem[i].base &&
		    base + size <= board.mem[i].base + board.mem[i].size)
			return true;
	return false;
}

/* The port's line follows its InterruptStatus (a level); under n->lock. */
static void update_line(struct vnet *n, unsigned port)
{
	arch_irq_set_level(n->dom[port], n->intid[port], virtio_mmio_irq(&n->sw.port[port].dev));
}

/* Once per device, the first reason it broke (f: its fault, read under the
 * network's lock; printed after it, with any audit line the frames made
 * due): only that device stopped. */
static void after_unlock(struct vnet *n, unsigned port, struct virtio_fault f)
{
	struct domain *d = n->dom[port];
	audit_flush();
	if (f.err != VQ_OK && report_once(d, REPORT_VNET, (uint32_t)port))
		bh_dlog(d->name, "its virtio-net device (network@%x) broke: %s on queue %u; "
		       "it needs a reset by its driver (other ports unaffected)", plan.net[n - nets].id, vq_err_name(f.err), f.queue);
}

/* Forward from port's transmit queue (the sender's exit, its CPU): one
 * budget, then the lines of every port whose status changed. Under n->lock. */
static void run_tx(struct vnet *n, unsigned port)
{
	uint32_t irq;
	enum vswitch_result r = vswitch_tx(&n->sw, port, &irq);
	for (unsigned i = 0; i < n->sw.nports; i++)
		if (irq & (1u << i))
			update_line(n, i); /* a receiver on another CPU: an IPI, charged to
					    * the sender (stats_kick) */
	if (r == VSWITCH_MORE) {
		__atomic_store_n(&n->dom[port]->vnet_pending, true, __ATOMIC_RELAXED);
		domain_recheck(n->dom[port], VCPU_RECHECK_NET);
	}
	/* VSWITCH_FAULT: in the port's fault, reported after the unlock */
}

/* The switch's policy hook, per frame and receiver: a bit of the matrix;
 * a denial is audited (coalesced there). */
static bool may_send(const void *ctx, unsigned src, unsigned dst)
{
	const struct vnet *n = ctx;
	if (n->allow[src] & (1u << dst))
		return true;
	audit_denied_held((unsigned)(n->dom[src]->cfg - plan.dom),
		     (unsigned)(n->dom[dst]->cfg - plan.dom), CLASS_NET, PERM_SEND);
	return false;
}

/* The new port's row and column of the matrix, from the policy's rules. */
static void allow_port(struct vnet *n, unsigned port)
{
	const struct dom_cfg *me = n->dom[port]->cfg;
	for (unsigned i = 0; i < port; i++) {
		const struct dom_cfg *o = n->dom[i]->cfg;
		if (dt_policy_allows(&plan, me, o, CLASS_NET, PERM_SEND))
			n->allow[port] |= (uint8_t)(1u << i);
		if (dt_policy_allows(&plan, o, me, CLASS_NET, PERM_SEND))
			n->allow[i] |= (uint8_t)(1u << port);
	}
}

static const struct dom_net *net_of(const struct vcpu *v)
{
	const struct domain *d = v->dom;
	for (unsigned i = 0; i < d->nnets; i++)
		if (d->nets[i].view.ipa == v->mmio->base)
			return &d->nets[i];
	return NULL;
}

static bool vnet_access(struct vcpu *v, uint64_t off, unsigned size, bool write, uint64_t *val)
{
	const struct dom_net *dn = net_of(v);
	if (!dn)
		return false;
	struct vnet *n = &nets[dn->net];
	struct virtio_mmio *dev = &n->sw.port[dn->port].dev;
	enum virtio_mmio_result r;
	unsigned queue = 0;

	spin_lock(&n->lock);
	if (write) {
		r = virtio_mmio_write(dev, (uint32_t)off, size, (uint32_t)*val, &queue);
	} else {
		uint32_t x = 0;
		r = virtio_mmio_read(dev, (uint32_t)off, size, &x);
		*val = x;
	}
	/* Receive buffers posted (queue 0) are simply there for the next frame:
	 * nothing is queued, so only a transmit notify has work to do. */
	if (r == VIRTIO_MMIO_NOTIFY && queue == 1)
		run_tx(n, dn->port);
	update_line(n, dn->port);
	struct virtio_fault f = dev->fault;
	spin_unlock(&n->lock);
	after_unlock(n, dn->port, f);

	if (r == VIRTIO_MMIO_BAD && report_allowed(v->dom))
		bh_dlog(v->dom->name, "virtio-net@%llx: bad %s of %u bytes at +0x%llx ignored", (unsigned long long)dn->view.ipa, write ? "write" : "read",
		       size, (unsigned long long)off);
	return true; /* a bad access reads as zero and changes nothing (networking.md) */
}

void vnet_run_pending(struct vcpu *v)
{
	struct domain *d = v->dom;
	__atomic_store_n(&d->vnet_pending, false, __ATOMIC_RELAXED);
	for (unsigned i = 0; i < d->nnets; i++) {
		struct vnet *n = &nets[d->nets[i].net];
		struct vswitch_port *p = &n->sw.port[d->nets[i].port];
		spin_lock(&n->lock);
		if (p->pending)
			run_tx(n, d->nets[i].port);
		struct virtio_fault f = p->dev.fault;
		spin_unlock(&n->lock);
		after_unlock(n, d->nets[i].port, f);
	}
}

void vnet_domain_reset(struct domain *d)
{
	__atomic_store_n(&d->vnet_pending, false, __ATOMIC_RELAXED);
	for (unsigned i = 0; i < d->nnets; i++) {
		struct vnet *n = &nets[d->nets[i].net];
		struct vswitch_port *p = &n->sw.port[d->nets[i].port];
		spin_lock(&n->lock);
		virtio_mmio_reset(&p->dev);
		p->pending = false;
		update_line(n, d->nets[i].port);
		spin_unlock(&n->lock);
	}
}

int vnet_attach(struct domain *d, unsigned uart_intid)
{
	unsigned self = (unsigned)(d->cfg - plan.dom);
	unsigned top = 32 + arch_irq_lines(d) - 1;

	if (!nets && plan.nnets &&
	    !(nets = boot_alloc((uint64_t)plan.nnets * sizeof(*nets), 64))) {
		bh_log("domain %s: no memory left for the networks", d->name);
		return -1;
	}
	for (unsigned k = 0; k < plan.nnets; k++) {
		const struct net_cfg *c = &plan.net[k];
		const struct net_port_cfg *pc = NULL;
		for (unsigned i = 0; i < c->nports; i++)
			if (c->port[i].dom == self)
				pc = &c->port[i];
		if (!pc)
			continue;
		struct vnet *n = &nets[k];
		if (!n->ready) {
			vswitch_init(&n->sw, may_send, n);
			n->ready = true;
		}
		uint64_t ipa = vnet_window_ipa(d, k);
		if (!inside_board_ram(ipa, 0x1000) ||
		    (d->guest_32bit && ipa + 0x1000 > (1ULL << 32))) {
			bh_dlog(d->name, "no room for network@%x's device above its memory (IPA "
			       "0x%llx is outside the board's RAM%s)", c->id, (unsigned long long)ipa,
			       d->guest_32bit ? " or above 4 GiB" : "");
			return -1;
		}
		/* SPIs: channels take the highest ones (channel k: top - k); networks
		 * the ones below them, network k of the config: top - nchans - k. */
		unsigned intid = top - plan.nchans - k;
		if (intid < 32 || intid == uart_intid || domain_devices_use_intid(d, intid)) {
			bh_dlog(d->name, "network@%x's device interrupt would be SPI INTID %u, "
			       "which is already one of its devices' interrupts", c->id, intid);
			return -1;
		}
		if (d->nvmmio == BH_MAX_VMMIO) {
			bh_dlog(d->name, "too many emulated regions for network@%x",
			       c->id);
			return -1;
		}
		struct vq_mem mem = {.base = d->ram_ipa,
				     .size = d->ram_size,
				     .host = (uint8_t *)(uintptr_t)d->ram_pa};
		int port = vswitch_add_port(&n->sw, d->id, &mem, pc->mac, pc->trunk, pc->pvid,
					    pc->vlans, pc->nvlans);
		if (port < 0) {
			bh_dlog(d->name, "cannot add its port to network@%x", c->id);
			return -1;
		}
		n->dom[port] = d;
		n->intid[port] = intid;
		allow_port(n, (unsigned)port);
		if (arch_irq_own(d, intid, false, "a network port"))
			return -1;
		struct vmmio *m = &d->vmmio[d->nvmmio++];
		m->base = ipa;
		m->size = VNET_WINDOW_SIZE;
		m->access = vnet_access;
		d->nets[d->nnets++] = (struct dom_net){
		    .net = k, .port = (unsigned)port, .view = {.ipa = ipa, .intid = intid}};
		bh_dlog(d->name, "network@%x port %u: virtio-net at 0x%llx, SPI %u, MAC "
		       "%02x:%02x:%02x:%02x:%02x:%02x", c->id, (unsigned)port, (unsigned long long)ipa, intid, pc->mac[0],
		       pc->mac[1], pc->mac[2], pc->mac[3], pc->mac[4], pc->mac[5]);
	}
	return 0;
}

void vnet_print_stats(void)
{
	for (unsigned k = 0; nets && k < plan.nnets; k++) {
		struct vnet *n = &nets[k];
		if (!n->ready)
			continue;
		spin_lock(&n->lock);
		for (unsigned i = 0; i < n->sw.nports; i++) {
			const struct vswitch_counters *c = &n->sw.port[i].c;
			bh_log("network@%x port %u (%s): tx %llu frames %llu bytes, rx %llu frames "
			       "%llu "
			       "bytes; dropped: no buffer %llu, policy %llu, vlan %llu, bad %llu",
			       plan.net[k].id, i, n->dom[i]->name, (unsigned long long)c->tx_frames,
			       (unsigned long long)c->tx_bytes, (unsigned long long)c->rx_frames,
			       (unsigned long long)c->rx_bytes,
			       (unsigned long long)c->rx_drop_no_buf,
			       (unsigned long long)c->tx_drop_policy,
			       (unsigned long long)c->tx_drop_vlan,
			       (unsigned long long)c->tx_drop_bad);
		}
		spin_unlock(&n->lock);
	}
}
