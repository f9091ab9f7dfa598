/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A one-pass flattened-DT writer shared by dom0's and the domains' DT
 * builders: the structure block is written in order, the strings block is
 * a source DT's strings (properties copied keep their name offsets) then
 * our_names. Errors are sticky: the first one is kept in `bad`.
 */
#ifndef DT_OUT_H
#define DT_OUT_H

#include <stdbool.h>
#include <stdint.h>

/* Every property name either builder writes of its own, one after the
 * other (char arrays: no padding); NM(x) is x's offset among them. */
struct dt_names {
	char reg[sizeof("reg")];
	char enable_method[sizeof("enable-method")];
	char device_type[sizeof("device_type")];
	char compatible[sizeof("compatible")];
	char interrupts[sizeof("interrupts")];
	char interrupt_parent[sizeof("interrupt-parent")];
	char bulkhead_id[sizeof("bulkhead,id")];
	char bulkhead_peer[sizeof("bulkhead,peer")];
	char dma_coherent[sizeof("dma-coherent")];
	char method[sizeof("method")];
	char clock_cells[sizeof("#clock-cells")];
	char clock_frequency[sizeof("clock-frequency")];
	char phandle[sizeof("phandle")];
	char clocks[sizeof("clocks")];
	char clock_names[sizeof("clock-names")];
	char bootargs[sizeof("bootargs")];
	char stdout_path[sizeof("stdout-path")];
	char bulkhead_restarts[sizeof("bulkhead,restarts")];
	char linux_initrd_start[sizeof("linux,initrd-start")];
	char linux_initrd_end[sizeof("linux,initrd-end")];
	char arm_primecell_periphid[sizeof("arm,primecell-periphid")];
	char address_cells[sizeof("#address-cells")];
	char size_cells[sizeof("#size-cells")];
	char model[sizeof("model")];
	char serial0[sizeof("serial0")];
	char always_on[sizeof("always-on")];
	char interrupt_cells[sizeof("#interrupt-cells")];
	char interrupt_controller[sizeof("interrupt-controller")];
	char clock_output_names[sizeof("clock-output-names")];
	char status[sizeof("status")];
};
#define NM(x) ((uint32_t)__builtin_offsetof(struct dt_names, x))

struct dt_out {
	char *buf;
	uint32_t size, pos; /* the next structure word goes to buf + pos */
	const char *bad;    /* the first thing that went wrong */
	const void *src;    /* the DT whose strings block comes first */
	uint32_t names;	    /* our_names' offset in the strings block */
};

/* Starts writing into buf (size bytes, < 0 taken as 0; any alignment, the
 * same bytes: test_guest's test_writer); false if not even the header fits. */
bool out_begin(struct dt_out *o, void *buf, int size, const void *src);
void out_put32(struct dt_out *o, uint32_t v);
/* A property named by its offset in src's strings block. */
void out_prop_at(struct dt_out *o, uint32_t nameoff, const void *val, uint32_t len);
/* A property named in struct dt_names (NM). */
void out_prop(struct dt_out *o, uint32_t name, const void *val, uint32_t len);
void out_prop_str(struct dt_out *o, uint32_t name, const char *v);
void out_prop_u32(struct dt_out *o, uint32_t name, uint32_t v);
void out_prop_u64(struct dt_out *o, uint32_t name, uint64_t v);
/* reg: n (address, size) pairs of ac and sc cells. */
void out_prop_reg(struct dt_out *o, int ac, int sc, const uint64_t *pairs, int n);
void out_begin_node(struct dt_out *o, const char *name);
/* prefix@<v in hex>, as snprintf's "%s@%llx" writes it, into buf (the
 * prefix's length and 18 bytes more); buf. */
char *out_unit_name(char *buf, const char *prefix, uint64_t v);
void out_end_node(struct dt_out *o);
/* A node <prefix>@<ipa> with compatible, reg (ipa, size in ac and sc
 * cells), one SPI (trigger 1: edge rising, 4: level high) and, if gph is
 * not 0, interrupt-parent, left open: what channels and virtio-net devices
 * share. */
void out_begin_spi_node(struct dt_out *o, const char *prefix, const char *compat, uint64_t ipa,
			uint64_t size, unsigned intid, uint32_t trigger, int ac, int sc, uint32_t gph);
/* Ends the structure block, writes the strings and the header; the
 * problem if any (o->bad), else NULL. */
const char *out_finish(struct dt_out *o);

#endif
