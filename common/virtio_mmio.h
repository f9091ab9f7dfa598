/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The virtio-mmio transport, version 2 only (virtio 1.2 §4.2.2; no legacy
 * interface): the register file, the device status state machine, feature
 * negotiation and the queues' configuration. One struct per emulated
 * device; the caller (the MMIO dispatcher, a test) passes it every access
 * and reads back what to do: no callbacks. Pure: no locks, no console; the
 * caller serialises calls on one device.
 */
#ifndef COMMON_VIRTIO_MMIO_H
#define COMMON_VIRTIO_MMIO_H

#include <stdbool.h>
#include <stdint.h>

#include "common/virtqueue.h"

/* Register offsets (§4.2.2, table "MMIO Device Register Layout"). */
#define VIRTIO_MMIO_MAGIC_VALUE		0x000
#define VIRTIO_MMIO_VERSION		0x004
#define VIRTIO_MMIO_DEVICE_ID		0x008
#define VIRTIO_MMIO_VENDOR_ID		0x00c
#define VIRTIO_MMIO_DEVICE_FEATURES	0x010
#define VIRTIO_MMIO_DEVICE_FEATURES_SEL 0x014
#define VIRTIO_MMIO_DRIVER_FEATURES	0x020
#define VIRTIO_MMIO_DRIVER_FEATURES_SEL 0x024
#define VIRTIO_MMIO_QUEUE_SEL		0x030
#define VIRTIO_MMIO_QUEUE_NUM_MAX	0x034
#define VIRTIO_MMIO_QUEUE_NUM		0x038
#define VIRTIO_MMIO_QUEUE_READY		0x044
#define VIRTIO_MMIO_QUEUE_NOTIFY	0x050
#define VIRTIO_MMIO_INTERRUPT_STATUS	0x060
#define VIRTIO_MMIO_INTERRUPT_ACK	0x064
#define VIRTIO_MMIO_STATUS		0x070
#define VIRTIO_MMIO_QUEUE_DESC_LOW	0x080
#define VIRTIO_MMIO_QUEUE_DESC_HIGH	0x084
#define VIRTIO_MMIO_QUEUE_DRIVER_LOW	0x090
#define VIRTIO_MMIO_QUEUE_DRIVER_HIGH	0x094
#define VIRTIO_MMIO_QUEUE_DEVICE_LOW	0x0a0
#define VIRTIO_MMIO_QUEUE_DEVICE_HIGH	0x0a4
#define VIRTIO_MMIO_SHM_SEL		0x0ac
#define VIRTIO_MMIO_SHM_LEN_LOW		0x0b0
#define VIRTIO_MMIO_SHM_LEN_HIGH	0x0b4
#define VIRTIO_MMIO_SHM_BASE_LOW	0x0b8
#define VIRTIO_MMIO_SHM_BASE_HIGH	0x0bc
#define VIRTIO_MMIO_QUEUE_RESET		0x0c0
#define VIRTIO_MMIO_CONFIG_GENERATION	0x0fc
#define VIRTIO_MMIO_CONFIG		0x100
#define VIRTIO_MMIO_SIZE		0x200 /* the window a device's DT node gives */

#define VIRTIO_MMIO_MAGIC  0x74726976u /* "virt" */
#define VIRTIO_MMIO_VENDOR 0x4b484c42u /* "BLHK": ours; drivers ignore it */

/* Device status bits (§2.1). */
#define VIRTIO_STATUS_ACKNOWLEDGE 1u
#define VIRTIO_STATUS_DRIVER	  2u
#define VIRTIO_STATUS_DRIVER_OK	  4u
#define VIRTIO_STATUS_FEATURES_OK 8u
#define VIRTIO_STATUS_NEEDS_RESET 64u
#define VIRTIO_STATUS_FAILED	  128u

/* InterruptStatus bits (§4.2.2). */
#define VIRTIO_MMIO_INT_VRING  1u /* used buffer notification */
#define VIRTIO_MMIO_INT_CONFIG 2u /* configuration change (NEEDS_RESET) */

/* Feature bits (§6, §5.1.3). */
#define VIRTIO_F_VERSION_1     32
#define VIRTIO_F_INDIRECT_DESC 28
#define VIRTIO_F_EVENT_IDX     29
#define VIRTIO_NET_F_MAC       5
#define VIRTIO_NET_F_MRG_RXBUF 15
#define VIRTIO_NET_F_STATUS    16

#define VIRTIO_ID_NET 1

#define VIRTIO_MMIO_QUEUES_MAX 2  /* virtio-net without multiqueue or a control queue */
#define VIRTIO_MMIO_CONFIG_MAX 16 /* bytes of device config space we keep */

/* Why a device went to DEVICE_NEEDS_RESET (the first reason only). */
struct virtio_fault {
	enum vq_err err; /* VQ_OK: none */
	uint8_t queue;
};

struct virtio_mmio {
	/* What the device is (set by virtio_mmio_init, kept across resets). */
	uint32_t device_id;
	uint64_t features; /* offered; VIRTIO_F_VERSION_1 always */
	uint8_t config[VIRTIO_MMIO_CONFIG_MAX];
	uint32_t config_len;
	uint32_t nqueues;
	struct vq_mem mem; /* the owner's RAM: every ring and buffer lies in it */

	/* What the driver set (cleared by a reset: status written 0). */
	uint32_t status;
	uint32_t dev_features_sel, drv_features_sel;
	uint64_t driver_features;
	uint32_t queue_sel;
	uint32_t isr; /* InterruptStatus; the line is high while non-zero */
	uint32_t config_generation;
	struct virtq vq[VIRTIO_MMIO_QUEUES_MAX];
	struct virtio_fault fault;
};

/* What an access asks of the caller. */
enum virtio_mmio_result {
	VIRTIO_MMIO_DONE = 0, /* nothing more (the interrupt line may have changed) */
	VIRTIO_MMIO_NOTIFY,   /* a valid QueueNotify: process queue *notified */
	VIRTIO_MMIO_BAD,      /* the access itself is invalid (offset, size, alignment,
			       * direction): read as zero / ignored; the caller may report it */
};

/* A device of type device_id offering features (VERSION_1 added), with the
 * given config space, nqueues queues, in the owner's RAM mem; then reset. */
void virtio_mmio_init(struct virtio_mmio *d, uint32_t device_id, uint64_t features,
		      const void *config, uint32_t config_len, uint32_t nqueues,
		      const struct vq_mem *mem);

/* What writing 0 to Status does (a domain's restart does it too). */
void virtio_mmio_reset(struct virtio_mmio *d);

enum virtio_mmio_result virtio_mmio_read(struct virtio_mmio *d, uint32_t off, unsigned size,
					 uint32_t *val);
enum virtio_mmio_result virtio_mmio_write(struct virtio_mmio *d, uint32_t off, unsigned size,
					  uint32_t val, unsigned *notified);

/* DRIVER_OK, not NEEDS_RESET: the device may move buffers. */
bool virtio_mmio_live(const struct virtio_mmio *d);

/* Queue q of a live device, and ready: NULL otherwise. */
struct virtq *virtio_mmio_queue(struct virtio_mmio *d, unsigned q);

/*
 * The driver broke queue q (err): DEVICE_NEEDS_RESET, and a configuration
 * change interrupt if the driver had set DRIVER_OK (§2.1.2). The device
 * moves nothing until the driver resets it.
 */
void virtio_mmio_fail(struct virtio_mmio *d, unsigned q, enum vq_err err);

/* Buffers were used on queue q: raise the used-buffer interrupt unless the
 * driver suppressed it. True if InterruptStatus gained the bit. */
bool virtio_mmio_used(struct virtio_mmio *d, unsigned q);

/* The interrupt line's level. */
static inline bool virtio_mmio_irq(const struct virtio_mmio *d)
{
	return d->isr != 0;
}

#endif
