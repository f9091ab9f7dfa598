/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The virtual switch's forwarding (see vswitch.h). A frame is read from
 * the sender's memory twice: once into a small snapshot of its headers,
 * which alone decides where it goes and what the receivers' headers say,
 * then its payload straight into each receiver's buffers. A guest that
 * rewrites its frame meanwhile changes only its own payload.
 */
#include "common/vswitch.h"
#include "common/lib.h"

#define TXQ 1 /* virtio-net: receiveq1 is queue 0, transmitq1 queue 1 (§5.1.2) */
#define RXQ 0

#define ETHERTYPE_VLAN 0x8100u /* 802.1Q C-tag */
#define ETHERTYPE_QINQ 0x88a8u /* 802.1ad S-tag */
/* What we read of a frame to decide: virtio-net header, MACs, tag, EtherType. */
#define SNAP_LEN	     (VNET_HDR_LEN + ETH_HDR_LEN + VLAN_TAG_LEN)
#define VNET_HDR_GSO_TYPE    1	/* virtio_net_hdr.gso_type */
#define VNET_HDR_NUM_BUFFERS 10 /* virtio_net_hdr.num_buffers (le16) */

void vswitch_init(struct vswitch *sw, vswitch_may_send_fn may_send, const void *policy_ctx)
{
	memset(sw, 0, sizeof(*sw));
	sw->may_send = may_send;
	sw->policy_ctx = policy_ctx;
}

static bool vlan_ok(unsigned vid)
{
	return vid >= 1 && vid <= VLAN_ID_MAX;
}

static bool is_group(const uint8_t mac[6])
{
	return mac[0] & 1;
}

/* Whether port p carries VLAN vid. */
static bool member(const struct vswitch_port *p, unsigned vid)
{
	if (vid == p->pvid)
		return vlan_ok(vid);
	return p->trunk && vlan_ok(vid) && (p->allowed[vid / 64] & BIT(vid % 64));
}

int vswitch_add_port(struct vswitch *sw, unsigned domain, const struct vq_mem *mem,
		     const uint8_t mac[6], bool trunk, uint16_t pvid, const uint16_t *allowed,
		     unsigned count)
{
	if (sw->nports >= VSWITCH_PORTS_MAX || is_group(mac) || (pvid && !vlan_ok(pvid)) ||
	    (!trunk && !pvid))
		return -1;
	unsigned i = sw->nports;
	struct vswitch_port *p = &sw->port[i];
	memset(p, 0, sizeof(*p));
	for (unsigned k = 0; k < count; k++) {
		if (!trunk || !vlan_ok(allowed[k]))
			return -1;
		p->allowed[allowed[k] / 64] |= BIT(allowed[k] % 64);
	}
	p->domain = domain;
	memcpy(p->mac, mac, 6);
	p->trunk = trunk;
	p->pvid = pvid;
	/* Config space (§5.1.4): mac, then status = VIRTIO_NET_S_LINK_UP, which
	 * a driver reads only with VIRTIO_NET_F_STATUS (not offered: always up). */
	uint8_t cfg[8] = {mac[0], mac[1], mac[2], mac[3], mac[4], mac[5], 1, 0};
	virtio_mmio_init(&p->dev, VIRTIO_ID_NET, VSWITCH_NET_FEATURES, cfg, sizeof(cfg), 2, mem);
	/* The member's own MAC is behind its port in every VLAN, and no one else's. */
	if (!vswitch_add_static(sw, mac, 0, i))
		return -1;
	sw->nports++;
	return (int)i;
}

/* The entry for mac in vlan: a learned one of that VLAN, or a static one of
 * that VLAN or of all (vlan 0). */
static struct vswitch_fdb *fdb_find(struct vswitch *sw, const uint8_t mac[6], unsigned vlan)
{
	for (unsigned i = 0; i < VSWITCH_FDB_SIZE; i++) {
		struct vswitch_fdb *e = &sw->fdb[i];
		if (e->used && !memcmp(e->mac, mac, 6) &&
		    (e->vlan == vlan || (e->fixed && e->vlan == 0)))
			return e;
	}
	return NULL;
}

bool vswitch_add_static(struct vswitch *sw, const uint8_t mac[6], uint16_t vlan, unsigned port)
{
	if (port >= VSWITCH_PORTS_MAX || is_group(mac) || (vlan && !vlan_ok(vlan)))
		return false;
	struct vswitch_fdb *free = NULL;
	for (unsigned i = 0; i < VSWITCH_FDB_SIZE; i++) {
		struct vswitch_fdb *e = &sw->fdb[i];
		if (e->used && !memcmp(e->mac, mac, 6) && (e->vlan == vlan || !vlan || !e->vlan))
			return false; /* a MAC statically in two places, or already learned */
		if (!e->used && !free)
			free = e;
	}
	if (!free)
		return false;
	*free =
	    (struct vswitch_fdb){.vlan = vlan, .port = (uint8_t)port, .used = true, .fixed = true};
	memcpy(free->mac, mac, 6);
	return true;
}

/* The source of a frame seen on port in vlan: learn (or refresh) it. A
 * static entry is never learned over; a full table forgets its oldest
 * learned entry. */
static void learn(struct vswitch *sw, const uint8_t mac[6], unsigned vlan, unsigned port)
{
	struct vswitch_fdb *e = fdb_find(sw, mac, vlan), *victim = NULL;
	if (e) {
		if (!e->fixed) {
			e->port = (uint8_t)port;
			e->stamp = sw->clock;
		}
		return;
	}
	for (unsigned i = 0; i < VSWITCH_FDB_SIZE; i++) {
		e = &sw->fdb[i];
		if (!e->used) {
			victim = e;
			break;
		}
		if (!e->fixed && (!victim || e->stamp < victim->stamp))
			victim = e;
	}
	if (!victim)
		return; /* every entry static: forward by flooding */
	*victim = (struct vswitch_fdb){
	    .vlan = (uint16_t)vlan, .port = (uint8_t)port, .used = true, .stamp = sw->clock};
	memcpy(victim->mac, mac, 6);
}

/* Segment and offset of byte pos of a chain (pos < c->len). */
static void seek(const struct vq_chain *c, uint64_t pos, unsigned *seg, uint32_t *off)
{
	unsigned i = 0;
	while (pos >= c->seg[i].len) {
		pos -= c->seg[i].len;
		i++;
	}
	*seg = i;
	*off = (uint32_t)pos;
}

/* len bytes between chain c from pos and buf (pos + len <= c->len): into
 * the chain if to_chain, else out of it. */
static void chain_xfer(const struct vq_chain *c, uint64_t pos, uint8_t *buf, uint64_t len,
		       bool to_chain)
{
	unsigned i;
	uint32_t o;
	if (!len)
		return;
	seek(c, pos, &i, &o);
	while (len) {
		uint64_t n = MIN(len, (uint64_t)(c->seg[i].len - o));
		if (to_chain)
			memcpy(c->seg[i].p + o, buf, n);
		else
			memcpy(buf, c->seg[i].p + o, n);
		buf += n;
		len -= n;
		i++;
		o = 0;
	}
}

static void chain_read(const struct vq_chain *c, uint64_t pos, uint8_t *buf, uint64_t len)
{
	chain_xfer(c, pos, buf, len, false);
}

static void chain_write(const struct vq_chain *c, uint64_t pos, const uint8_t *buf, uint64_t len)
{
	chain_xfer(c, pos, (uint8_t *)buf, len, true); /* only read */
}

/* len bytes from chain src at spos to chain dst at dpos, segment to segment. */
static void chain_copy(const struct vq_chain *dst, uint64_t dpos, const struct vq_chain *src,
		       uint64_t spos, uint64_t len)
{
	unsigned di, si;
	uint32_t doff, soff;
	if (!len)
		return;
	seek(dst, dpos, &di, &doff);
	seek(src, spos, &si, &soff);
	while (len) {
		uint64_t n =
		    MIN(len, (uint64_t)MIN(dst->seg[di].len - doff, src->seg[si].len - soff));
		/* memmove: two ports of one domain would share its RAM. */
		memmove(dst->seg[di].p + doff, src->seg[si].p + soff, n);
		len -= n;
		doff += (uint32_t)n;
		soff += (uint32_t)n;
		if (doff == dst->seg[di].len) {
			di++;
			doff = 0;
		}
		if (soff == src->seg[si].len) {
			si++;
			soff = 0;
		}
	}
}

/* A frame being forwarded, as decided from its snapshot. */
struct frame {
	uint8_t snap[SNAP_LEN]; /* virtio-net header, then the Ethernet header */
	uint64_t len;		/* the frame's bytes (after the virtio-net header) */
	unsigned vlan;
	uint16_t prio;	    /* PCP and DEI of its tag, 0 if untagged */
	uint16_t ethertype; /* the one after any tag */
	uint64_t body;	    /* frame offset where what follows ethertype starts */
};

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* One frame into port d's next RX buffer. */
static bool allowed(const struct vswitch *sw, unsigned src, unsigned d)
{
	return !sw->may_send || sw->may_send(sw->policy_ctx, src, d);
}

static bool may_send_any(const struct vswitch *sw, unsigned src, unsigned vlan)
{
	for (unsigned d = 0; d < sw->nports; d++)
		if (d != src && member(&sw->port[d], vlan) && allowed(sw, src, d))
			return true;
	return false;
}

static void deliver(struct vswitch *sw, unsigned src, unsigned d, const struct frame *f,
		    uint32_t *irq)
{
	struct vswitch_port *to = &sw->port[d];
	if (!allowed(sw, src, d)) {
		sw->port[src].c.tx_drop_policy++;
		return;
	}
	struct virtq *q = virtio_mmio_queue(&to->dev, RXQ);
	bool tag = to->trunk && f->vlan != to->pvid;
	uint64_t hlen = 2 * 6 + (tag ? VLAN_TAG_LEN : 0) + 2;
	uint64_t out = hlen + (f->len - f->body);
	enum vq_err e = q ? vq_pop(q, &to->dev.mem, true, &sw->rx_chain) : VQ_EMPTY;
	if (e && e != VQ_EMPTY) {
		/* The receiver's own rings are broken: its device stops, the sender's does not. */
		virtio_mmio_fail(&to->dev, RXQ, e);
		if (virtio_mmio_irq(&to->dev))
			*irq |= 1u << d;
	}
	if (e) {
		to->c.rx_drop_no_buf++;
		return;
	}
	const struct vq_chain *rx = &sw->rx_chain;
	if (rx->len < VNET_HDR_LEN + out) {
		vq_unpop(q); /* too small for this frame; may fit a later one */
		to->c.rx_drop_no_buf++;
		return;
	}
	/* Our header, never the sender's: no checksum or GSO offered, one buffer (§5.1.6.4). */
	uint8_t h[VNET_HDR_LEN + 2 * 6 + VLAN_TAG_LEN + 2] = {0};
	h[VNET_HDR_NUM_BUFFERS] = 1;
	uint8_t *eth = h + VNET_HDR_LEN;
	memcpy(eth, f->snap + VNET_HDR_LEN, 12);
	uint8_t *p = eth + 12;
	if (tag) {
		uint16_t tci = (uint16_t)(f->prio | f->vlan);
		*p++ = ETHERTYPE_VLAN >> 8;
		*p++ = ETHERTYPE_VLAN & 0xff;
		*p++ = (uint8_t)(tci >> 8);
		*p++ = (uint8_t)tci;
	}
	*p++ = (uint8_t)(f->ethertype >> 8);
	*p++ = (uint8_t)f->ethertype;
	chain_write(rx, 0, h, VNET_HDR_LEN + hlen);
	chain_copy(rx, VNET_HDR_LEN + hlen, &sw->tx_chain, VNET_HDR_LEN + f->body,
		   f->len - f->body);
	e = vq_push(q, &to->dev.mem, rx->head, (uint32_t)(VNET_HDR_LEN + out));
	if (e) {
		virtio_mmio_fail(&to->dev, RXQ, e);
		*irq |= 1u << d;
		return;
	}
	to->c.rx_frames++;
	to->c.rx_bytes += out;
	if (virtio_mmio_used(&to->dev, RXQ))
		*irq |= 1u << d;
}

/* The frame in sw->tx_chain, sent by port src: decide, then deliver. */
static void forward(struct vswitch *sw, unsigned src, uint32_t *irq)
{
	struct vswitch_port *from = &sw->port[src];
	const struct vq_chain *c = &sw->tx_chain;
	struct frame f = {0};
	from->c.tx_frames++;
	if (c->len < VNET_HDR_LEN + ETH_HDR_LEN || c->len > VNET_HDR_LEN + ETH_FRAME_MAX) {
		from->c.tx_drop_bad++;
		return;
	}
	f.len = c->len - VNET_HDR_LEN;
	from->c.tx_bytes += f.len;
	chain_read(c, 0, f.snap, MIN(c->len, (uint64_t)SNAP_LEN));
	const uint8_t *eth = f.snap + VNET_HDR_LEN, *dst = eth, *smac = eth + 6;
	if (f.snap[VNET_HDR_GSO_TYPE] != 0 || is_group(smac)) {
		from->c.tx_drop_bad++; /* GSO was not offered; a group address sends nothing */
		return;
	}
	uint16_t type = be16(eth + 12);
	if (type == ETHERTYPE_VLAN) {
		uint16_t tci = f.len >= ETH_HDR_LEN + VLAN_TAG_LEN ? be16(eth + 14) : 0;
		f.vlan = tci & 0xfff;
		f.prio = tci & 0xf000;
		f.ethertype = f.len >= ETH_HDR_LEN + VLAN_TAG_LEN ? be16(eth + 16) : 0;
		f.body = ETH_HDR_LEN + VLAN_TAG_LEN;
		/* Tagged frames only from trunks, in their VLANs (the native one
		 * included); a frame shorter than its tag is no frame. */
		if (!from->trunk || f.len < f.body || !member(from, f.vlan)) {
			from->c.tx_drop_vlan++;
			return;
		}
	} else {
		f.vlan = from->pvid;
		f.ethertype = type;
		f.body = ETH_HDR_LEN;
		if (!vlan_ok(f.vlan)) {
			from->c.tx_drop_vlan++;
			return;
		}
	}
	if (f.len - f.body > ETH_MTU) {
		from->c.tx_drop_bad++; /* over the MTU once its tag is counted out */
		return;
	}
	/* A second tag would be read by a receiver's stack as a VLAN we never
	 * checked (double tagging): carried by no port. */
	if (f.ethertype == ETHERTYPE_VLAN || f.ethertype == ETHERTYPE_QINQ ||
	    type == ETHERTYPE_QINQ) {
		from->c.tx_drop_vlan++;
		return;
	}
	/* Another member's own MAC as source: a spoof, never learned. */
	struct vswitch_fdb *e = fdb_find(sw, smac, f.vlan);
	if (e && e->fixed && e->port != src) {
		from->c.tx_drop_bad++;
		return;
	}
	/* Learned only from a port the policy lets send to another member: a
	 * port that may send to no one cannot steer others' traffic to itself. */
	sw->clock++;
	if (may_send_any(sw, src, f.vlan))
		learn(sw, smac, f.vlan, src);

	e = is_group(dst) ? NULL : fdb_find(sw, dst, f.vlan);
	if (e && e->port < sw->nports && member(&sw->port[e->port], f.vlan) &&
	    (e->fixed || allowed(sw, src, e->port))) {
		if (e->port != src)
			deliver(sw, src, e->port, &f, irq);
		return;
	}
	/* Unknown, or learned on a port this sender may not reach (a spoof
	 * there must not black-hole the traffic): flooded as unknown. A static
	 * entry (a member's own MAC) is delivered, or refused and audited. */
	/* Broadcast, multicast, unknown unicast: every other port of the VLAN. */
	for (unsigned d = 0; d < sw->nports; d++)
		if (d != src && member(&sw->port[d], f.vlan))
			deliver(sw, src, d, &f, irq);
}

enum vswitch_result vswitch_tx(struct vswitch *sw, unsigned src, uint32_t *irq)
{
	*irq = 0;
	if (src >= sw->nports)
		return VSWITCH_IDLE;
	struct vswitch_port *p = &sw->port[src];
	struct virtq *q = virtio_mmio_queue(&p->dev, TXQ);
	p->pending = false;
	if (!q)
		return p->dev.status & VIRTIO_STATUS_NEEDS_RESET ? VSWITCH_FAULT : VSWITCH_IDLE;
	unsigned n;
	for (n = 0; n < VSWITCH_BUDGET; n++) {
		enum vq_err e = vq_pop(q, &p->dev.mem, false, &sw->tx_chain);
		if (e == VQ_EMPTY)
			break;
		if (e == VQ_OK) {
			forward(sw, src, irq);
			e = vq_push(q, &p->dev.mem, sw->tx_chain.head, 0);
		}
		if (e) {
			virtio_mmio_fail(&p->dev, TXQ, e);
			if (virtio_mmio_irq(&p->dev))
				*irq |= 1u << src;
			return VSWITCH_FAULT;
		}
	}
	if (n && virtio_mmio_used(&p->dev, TXQ))
		*irq |= 1u << src;
	p->pending = n == VSWITCH_BUDGET;
	return p->pending ? VSWITCH_MORE : VSWITCH_IDLE;
}

int vswitch_port_of(const struct vswitch *sw, const struct virtio_mmio *dev)
{
	for (unsigned i = 0; i < sw->nports; i++)
		if (&sw->port[i].dev == dev)
			return (int)i;
	return -1;
}
