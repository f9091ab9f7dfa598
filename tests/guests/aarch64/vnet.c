/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A minimal virtio-net driver for bare-metal code (see vnet.h): virtio 1.2
 * §4.2 (virtio-mmio version 2), §2.7 (split virtqueues), §5.1 (network
 * device). It answers ARP requests and ICMP echo requests for one IPv4
 * address and nothing else. To reuse it in an RTOS, replace the hooks:
 * mmio_read32/mmio_write32 (single 32-bit loads and stores, which a
 * hypervisor can emulate), the DT lookup in vnet_init (or hard-code the
 * window and INTID), and memcpy/memset. The rings and buffers are static
 * arrays in the driver's own RAM, used at their addresses (an identity
 * map: with a different one, pass physical addresses to the device).
 */
#include <libfdt.h>

#include "common/lib.h"
#include "guest.h"
#include "irq.h"
#include "vnet.h"

/* ---- virtio-mmio registers (§4.2.2) ---- */
#define MMIO_MAGIC	     0x000
#define MMIO_VERSION	     0x004
#define MMIO_DEVICE_ID	     0x008
#define MMIO_DEVICE_FEAT     0x010
#define MMIO_DEVICE_FEAT_SEL 0x014
#define MMIO_DRIVER_FEAT     0x020
#define MMIO_DRIVER_FEAT_SEL 0x024
#define MMIO_QUEUE_SEL	     0x030
#define MMIO_QUEUE_NUM_MAX   0x034
#define MMIO_QUEUE_NUM	     0x038
#define MMIO_QUEUE_READY     0x044
#define MMIO_QUEUE_NOTIFY    0x050
#define MMIO_INT_STATUS	     0x060
#define MMIO_INT_ACK	     0x064
#define MMIO_STATUS	     0x070
#define MMIO_QUEUE_DESC	     0x080 /* low word; high word at +4 */
#define MMIO_QUEUE_DRIVER    0x090
#define MMIO_QUEUE_DEVICE    0x0a0
#define MMIO_CONFIG	     0x100	 /* virtio-net: the MAC, 6 bytes */
#define MMIO_MAGIC_VALUE     0x74726976u /* "virt" */
#define MMIO_INT_CONFIG	     2u		 /* configuration change (e.g. NEEDS_RESET) */

#define ST_ACKNOWLEDGE 1u
#define ST_DRIVER      2u
#define ST_DRIVER_OK   4u
#define ST_FEATURES_OK 8u
#define ST_NEEDS_RESET 64u

#define DEVICE_ID_NET	 1
#define FEAT_NET_MAC	 (1u << 5) /* word 0 */
#define FEAT_VERSION_1_W 1	   /* bit 32: word 1, bit 0 */

/* ---- split virtqueues (§2.7) ---- */
#define QSIZE	       16 /* per queue: enough for pings and ARP, small in RAM */
#define RXQ	       0
#define TXQ	       1
#define F_WRITE	       2u /* descriptor: device writes this buffer */
#define F_NO_NOTIFY    1u /* used ring flags: the device asks for no notifications */
#define F_NO_INTERRUPT 1u /* avail ring flags: we ask for no interrupts */

/* Each buffer holds the 12-byte virtio-net header (§5.1.6, VERSION_1) and one
 * whole frame: MRG_RXBUF is not negotiated, so a frame never spans buffers. */
#define NET_HDR	  12
#define FRAME_MAX 1518
#define BUF_SIZE  1536

struct vq_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags, next;
};

struct vq_used_elem {
	uint32_t id, len;
};

struct queue {
	struct vq_desc desc[QSIZE] __attribute__((aligned(16)));
	struct {
		uint16_t flags, idx, ring[QSIZE], used_event;
	} avail __attribute__((aligned(2)));
	struct {
		uint16_t flags, idx;
		struct vq_used_elem ring[QSIZE];
		uint16_t avail_event;
	} used __attribute__((aligned(4)));
	uint16_t avail_idx; /* our copy of avail.idx */
	uint16_t last_used; /* the used entries consumed so far */
	uint8_t buf[QSIZE][BUF_SIZE] __attribute__((aligned(64)));
};

static struct {
	uint64_t base;
	unsigned intid;
	uint32_t ip;
	uint32_t probe_ip;    /* vnet_arp_probe's target: its replies are counted */
	uint8_t probe_mac[6]; /* and the MAC its last reply gave */
	uint8_t mac[6];
	bool broken;
	volatile bool config_irq; /* set by vnet_irq_ack, read by vnet_poll */
	uint16_t tx_free[QSIZE];  /* transmit descriptors not in flight */
	unsigned tx_nfree;
	struct queue q[2];
	struct vnet_stats st;
} net;

static uint32_t rd(unsigned off)
{
	return mmio_read32(net.base + off);
}

static void wr(unsigned off, uint32_t v)
{
	mmio_write32(net.base + off, v);
}

/* Config space bytes: single byte loads (§4.2.2 allows 1, 2, 4-byte reads). */
static uint8_t rd8(unsigned off)
{
	uint32_t v;
	__asm__ volatile("ldrb %w0, [%1]" : "=r"(v) : "r"(net.base + off) : "memory");
	return (uint8_t)v;
}

/* The ring updates must be visible to the device (the hypervisor, on any
 * CPU) before the index that publishes them, and before the notify. */
static void wmb(void)
{
	__asm__ volatile("dmb ish" ::: "memory");
}

static void notify(unsigned q)
{
	__asm__ volatile("dsb st" ::: "memory");
	/* §2.7.10: no notification while the device says it needs none. */
	if (__atomic_load_n(&net.q[q].used.flags, __ATOMIC_ACQUIRE) & F_NO_NOTIFY)
		return;
	wr(MMIO_QUEUE_NOTIFY, q);
	net.st.notifies++;
}

static void post(struct queue *q, uint16_t id)
{
	q->avail.ring[q->avail_idx % QSIZE] = id;
	wmb();
	__atomic_store_n(&q->avail.idx, ++q->avail_idx, __ATOMIC_RELEASE);
}

static const char *setup_queue(unsigned n)
{
	struct queue *q = &net.q[n];
	wr(MMIO_QUEUE_SEL, n);
	if (rd(MMIO_QUEUE_READY))
		return "a queue is ready right after reset";
	if (rd(MMIO_QUEUE_NUM_MAX) < QSIZE)
		return "QueueNumMax is smaller than the driver's queue size";
	wr(MMIO_QUEUE_NUM, QSIZE);
	uint64_t a[3] = {(uintptr_t)q->desc, (uintptr_t)&q->avail, (uintptr_t)&q->used};
	for (unsigned i = 0; i < 3; i++) {
		wr(MMIO_QUEUE_DESC + 0x10 * i, (uint32_t)a[i]);
		wr(MMIO_QUEUE_DESC + 0x10 * i + 4, (uint32_t)(a[i] >> 32));
	}
	for (unsigned i = 0; i < QSIZE; i++) {
		q->desc[i].addr = (uintptr_t)q->buf[i];
		q->desc[i].len = n == RXQ ? BUF_SIZE : 0;
		q->desc[i].flags = n == RXQ ? F_WRITE : 0;
	}
	if (n == TXQ) /* sent buffers are reclaimed when polling: no interrupt */
		q->avail.flags = F_NO_INTERRUPT;
	wr(MMIO_QUEUE_READY, 1);
	return rd(MMIO_QUEUE_READY) ? NULL : "the device refused the queue (QueueReady reads 0)";
}

/* §3.1.1: reset, ACKNOWLEDGE, DRIVER, features, FEATURES_OK, queues, DRIVER_OK. */
static const char *device_init(void)
{
	/* A set-up again (after NEEDS_RESET) starts from empty rings too. */
	memset(net.q, 0, sizeof(net.q));
	net.broken = false;
	net.config_irq = false;
	wr(MMIO_STATUS, 0);
	if (rd(MMIO_STATUS))
		return "the device did not reset (Status not 0)";
	wr(MMIO_STATUS, ST_ACKNOWLEDGE);
	wr(MMIO_STATUS, ST_ACKNOWLEDGE | ST_DRIVER);
	wr(MMIO_DEVICE_FEAT_SEL, 1);
	if (!(rd(MMIO_DEVICE_FEAT) & FEAT_VERSION_1_W))
		return "the device does not offer VIRTIO_F_VERSION_1";
	wr(MMIO_DEVICE_FEAT_SEL, 0);
	uint32_t mac = rd(MMIO_DEVICE_FEAT) & FEAT_NET_MAC;
	wr(MMIO_DRIVER_FEAT_SEL, 0);
	wr(MMIO_DRIVER_FEAT, mac);
	wr(MMIO_DRIVER_FEAT_SEL, 1);
	wr(MMIO_DRIVER_FEAT, FEAT_VERSION_1_W);
	uint32_t st = ST_ACKNOWLEDGE | ST_DRIVER | ST_FEATURES_OK;
	wr(MMIO_STATUS, st);
	if (!(rd(MMIO_STATUS) & ST_FEATURES_OK))
		return "the device refused our features (FEATURES_OK not kept)";
	const char *why = setup_queue(RXQ);
	if (!why)
		why = setup_queue(TXQ);
	if (why)
		return why;
	for (unsigned i = 0; i < 6; i++) /* without VIRTIO_NET_F_MAC: a local address */
		net.mac[i] = mac ? rd8(MMIO_CONFIG + i) : (uint8_t[]){2, 0x62, 0x68, 0, 0, 0xfe}[i];
	for (uint16_t i = 0; i < QSIZE; i++) {
		post(&net.q[RXQ], i);
		net.tx_free[i] = i;
	}
	net.tx_nfree = QSIZE;
	wr(MMIO_STATUS, st | ST_DRIVER_OK);
	notify(RXQ);
	return NULL;
}

const char *vnet_init(const void *fdt, uint32_t ip)
{
	net.ip = ip;
	for (int n = fdt_node_offset_by_compatible(fdt, -1, "virtio,mmio"); n >= 0;
	     n = fdt_node_offset_by_compatible(fdt, n, "virtio,mmio")) {
		if (!dt_node_reg_irq(fdt, n, &net.base, &net.intid))
			continue;
		if (rd(MMIO_MAGIC) == MMIO_MAGIC_VALUE && rd(MMIO_VERSION) == 2 &&
		    rd(MMIO_DEVICE_ID) == DEVICE_ID_NET)
			return device_init();
	}
	net.base = 0;
	return "no virtio,mmio node with a version-2 network device in the DT";
}

unsigned vnet_intid(void)
{
	return net.intid;
}

void vnet_irq_ack(void)
{
	uint32_t s = rd(MMIO_INT_STATUS);
	wr(MMIO_INT_ACK, s);
	if (s & MMIO_INT_CONFIG)
		net.config_irq = true;
}

/* ---- frames ---- */

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)be16(p) << 16 | be16(p + 2);
}

/* The Internet checksum (RFC 1071) of n bytes. */
static uint16_t csum(const uint8_t *p, unsigned n)
{
	uint32_t s = 0;
	for (unsigned i = 0; i + 1 < n; i += 2)
		s += be16(p + i);
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/* Reclaims sent buffers: the device hands back their descriptor ids. */
static void tx_reclaim(void)
{
	struct queue *q = &net.q[TXQ];
	while (q->last_used != __atomic_load_n(&q->used.idx, __ATOMIC_ACQUIRE)) {
		uint32_t id = q->used.ring[q->last_used++ % QSIZE].id;
		if (id < QSIZE && net.tx_nfree < QSIZE)
			net.tx_free[net.tx_nfree++] = (uint16_t)id;
	}
}

/* A transmit buffer for a reply (its frame starts after the header), or NULL. */
static uint8_t *tx_get(uint16_t *id)
{
	tx_reclaim();
	if (!net.tx_nfree) {
		net.st.tx_full++;
		return NULL;
	}
	*id = net.tx_free[--net.tx_nfree];
	uint8_t *b = net.q[TXQ].buf[*id];
	memset(b, 0, NET_HDR); /* no checksum offload, no GSO: an all-zero header */
	return b + NET_HDR;
}

static void tx_send(uint16_t id, unsigned len)
{
	if (len < 60) /* the Ethernet minimum; the padding was zeroed by the caller */
		len = 60;
	net.q[TXQ].desc[id].len = NET_HDR + len;
	post(&net.q[TXQ], id);
	notify(TXQ);
}

/* Ethernet header of a reply to frame f: back to its sender, from us. */
static void eth_reply(uint8_t *r, const uint8_t *f, uint16_t type)
{
	memcpy(r, f + 6, 6);
	memcpy(r + 6, net.mac, 6);
	put_be16(r + 12, type);
}

/* ARP (RFC 826) request for our address: answer with our MAC. */
static void on_arp(const uint8_t *f, unsigned len)
{
	const uint8_t *a = f + 14;
	if (len < 14 + 28 || be16(a) != 1 || be16(a + 2) != 0x0800 || a[4] != 6 || a[5] != 4) {
		net.st.bad++;
		return;
	}
	if (be16(a + 6) == 2 && net.probe_ip && be32(a + 14) == net.probe_ip) {
		net.st.arp_replies++; /* an answer to vnet_arp_probe */
		memcpy(net.probe_mac, a + 8, 6);
		return;
	}
	if (be16(a + 6) == 1 && net.probe_ip && be32(a + 14) == net.probe_ip)
		memcpy(net.probe_mac, a + 8, 6), net.st.arp_asked++; /* and answered below */
	if (be16(a + 6) != 1 || be32(a + 24) != net.ip) {
		net.st.ignored++;
		net.st.arp_others += be16(a + 6) == 1; /* someone else's question */
		return;
	}
	uint16_t id;
	uint8_t *r = tx_get(&id);
	if (!r)
		return;
	memset(r, 0, 60);
	eth_reply(r, f, 0x0806);
	memcpy(r + 14, a, 6); /* htype, ptype, hlen, plen */
	put_be16(r + 20, 2);  /* reply */
	memcpy(r + 22, net.mac, 6);
	memcpy(r + 28, a + 24, 4); /* our address */
	memcpy(r + 32, a + 8, 10); /* the asker's MAC and address */
	net.st.arp++;
	tx_send(id, 42);
}

/* IPv4 (RFC 791) ICMP echo request (RFC 792) to our address: echo reply. */
static void on_ipv4(const uint8_t *f, unsigned len)
{
	const uint8_t *ip = f + 14;
	unsigned hl = (ip[0] & 15) * 4u, tot = len >= 34 ? be16(ip + 2) : 0;
	if (len < 34 || ip[0] >> 4 != 4 || hl < 20 || tot < hl + 8 || tot > len - 14) {
		net.st.bad++;
		return;
	}
	if (be32(ip + 16) == net.ip && ip[9] == 1 && ip[hl] == 0) {
		net.st.echo_replies++; /* an answer to vnet_ping */
		return;
	}
	if (be32(ip + 16) != net.ip || ip[9] != 1 || (be16(ip + 6) & 0x3fff) || ip[hl] != 8 ||
	    ip[hl + 1] != 0) {
		net.st.ignored++; /* not ours, not ICMP, a fragment, or not an echo request */
		return;
	}
	uint16_t id;
	uint8_t *r = tx_get(&id);
	if (!r)
		return;
	memset(r, 0, 60);
	eth_reply(r, f, 0x0800);
	uint8_t *rip = r + 14;
	memcpy(rip, ip, tot);
	memcpy(rip + 12, ip + 16, 4); /* source: us */
	memcpy(rip + 16, ip + 12, 4); /* destination: the asker */
	rip[8] = 64;		      /* TTL */
	put_be16(rip + 10, 0);
	put_be16(rip + 10, csum(rip, hl));
	rip[hl] = 0; /* echo reply: same identifier, sequence and data */
	put_be16(rip + hl + 2, 0);
	put_be16(rip + hl + 2, csum(rip + hl, tot - hl));
	net.st.icmp++;
	tx_send(id, 14 + tot);
}

static void on_frame(const uint8_t *f, unsigned len)
{
	net.st.rx++;
	bool to_us = !memcmp(f, net.mac, 6) || (f[0] & f[1] & f[2] & f[3] & f[4] & f[5]) == 0xff;
	if (len < 14 || !to_us) {
		net.st.ignored++;
		return;
	}
	uint16_t type = be16(f + 12);
	if (type == 0x0806)
		on_arp(f, len);
	else if (type == 0x0800)
		on_ipv4(f, len);
	else
		net.st.ignored++;
}

bool vnet_broken(void)
{
	return net.broken;
}

bool vnet_poll(unsigned budget)
{
	struct queue *q = &net.q[RXQ];
	if (!net.base || net.broken)
		return false;
	if (net.config_irq) {
		net.config_irq = false;
		if (rd(MMIO_STATUS) & ST_NEEDS_RESET) { /* §2.1.2: stop using the device */
			net.broken = true;
			return false;
		}
	}
	unsigned done = 0;
	while (done < budget && q->last_used != __atomic_load_n(&q->used.idx, __ATOMIC_ACQUIRE)) {
		struct vq_used_elem e = q->used.ring[q->last_used++ % QSIZE];
		if (e.id >= QSIZE) { /* a device bug: never trust an index */
			net.st.bad++;
			continue;
		}
		if (e.len > NET_HDR && e.len <= BUF_SIZE)
			on_frame(q->buf[e.id] + NET_HDR, e.len - NET_HDR);
		else
			net.st.bad++;
		post(q, (uint16_t)e.id); /* the buffer goes back to the device */
		done++;
	}
	if (done)
		notify(RXQ);
	tx_reclaim();
	return q->last_used != __atomic_load_n(&q->used.idx, __ATOMIC_ACQUIRE);
}

bool vnet_arp_probe(uint32_t ip)
{
	uint16_t id;
	uint8_t *r = net.base && !net.broken ? tx_get(&id) : NULL;
	if (!r)
		return false;
	net.probe_ip = ip;
	memset(r, 0, 60);
	memset(r, 0xff, 6); /* broadcast */
	memcpy(r + 6, net.mac, 6);
	put_be16(r + 12, 0x0806);
	static const uint8_t arp_req[8] = {0, 1, 8, 0, 6, 4, 0, 1}; /* Ethernet, IPv4, request */
	memcpy(r + 14, arp_req, 8);
	memcpy(r + 22, net.mac, 6);
	for (unsigned i = 0; i < 4; i++) {
		r[28 + i] = (uint8_t)(net.ip >> (24 - 8 * i));
		r[38 + i] = (uint8_t)(ip >> (24 - 8 * i));
	}
	tx_send(id, 42);
	return true;
}

bool vnet_ping(uint32_t ip, unsigned payload, uint16_t seq)
{
	uint16_t id;
	uint8_t *r = net.base && !net.broken && payload <= 1472 ? tx_get(&id) : NULL;
	if (!r)
		return false;
	unsigned tot = 20 + 8 + payload;
	memset(r, 0, 14 + tot < 60 ? 60 : 14 + tot);
	memcpy(r, net.probe_mac, 6);
	memcpy(r + 6, net.mac, 6);
	put_be16(r + 12, 0x0800);
	uint8_t *h = r + 14;
	h[0] = 0x45; /* IPv4, 20-byte header */
	put_be16(h + 2, (uint16_t)tot);
	h[8] = 64; /* TTL */
	h[9] = 1;  /* ICMP */
	for (unsigned i = 0; i < 4; i++) {
		h[12 + i] = (uint8_t)(net.ip >> (24 - 8 * i));
		h[16 + i] = (uint8_t)(ip >> (24 - 8 * i));
	}
	put_be16(h + 10, csum(h, 20));
	uint8_t *m = h + 20;
	m[0] = 8; /* echo request */
	put_be16(m + 6, seq);
	for (unsigned i = 0; i < payload; i++)
		m[8 + i] = (uint8_t)i;
	put_be16(m + 2, csum(m, 8 + payload));
	tx_send(id, 14 + tot);
	return true;
}

uint64_t vnet_base(void)
{
	return net.base;
}

const struct vnet_stats *vnet_stats(void)
{
	return &net.st;
}

const uint8_t *vnet_mac(void)
{
	return net.mac;
}
