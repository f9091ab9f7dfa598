/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: the virtio-net data path (common/virtio_mmio.c,
 * virtqueue.c, vswitch.c) under a hostile driver. Port 0's guest is the
 * input: register writes and reads of any offset, size and value, arbitrary
 * bytes and descriptors in its RAM, notifies, probes with any queue size,
 * resets. Ports 1 and 2 are well-behaved drivers (tests/unit/virtio_drv.h)
 * that send to it and receive from it. Each RAM is its own allocation, so
 * AddressSanitizer catches any access outside it. After every operation:
 * ports 1 and 2 never break, a broken device's RAM is never written, the
 * transport's state stays within its values, and every frame ports 1 and 2
 * receive is well formed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/lib.h"
#include "common/virtio_mmio.h"
#include "common/virtqueue.h"
#include "common/vswitch.h"
#include "tests/unit/virtio_drv.h"

#define NPORTS	3
#define BASE(i) (0x40000000ULL + (uint64_t)(i)*0x10000000ULL)
#define WANT	(BIT(VIRTIO_F_VERSION_1) | BIT(VIRTIO_NET_F_MAC))

static const uint8_t MAC[NPORTS][6] = {
    {0x02, 0, 0, 0, 0, 0x0a}, {0x02, 0, 0, 0, 0, 0x0b}, {0x02, 0, 0, 0, 0, 0x0c}};

static struct vswitch sw;
static struct vdrv drv[NPORTS];
static uint8_t *ram[NPORTS];
static uint8_t *snap;

static void fail(const char *what)
{
	fprintf(stderr, "fuzz_virtio: %s\n", what);
	abort();
}

static void setup(void)
{
	if (!snap) {
		for (unsigned i = 0; i < NPORTS; i++)
			ram[i] = aligned_alloc(4096, DRV_RAM_SIZE);
		snap = malloc(DRV_RAM_SIZE);
	}
	vswitch_init(&sw, NULL, NULL);
	for (unsigned i = 0; i < NPORTS; i++) {
		memset(ram[i], 0, DRV_RAM_SIZE);
		struct vq_mem m = {BASE(i), DRV_RAM_SIZE, ram[i]};
		if (vswitch_add_port(&sw, i, &m, MAC[i], false, 1, NULL, 0) != (int)i)
			fail("port set-up");
		if (i == 0) {
			drv[0] =
			    (struct vdrv){.dev = &sw.port[0].dev, .ram = ram[0], .base = BASE(0)};
			continue;
		}
		if (!drv_probe(&drv[i], &sw.port[i].dev, ram[i], BASE(i), 0, WANT))
			fail("a good driver's probe");
		drv_post_rx(&drv[i], 16, DRV_RX_LEN);
	}
}

/* Ports 1 and 2 take what they received: every frame must be well formed. */
static void drain(unsigned i)
{
	uint8_t buf[DRV_BUF_SIZE], hdr[VNET_HDR_LEN];
	int n;
	while ((n = drv_recv(&drv[i], buf, hdr)) != -1) {
		if (n < (int)ETH_HDR_LEN || n > (int)(ETH_HDR_LEN + ETH_MTU))
			fail("a received frame of a bad length");
		static const uint8_t want[VNET_HDR_LEN] = {[10] = 1};
		if (memcmp(hdr, want, VNET_HDR_LEN))
			fail("a received header not ours");
		if (buf[6] & 1)
			fail("a received frame from a group address");
	}
	/* Like a driver, never more buffers posted than it has (DRV_NBUF). */
	if ((uint16_t)(drv[i].avail_idx[0] - drv_used_idx(&drv[i], 0)) <= DRV_NBUF / 2)
		drv_post_rx(&drv[i], 16, DRV_RX_LEN);
}

static void check(void)
{
	for (unsigned i = 1; i < NPORTS; i++)
		if (sw.port[i].dev.status != 0xf || (sw.port[i].dev.isr & VIRTIO_MMIO_INT_CONFIG))
			fail("a good port broke");
	const struct virtio_mmio *d = &sw.port[0].dev;
	if (d->isr & ~(VIRTIO_MMIO_INT_VRING | VIRTIO_MMIO_INT_CONFIG))
		fail("InterruptStatus out of range");
	if (d->status & ~(0xfu | VIRTIO_STATUS_NEEDS_RESET | VIRTIO_STATUS_FAILED))
		fail("Status out of range");
	if ((d->status & VIRTIO_STATUS_FEATURES_OK) &&
	    ((d->driver_features & ~d->features) ||
	     !(d->driver_features & BIT(VIRTIO_F_VERSION_1))))
		fail("FEATURES_OK with features not offered");
	if ((d->status & VIRTIO_STATUS_DRIVER_OK) && !(d->status & VIRTIO_STATUS_FEATURES_OK))
		fail("DRIVER_OK without FEATURES_OK");
	for (unsigned q = 0; q < 2; q++)
		if (d->vq[q].ready && vq_check(&d->vq[q], &d->mem))
			fail("a ready queue that fails its checks");
	if ((d->status & VIRTIO_STATUS_NEEDS_RESET) && !d->fault.err)
		fail("NEEDS_RESET without a reason");
}

static uint32_t get(const uint8_t *p, unsigned n)
{
	uint32_t v = 0;
	for (unsigned i = 0; i < n; i++)
		v |= (uint32_t)p[i] << (8 * i);
	return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	setup();
	size_t p = 0;
	for (unsigned ops = 0; p < size && ops < 512; ops++) {
		uint8_t op = data[p++];
		const uint8_t *a = data + p;
		size_t left = size - p;
		struct virtio_mmio *dev = &sw.port[0].dev;
		bool broken = dev->status & VIRTIO_STATUS_NEEDS_RESET;
		uint32_t irq;
		unsigned q;
		switch (op % 8) {
		case 0: /* register write: offset, value, size */
			if (left < 7)
				return 0;
			virtio_mmio_write(dev, get(a, 2) % (VIRTIO_MMIO_SIZE + 8), 1u << (a[6] % 4),
					  get(a + 2, 4), &q);
			p += 7;
			break;
		case 1: { /* register read */
			if (left < 3)
				return 0;
			uint32_t v;
			virtio_mmio_read(dev, get(a, 2) % (VIRTIO_MMIO_SIZE + 8), 1u << (a[2] % 4),
					 &v);
			p += 3;
			break;
		}
		case 2: { /* raw bytes into its RAM */
			if (left < 4)
				return 0;
			uint32_t off = get(a, 3) % DRV_RAM_SIZE, n = a[3];
			n = MIN(n, (uint32_t)(left - 4));
			n = MIN(n, DRV_RAM_SIZE - off);
			memcpy(ram[0] + off, a + 4, n);
			p += 4 + n;
			break;
		}
		case 3: /* its TX notify, as the dispatcher would run it */
			if (broken)
				memcpy(snap, ram[0], DRV_RAM_SIZE);
			vswitch_tx(&sw, 0, &irq);
			if (broken && memcmp(snap, ram[0], DRV_RAM_SIZE))
				fail("a broken device's RAM written");
			break;
		case 4: { /* port 1 or 2 sends to it, to the other, or to all */
			if (left < 3)
				return 0;
			unsigned from = 1 + (a[0] & 1);
			static const uint8_t bc[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
			const uint8_t *to =
			    (a[0] >> 1) % 3 == 0 ? bc : MAC[((a[0] >> 1) % 3 == 1) ? 0 : 3 - from];
			uint8_t f[ETH_HDR_LEN + ETH_MTU] = {0};
			unsigned n = ETH_HDR_LEN + get(a + 1, 2) % (ETH_MTU + 1);
			memcpy(f, to, 6);
			memcpy(f + 6, MAC[from], 6);
			f[12] = 0x08;
			if (broken)
				memcpy(snap, ram[0], DRV_RAM_SIZE);
			drv_send(&drv[from], f, n, a[0] & 8, true);
			if (vswitch_tx(&sw, from, &irq) != VSWITCH_IDLE)
				fail("a good sender not idle after one frame");
			if (broken && memcmp(snap, ram[0], DRV_RAM_SIZE))
				fail("a broken device's RAM written");
			p += 3;
			break;
		}
		case 5: /* a Linux-like probe, any queue size */
			if (left < 1)
				return 0;
			drv_probe(&drv[0], dev, ram[0], BASE(0), 1u << (a[0] % 10),
				  WANT | get(a, 1) << 24);
			p += 1;
			break;
		case 6: { /* one descriptor (address in or near its RAM), maybe made available */
			if (left < 10)
				return 0;
			unsigned qi = a[0] & 1, idx = a[1];
			uint64_t addr = BASE(0) + get(a + 2, 3) - (a[0] & 2 ? 0x800000 : 0);
			if (drv[0].num && idx < drv[0].num) {
				drv_set_desc(&drv[0], qi, idx, addr, get(a + 5, 2), a[7] & 7, a[8]);
				if (a[0] & 4)
					drv_avail_add(&drv[0], qi,
						      (uint16_t)(a[0] & 8 ? a[9] : idx));
			}
			p += 10;
			break;
		}
		case 7: /* the good ports take their frames; maybe a reset of the hostile one */
			drain(1);
			drain(2);
			if (op & 8)
				virtio_mmio_write(dev, VIRTIO_MMIO_STATUS, 4, 0, &q);
			break;
		}
		check();
	}
	drain(1);
	drain(2);
	check();
	return 0;
}
