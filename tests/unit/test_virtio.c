/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests of the virtio-net data path: the virtio-mmio transport
 * (common/virtio_mmio.c), split virtqueues (common/virtqueue.c) and the
 * switch (common/vswitch.c). Fake drivers (virtio_drv.h) in fake RAMs set
 * up their queues as Linux does and exchange frames through the switch;
 * hostile rings must break only their own device.
 */
#include "common/lib.h"
#include "common/virtio_mmio.h"
#include "common/virtqueue.h"
#include "common/vswitch.h"
#include "dt/plan.h"
#include "check.h"

/* The config's limits are the switch's (dt/ does not include common/vswitch.h). */
_Static_assert(BH_NET_MAX_PORTS == VSWITCH_PORTS_MAX, "ports per network");
_Static_assert(BH_VLAN_ID_MAX == VLAN_ID_MAX, "VLAN ids");
#include "virtio_drv.h"

#define NPORTS	 4
#define WANT_NET (BIT(VIRTIO_F_VERSION_1) | BIT(VIRTIO_NET_F_MAC) | BIT(VIRTIO_NET_F_STATUS))
#define BASE(i)	 (0x40000000ULL + (uint64_t)(i)*0x10000000ULL)

static const uint8_t MAC[NPORTS][6] = {{0x02, 0, 0, 0, 0, 0x0a},
				       {0x02, 0, 0, 0, 0, 0x0b},
				       {0x02, 0, 0, 0, 0, 0x0c},
				       {0x02, 0, 0, 0, 0, 0x0d}};
static const uint8_t BCAST[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

/* A network of n ports, each with its RAM and its probed driver. */
struct net {
	struct vswitch sw;
	unsigned n;
	uint8_t *ram[NPORTS];
	struct vdrv drv[NPORTS];
};

struct port_spec {
	bool trunk;
	uint16_t pvid;
	uint16_t allowed[4];
	unsigned nallowed;
};

static const struct port_spec ACCESS1 = {false, 1, {0}, 0};

static struct net *net_new(unsigned n, const struct port_spec *spec, vswitch_may_send_fn may,
			   const void *ctx)
{
	struct net *t = calloc(1, sizeof(*t));
	vswitch_init(&t->sw, may, ctx);
	t->n = n;
	for (unsigned i = 0; i < n; i++) {
		const struct port_spec *s = spec ? &spec[i] : &ACCESS1;
		t->ram[i] = drv_ram_alloc();
		struct vq_mem m = {BASE(i), DRV_RAM_SIZE, t->ram[i]};
		int p = vswitch_add_port(&t->sw, 10 + i, &m, MAC[i], s->trunk, s->pvid, s->allowed,
					 s->nallowed);
		CHECK_EQ(p, i);
		CHECK(drv_probe(&t->drv[i], &t->sw.port[i].dev, t->ram[i], BASE(i), 0, WANT_NET));
		drv_post_rx(&t->drv[i], 8, DRV_RX_LEN);
	}
	return t;
}

static void net_free(struct net *t)
{
	for (unsigned i = 0; i < t->n; i++)
		free(t->ram[i]);
	free(t);
}

/* An Ethernet frame: dst, src, EtherType (and optional tag), then len bytes of pattern. */
static unsigned frame(uint8_t *f, const uint8_t *dst, const uint8_t *src, int vid, uint16_t type,
		      unsigned len, uint8_t seed)
{
	unsigned n = 0;
	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	n = 12;
	if (vid >= 0) {
		f[n++] = 0x81;
		f[n++] = 0x00;
		f[n++] = (uint8_t)(vid >> 8);
		f[n++] = (uint8_t)vid;
	}
	f[n++] = (uint8_t)(type >> 8);
	f[n++] = (uint8_t)type;
	for (unsigned i = 0; i < len; i++)
		f[n++] = (uint8_t)(seed + i * 7);
	return n;
}

/* Port i sends; the switch runs as the notify asks. The switch's answer. */
static enum vswitch_result send(struct net *t, unsigned i, const uint8_t *f, unsigned len,
				uint32_t *irq)
{
	uint32_t dummy;
	if (drv_send(&t->drv[i], f, len, false, true) != VIRTIO_MMIO_NOTIFY)
		return VSWITCH_FAULT;
	return vswitch_tx(&t->sw, i, irq ? irq : &dummy);
}

static bool healthy(struct net *t, unsigned i)
{
	return t->sw.port[i].dev.status == 0xf && !(t->sw.port[i].dev.isr & VIRTIO_MMIO_INT_CONFIG);
}

/* ---- transport ---- */

/* The identity registers, the features offered, config space and the status after probe. */
static void test_probe(void)
{
	struct net *t = net_new(1, NULL, NULL, NULL);
	struct vdrv *d = &t->drv[0];
	CHECK_EQ(drv_rd(d, VIRTIO_MMIO_MAGIC_VALUE), 0x74726976);
	CHECK_EQ(drv_rd(d, VIRTIO_MMIO_VERSION), 2);
	CHECK_EQ(drv_rd(d, VIRTIO_MMIO_DEVICE_ID), 1);
	drv_wr(d, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	CHECK_EQ(drv_rd(d, VIRTIO_MMIO_DEVICE_FEATURES), 1u << 5); /* MAC only */
	drv_wr(d, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	CHECK_EQ(drv_rd(d, VIRTIO_MMIO_DEVICE_FEATURES), 1u); /* VERSION_1 only */
	drv_wr(d, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 2);
	CHECK_EQ(drv_rd(d, VIRTIO_MMIO_DEVICE_FEATURES), 0);
	CHECK_EQ(t->sw.port[0].dev.driver_features, BIT(32) | BIT(5));
	CHECK_EQ(drv_rd(d, VIRTIO_MMIO_STATUS), 0xf);
	drv_wr(d, VIRTIO_MMIO_QUEUE_SEL, 0);
	CHECK_EQ(drv_rd(d, VIRTIO_MMIO_QUEUE_NUM_MAX), 256);
	CHECK_EQ(drv_rd(d, VIRTIO_MMIO_QUEUE_READY), 1);
	drv_wr(d, VIRTIO_MMIO_QUEUE_SEL, 2); /* no control queue */
	CHECK_EQ(drv_rd(d, VIRTIO_MMIO_QUEUE_NUM_MAX), 0);
	CHECK_EQ(drv_rd(d, VIRTIO_MMIO_QUEUE_READY), 0);
	/* The MAC, byte by byte as Linux reads it, and as a word. */
	for (unsigned i = 0; i < 6; i++) {
		uint32_t v = 0xdead;
		CHECK_EQ(virtio_mmio_read(d->dev, VIRTIO_MMIO_CONFIG + i, 1, &v), VIRTIO_MMIO_DONE);
		CHECK_EQ(v, MAC[0][i]);
	}
	uint32_t v;
	CHECK_EQ(virtio_mmio_read(d->dev, VIRTIO_MMIO_CONFIG + 4, 4, &v), VIRTIO_MMIO_DONE);
	CHECK_EQ(v, 0x00010a00u); /* mac[4], mac[5], status LINK_UP (le16) */
	CHECK_EQ(virtio_mmio_read(d->dev, VIRTIO_MMIO_CONFIG + 0x80, 4, &v), VIRTIO_MMIO_DONE);
	CHECK_EQ(v, 0);
	CHECK_EQ(drv_rd(d, VIRTIO_MMIO_SHM_LEN_LOW), 0xffffffff);
	net_free(t);
}

/* FEATURES_OK only for offered features with VERSION_1; DRIVER_OK only after it. */
static void test_features(void)
{
	static const uint64_t bad[] = {BIT(VIRTIO_NET_F_MAC), /* no VERSION_1 */
				       BIT(32) | BIT(VIRTIO_NET_F_MRG_RXBUF),
				       BIT(32) | BIT(VIRTIO_F_INDIRECT_DESC),
				       BIT(32) | BIT(VIRTIO_F_EVENT_IDX), BIT(32) | BIT(63)};
	uint8_t *ram = drv_ram_alloc();
	struct vq_mem m = {BASE(0), DRV_RAM_SIZE, ram};
	struct virtio_mmio dev;
	virtio_mmio_init(&dev, VIRTIO_ID_NET, BIT(VIRTIO_NET_F_MAC), "", 0, 2, &m);
	struct vdrv d = {.dev = &dev};
	for (unsigned i = 0; i < ARRAY_SIZE(bad); i++) {
		drv_wr(&d, VIRTIO_MMIO_STATUS, 0);
		drv_wr(&d, VIRTIO_MMIO_STATUS, 1);
		drv_wr(&d, VIRTIO_MMIO_STATUS, 3);
		drv_wr(&d, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
		drv_wr(&d, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)bad[i]);
		drv_wr(&d, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
		drv_wr(&d, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)(bad[i] >> 32));
		drv_wr(&d, VIRTIO_MMIO_STATUS, 0xb);
		CHECK_EQ(drv_rd(&d, VIRTIO_MMIO_STATUS), 3);
		drv_wr(&d, VIRTIO_MMIO_STATUS, 0xf);
		CHECK_EQ(drv_rd(&d, VIRTIO_MMIO_STATUS), 3);
	}
	/* Out of order: DRIVER without ACKNOWLEDGE, DRIVER_OK without FEATURES_OK. */
	drv_wr(&d, VIRTIO_MMIO_STATUS, 0);
	drv_wr(&d, VIRTIO_MMIO_STATUS, VIRTIO_STATUS_DRIVER);
	CHECK_EQ(drv_rd(&d, VIRTIO_MMIO_STATUS), 0);
	drv_wr(&d, VIRTIO_MMIO_STATUS, 1);
	drv_wr(&d, VIRTIO_MMIO_STATUS, 1 | 2 | VIRTIO_STATUS_DRIVER_OK);
	CHECK_EQ(drv_rd(&d, VIRTIO_MMIO_STATUS), 3);
	/* The driver cannot set NEEDS_RESET, nor clear bits but by a reset. */
	drv_wr(&d, VIRTIO_MMIO_STATUS, 1 | 2 | VIRTIO_STATUS_NEEDS_RESET);
	CHECK_EQ(drv_rd(&d, VIRTIO_MMIO_STATUS), 3);
	drv_wr(&d, VIRTIO_MMIO_STATUS, 1);
	CHECK_EQ(drv_rd(&d, VIRTIO_MMIO_STATUS), 3);
	/* Features are fixed once FEATURES_OK is set. */
	drv_wr(&d, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	drv_wr(&d, VIRTIO_MMIO_DRIVER_FEATURES, 1);
	drv_wr(&d, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	drv_wr(&d, VIRTIO_MMIO_DRIVER_FEATURES, 0);
	drv_wr(&d, VIRTIO_MMIO_STATUS, 0xb);
	CHECK_EQ(drv_rd(&d, VIRTIO_MMIO_STATUS), 0xb);
	drv_wr(&d, VIRTIO_MMIO_DRIVER_FEATURES, 1u << VIRTIO_F_INDIRECT_DESC);
	CHECK_EQ(dev.driver_features, BIT(32));
	free(ram);
}

/* Wrong sizes, alignment, offsets and directions are refused and change nothing. */
static void test_bad_access(void)
{
	struct net *t = net_new(1, NULL, NULL, NULL);
	struct virtio_mmio *dev = &t->sw.port[0].dev;
	struct virtio_mmio before = *dev;
	uint32_t v;
	unsigned q;
	CHECK_EQ(virtio_mmio_read(dev, VIRTIO_MMIO_STATUS, 2, &v), VIRTIO_MMIO_BAD);
	CHECK_EQ(virtio_mmio_read(dev, VIRTIO_MMIO_STATUS + 1, 1, &v), VIRTIO_MMIO_BAD);
	CHECK_EQ(virtio_mmio_read(dev, VIRTIO_MMIO_CONFIG + 1, 2, &v), VIRTIO_MMIO_BAD);
	CHECK_EQ(virtio_mmio_read(dev, VIRTIO_MMIO_CONFIG, 8, &v), VIRTIO_MMIO_BAD);
	CHECK_EQ(virtio_mmio_read(dev, VIRTIO_MMIO_SIZE, 4, &v), VIRTIO_MMIO_BAD);
	CHECK_EQ(virtio_mmio_read(dev, 0x028, 4, &v), VIRTIO_MMIO_BAD); /* legacy GuestPageSize */
	CHECK_EQ(virtio_mmio_read(dev, 0x040, 4, &v), VIRTIO_MMIO_BAD); /* legacy QueuePFN */
	CHECK_EQ(virtio_mmio_read(dev, VIRTIO_MMIO_QUEUE_RESET, 4, &v), VIRTIO_MMIO_BAD);
	CHECK_EQ(v, 0);
	CHECK_EQ(virtio_mmio_write(dev, VIRTIO_MMIO_STATUS, 1, 0, &q), VIRTIO_MMIO_BAD);
	CHECK_EQ(virtio_mmio_write(dev, VIRTIO_MMIO_CONFIG, 1, 0xff, &q), VIRTIO_MMIO_BAD);
	CHECK_EQ(virtio_mmio_write(dev, VIRTIO_MMIO_MAGIC_VALUE, 4, 0, &q), VIRTIO_MMIO_BAD);
	CHECK_EQ(virtio_mmio_write(dev, VIRTIO_MMIO_INTERRUPT_STATUS, 4, 0, &q), VIRTIO_MMIO_BAD);
	CHECK_EQ(virtio_mmio_write(dev, 0x1fc, 4, 0, &q), VIRTIO_MMIO_BAD);
	CHECK_EQ(virtio_mmio_write(dev, 0x3c, 4, 0, &q), VIRTIO_MMIO_BAD); /* legacy QueueAlign */
	CHECK(!memcmp(&before, dev, sizeof(before)));
	/* A ready queue's set-up registers are ignored. */
	drv_wr(&t->drv[0], VIRTIO_MMIO_QUEUE_SEL, 1);
	drv_wr(&t->drv[0], VIRTIO_MMIO_QUEUE_NUM, 3);
	drv_wr(&t->drv[0], VIRTIO_MMIO_QUEUE_DESC_LOW, 8);
	CHECK_EQ(dev->vq[1].num, 256);
	CHECK_EQ(dev->vq[1].desc, BASE(0) + drv_desc(1));
	net_free(t);
}

/* Writing 0 to Status resets everything the driver set; the device works again after a new probe.
 */
static void test_reset(void)
{
	struct net *t = net_new(2, NULL, NULL, NULL);
	struct virtio_mmio *dev = &t->sw.port[1].dev;
	uint8_t f[64], got[2048], hdr[VNET_HDR_LEN];
	unsigned n = frame(f, MAC[1], MAC[0], -1, 0x0800, 40, 1);
	CHECK_EQ(send(t, 0, f, n, NULL), VSWITCH_IDLE);
	CHECK(dev->isr);
	drv_wr(&t->drv[1], VIRTIO_MMIO_STATUS, 0);
	CHECK_EQ(dev->status, 0);
	CHECK_EQ(dev->isr, 0);
	CHECK(!dev->vq[0].ready && !dev->vq[1].ready);
	CHECK_EQ(dev->vq[0].num, 0);
	CHECK_EQ(dev->driver_features, 0);
	/* A frame for the reset port is lost, counted; the sender is fine. */
	CHECK_EQ(send(t, 0, f, n, NULL), VSWITCH_IDLE);
	CHECK_EQ(t->sw.port[1].c.rx_drop_no_buf, 1);
	memset(t->ram[1], 0, DRV_RAM_SIZE);
	CHECK(drv_probe(&t->drv[1], dev, t->ram[1], BASE(1), 0, WANT_NET));
	drv_post_rx(&t->drv[1], 4, DRV_RX_LEN);
	CHECK_EQ(send(t, 0, f, n, NULL), VSWITCH_IDLE);
	CHECK_EQ(drv_recv(&t->drv[1], got, hdr), (int)n);
	net_free(t);
}

/* ---- the switch ---- */

/* Unicast both ways, header and payload exact, counters and interrupts. */
static void test_unicast(void)
{
	struct net *t = net_new(3, NULL, NULL, NULL);
	uint8_t f[1600], got[2048], hdr[VNET_HDR_LEN];
	uint32_t irq;
	unsigned n = frame(f, MAC[1], MAC[0], -1, 0x0800, 1500, 3);
	CHECK_EQ(n, 1514);
	CHECK_EQ(send(t, 0, f, n, &irq), VSWITCH_IDLE);
	CHECK_EQ(irq, 1u << 0 | 1u << 1); /* sender: TX used; receiver: RX used */
	CHECK_EQ(drv_recv(&t->drv[1], got, hdr), (int)n);
	CHECK(!memcmp(got, f, n));
	static const uint8_t want_hdr[VNET_HDR_LEN] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0};
	CHECK(!memcmp(hdr, want_hdr, VNET_HDR_LEN));  /* num_buffers = 1 */
	CHECK_EQ(drv_recv(&t->drv[2], got, hdr), -1); /* known MAC: not flooded */
	CHECK_EQ(drv_used_idx(&t->drv[0], 1), 1);     /* TX buffer returned */
	CHECK_EQ(t->sw.port[0].c.tx_frames, 1);
	CHECK_EQ(t->sw.port[0].c.tx_bytes, 1514);
	CHECK_EQ(t->sw.port[1].c.rx_frames, 1);
	CHECK_EQ(t->sw.port[1].c.rx_bytes, 1514);
	CHECK(t->sw.port[1].dev.isr & VIRTIO_MMIO_INT_VRING);
	/* The reply, with the header in its own descriptor. */
	n = frame(f, MAC[0], MAC[1], -1, 0x0806, 28, 9);
	CHECK_EQ(drv_send(&t->drv[1], f, n, true, true), VIRTIO_MMIO_NOTIFY);
	CHECK_EQ(vswitch_tx(&t->sw, 1, &irq), VSWITCH_IDLE);
	CHECK_EQ(drv_recv(&t->drv[0], got, hdr), (int)n);
	CHECK(!memcmp(got, f, n));
	/* Frames too short or too long never leave the sender. */
	CHECK_EQ(send(t, 0, f, 13, NULL), VSWITCH_IDLE);
	n = frame(f, MAC[1], MAC[0], -1, 0x0800, 1501, 3);
	CHECK_EQ(send(t, 0, f, n, NULL), VSWITCH_IDLE);
	CHECK_EQ(t->sw.port[0].c.tx_drop_bad, 2);
	CHECK_EQ(drv_recv(&t->drv[1], got, hdr), -1);
	CHECK(healthy(t, 0) && healthy(t, 1) && healthy(t, 2));
	net_free(t);
}

/* Broadcast and multicast reach every other port of the VLAN, never the sender. */
static void test_flood(void)
{
	struct net *t = net_new(4, NULL, NULL, NULL);
	uint8_t f[128], got[2048], hdr[VNET_HDR_LEN];
	static const uint8_t mcast[6] = {0x01, 0x00, 0x5e, 0, 0, 1};
	unsigned n = frame(f, BCAST, MAC[2], -1, 0x0806, 28, 5);
	uint32_t irq;
	CHECK_EQ(send(t, 2, f, n, &irq), VSWITCH_IDLE);
	CHECK_EQ(irq, 0xf);
	for (unsigned i = 0; i < 4; i++) {
		CHECK_EQ(drv_recv(&t->drv[i], got, hdr), i == 2 ? -1 : (int)n);
		if (i != 2)
			CHECK(!memcmp(got, f, n));
	}
	n = frame(f, mcast, MAC[0], -1, 0x0800, 28, 5);
	CHECK_EQ(send(t, 0, f, n, NULL), VSWITCH_IDLE);
	for (unsigned i = 0; i < 4; i++)
		CHECK_EQ(drv_recv(&t->drv[i], got, hdr), i == 0 ? -1 : (int)n);
	net_free(t);
}

/* Unknown unicast floods; a source is learned; a member's own MAC is never
 * learned elsewhere (a spoof is dropped); a full table forgets its oldest. */
static void test_learning(void)
{
	struct net *t = net_new(3, NULL, NULL, NULL);
	uint8_t f[128], got[2048], hdr[VNET_HDR_LEN];
	static const uint8_t x[6] = {0x02, 0x99, 0, 0, 0, 1}; /* behind port 0 (a bridge in it) */
	unsigned n = frame(f, x, MAC[1], -1, 0x0800, 20, 1);
	CHECK_EQ(send(t, 1, f, n, NULL), VSWITCH_IDLE); /* x unknown: flooded */
	CHECK_EQ(drv_recv(&t->drv[0], got, hdr), (int)n);
	CHECK_EQ(drv_recv(&t->drv[2], got, hdr), (int)n);
	n = frame(f, MAC[1], x, -1, 0x0800, 20, 1);
	CHECK_EQ(send(t, 0, f, n, NULL), VSWITCH_IDLE); /* x learned on port 0 */
	CHECK_EQ(drv_recv(&t->drv[1], got, hdr), (int)n);
	n = frame(f, x, MAC[2], -1, 0x0800, 20, 1);
	CHECK_EQ(send(t, 2, f, n, NULL), VSWITCH_IDLE);
	CHECK_EQ(drv_recv(&t->drv[0], got, hdr), (int)n);
	CHECK_EQ(drv_recv(&t->drv[1], got, hdr), -1);
	/* Port 2 claims port 1's MAC: dropped, and port 1 still gets its frames. */
	n = frame(f, MAC[0], MAC[1], -1, 0x0800, 20, 1);
	CHECK_EQ(send(t, 2, f, n, NULL), VSWITCH_IDLE);
	CHECK_EQ(t->sw.port[2].c.tx_drop_bad, 1);
	CHECK_EQ(drv_recv(&t->drv[0], got, hdr), -1);
	n = frame(f, MAC[1], MAC[0], -1, 0x0800, 20, 1);
	CHECK_EQ(send(t, 0, f, n, NULL), VSWITCH_IDLE);
	CHECK_EQ(drv_recv(&t->drv[1], got, hdr), (int)n);
	CHECK_EQ(drv_recv(&t->drv[2], got, hdr), -1);
	/* A group source address is no one's. */
	n = frame(f, MAC[1], BCAST, -1, 0x0800, 20, 1);
	CHECK_EQ(send(t, 0, f, n, NULL), VSWITCH_IDLE);
	CHECK_EQ(t->sw.port[0].c.tx_drop_bad, 1);
	/* Fill the table from port 0 with new sources: x (the oldest) is forgotten, so it floods.
	 */
	drv_post_rx(&t->drv[1], 8, DRV_RX_LEN);
	for (unsigned i = 0; i < VSWITCH_FDB_SIZE; i++) {
		uint8_t s[6] = {0x02, 0x77, 0, 0, (uint8_t)(i >> 8), (uint8_t)i};
		n = frame(f, MAC[2], s, -1, 0x0800, 20, 1);
		drv_send(&t->drv[0], f, n, false, false);
		if (i % 8 == 7) {
			uint32_t irq;
			vswitch_tx(&t->sw, 0, &irq);
			drv_post_rx(&t->drv[2], 8, DRV_RX_LEN);
		}
	}
	while (drv_recv(&t->drv[2], got, hdr) >= 0)
		;
	n = frame(f, x, MAC[2], -1, 0x0800, 20, 1);
	CHECK_EQ(send(t, 2, f, n, NULL), VSWITCH_IDLE);
	CHECK_EQ(drv_recv(&t->drv[1], got, hdr), (int)n); /* flooded again */
	CHECK(healthy(t, 0) && healthy(t, 1) && healthy(t, 2));
	net_free(t);
}

/* Access ports (10, 20, 10), a trunk (10, 20, 30; native 1... none), VLAN separation,
 * tags added and stripped, foreign and nested tags dropped. */
static void test_vlans(void)
{
	static const struct port_spec spec[4] = {{false, 10, {0}, 0},
						 {false, 20, {0}, 0},
						 {true, 0, {10, 20, 30}, 3},
						 {false, 10, {0}, 0}};
	struct net *t = net_new(4, spec, NULL, NULL);
	uint8_t f[128], got[2048], hdr[VNET_HDR_LEN], want[128];
	/* Access 10 broadcast: port 3 untagged, trunk tagged 10, never port 1. */
	unsigned n = frame(f, BCAST, MAC[0], -1, 0x0806, 28, 2);
	CHECK_EQ(send(t, 0, f, n, NULL), VSWITCH_IDLE);
	CHECK_EQ(drv_recv(&t->drv[1], got, hdr), -1);
	CHECK_EQ(drv_recv(&t->drv[3], got, hdr), (int)n);
	CHECK(!memcmp(got, f, n));
	unsigned wn = frame(want, BCAST, MAC[0], 10, 0x0806, 28, 2);
	CHECK_EQ(drv_recv(&t->drv[2], got, hdr), (int)wn);
	CHECK(!memcmp(got, want, wn));
	/* Unicast from port 1 (VLAN 20) to port 0's MAC: not on its VLAN, so
	 * flooded in 20 (the trunk), never delivered to port 0. */
	n = frame(f, MAC[0], MAC[1], -1, 0x0800, 28, 2);
	CHECK_EQ(send(t, 1, f, n, NULL), VSWITCH_IDLE);
	CHECK_EQ(drv_recv(&t->drv[0], got, hdr), -1);
	wn = frame(want, MAC[0], MAC[1], 20, 0x0800, 28, 2);
	CHECK_EQ(drv_recv(&t->drv[2], got, hdr), (int)wn);
	CHECK(!memcmp(got, want, wn));
	/* Trunk tagged 20 (priority 5 kept) to port 1: the tag stripped. */
	n = frame(f, MAC[1], MAC[2], 0xa000 | 20, 0x0800, 28, 4);
	CHECK_EQ(send(t, 2, f, n, NULL), VSWITCH_IDLE);
	wn = frame(want, MAC[1], MAC[2], -1, 0x0800, 28, 4);
	CHECK_EQ(drv_recv(&t->drv[1], got, hdr), (int)wn);
	CHECK(!memcmp(got, want, wn));
	/* Trunk tagged 30: allowed, but no one else is on 30. Tagged 40: not allowed. */
	n = frame(f, BCAST, MAC[2], 30, 0x0800, 28, 4);
	CHECK_EQ(send(t, 2, f, n, NULL), VSWITCH_IDLE);
	n = frame(f, BCAST, MAC[2], 40, 0x0800, 28, 4);
	CHECK_EQ(send(t, 2, f, n, NULL), VSWITCH_IDLE);
	CHECK_EQ(t->sw.port[2].c.tx_drop_vlan, 1);
	/* Untagged on a trunk without native VLAN; tagged on an access port; VID 0 and 4095. */
	n = frame(f, BCAST, MAC[2], -1, 0x0800, 28, 4);
	CHECK_EQ(send(t, 2, f, n, NULL), VSWITCH_IDLE);
	n = frame(f, BCAST, MAC[2], 0, 0x0800, 28, 4);
	CHECK_EQ(send(t, 2, f, n, NULL), VSWITCH_IDLE);
	n = frame(f, BCAST, MAC[2], 4095, 0x0800, 28, 4);
	CHECK_EQ(send(t, 2, f, n, NULL), VSWITCH_IDLE);
	CHECK_EQ(t->sw.port[2].c.tx_drop_vlan, 4);
	n = frame(f, BCAST, MAC[0], 10, 0x0800, 28, 4);
	CHECK_EQ(send(t, 0, f, n, NULL), VSWITCH_IDLE);
	CHECK_EQ(t->sw.port[0].c.tx_drop_vlan, 1);
	/* Double tagging: tagged 10 holding a tag for 20 would reach port 3's
	 * stack as a VLAN-20 frame. Dropped; so is an 802.1ad S-tag. */
	n = frame(f, BCAST, MAC[2], 10, 0x8100, 28, 4);
	f[18] = 0x00;
	f[19] = 20;
	CHECK_EQ(send(t, 2, f, n, NULL), VSWITCH_IDLE);
	n = frame(f, BCAST, MAC[0], -1, 0x88a8, 28, 4);
	CHECK_EQ(send(t, 0, f, n, NULL), VSWITCH_IDLE);
	CHECK_EQ(t->sw.port[2].c.tx_drop_vlan, 5);
	CHECK_EQ(t->sw.port[0].c.tx_drop_vlan, 2);
	for (unsigned i = 0; i < 4; i++)
		CHECK_EQ(drv_recv(&t->drv[i], got, hdr), -1);
	net_free(t);

	/* A trunk with native VLAN 10: untagged in and out on 10. */
	static const struct port_spec spec2[2] = {{false, 10, {0}, 0}, {true, 10, {20}, 1}};
	t = net_new(2, spec2, NULL, NULL);
	n = frame(f, MAC[0], MAC[1], -1, 0x0800, 28, 6);
	CHECK_EQ(send(t, 1, f, n, NULL), VSWITCH_IDLE);
	CHECK_EQ(drv_recv(&t->drv[0], got, hdr), (int)n);
	CHECK(!memcmp(got, f, n));
	n = frame(f, MAC[1], MAC[0], -1, 0x0800, 28, 6);
	CHECK_EQ(send(t, 0, f, n, NULL), VSWITCH_IDLE);
	CHECK_EQ(drv_recv(&t->drv[1], got, hdr), (int)n);
	CHECK(!memcmp(got, f, n));
	/* Bad port VLAN settings are refused. */
	struct vq_mem m = {BASE(3), DRV_RAM_SIZE, t->ram[0]};
	uint16_t bad = 4095;
	CHECK_EQ(vswitch_add_port(&t->sw, 3, &m, MAC[3], false, 0, NULL, 0), -1);
	CHECK_EQ(vswitch_add_port(&t->sw, 3, &m, MAC[3], false, 4095, NULL, 0), -1);
	CHECK_EQ(vswitch_add_port(&t->sw, 3, &m, MAC[3], true, 0, &bad, 1), -1);
	CHECK_EQ(vswitch_add_port(&t->sw, 3, &m, BCAST, false, 1, NULL, 0), -1);
	CHECK_EQ(t->sw.nports, 2);
	net_free(t);
}

/* The policy hook: port 0 may not send to port 1; everything else may. */
static bool deny_0_to_1(const void *ctx, unsigned src, unsigned dst)
{
	(*(unsigned *)ctx)++;
	return !(src == 0 && dst == 1);
}

static void test_policy(void)
{
	unsigned asked = 0;
	struct net *t = net_new(3, NULL, deny_0_to_1, &asked);
	uint8_t f[128], got[2048], hdr[VNET_HDR_LEN];
	unsigned n = frame(f, MAC[1], MAC[0], -1, 0x0800, 28, 6);
	CHECK_EQ(send(t, 0, f, n, NULL), VSWITCH_IDLE);
	CHECK_EQ(drv_recv(&t->drv[1], got, hdr), -1);
	CHECK_EQ(t->sw.port[0].c.tx_drop_policy, 1);
	n = frame(f, BCAST, MAC[0], -1, 0x0800, 28, 6);
	CHECK_EQ(send(t, 0, f, n, NULL), VSWITCH_IDLE);
	CHECK_EQ(drv_recv(&t->drv[1], got, hdr), -1);
	CHECK_EQ(drv_recv(&t->drv[2], got, hdr), (int)n);
	CHECK_EQ(t->sw.port[0].c.tx_drop_policy, 2);
	n = frame(f, MAC[0], MAC[1], -1, 0x0800, 28, 6);
	CHECK_EQ(send(t, 1, f, n, NULL), VSWITCH_IDLE);
	CHECK_EQ(drv_recv(&t->drv[0], got, hdr), (int)n);
	CHECK_EQ(asked, 9); /* 4 deliveries, and 5 asks of whether the sender may send to anyone (learning) */
	net_free(t);
}

/* A source address is learned only from a port the policy lets send to
 * some other member: a port that may send to no one cannot steer the
 * switch. And a destination learned on a port the sender may not reach is
 * treated as unknown (flooded to the ports it may reach), so a spoof
 * learned there cannot black-hole another member's traffic. */
static bool deny_from_2(const void *ctx, unsigned src, unsigned dst)
{
	(void)ctx, (void)dst;
	return src != 2;
}

static bool deny_1_to_2(const void *ctx, unsigned src, unsigned dst)
{
	(void)ctx;
	return !(src == 1 && dst == 2);
}

static void test_policy_learning(void)
{
	static const uint8_t x[6] = {0x02, 0x99, 0, 0, 0, 1}; /* behind port 0 (a bridge in it) */
	uint8_t f[128], got[2048], hdr[VNET_HDR_LEN];
	struct net *t = net_new(3, NULL, deny_from_2, NULL);
	unsigned n = frame(f, MAC[1], x, -1, 0x0800, 20, 1);
	CHECK_EQ(send(t, 0, f, n, NULL), VSWITCH_IDLE); /* x learned on port 0 */
	CHECK_EQ(drv_recv(&t->drv[1], got, hdr), (int)n);
	n = frame(f, BCAST, x, -1, 0x0800, 20, 2);
	CHECK_EQ(send(t, 2, f, n, NULL), VSWITCH_IDLE); /* port 2 claims x: sends nothing */
	CHECK_EQ(drv_recv(&t->drv[0], got, hdr), -1);
	CHECK_EQ(drv_recv(&t->drv[1], got, hdr), -1);
	n = frame(f, x, MAC[1], -1, 0x0800, 20, 3);
	CHECK_EQ(send(t, 1, f, n, NULL), VSWITCH_IDLE); /* still to port 0 */
	CHECK_EQ(drv_recv(&t->drv[0], got, hdr), (int)n);
	CHECK_EQ(drv_recv(&t->drv[2], got, hdr), -1);
	net_free(t);

	t = net_new(3, NULL, deny_1_to_2, NULL);
	n = frame(f, MAC[0], x, -1, 0x0800, 20, 4);
	CHECK_EQ(send(t, 2, f, n, NULL), VSWITCH_IDLE); /* port 2 (may send to 0) claims x */
	CHECK_EQ(drv_recv(&t->drv[0], got, hdr), (int)n);
	n = frame(f, x, MAC[1], -1, 0x0800, 20, 5);
	CHECK_EQ(send(t, 1, f, n, NULL), VSWITCH_IDLE); /* 1 may not reach 2: flooded to 0 */
	CHECK_EQ(drv_recv(&t->drv[0], got, hdr), (int)n);
	CHECK_EQ(drv_recv(&t->drv[2], got, hdr), -1);
	CHECK(healthy(t, 0) && healthy(t, 1) && healthy(t, 2));
	net_free(t);
}

/* No RX buffer (or one too small): the frame is lost and counted on the
 * receiver, the sender's buffer is returned, a small buffer stays posted. */
static void test_no_rx_buffer(void)
{
	struct net *t = net_new(2, NULL, NULL, NULL);
	uint8_t f[1600], got[2048], hdr[VNET_HDR_LEN];
	unsigned n = frame(f, MAC[1], MAC[0], -1, 0x0800, 100, 6);
	for (unsigned i = 0; i < 8; i++)
		CHECK_EQ(send(t, 0, f, n, NULL), VSWITCH_IDLE);
	CHECK_EQ(send(t, 0, f, n, NULL), VSWITCH_IDLE);
	CHECK_EQ(t->sw.port[1].c.rx_frames, 8);
	CHECK_EQ(t->sw.port[1].c.rx_drop_no_buf, 1);
	CHECK_EQ(drv_used_idx(&t->drv[0], 1), 9);
	for (unsigned i = 0; i < 8; i++)
		CHECK_EQ(drv_recv(&t->drv[1], got, hdr), (int)n);
	/* A buffer of 12 + 100 bytes cannot take a 114-byte frame, but a 100-byte one. */
	drv_post_rx(&t->drv[1], 1, VNET_HDR_LEN + 100);
	CHECK_EQ(send(t, 0, f, n, NULL), VSWITCH_IDLE);
	CHECK_EQ(t->sw.port[1].c.rx_drop_no_buf, 2);
	n = frame(f, MAC[1], MAC[0], -1, 0x0800, 86, 6);
	CHECK_EQ(send(t, 0, f, n, NULL), VSWITCH_IDLE);
	CHECK_EQ(drv_recv(&t->drv[1], got, hdr), (int)n);
	CHECK(healthy(t, 0) && healthy(t, 1));
	net_free(t);
}

/* One notify forwards at most VSWITCH_BUDGET frames; the rest on the next call. */
static void test_budget(void)
{
	struct net *t = net_new(2, NULL, NULL, NULL);
	uint8_t f[128];
	unsigned n = frame(f, MAC[1], MAC[0], -1, 0x0800, 28, 6);
	drv_post_rx(&t->drv[1], 24, DRV_RX_LEN); /* 32 buffers */
	for (unsigned i = 0; i < VSWITCH_BUDGET + 8; i++)
		drv_send(&t->drv[0], f, n, false, false);
	uint32_t irq;
	CHECK_EQ(vswitch_tx(&t->sw, 0, &irq), VSWITCH_MORE);
	CHECK(t->sw.port[0].pending);
	CHECK_EQ(t->sw.port[0].c.tx_frames, VSWITCH_BUDGET);
	CHECK_EQ(vswitch_tx(&t->sw, 0, &irq), VSWITCH_IDLE);
	CHECK(!t->sw.port[0].pending);
	CHECK_EQ(t->sw.port[0].c.tx_frames, VSWITCH_BUDGET + 8);
	CHECK_EQ(t->sw.port[1].c.rx_frames, 32);
	CHECK_EQ(t->sw.port[1].c.rx_drop_no_buf, 8);
	net_free(t);
}

/* avail->flags NO_INTERRUPT: buffers used, no interrupt raised. */
static void test_no_interrupt(void)
{
	struct net *t = net_new(2, NULL, NULL, NULL);
	uint8_t f[128], got[2048], hdr[VNET_HDR_LEN];
	uint16_t fl = VQ_AVAIL_F_NO_INTERRUPT;
	memcpy(t->ram[0] + drv_avail(1), &fl, 2);
	memcpy(t->ram[1] + drv_avail(0), &fl, 2);
	unsigned n = frame(f, MAC[1], MAC[0], -1, 0x0800, 28, 6);
	uint32_t irq;
	CHECK_EQ(send(t, 0, f, n, &irq), VSWITCH_IDLE);
	CHECK_EQ(irq, 0);
	CHECK_EQ(t->sw.port[0].dev.isr | t->sw.port[1].dev.isr, 0);
	CHECK_EQ(drv_recv(&t->drv[1], got, hdr), (int)n);
	/* Acknowledging clears the line. */
	fl = 0;
	memcpy(t->ram[1] + drv_avail(0), &fl, 2);
	CHECK_EQ(send(t, 0, f, n, &irq), VSWITCH_IDLE);
	CHECK_EQ(irq, 2);
	CHECK(virtio_mmio_irq(&t->sw.port[1].dev));
	drv_wr(&t->drv[1], VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_VRING);
	CHECK(!virtio_mmio_irq(&t->sw.port[1].dev));
	net_free(t);
}

/* ---- hostile drivers ---- */

/*
 * Port 0's driver writes its TX ring by hand (set up by fn), then notifies:
 * its device must end in NEEDS_RESET with fault want (and a configuration
 * interrupt), nothing of it used, while ports 1 and 2 still exchange frames.
 */
static void hostile_tx(void (*fn)(struct net *, struct vdrv *), enum vq_err want, const char *name)
{
	check_test = name;
	struct net *t = net_new(3, NULL, NULL, NULL);
	struct vdrv *d = &t->drv[0];
	struct virtio_mmio *dev = &t->sw.port[0].dev;
	uint8_t f[128], got[2048], hdr[VNET_HDR_LEN];
	fn(t, d);
	uint8_t *other1 = malloc(DRV_RAM_SIZE), *other2 = malloc(DRV_RAM_SIZE);
	memcpy(other1, t->ram[1], DRV_RAM_SIZE);
	memcpy(other2, t->ram[2], DRV_RAM_SIZE);
	uint32_t irq = 0;
	enum virtio_mmio_result r = drv_wr(d, VIRTIO_MMIO_QUEUE_NOTIFY, 1);
	if (r == VIRTIO_MMIO_NOTIFY)
		CHECK_EQ(vswitch_tx(&t->sw, 0, &irq), VSWITCH_FAULT);
	CHECK(dev->status & VIRTIO_STATUS_NEEDS_RESET);
	CHECK_EQ(dev->fault.err, want);
	CHECK(dev->isr & VIRTIO_MMIO_INT_CONFIG);
	if (r == VIRTIO_MMIO_NOTIFY)
		CHECK_EQ(irq, 1);
	CHECK_EQ(drv_used_idx(d, 1), 0);
	/* Nothing of the other ports was touched. */
	CHECK(!memcmp(other1, t->ram[1], DRV_RAM_SIZE));
	CHECK(!memcmp(other2, t->ram[2], DRV_RAM_SIZE));
	free(other1);
	free(other2);
	/* Stopped: notifies are ignored, the switch takes nothing. */
	CHECK_EQ(drv_wr(d, VIRTIO_MMIO_QUEUE_NOTIFY, 1), VIRTIO_MMIO_DONE);
	CHECK_EQ(vswitch_tx(&t->sw, 0, &irq), VSWITCH_FAULT);
	CHECK_EQ(drv_used_idx(d, 1), 0);
	/* The others still talk, and a broadcast skips the broken port. */
	unsigned n = frame(f, BCAST, MAC[1], -1, 0x0800, 28, 6);
	CHECK_EQ(send(t, 1, f, n, NULL), VSWITCH_IDLE);
	CHECK_EQ(drv_recv(&t->drv[2], got, hdr), (int)n);
	CHECK_EQ(drv_recv(&t->drv[0], got, hdr), -1);
	n = frame(f, MAC[1], MAC[2], -1, 0x0800, 28, 6);
	CHECK_EQ(send(t, 2, f, n, NULL), VSWITCH_IDLE);
	CHECK_EQ(drv_recv(&t->drv[1], got, hdr), (int)n);
	CHECK(healthy(t, 1) && healthy(t, 2));
	/* A reset and a new probe bring it back. */
	drv_wr(d, VIRTIO_MMIO_STATUS, 0);
	memset(t->ram[0], 0, DRV_RAM_SIZE);
	CHECK(drv_probe(d, dev, t->ram[0], BASE(0), 0, WANT_NET));
	n = frame(f, MAC[1], MAC[0], -1, 0x0800, 28, 6);
	CHECK_EQ(send(t, 0, f, n, NULL), VSWITCH_IDLE);
	CHECK_EQ(drv_recv(&t->drv[1], got, hdr), (int)n);
	CHECK(healthy(t, 0));
	net_free(t);
}

#define TXBUF(d) ((d)->base + DRV_TX_BUF)

static void h_loop(struct net *t, struct vdrv *d)
{
	(void)t;
	drv_set_desc(d, 1, 0, TXBUF(d), 40, VQ_DESC_F_NEXT, 1);
	drv_set_desc(d, 1, 1, TXBUF(d), 40, VQ_DESC_F_NEXT, 0);
	drv_avail_add(d, 1, 0);
}
static void h_self_loop(struct net *t, struct vdrv *d)
{
	(void)t;
	drv_set_desc(d, 1, 5, TXBUF(d), 40, VQ_DESC_F_NEXT, 5);
	drv_avail_add(d, 1, 5);
}
static void h_len_past_ram(struct net *t, struct vdrv *d)
{
	(void)t;
	drv_set_desc(d, 1, 0, d->base + DRV_RAM_SIZE - 16, 17, 0, 0);
	drv_avail_add(d, 1, 0);
}
static void h_addr_wraps(struct net *t, struct vdrv *d)
{
	(void)t;
	drv_set_desc(d, 1, 0, ~0ULL - 8, 0x100, 0, 0);
	drv_avail_add(d, 1, 0);
}
static void h_other_domain(struct net *t, struct vdrv *d)
{
	(void)t;
	drv_set_desc(d, 1, 0, BASE(1) + DRV_TX_BUF, 64, 0, 0); /* port 1's RAM */
	drv_avail_add(d, 1, 0);
}
static void h_next_range(struct net *t, struct vdrv *d)
{
	(void)t;
	drv_set_desc(d, 1, 0, TXBUF(d), 40, VQ_DESC_F_NEXT, (uint16_t)d->num);
	drv_avail_add(d, 1, 0);
}
static void h_head_range(struct net *t, struct vdrv *d)
{
	(void)t;
	drv_avail_add(d, 1, (uint16_t)d->num);
}
static void h_avail_jump(struct net *t, struct vdrv *d)
{
	(void)t;
	drv_set_desc(d, 1, 0, TXBUF(d), 40, 0, 0);
	drv_set_avail_idx(d, 1, (uint16_t)(d->num + 1));
}
static void h_zero_len(struct net *t, struct vdrv *d)
{
	(void)t;
	drv_set_desc(d, 1, 0, TXBUF(d), 0, 0, 0);
	drv_avail_add(d, 1, 0);
}
static void h_indirect(struct net *t, struct vdrv *d)
{
	(void)t;
	/* An indirect table of 1000 entries pointing at itself. */
	drv_set_desc(d, 1, 0, TXBUF(d), 16000, VQ_DESC_F_INDIRECT, 0);
	for (unsigned i = 0; i < 1000; i++) {
		uint8_t *p = drv_at(d, TXBUF(d)) + 16 * i;
		uint64_t a = TXBUF(d);
		uint32_t l = 16000;
		uint16_t fl = VQ_DESC_F_INDIRECT | VQ_DESC_F_NEXT, nx = (uint16_t)i;
		memcpy(p, &a, 8);
		memcpy(p + 8, &l, 4);
		memcpy(p + 12, &fl, 2);
		memcpy(p + 14, &nx, 2);
	}
	drv_avail_add(d, 1, 0);
}
static void h_writable_tx(struct net *t, struct vdrv *d)
{
	(void)t;
	drv_set_desc(d, 1, 0, TXBUF(d), 40, VQ_DESC_F_WRITE, 0);
	drv_avail_add(d, 1, 0);
}
static void h_long_chain(struct net *t, struct vdrv *d)
{
	(void)t;
	for (unsigned i = 0; i < VQ_CHAIN_MAX + 1; i++)
		drv_set_desc(d, 1, i, TXBUF(d) + i, 1, VQ_DESC_F_NEXT, (uint16_t)(i + 1));
	drv_set_desc(d, 1, VQ_CHAIN_MAX, TXBUF(d), 1, 0, 0);
	drv_avail_add(d, 1, 0);
}
/* A good frame first, then a loop: the first is sent, the device stops at the second. */
static void h_good_then_bad(struct net *t, struct vdrv *d)
{
	uint8_t f[128];
	unsigned n = frame(f, MAC[1], MAC[0], -1, 0x0800, 28, 6);
	drv_send(d, f, n, false, false);
	drv_set_desc(d, 1, 7, TXBUF(d), 40, VQ_DESC_F_NEXT, 7);
	drv_avail_add(d, 1, 7);
	(void)t;
}
/* Queue 1 is set not ready again; the notify names a queue not ready. */
static void h_not_ready(struct net *t, struct vdrv *d)
{
	(void)t;
	drv_wr(d, VIRTIO_MMIO_QUEUE_SEL, 1);
	drv_wr(d, VIRTIO_MMIO_QUEUE_READY, 0);
}

static void test_hostile_tx(void)
{
	hostile_tx(h_loop, VQ_ERR_CHAIN_LONG, "hostile: descriptor loop");
	hostile_tx(h_self_loop, VQ_ERR_CHAIN_LONG, "hostile: descriptor pointing at itself");
	hostile_tx(h_long_chain, VQ_ERR_CHAIN_LONG, "hostile: chain longer than VQ_CHAIN_MAX");
	hostile_tx(h_len_past_ram, VQ_ERR_BUF, "hostile: length past RAM");
	hostile_tx(h_addr_wraps, VQ_ERR_BUF, "hostile: address + length wraps");
	hostile_tx(h_other_domain, VQ_ERR_BUF, "hostile: buffer in another domain");
	hostile_tx(h_next_range, VQ_ERR_NEXT, "hostile: next index out of range");
	hostile_tx(h_head_range, VQ_ERR_HEAD, "hostile: head index out of range");
	hostile_tx(h_avail_jump, VQ_ERR_AVAIL_IDX, "hostile: avail idx jump");
	hostile_tx(h_zero_len, VQ_ERR_LEN_ZERO, "hostile: zero-length descriptor");
	hostile_tx(h_indirect, VQ_ERR_INDIRECT, "hostile: indirect descriptor");
	hostile_tx(h_writable_tx, VQ_ERR_DIRECTION, "hostile: writable TX descriptor");
	hostile_tx(h_not_ready, VQ_ERR_NOT_READY, "hostile: notify of a queue not ready");
}

/* A good frame before the bad chain is delivered; the device stops at the bad one. */
static void test_hostile_after_good(void)
{
	struct net *t = net_new(2, NULL, NULL, NULL);
	uint8_t got[2048], hdr[VNET_HDR_LEN];
	h_good_then_bad(t, &t->drv[0]);
	CHECK_EQ(drv_wr(&t->drv[0], VIRTIO_MMIO_QUEUE_NOTIFY, 1), VIRTIO_MMIO_NOTIFY);
	uint32_t irq;
	CHECK_EQ(vswitch_tx(&t->sw, 0, &irq), VSWITCH_FAULT);
	CHECK_EQ(drv_recv(&t->drv[1], got, hdr), 42);
	CHECK_EQ(drv_used_idx(&t->drv[0], 1), 1);
	CHECK_EQ(t->sw.port[0].dev.fault.err, VQ_ERR_CHAIN_LONG);
	CHECK(healthy(t, 1));
	net_free(t);
}

/* Notify of a queue index that does not exist. */
static void test_hostile_notify_index(void)
{
	struct net *t = net_new(2, NULL, NULL, NULL);
	CHECK_EQ(drv_wr(&t->drv[0], VIRTIO_MMIO_QUEUE_NOTIFY, 7), VIRTIO_MMIO_DONE);
	CHECK(t->sw.port[0].dev.status & VIRTIO_STATUS_NEEDS_RESET);
	CHECK_EQ(t->sw.port[0].dev.fault.err, VQ_ERR_NOT_READY);
	CHECK(healthy(t, 1));
	net_free(t);
}

/*
 * Rings that QueueReady refuses: misaligned, outside RAM, bad sizes. The
 * queue never becomes ready, the device goes to NEEDS_RESET (no interrupt:
 * DRIVER_OK is not set yet), and DRIVER_OK is refused after it.
 */
static void test_hostile_rings(void)
{
	static const struct {
		uint32_t num;
		uint64_t desc, avail, used;
		enum vq_err want;
		const char *what;
	} c[] = {
	    {256, 0x3008, 0x4000, 0x5000, VQ_ERR_ALIGN, "desc misaligned"},
	    {256, 0x3000, 0x4001, 0x5000, VQ_ERR_ALIGN, "avail misaligned"},
	    {256, 0x3000, 0x4000, 0x5002, VQ_ERR_ALIGN, "used misaligned"},
	    {256, DRV_RAM_SIZE - 0x800, 0x4000, 0x5000, VQ_ERR_RING, "desc past RAM"},
	    {256, 0x3000, DRV_RAM_SIZE - 0x200, 0x5000, VQ_ERR_RING, "avail past RAM"},
	    {256, 0x3000, 0x4000, DRV_RAM_SIZE - 0x800, VQ_ERR_RING, "used past RAM"},
	    {256, (uint64_t)-0x1000 - BASE(0), 0x4000, 0x5000, VQ_ERR_RING, "desc wraps"},
	    {0, 0x3000, 0x4000, 0x5000, VQ_ERR_SIZE, "size 0"},
	    {100, 0x3000, 0x4000, 0x5000, VQ_ERR_SIZE, "size not a power of 2"},
	    {512, 0x3000, 0x4000, 0x5000, VQ_ERR_SIZE, "size above QueueNumMax"},
	};
	for (unsigned i = 0; i < ARRAY_SIZE(c); i++) {
		check_test = c[i].what;
		uint8_t *ram = drv_ram_alloc();
		struct vq_mem m = {BASE(0), DRV_RAM_SIZE, ram};
		struct virtio_mmio dev;
		virtio_mmio_init(&dev, VIRTIO_ID_NET, BIT(VIRTIO_NET_F_MAC), "", 0, 2, &m);
		struct vdrv d = {.dev = &dev};
		drv_wr(&d, VIRTIO_MMIO_STATUS, 1);
		drv_wr(&d, VIRTIO_MMIO_STATUS, 3);
		drv_wr(&d, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
		drv_wr(&d, VIRTIO_MMIO_DRIVER_FEATURES, 1);
		drv_wr(&d, VIRTIO_MMIO_STATUS, 0xb);
		drv_wr(&d, VIRTIO_MMIO_QUEUE_SEL, 1);
		drv_wr(&d, VIRTIO_MMIO_QUEUE_NUM, c[i].num);
		uint64_t a[3] = {BASE(0) + c[i].desc, BASE(0) + c[i].avail, BASE(0) + c[i].used};
		for (unsigned k = 0; k < 3; k++) {
			drv_wr(&d, VIRTIO_MMIO_QUEUE_DESC_LOW + 0x10 * k, (uint32_t)a[k]);
			drv_wr(&d, VIRTIO_MMIO_QUEUE_DESC_HIGH + 0x10 * k, (uint32_t)(a[k] >> 32));
		}
		drv_wr(&d, VIRTIO_MMIO_QUEUE_READY, 1);
		CHECK_EQ(drv_rd(&d, VIRTIO_MMIO_QUEUE_READY), 0);
		CHECK_EQ(dev.fault.err, c[i].want);
		CHECK_EQ(dev.fault.queue, 1);
		CHECK_EQ(drv_rd(&d, VIRTIO_MMIO_STATUS), 0xb | VIRTIO_STATUS_NEEDS_RESET);
		CHECK_EQ(dev.isr, 0);
		drv_wr(&d, VIRTIO_MMIO_STATUS, 0xf);
		CHECK(!virtio_mmio_live(&dev));
		free(ram);
	}
	check_test = "test_hostile_rings";
	/* Queue set-up before FEATURES_OK: ignored, the queue stays not ready. */
	uint8_t *ram = drv_ram_alloc();
	struct vq_mem m = {BASE(0), DRV_RAM_SIZE, ram};
	struct virtio_mmio dev;
	virtio_mmio_init(&dev, VIRTIO_ID_NET, 0, "", 0, 2, &m);
	struct vdrv d = {.dev = &dev};
	drv_wr(&d, VIRTIO_MMIO_QUEUE_NUM, 8);
	drv_wr(&d, VIRTIO_MMIO_QUEUE_READY, 1);
	CHECK_EQ(drv_rd(&d, VIRTIO_MMIO_QUEUE_READY), 0);
	free(ram);
}

/*
 * A receiver with hostile RX rings breaks only itself: the sender's frame
 * is still taken and delivered to the others of a broadcast, and the
 * receiver's drop is counted.
 */
static void test_hostile_rx(void)
{
	static const struct {
		uint32_t len;
		uint16_t flags, next;
		enum vq_err want;
	} c[] = {
	    {1530, VQ_DESC_F_WRITE | VQ_DESC_F_NEXT, 0, VQ_ERR_CHAIN_LONG},
	    {1530, 0, 0, VQ_ERR_DIRECTION}, /* a read-only RX buffer */
	    {0, VQ_DESC_F_WRITE, 0, VQ_ERR_LEN_ZERO},
	    {DRV_RAM_SIZE, VQ_DESC_F_WRITE, 0, VQ_ERR_BUF},
	    {1530, VQ_DESC_F_WRITE | VQ_DESC_F_INDIRECT, 0, VQ_ERR_INDIRECT},
	};
	for (unsigned i = 0; i < ARRAY_SIZE(c); i++) {
		struct net *t = net_new(3, NULL, NULL, NULL);
		struct vdrv *d = &t->drv[2];
		/* Its 8 posted buffers used up first, then the hostile one. */
		uint8_t f[128], got[2048], hdr[VNET_HDR_LEN];
		unsigned n = frame(f, BCAST, MAC[0], -1, 0x0800, 28, 6);
		for (unsigned k = 0; k < 8; k++)
			send(t, 0, f, n, NULL);
		drv_set_desc(d, 0, 9, d->base + DRV_RX_BUF + 0x1000, c[i].len, c[i].flags,
			     c[i].next ? c[i].next : 9);
		drv_avail_add(d, 0, 9);
		uint32_t irq;
		CHECK_EQ(send(t, 0, f, n, &irq), VSWITCH_IDLE);
		CHECK_EQ(irq, 1u | 4u); /* 0: TX used; 2: configuration change; 1: no buffer */
		CHECK(t->sw.port[2].dev.status & VIRTIO_STATUS_NEEDS_RESET);
		CHECK_EQ(t->sw.port[2].dev.fault.err, c[i].want);
		CHECK_EQ(t->sw.port[2].c.rx_drop_no_buf, 1);
		CHECK(healthy(t, 0) && healthy(t, 1));
		CHECK_EQ(t->sw.port[1].c.rx_frames, 8);
		/* The sender goes on; the broken receiver is skipped. */
		CHECK_EQ(send(t, 0, f, n, NULL), VSWITCH_IDLE);
		CHECK_EQ(t->sw.port[2].c.rx_drop_no_buf, 2);
		unsigned got_n = 0;
		while (drv_recv(&t->drv[1], got, hdr) >= 0)
			got_n++;
		CHECK_EQ(got_n, 8); /* its 8 buffers; the 9th and 10th frames found none */
		net_free(t);
	}
}

/* Each code's name, in the order of enum vq_err (a packed string). */
static void test_err_names(void)
{
	static const char *const want[VQ_ERR_COUNT] = {
	    [VQ_OK] = "ok",
	    [VQ_EMPTY] = "empty",
	    [VQ_ERR_SIZE] = "queue size not a power of 2 in 1..256",
	    [VQ_ERR_RING] = "ring outside the domain's RAM",
	    [VQ_ERR_ALIGN] = "ring misaligned",
	    [VQ_ERR_AVAIL_IDX] = "avail index jumped more than the queue size",
	    [VQ_ERR_HEAD] = "head index out of range",
	    [VQ_ERR_NEXT] = "next index out of range",
	    [VQ_ERR_CHAIN_LONG] = "descriptor chain too long (a loop?)",
	    [VQ_ERR_BUF] = "buffer outside the domain's RAM",
	    [VQ_ERR_LEN_ZERO] = "zero-length descriptor",
	    [VQ_ERR_INDIRECT] = "indirect descriptor (not offered)",
	    [VQ_ERR_DIRECTION] = "descriptor direction wrong for this queue",
	    [VQ_ERR_NOT_READY] = "queue not ready",
	};
	for (unsigned e = 0; e < VQ_ERR_COUNT; e++)
		CHECK_STR(vq_err_name((enum vq_err)e), want[e]);
	CHECK_STR(vq_err_name(VQ_ERR_COUNT), "?");
	CHECK_STR(vq_err_name((enum vq_err)-1), "?");
}

int main(void)
{
	RUN(test_err_names);
	RUN(test_probe);
	RUN(test_features);
	RUN(test_bad_access);
	RUN(test_reset);
	RUN(test_unicast);
	RUN(test_flood);
	RUN(test_learning);
	RUN(test_vlans);
	RUN(test_policy);
	RUN(test_policy_learning);
	RUN(test_no_rx_buffer);
	RUN(test_budget);
	RUN(test_no_interrupt);
	RUN(test_hostile_tx);
	RUN(test_hostile_after_good);
	RUN(test_hostile_notify_index);
	RUN(test_hostile_rings);
	RUN(test_hostile_rx);
	return check_summary("test_virtio");
}
