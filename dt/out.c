/* SPDX-License-Identifier: Apache-2.0 */
/* The one-pass DT writer of dt/out.h. */
#include <libfdt.h>

#include "common/lib.h"
#include "dt/devices.h"
#include "dt/out.h"

static const struct dt_names our_names = {
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

/* A big-endian word at any alignment (the buffer's is the caller's). */
static void wr32(char *p, uint32_t v)
{
	p[0] = (char)(v >> 24), p[1] = (char)(v >> 16), p[2] = (char)(v >> 8), p[3] = (char)v;
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
static void put(struct dt_out *o, const void *p, uint32_t len)
{
	char *d = room(o, 0, len);
	if (d && len) /* an empty property's value may be NULL */
		memcpy(d, p, len);
}

void out_put32(struct dt_out *o, uint32_t v)
{
	char *d = room(o, 4, 0);
	if (d)
		wr32(d, v);
}

void out_prop_at(struct dt_out *o, uint32_t nameoff, const void *val, uint32_t len)
{
	char *d = room(o, 12, len);
	if (!d)
		return;
	wr32(d, FDT_PROP);
	wr32(d + 4, len);
	wr32(d + 8, nameoff);
	if (len)
		memcpy(d + 12, val, len);
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
	fdt32_t be = cpu_to_fdt32(v);
	out_prop(o, name, &be, 4);
}

void out_prop_u64(struct dt_out *o, uint32_t name, uint64_t v)
{
	fdt64_t be = cpu_to_fdt64(v);
	out_prop(o, name, &be, 8);
}

void out_prop_reg(struct dt_out *o, int ac, int sc, const uint64_t *pairs, int n)
{
	fdt32_t c[8 * DEV_MAX_REGS];
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
	out_put32(o, FDT_BEGIN_NODE);
	put(o, name, (uint32_t)strlen(name) + 1);
}

void out_end_node(struct dt_out *o)
{
	out_put32(o, FDT_END_NODE);
}

void out_begin_spi_node(struct dt_out *o, const char *prefix, const char *compat, uint64_t ipa,
			uint64_t size, unsigned intid, uint32_t trigger, int ac, int sc, uint32_t gph)
{
	char name[48];
	snprintf(name, sizeof(name), "%s@%llx", prefix, (unsigned long long)ipa);
	out_begin_node(o, name);
	out_prop_str(o, NM(compatible), compat);
	uint64_t r[2] = {ipa, size};
	out_prop_reg(o, ac, sc, r, 1);
	fdt32_t irq[3] = {0, cpu_to_fdt32(intid - 32), cpu_to_fdt32(trigger)};
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
	void *buf = o->buf;
	if (o->names)
		memcpy(o->buf + strings, (const char *)o->src + fdt_off_dt_strings(o->src), o->names);
	memcpy(o->buf + strings + o->names, &our_names, sizeof(our_names));
	fdt_set_magic(buf, FDT_MAGIC);
	fdt_set_totalsize(buf, strings + nstr);
	fdt_set_off_dt_struct(buf, STRUCT_OFF);
	fdt_set_off_dt_strings(buf, strings);
	fdt_set_off_mem_rsvmap(buf, HDR_SIZE);
	fdt_set_version(buf, 17);
	fdt_set_last_comp_version(buf, 16);
	fdt_set_boot_cpuid_phys(buf, o->src ? fdt_boot_cpuid_phys(o->src) : 0);
	fdt_set_size_dt_strings(buf, nstr);
	fdt_set_size_dt_struct(buf, strings - STRUCT_OFF);
	return NULL;
}
