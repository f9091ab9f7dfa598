/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The virtio-mmio register file (version 2) and the device status state
 * machine (see virtio_mmio.h). Section numbers are virtio 1.2's.
 */
#include "common/virtio_mmio.h"
#include "common/lib.h"

/* The status bits a driver sets, in the order it must set them (§3.1.1). */
#define STATUS_DRIVER_BITS                                                                         \
	(VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK |            \
	 VIRTIO_STATUS_DRIVER_OK)

void virtio_mmio_init(struct virtio_mmio *d, uint32_t device_id, uint64_t features,
		      const void *config, uint32_t config_len, uint32_t nqueues,
		      const struct vq_mem *mem)
{
	*d = (struct virtio_mmio){0};
	d->device_id = device_id;
	d->features = features | BIT(VIRTIO_F_VERSION_1);
	d->config_len = MIN(config_len, (uint32_t)VIRTIO_MMIO_CONFIG_MAX);
	memcpy(d->config, config, d->config_len);
	d->nqueues = MIN(nqueues, (uint32_t)VIRTIO_MMIO_QUEUES_MAX);
	d->mem = *mem;
	virtio_mmio_reset(d);
}

void virtio_mmio_reset(struct virtio_mmio *d)
{
	d->status = 0;
	d->dev_features_sel = d->drv_features_sel = 0;
	d->driver_features = 0;
	d->queue_sel = 0;
	d->isr = 0;
	for (unsigned i = 0; i < VIRTIO_MMIO_QUEUES_MAX; i++)
		vq_reset(&d->vq[i]);
	d->fault = (struct virtio_fault){VQ_OK, 0};
}

bool virtio_mmio_live(const struct virtio_mmio *d)
{
	return (d->status & VIRTIO_STATUS_DRIVER_OK) &&
	       !(d->status & (VIRTIO_STATUS_NEEDS_RESET | VIRTIO_STATUS_FAILED));
}

struct virtq *virtio_mmio_queue(struct virtio_mmio *d, unsigned q)
{
	if (!virtio_mmio_live(d) || q >= d->nqueues || !d->vq[q].ready)
		return NULL;
	return &d->vq[q];
}

void virtio_mmio_fail(struct virtio_mmio *d, unsigned q, enum vq_err err)
{
	if (d->status & VIRTIO_STATUS_NEEDS_RESET)
		return;
	d->status |= VIRTIO_STATUS_NEEDS_RESET;
	d->fault = (struct virtio_fault){err, (uint8_t)MIN(q, 255u)};
	if (d->status & VIRTIO_STATUS_DRIVER_OK)
		d->isr |= VIRTIO_MMIO_INT_CONFIG;
}

bool virtio_mmio_used(struct virtio_mmio *d, unsigned q)
{
	if (q >= d->nqueues || !vq_wants_interrupt(&d->vq[q], &d->mem))
		return false;
	d->isr |= VIRTIO_MMIO_INT_VRING;
	return true;
}

/* Config space: byte, halfword or word, naturally aligned (§4.2.2.2); the
 * bytes past the device's config read as zero. */
static enum virtio_mmio_result config_read(const struct virtio_mmio *d, uint32_t off, unsigned size,
					   uint32_t *val)
{
	uint32_t v = 0;
	for (unsigned i = 0; i < size; i++)
		if (off + i < d->config_len)
			v |= (uint32_t)d->config[off + i] << (8 * i);
	*val = v;
	return VIRTIO_MMIO_DONE;
}

static bool access_ok(uint32_t off, unsigned size)
{
	if (off >= VIRTIO_MMIO_SIZE || (size != 1 && size != 2 && size != 4) ||
	    !IS_ALIGNED(off, size))
		return false;
	/* The registers below the config space are 32 bits wide, 32-bit accessed. */
	return off >= VIRTIO_MMIO_CONFIG || size == 4;
}

enum virtio_mmio_result virtio_mmio_read(struct virtio_mmio *d, uint32_t off, unsigned size,
					 uint32_t *val)
{
	*val = 0;
	if (!access_ok(off, size))
		return VIRTIO_MMIO_BAD;
	if (off >= VIRTIO_MMIO_CONFIG)
		return config_read(d, off - VIRTIO_MMIO_CONFIG, size, val);
	struct virtq *q = d->queue_sel < d->nqueues ? &d->vq[d->queue_sel] : NULL;
	switch (off) {
	case VIRTIO_MMIO_MAGIC_VALUE:
		*val = VIRTIO_MMIO_MAGIC;
		break;
	case VIRTIO_MMIO_VERSION:
		*val = 2;
		break;
	case VIRTIO_MMIO_DEVICE_ID:
		*val = d->device_id;
		break;
	case VIRTIO_MMIO_VENDOR_ID:
		*val = VIRTIO_MMIO_VENDOR;
		break;
	case VIRTIO_MMIO_DEVICE_FEATURES:
		if (d->dev_features_sel < 2)
			*val = (uint32_t)(d->features >> (32 * d->dev_features_sel));
		break;
	case VIRTIO_MMIO_QUEUE_NUM_MAX:
		*val = q ? VQ_NUM_MAX : 0; /* 0: no such queue (§4.2.3.2) */
		break;
	case VIRTIO_MMIO_QUEUE_READY:
		*val = q && q->ready;
		break;
	case VIRTIO_MMIO_INTERRUPT_STATUS:
		*val = d->isr;
		break;
	case VIRTIO_MMIO_STATUS:
		*val = d->status;
		break;
	case VIRTIO_MMIO_SHM_LEN_LOW:
	case VIRTIO_MMIO_SHM_LEN_HIGH:
	case VIRTIO_MMIO_SHM_BASE_LOW:
	case VIRTIO_MMIO_SHM_BASE_HIGH:
		*val = ~0u; /* no shared memory region (§4.2.2) */
		break;
	case VIRTIO_MMIO_CONFIG_GENERATION:
		*val = d->config_generation;
		break;
	/* Write-only registers read as zero. */
	case VIRTIO_MMIO_DEVICE_FEATURES_SEL:
	case VIRTIO_MMIO_DRIVER_FEATURES:
	case VIRTIO_MMIO_DRIVER_FEATURES_SEL:
	case VIRTIO_MMIO_QUEUE_SEL:
	case VIRTIO_MMIO_QUEUE_NUM:
	case VIRTIO_MMIO_QUEUE_NOTIFY:
	case VIRTIO_MMIO_INTERRUPT_ACK:
	case VIRTIO_MMIO_QUEUE_DESC_LOW:
	case VIRTIO_MMIO_QUEUE_DESC_HIGH:
	case VIRTIO_MMIO_QUEUE_DRIVER_LOW:
	case VIRTIO_MMIO_QUEUE_DRIVER_HIGH:
	case VIRTIO_MMIO_QUEUE_DEVICE_LOW:
	case VIRTIO_MMIO_QUEUE_DEVICE_HIGH:
	case VIRTIO_MMIO_SHM_SEL:
		break;
	default: /* legacy (0x028, 0x03c, 0x040), QueueReset (not offered), holes */
		return VIRTIO_MMIO_BAD;
	}
	return VIRTIO_MMIO_DONE;
}

static void set_half(uint64_t *reg, bool high, uint32_t val)
{
	unsigned shift = high ? 32 : 0;
	*reg = (*reg & ~(0xffffffffULL << shift)) | ((uint64_t)val << shift);
}

/* A driver status write other than 0 (reset). Bits are only ever added, each
 * needing the one before it (§3.1.1); FEATURES_OK only for features we
 * offered, VERSION_1 among them (§2.2.2: the device leaves it clear, and the
 * driver, reading it back, gives up). NEEDS_RESET is the device's alone. */
static void status_write(struct virtio_mmio *d, uint32_t val)
{
	uint32_t old = d->status;
	uint32_t add = val & ~old & (STATUS_DRIVER_BITS | VIRTIO_STATUS_FAILED);
	if (old & VIRTIO_STATUS_NEEDS_RESET)
		add &= VIRTIO_STATUS_FAILED; /* only a reset brings it back */
	uint32_t now = old;
	if (add & VIRTIO_STATUS_ACKNOWLEDGE)
		now |= VIRTIO_STATUS_ACKNOWLEDGE;
	if ((add & VIRTIO_STATUS_DRIVER) && (now & VIRTIO_STATUS_ACKNOWLEDGE))
		now |= VIRTIO_STATUS_DRIVER;
	if ((add & VIRTIO_STATUS_FEATURES_OK) && (now & VIRTIO_STATUS_DRIVER) &&
	    !(d->driver_features & ~d->features) && (d->driver_features & BIT(VIRTIO_F_VERSION_1)))
		now |= VIRTIO_STATUS_FEATURES_OK;
	if ((add & VIRTIO_STATUS_DRIVER_OK) && (now & VIRTIO_STATUS_FEATURES_OK))
		now |= VIRTIO_STATUS_DRIVER_OK;
	now |= add & VIRTIO_STATUS_FAILED;
	d->status = now;
}

static void queue_ready(struct virtio_mmio *d, struct virtq *q, unsigned qi, uint32_t val)
{
	if (!val) {
		q->ready = false;
		return;
	}
	/* Queues are set up after FEATURES_OK (§3.1.1 step 7); a broken device stays broken. */
	if (q->ready || !(d->status & VIRTIO_STATUS_FEATURES_OK) ||
	    (d->status & VIRTIO_STATUS_NEEDS_RESET))
		return;
	enum vq_err e = vq_check(q, &d->mem);
	if (e) {
		virtio_mmio_fail(d, qi, e);
		return;
	}
	q->last_avail = 0;
	q->used_idx = 0;
	q->ready = true;
}

enum virtio_mmio_result virtio_mmio_write(struct virtio_mmio *d, uint32_t off, unsigned size,
					  uint32_t val, unsigned *notified)
{
	if (!access_ok(off, size) || off >= VIRTIO_MMIO_CONFIG)
		return VIRTIO_MMIO_BAD; /* a net device's config is read-only (§5.1.4.2) */
	unsigned qi = d->queue_sel;
	/* The selected queue's set-up registers, while it is not ready (§4.2.2.3). */
	struct virtq *q = qi < d->nqueues && !d->vq[qi].ready ? &d->vq[qi] : NULL;
	switch (off) {
	case VIRTIO_MMIO_DEVICE_FEATURES_SEL:
		d->dev_features_sel = val;
		break;
	case VIRTIO_MMIO_DRIVER_FEATURES:
		if (d->drv_features_sel < 2 && !(d->status & VIRTIO_STATUS_FEATURES_OK))
			set_half(&d->driver_features, d->drv_features_sel, val);
		break;
	case VIRTIO_MMIO_DRIVER_FEATURES_SEL:
		d->drv_features_sel = val;
		break;
	case VIRTIO_MMIO_QUEUE_SEL:
		d->queue_sel = val;
		break;
	case VIRTIO_MMIO_QUEUE_NUM:
		if (q)
			q->num = val;
		break;
	case VIRTIO_MMIO_QUEUE_DESC_LOW:
	case VIRTIO_MMIO_QUEUE_DESC_HIGH:
		if (q)
			set_half(&q->desc, off == VIRTIO_MMIO_QUEUE_DESC_HIGH, val);
		break;
	case VIRTIO_MMIO_QUEUE_DRIVER_LOW:
	case VIRTIO_MMIO_QUEUE_DRIVER_HIGH:
		if (q)
			set_half(&q->avail, off == VIRTIO_MMIO_QUEUE_DRIVER_HIGH, val);
		break;
	case VIRTIO_MMIO_QUEUE_DEVICE_LOW:
	case VIRTIO_MMIO_QUEUE_DEVICE_HIGH:
		if (q)
			set_half(&q->used, off == VIRTIO_MMIO_QUEUE_DEVICE_HIGH, val);
		break;
	case VIRTIO_MMIO_QUEUE_READY:
		if (qi < d->nqueues)
			queue_ready(d, &d->vq[qi], qi, val);
		break;
	case VIRTIO_MMIO_QUEUE_NOTIFY:
		/* Before DRIVER_OK the driver may fill queues, and we take nothing
		 * (§3.1.1); a broken device ignores it. Live, a notify names a
		 * ready queue, or the driver has lost track of its device. */
		if (!virtio_mmio_live(d))
			break;
		if (val >= d->nqueues || !d->vq[val].ready) {
			virtio_mmio_fail(d, val, VQ_ERR_NOT_READY);
			break;
		}
		*notified = val;
		return VIRTIO_MMIO_NOTIFY;
	case VIRTIO_MMIO_INTERRUPT_ACK:
		d->isr &= ~val;
		break;
	case VIRTIO_MMIO_STATUS:
		if (val == 0)
			virtio_mmio_reset(d);
		else
			status_write(d, val);
		break;
	case VIRTIO_MMIO_SHM_SEL:
		break;
	default: /* read-only registers, legacy ones, QueueReset (not offered), holes */
		return VIRTIO_MMIO_BAD;
	}
	return VIRTIO_MMIO_DONE;
}
