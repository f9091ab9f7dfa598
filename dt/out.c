/* SPDX-License-Identifier: Apache-2.0 */
/* The one-pass DT writer of dt/out.h. */
#include <libfdt.h>

#include "common/lib.h"
#include "dt/devices.h"
#include "dt/out.h"

/* Word-aligned: copied a word a step into a guest's DT. */
static const struct dt_names our_names __attribute__((aligned(4))) = {
    .reg = "reg",
    .enable_method = "enable-method",
    .device_type = "device_type",
    .compatible = "compatible",
    .interrupts = "interrupts",
    .interrupt_parent = "interrupt-parent",
    .bulkhead_id = "bulkhead,id",
    .bulkhead_peer = "bulkhead,peer",
    .dma_coherent = "dma-coherent",
    .method = "method",
    .clock_cells = "#clock-cells",
    .clock_frequency = "clock-frequency",
    .phandle = "phandle",
    .clocks = "clocks",
    .clock_names = "clock-names",
    .bootargs = "bootargs",
    .stdout_path = "stdout-path",
    .bulkhead_restarts = "bulkhead,restarts",
    .linux_initrd_start = "linux,initrd-start",
    .linux_initrd_end = "linux,initrd-end",
    .arm_primecell_periphid = "arm,primecell-periphid",
    .address_cells = "#address-cells",
    .size_cells = "#size-cells",
    .model = "model",
    .serial0 = "serial0",
    .always_on = "always-on",
    .interrupt_cells = "#interrupt-cells",
    .interrupt_controller = "interrupt-controller",
    .clock_output_names = "clock-output-names",
    .status = "status",
};
#define HDR_SIZE   40u
#define STRUCT_OFF (HDR_SIZE + 16) /* after one empty reservation entry */

bool out_begin(struct dt_out *o, void *buf, int size, const void *src)
{
	o->buf = buf;
	o->size = size > 0 ? (uint32_t)size : 0;
	o->pos = STRUCT_OFF;
	o->bad = NULL;
	o->src = src;
	o->names = src ? fdt_size_dt_strings(src) : 0;
	if (o->size < STRUCT_OFF)
		return false;
	memset(buf, 0, STRUCT_OFF);
	return true;
}

/* A word that may alias anything: the buffer and the values are chars. */
typedef uint32_t __attribute__((may_alias)) word;

/* A big-endian word at any alignment (the buffer's is the caller's): one
 * store when aligned, as structure words are in an aligned buffer. */
static void wr32(char *p, uint32_t v)
{
	if (!((uintptr_t)p & 3))
		*(word *)(void *)p = __builtin_bswap32(v);
	else
		p[0] = (char)(v >> 24), p[1] = (char)(v >> 16), p[2] = (char)(v >> 8), p[3] = (char)v;
}

/* memcpy, a word a step when both ends are word-aligned (memcpy's fast
 * path wants the same alignment modulo 8: a value's seldom has it). */
static void copy(char *d, const char *s, uint32_t len)
{
	uint32_t i = 0;
	if (!(((uintptr_t)d | (uintptr_t)s) & 3))
		for (; i + 4 <= len; i += 4)
			*(word *)(void *)(d + i) = *(const word *)(const void *)(s + i);
	for (; i < len; i++)
		d[i] = s[i];
}

/* Room for `hdr` bytes and len more padded to a word, or NULL (and bad). */
static char *room(struct dt_out *o, uint32_t hdr, uint32_t len)
{
	uint32_t padded = (len + 3) & ~3u;
	if (len > o->size || hdr + padded > o->size - o->pos) { /* pos <= size, always */
		o->bad = o->bad ? o->bad : "out of room";
		return NULL;
	}
	char *p = o->buf + o->pos;
	if (padded)
		wr32(p + hdr + padded - 4, 0); /* the padding, before the value */
	o->pos += hdr + padded;
	return p;
}

/* Each word and value written in place: a memcpy and a memset per word
 * were a third of building a domain's DT. */
void out_put32(struct dt_out *o, uint32_t v)
{
	char *d = room(o, 4, 0);
	if (d)
		wr32(d, v);
}

/* A property's tag, length and name: where its value goes, or NULL. */
static char *prop_head(struct dt_out *o, uint32_t nameoff, uint32_t len)
{
	char *d = room(o, 12, len);
	if (!d)
		return NULL;
	wr32(d, FDT_PROP);
	wr32(d + 4, len);
	wr32(d + 8, nameoff);
	return d + 12;
}

void out_prop_at(struct dt_out *o, uint32_t nameoff, const void *val, uint32_t len)
{
	char *d = prop_head(o, nameoff, len);
	if (d) /* an empty property's value may be NULL: len 0, nothing read */
		copy(d, val, len);
}

void out_prop(struct dt_out *o, uint32_t name, const void *val, uint32_t len)
{
	out_prop_at(o, o->names + name, val, len);
}

void out_prop_str(struct dt_out *o, uint32_t name, const char *v)
{
	out_prop(o, name, v, (uint32_t)strlen(v) + 1);
}

void out_prop_u32(struct dt_out *o, uint32_t name, uint32_t v)
{
	char *d = prop_head(o, o->names + name, 4);
	if (d)
		wr32(d, v);
}

void out_prop_u64(struct dt_out *o, uint32_t name, uint64_t v)
{
	char *d = prop_head(o, o->names + name, 8);
	if (d) {
		wr32(d, (uint32_t)(v >> 32));
		wr32(d + 4, (uint32_t)v);
	}
}

void out_prop_reg(struct dt_out *o, int ac, int sc, const uint64_t *pairs, int n)
{
	/* Static, as the scratch below: no stack guard (32 bytes a function);
	 * DTs are written at boot on one CPU, and by the host tools on one thread. */
	static fdt32_t c[8 * DEV_MAX_REGS];
	int k = 0;
	if (ac < 1 || ac > 4 || sc < 1 || sc > 4 || n > DEV_MAX_REGS) {
		o->bad = n > DEV_MAX_REGS ? "more than 16 reg entries"
					  : "#address-cells or #size-cells not 1 to 4";
		return;
	}
	for (int i = 0; i < 2 * n; i++)
		for (int j = (i & 1 ? sc : ac) - 1; j >= 0; j--)
			c[k++] = cpu_to_fdt32(j > 1 ? 0 : (uint32_t)(pairs[i] >> (32 * j)));
	out_prop(o, NM(reg), c, (uint32_t)k * 4);
}

void out_begin_node(struct dt_out *o, const char *name)
{
	uint32_t len = (uint32_t)strlen(name) + 1;
	char *d = room(o, 4, len);
	if (d) {
		wr32(d, FDT_BEGIN_NODE);
		copy(d + 4, name, len);
	}
}

void out_end_node(struct dt_out *o)
{
	out_put32(o, FDT_END_NODE);
}

char *out_unit_name(char *buf, const char *prefix, uint64_t v)
{
	size_t l = strlen(prefix);
	int n = 1;
	while (n < 16 && v >> (4 * n))
		n++;
	memcpy(buf, prefix, l);
	buf[l] = '@';
	for (char *p = buf + l + n; p > buf + l; v >>= 4)
		*p-- = "0123456789abcdef"[v & 15];
	buf[l + n + 1] = 0;
	return buf;
}

void out_begin_spi_node(struct dt_out *o, const char *prefix, const char *compat, uint64_t ipa,
			uint64_t size, unsigned intid, uint32_t trigger, int ac, int sc, uint32_t gph)
{
	static char name[48];
	static uint64_t r[2];
	static fdt32_t irq[3];
	out_begin_node(o, out_unit_name(name, prefix, ipa));
	out_prop_str(o, NM(compatible), compat);
	r[0] = ipa, r[1] = size;
	out_prop_reg(o, ac, sc, r, 1);
	irq[0] = 0, irq[1] = cpu_to_fdt32(intid - 32), irq[2] = cpu_to_fdt32(trigger);
	out_prop(o, NM(interrupts), irq, sizeof(irq));
	if (gph)
		out_prop_u32(o, NM(interrupt_parent), gph);
}

const char *out_finish(struct dt_out *o)
{
	out_put32(o, FDT_END);
	uint32_t strings = o->pos, nstr = o->names + sizeof(our_names);
	if (!o->bad && nstr > o->size - o->pos)
		o->bad = "out of room";
	if (o->bad)
		return o->bad;
	if (o->names)
		copy(o->buf + strings, (const char *)o->src + fdt_off_dt_strings(o->src), o->names);
	copy(o->buf + strings + o->names, (const char *)&our_names, sizeof(our_names));
	/* The header's words in their order, through wr32: libfdt's setters
	 * store to a struct fdt_header, which needs the buffer aligned. */
	static uint32_t h[HDR_SIZE / 4]; /* static: no stack guard (as out_prop_reg's) */
	h[0] = FDT_MAGIC, h[1] = strings + nstr, h[2] = STRUCT_OFF, h[3] = strings;
	h[4] = HDR_SIZE, h[5] = 17, h[6] = 16, h[7] = o->src ? fdt_boot_cpuid_phys(o->src) : 0;
	h[8] = nstr, h[9] = strings - STRUCT_OFF;
	for (unsigned i = 0; i < HDR_SIZE / 4; i++)
		wr32(o->buf + 4 * i, h[i]);
	return NULL;
}
