/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Split virtqueues walked safely (see virtqueue.h). Every guest-memory read
 * is one atomic load of an aligned field, so a guest rewriting its rings
 * from another vCPU meanwhile cannot make us see two values of one field;
 * every address goes through vq_mem_at().
 */
#include "common/virtqueue.h"
#include "common/lib.h"

/* Ring layouts (virtio 1.2 §2.7.5-§2.7.8), little-endian like the host. */
#define DESC_SIZE   16u
#define AVAIL_RING  4u /* flags, idx, then ring[num] of le16 */
#define USED_RING   4u /* flags, idx, then ring[num] of {le32 id, le32 len} */
#define USED_ELEM   8u
#define RING_TAIL   2u /* used_event / avail_event (VIRTIO_F_EVENT_IDX, not offered) */
#define DESC_ALIGN  16u
#define AVAIL_ALIGN 2u
#define USED_ALIGN  4u

_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "virtio rings are little-endian");

/* The names of enum vq_err in its order, one packed string: no table of
 * pointers (and their relocations) in the image. */
static const char err_names[] = "ok\0empty\0queue size not a power of 2 in 1..256\0"
				"ring outside the domain's RAM\0ring misaligned\0"
				"avail index jumped more than the queue size\0head index out of range\0"
				"next index out of range\0descriptor chain too long (a loop?)\0"
				"buffer outside the domain's RAM\0zero-length descriptor\0"
				"indirect descriptor (not offered)\0"
				"descriptor direction wrong for this queue\0queue not ready";

const char *vq_err_name(enum vq_err e)
{
	if ((unsigned)e >= VQ_ERR_COUNT)
		return "?";
	const char *p = err_names;
	for (unsigned i = 0; i < (unsigned)e && p < err_names + sizeof(err_names); i++)
		p += strlen(p) + 1;
	return p < err_names + sizeof(err_names) ? p : "?";
}

void *vq_mem_at(const struct vq_mem *m, uint64_t gpa, uint64_t len)
{
	if (len == 0 || gpa < m->base || len > m->size || gpa - m->base > m->size - len)
		return NULL;
	return m->host + (gpa - m->base);
}

void vq_reset(struct virtq *q)
{
	*q = (struct virtq){0};
}

static uint64_t desc_bytes(uint32_t num)
{
	return (uint64_t)num * DESC_SIZE;
}
static uint64_t avail_bytes(uint32_t num)
{
	return AVAIL_RING + (uint64_t)num * 2 + RING_TAIL;
}
static uint64_t used_bytes(uint32_t num)
{
	return USED_RING + (uint64_t)num * USED_ELEM + RING_TAIL;
}

/* The area [gpa, gpa + len) inside m and aligned (the host address too). */
static enum vq_err area(const struct vq_mem *m, uint64_t gpa, uint64_t len, unsigned align,
			uint8_t **out)
{
	if (!IS_ALIGNED(gpa, align))
		return VQ_ERR_ALIGN;
	uint8_t *p = vq_mem_at(m, gpa, len);
	if (!p)
		return VQ_ERR_RING;
	if (!IS_ALIGNED((uintptr_t)p, align))
		return VQ_ERR_ALIGN;
	*out = p;
	return VQ_OK;
}

enum vq_err vq_check(const struct virtq *q, const struct vq_mem *m)
{
	uint8_t *p;
	enum vq_err e;
	if (q->num == 0 || q->num > VQ_NUM_MAX || (q->num & (q->num - 1)))
		return VQ_ERR_SIZE;
	if ((e = area(m, q->desc, desc_bytes(q->num), DESC_ALIGN, &p)) ||
	    (e = area(m, q->avail, avail_bytes(q->num), AVAIL_ALIGN, &p)) ||
	    (e = area(m, q->used, used_bytes(q->num), USED_ALIGN, &p)))
		return e;
	return VQ_OK;
}

static uint16_t ld16(const uint8_t *p)
{
	return __atomic_load_n((const uint16_t *)p, __ATOMIC_RELAXED);
}
static uint32_t ld32(const uint8_t *p)
{
	return __atomic_load_n((const uint32_t *)p, __ATOMIC_RELAXED);
}
static uint64_t ld64(const uint8_t *p)
{
	return __atomic_load_n((const uint64_t *)p, __ATOMIC_RELAXED);
}

enum vq_err vq_pop(struct virtq *q, const struct vq_mem *m, bool writable, struct vq_chain *c)
{
	uint8_t *avail, *desc;
	enum vq_err e;
	if (!q->ready)
		return VQ_ERR_NOT_READY;
	/* Checked when the queue became ready; again, as m is the caller's. */
	if ((e = vq_check(q, m)))
		return e;
	area(m, q->avail, avail_bytes(q->num), AVAIL_ALIGN, &avail);
	area(m, q->desc, desc_bytes(q->num), DESC_ALIGN, &desc);

	/* Acquire: the ring entry and descriptors below were written before idx (§2.7.13). */
	uint16_t idx = __atomic_load_n((const uint16_t *)(avail + 2), __ATOMIC_ACQUIRE);
	uint16_t pending = (uint16_t)(idx - q->last_avail);
	if (pending > q->num)
		return VQ_ERR_AVAIL_IDX;
	if (pending == 0)
		return VQ_EMPTY;
	uint16_t head = ld16(avail + AVAIL_RING + 2u * (q->last_avail & (q->num - 1)));
	if (head >= q->num)
		return VQ_ERR_HEAD;

	unsigned limit = MIN(q->num, VQ_CHAIN_MAX), n = 0;
	uint64_t total = 0;
	for (uint16_t i = head;;) {
		if (n == limit)
			return VQ_ERR_CHAIN_LONG;
		const uint8_t *d = desc + (size_t)i * DESC_SIZE;
		uint64_t addr = ld64(d);
		uint32_t len = ld32(d + 8);
		uint16_t flags = ld16(d + 12), next = ld16(d + 14);
		if (flags & VQ_DESC_F_INDIRECT)
			return VQ_ERR_INDIRECT;
		if (!(flags & VQ_DESC_F_WRITE) == writable)
			return VQ_ERR_DIRECTION;
		if (len == 0)
			return VQ_ERR_LEN_ZERO;
		uint8_t *p = vq_mem_at(m, addr, len);
		if (!p)
			return VQ_ERR_BUF;
		c->seg[n++] = (struct vq_seg){p, len};
		total += len;
		if (!(flags & VQ_DESC_F_NEXT))
			break;
		if (next >= q->num)
			return VQ_ERR_NEXT;
		i = next;
	}
	c->head = head;
	c->nseg = (uint16_t)n;
	c->len = total;
	q->last_avail++;
	return VQ_OK;
}

void vq_unpop(struct virtq *q)
{
	q->last_avail--;
}

enum vq_err vq_push(struct virtq *q, const struct vq_mem *m, uint16_t head, uint32_t written)
{
	uint8_t *used;
	enum vq_err e;
	if (!q->ready)
		return VQ_ERR_NOT_READY;
	if ((e = vq_check(q, m)))
		return e;
	area(m, q->used, used_bytes(q->num), USED_ALIGN, &used);
	uint8_t *elem = used + USED_RING + (size_t)(q->used_idx & (q->num - 1)) * USED_ELEM;
	__atomic_store_n((uint32_t *)elem, (uint32_t)head, __ATOMIC_RELAXED);
	__atomic_store_n((uint32_t *)(elem + 4), written, __ATOMIC_RELAXED);
	q->used_idx++;
	/* Release: the element (and the buffer's bytes) before the index (§2.7.8). */
	__atomic_store_n((uint16_t *)(used + 2), q->used_idx, __ATOMIC_RELEASE);
	return VQ_OK;
}

bool vq_wants_interrupt(const struct virtq *q, const struct vq_mem *m)
{
	uint8_t *avail;
	if (!q->ready || vq_check(q, m))
		return false;
	area(m, q->avail, avail_bytes(q->num), AVAIL_ALIGN, &avail);
	/* Full barrier: our used->idx store before reading the driver's flags (§2.7.10). */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return !(ld16(avail) & VQ_AVAIL_F_NO_INTERRUPT);
}
