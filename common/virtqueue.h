/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Split virtqueues (virtio 1.2 §2.7) walked on behalf of a device whose
 * driver is a guest: every ring, index, descriptor and buffer is hostile
 * input. Guest memory is reached only through a struct vq_mem (the owner's
 * RAM), so the same code runs at EL2 and on the host against a fake RAM
 * (tests/unit/test_virtio.c, tests/fuzz/fuzz_virtio.c). Pure: no locks, no
 * console; the caller serialises calls on one queue.
 */
#ifndef COMMON_VIRTQUEUE_H
#define COMMON_VIRTQUEUE_H

#include <stdbool.h>
#include <stdint.h>

/*
 * Largest queue we offer (QueueNumMax). Linux's virtio_net uses what is
 * offered: 256 receive buffers of ~1.5 KiB per port is enough to absorb a
 * TCP window at the budget below, and a power of 2 as split rings require.
 */
#define VQ_NUM_MAX 256u
/*
 * Most descriptors one chain may have. A chain is never longer than the
 * queue (§2.7.5.3.1); we also refuse chains longer than this, which no
 * frame needs: without VIRTIO_NET_F_CSUM Linux sends linear buffers (1 or
 * 2 descriptors) and posts one descriptor per receive buffer.
 */
#define VQ_CHAIN_MAX 64u

/* Descriptor flags (§2.7.5). */
#define VQ_DESC_F_NEXT	   1u
#define VQ_DESC_F_WRITE	   2u
#define VQ_DESC_F_INDIRECT 4u
/* avail->flags: the driver does not want used-buffer notifications (§2.7.7). */
#define VQ_AVAIL_F_NO_INTERRUPT 1u

/*
 * A domain's RAM as the device sees it: guest-physical [base, base + size)
 * at host address host. One contiguous region, as a domain's RAM is; nothing
 * outside it (channels, devices, another domain) is ever reachable.
 */
struct vq_mem {
	uint64_t base, size;
	uint8_t *host;
};

/* Why a queue is broken. Every one puts the device into DEVICE_NEEDS_RESET. */
enum vq_err {
	VQ_OK = 0,
	VQ_EMPTY,	   /* not an error: nothing available */
	VQ_ERR_SIZE,	   /* QueueNum 0, not a power of 2, or above VQ_NUM_MAX */
	VQ_ERR_RING,	   /* a ring area outside RAM */
	VQ_ERR_ALIGN,	   /* a ring area misaligned (desc 16, avail 2, used 4) */
	VQ_ERR_AVAIL_IDX,  /* avail->idx more than the queue size ahead of us */
	VQ_ERR_HEAD,	   /* a head index >= the queue size */
	VQ_ERR_NEXT,	   /* a next index >= the queue size */
	VQ_ERR_CHAIN_LONG, /* more than min(size, VQ_CHAIN_MAX) descriptors: a loop */
	VQ_ERR_BUF,	   /* a buffer (addr, len) not wholly inside RAM, or wrapping */
	VQ_ERR_LEN_ZERO,   /* a zero-length descriptor */
	VQ_ERR_INDIRECT,   /* an indirect descriptor: VIRTIO_F_INDIRECT_DESC not offered */
	VQ_ERR_DIRECTION,  /* device-writable where readable is required, or the reverse */
	VQ_ERR_NOT_READY,  /* notified or used while not ready */
	VQ_ERR_COUNT
};

const char *vq_err_name(enum vq_err e);

/* One queue as the driver configured it, plus the device's own indices. */
struct virtq {
	uint32_t num;		    /* QueueNum as written (checked by vq_check) */
	bool ready;		    /* QueueReady, set only once vq_check passed */
	uint64_t desc, avail, used; /* guest-physical ring areas */
	uint16_t last_avail;	    /* next avail->ring entry we take */
	uint16_t used_idx;	    /* our used->idx (the ring's copy is only written) */
};

/* One segment of a chain: host pointer into the owner's RAM, checked. */
struct vq_seg {
	uint8_t *p;
	uint32_t len;
};

/* A chain taken from the avail ring: its head (for the used ring) and its
 * buffers, read once from guest memory (the guest may rewrite the
 * descriptors meanwhile; we never look at them again). */
struct vq_chain {
	uint16_t head;
	uint16_t nseg;
	uint64_t len; /* sum of seg[].len */
	struct vq_seg seg[VQ_CHAIN_MAX];
};

/* Host pointer to [gpa, gpa + len) if wholly inside m (len > 0), else NULL. */
void *vq_mem_at(const struct vq_mem *m, uint64_t gpa, uint64_t len);

/* Back to the reset state (QueueNum 0, not ready, indices 0). */
void vq_reset(struct virtq *q);

/* The checks QueueReady=1 makes: size, ring areas inside m and aligned. */
enum vq_err vq_check(const struct virtq *q, const struct vq_mem *m);

/*
 * Take the next available chain. writable: the device writes it (a receive
 * buffer), else it reads it (a frame to send); every descriptor must agree.
 * VQ_OK (c filled, the chain consumed), VQ_EMPTY, or an error (nothing
 * consumed; the queue must not be used again before a reset).
 */
enum vq_err vq_pop(struct virtq *q, const struct vq_mem *m, bool writable, struct vq_chain *c);

/* Give back the chain vq_pop just took, unused (it stays available). */
void vq_unpop(struct virtq *q);

/* Return a chain to the driver: used->ring entry (head, written), then used->idx. */
enum vq_err vq_push(struct virtq *q, const struct vq_mem *m, uint16_t head, uint32_t written);

/* Whether the driver asked for used-buffer notifications (avail->flags). */
bool vq_wants_interrupt(const struct virtq *q, const struct vq_mem *m);

#endif
