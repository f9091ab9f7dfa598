/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A fake virtio-net driver for host tests: it owns a fake RAM and drives a
 * struct virtio_mmio through its registers the way Linux's virtio_mmio and
 * virtio_net do (probe order, one receive buffer per descriptor, frames
 * with a 12-byte header), and lets a test write hostile rings by hand.
 * Header-only; used by tests/unit/test_virtio.c and tests/fuzz/fuzz_virtio.c.
 */
#ifndef TESTS_UNIT_VIRTIO_DRV_H
#define TESTS_UNIT_VIRTIO_DRV_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/virtio_mmio.h"
#include "common/vswitch.h"

/* Fake RAM layout (offsets from the base): the rings, then the buffers. */
#define DRV_RAM_SIZE 0x40000u
#define DRV_RING(q)  ((uint64_t)(q)*0x3000u) /* desc; avail +0x1000; used +0x2000 */
#define DRV_RX_BUF   0x8000u
#define DRV_TX_BUF   0x20000u
#define DRV_BUF_SIZE 0x800u
#define DRV_NBUF     32u
#define DRV_RX_LEN   (VNET_HDR_LEN + ETH_FRAME_MAX) /* Linux's small receive buffer */

struct vdrv {
	struct virtio_mmio *dev;
	uint8_t *ram;
	uint64_t base;
	uint32_t num;	       /* queue size it chose */
	uint16_t avail_idx[2]; /* its avail->idx per queue */
	uint16_t used_seen[2]; /* used entries it has consumed */
	unsigned next_buf[2];  /* buffer (and descriptor) slot used next */
};

/* The fake RAM of one domain: 4 KiB aligned, as a domain's RAM is. */
static inline uint8_t *drv_ram_alloc(void)
{
	uint8_t *ram = aligned_alloc(4096, DRV_RAM_SIZE);
	memset(ram, 0, DRV_RAM_SIZE);
	return ram;
}

static inline uint8_t *drv_at(struct vdrv *d, uint64_t gpa)
{
	return d->ram + (gpa - d->base);
}
static inline uint64_t drv_desc(unsigned q)
{
	return DRV_RING(q);
}
static inline uint64_t drv_avail(unsigned q)
{
	return DRV_RING(q) + 0x1000;
}
static inline uint64_t drv_used(unsigned q)
{
	return DRV_RING(q) + 0x2000;
}

static inline uint32_t drv_rd(struct vdrv *d, uint32_t off)
{
	uint32_t v;
	virtio_mmio_read(d->dev, off, 4, &v);
	return v;
}

/* A register write; the transport's answer (VIRTIO_MMIO_NOTIFY for a notify it accepted). */
static inline enum virtio_mmio_result drv_wr(struct vdrv *d, uint32_t off, uint32_t val)
{
	unsigned q = ~0u;
	return virtio_mmio_write(d->dev, off, 4, val, &q);
}

/* Write descriptor i of queue q. */
static inline void drv_set_desc(struct vdrv *d, unsigned q, unsigned i, uint64_t addr, uint32_t len,
				uint16_t flags, uint16_t next)
{
	uint8_t *p = d->ram + drv_desc(q) + 16u * i;
	memcpy(p, &addr, 8);
	memcpy(p + 8, &len, 4);
	memcpy(p + 12, &flags, 2);
	memcpy(p + 14, &next, 2);
}

static inline void drv_set_avail_idx(struct vdrv *d, unsigned q, uint16_t idx)
{
	memcpy(d->ram + drv_avail(q) + 2, &idx, 2);
}

/* Make head available on queue q (ring entry, then idx). */
static inline void drv_avail_add(struct vdrv *d, unsigned q, uint16_t head)
{
	if (!d->num)
		return; /* its probe failed: the test says so */
	memcpy(d->ram + drv_avail(q) + 4 + 2u * (d->avail_idx[q] % d->num), &head, 2);
	d->avail_idx[q]++;
	drv_set_avail_idx(d, q, d->avail_idx[q]);
}

static inline uint16_t drv_used_idx(struct vdrv *d, unsigned q)
{
	uint16_t v;
	memcpy(&v, d->ram + drv_used(q) + 2, 2);
	return v;
}

/*
 * Linux's probe (virtio_mmio.c vm_probe, virtio core, virtnet_probe):
 * magic, version, device id; reset; ACKNOWLEDGE, DRIVER; features (both
 * halves) and ours; FEATURES_OK and read back; each queue: select, check not
 * ready, size from QueueNumMax, rings, ready; DRIVER_OK. num: 0 = QueueNumMax.
 */
static inline bool drv_probe(struct vdrv *d, struct virtio_mmio *dev, uint8_t *ram, uint64_t base,
			     uint32_t num, uint64_t want)
{
	*d = (struct vdrv){.dev = dev, .ram = ram, .base = base};
	if (drv_rd(d, VIRTIO_MMIO_MAGIC_VALUE) != VIRTIO_MMIO_MAGIC ||
	    drv_rd(d, VIRTIO_MMIO_VERSION) != 2 ||
	    drv_rd(d, VIRTIO_MMIO_DEVICE_ID) != VIRTIO_ID_NET)
		return false;
	drv_wr(d, VIRTIO_MMIO_STATUS, 0);
	drv_wr(d, VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE);
	drv_wr(d, VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	drv_wr(d, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	uint64_t f = (uint64_t)drv_rd(d, VIRTIO_MMIO_DEVICE_FEATURES) << 32;
	drv_wr(d, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	f |= drv_rd(d, VIRTIO_MMIO_DEVICE_FEATURES);
	f &= want;
	drv_wr(d, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	drv_wr(d, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)(f >> 32));
	drv_wr(d, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	drv_wr(d, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)f);
	uint32_t st = VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK;
	drv_wr(d, VIRTIO_MMIO_STATUS, st);
	if (!(drv_rd(d, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_FEATURES_OK))
		return false;
	for (unsigned q = 0; q < 2; q++) {
		drv_wr(d, VIRTIO_MMIO_QUEUE_SEL, q);
		if (drv_rd(d, VIRTIO_MMIO_QUEUE_READY))
			return false;
		uint32_t max = drv_rd(d, VIRTIO_MMIO_QUEUE_NUM_MAX);
		if (!max)
			return false;
		d->num = num ? num : max;
		drv_wr(d, VIRTIO_MMIO_QUEUE_NUM, d->num);
		uint64_t a[3] = {base + drv_desc(q), base + drv_avail(q), base + drv_used(q)};
		for (unsigned k = 0; k < 3; k++) {
			drv_wr(d, VIRTIO_MMIO_QUEUE_DESC_LOW + 0x10 * k, (uint32_t)a[k]);
			drv_wr(d, VIRTIO_MMIO_QUEUE_DESC_HIGH + 0x10 * k, (uint32_t)(a[k] >> 32));
		}
		drv_wr(d, VIRTIO_MMIO_QUEUE_READY, 1);
	}
	drv_wr(d, VIRTIO_MMIO_STATUS, st | VIRTIO_STATUS_DRIVER_OK);
	return drv_rd(d, VIRTIO_MMIO_STATUS) == (st | VIRTIO_STATUS_DRIVER_OK);
}

/* Post n receive buffers (one writable descriptor each, Linux's small mode) and notify. */
static inline void drv_post_rx(struct vdrv *d, unsigned n, uint32_t len)
{
	for (unsigned k = 0; k < n; k++) {
		unsigned slot = d->next_buf[0]++ % DRV_NBUF;
		drv_set_desc(d, 0, slot, d->base + DRV_RX_BUF + slot * DRV_BUF_SIZE, len,
			     VQ_DESC_F_WRITE, 0);
		drv_avail_add(d, 0, (uint16_t)slot);
	}
	drv_wr(d, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
}

/*
 * Queue one frame for transmission: header + frame in one buffer, or (split)
 * the header in its own descriptor chained to the frame. Returns the
 * transport's answer to the notify.
 */
static inline enum virtio_mmio_result drv_send(struct vdrv *d, const void *frame, uint32_t len,
					       bool split, bool notify)
{
	unsigned slot = d->next_buf[1]++ % (DRV_NBUF / 2);
	uint64_t buf = d->base + DRV_TX_BUF + slot * 2 * DRV_BUF_SIZE;
	uint8_t *p = drv_at(d, buf);
	memset(p, 0, VNET_HDR_LEN);
	memcpy(p + VNET_HDR_LEN, frame, len);
	unsigned head = 2 * slot;
	if (split) {
		drv_set_desc(d, 1, head, buf, VNET_HDR_LEN, VQ_DESC_F_NEXT, (uint16_t)(head + 1));
		drv_set_desc(d, 1, head + 1, buf + VNET_HDR_LEN, len, 0, 0);
	} else {
		drv_set_desc(d, 1, head, buf, VNET_HDR_LEN + len, 0, 0);
	}
	drv_avail_add(d, 1, (uint16_t)head);
	return notify ? drv_wr(d, VIRTIO_MMIO_QUEUE_NOTIFY, 1) : VIRTIO_MMIO_DONE;
}

/* The next received frame (without its header) into out; its length, or -1
 * if none. *hdr gets the 12-byte header. */
static inline int drv_recv(struct vdrv *d, uint8_t *out, uint8_t hdr[VNET_HDR_LEN])
{
	if (!d->num || drv_used_idx(d, 0) == d->used_seen[0])
		return -1;
	uint8_t *e = d->ram + drv_used(0) + 4 + 8u * (d->used_seen[0] % d->num);
	uint32_t id, len;
	memcpy(&id, e, 4);
	memcpy(&len, e + 4, 4);
	d->used_seen[0]++;
	if (id >= DRV_NBUF || len < VNET_HDR_LEN || len > DRV_BUF_SIZE)
		return -2;
	const uint8_t *b = d->ram + DRV_RX_BUF + id * DRV_BUF_SIZE;
	memcpy(hdr, b, VNET_HDR_LEN);
	memcpy(out, b + VNET_HDR_LEN, len - VNET_HDR_LEN);
	return (int)(len - VNET_HDR_LEN);
}

#endif
