/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: the virtual GIC (v2 and v3) and the emulated UART as a
 * hostile guest drives them, on the fake architecture (fake_env.h): two
 * domains of two vCPUs; each input is a GIC version and a list of operations
 * by either domain's vCPUs: distributor, redistributor and UART register
 * accesses of any offset, size and value, SGIs, interrupts raised on its own
 * SPIs, the guest completing list registers, the exit path's sync and flush.
 * After every operation of one domain, the other's state must be unchanged
 * to the byte, and no SPI may be routed to a CPU its owner does not have.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/fake/fake_env.h"

struct op {
	uint8_t kind, sel;
	uint8_t off[4];
	uint8_t val[8];
};

static uint64_t le(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;
	for (unsigned i = 0; i < n; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

/* The guest acknowledges or completes what its list registers hold: each
 * LR's state bits changed as the selector says (GICv3 ICH_LR<n>_EL2 in the
 * fake register file, GICv2 GICH_LR<n> in the current CPU's frame). */
static void guest_touches_lrs(uint8_t sel)
{
	for (unsigned i = 0; i < 4; i++) {
		unsigned how = (sel >> (2 * i)) & 3;
		if (!how)
			continue;
		uint64_t lr = vgic_lr_read(i);
		if (gic_host.version == 3)
			lr = (lr & ~(3ULL << 62)) | ((uint64_t)(how - 1) << 62);
		else
			lr = (lr & ~(3ULL << 28)) | ((uint64_t)(how - 1) << 28);
		vgic_lr_write(i, lr);
	}
}

/* Distributor and redistributor registers, with the bits each interrupt
 * takes: a selector bit aims an access at interrupt `intid` of one of them
 * (most of a frame is reserved; random offsets seldom reach the emulation). */
static const struct {
	uint32_t base;
	uint8_t bits;
} regs[] = {
    {0x0000, 0},  {0x0004, 0},	{0x0008, 0},  {0x0080, 1},  {0x0100, 1},  {0x0180, 1},
    {0x0200, 1},  {0x0280, 1},	{0x0300, 1},  {0x0380, 1},  {0x0400, 8},  {0x0800, 8},
    {0x0c00, 2},  {0x0f00, 0},	{0x0f10, 8},  {0x0f20, 8},  {0x6000, 64}, {0xffd0, 0},
    {0x10080, 1}, {0x10100, 1}, {0x10180, 1}, {0x10200, 1}, {0x10280, 1}, {0x10300, 1},
    {0x10380, 1}, {0x10400, 8}, {0x10c00, 2}, {0x0014, 0},  {0x0008, 0},  {0x0028, 0},
};

static uint64_t aimed(uint64_t off, unsigned size)
{
	unsigned r = (unsigned)(off % (sizeof(regs) / sizeof(regs[0])));
	unsigned intid = (unsigned)(off >> 8) % 64;
	uint64_t o = regs[r].base + (uint64_t)regs[r].bits * intid / 8;
	return (off >> 16) & 1 ? o : o & ~(uint64_t)(size - 1);
}

static void run_op(const struct op *o)
{
	struct domain *d = &domains[o->sel >> 7];
	struct vcpu *v = &d->vcpu[(o->sel >> 6) & 1];
	unsigned size = 1u << (o->sel & 3);
	bool write = o->sel & 4;
	uint64_t off = le(o->off, 4), val = le(o->val, 8), ipa = 0;
	bool handled;
	fake_enter(v);
	switch (o->kind % 8) {
	case 0:
		ipa = board.gicd.base + (o->sel & 8 ? aimed(off, size) % 0x10000 : off % 0x10000);
		break;
	case 1: /* GICv3: a redistributor (RD and SGI frames); GICv2: the distributor */
		ipa = board.gic_version == 3
			  ? board.gicr.base + ((off >> 24) & 1) * 0x20000 +
				(o->sel & 8 ? aimed(off, size) % 0x20000 : off % 0x20000)
			  : board.gicd.base + (o->sel & 8 ? aimed(off, size) : off) % 0x1000;
		break;
	case 2: { /* the PL011's registers (DR ... DMACR, then the ID registers) */
		static const uint16_t uart_regs[] = {0x00, 0x04, 0x18, 0x20, 0x24, 0x28, 0x2c, 0x30,
						     0x34, 0x38, 0x3c, 0x40, 0x44, 0x48, 0xfe0, 0xffc};
		ipa = board.uart_base +
		      (o->sel & 8 ? uart_regs[off % (sizeof(uart_regs) / sizeof(uart_regs[0]))] +
					((off >> 16) & 3)
				  : off % 0x1000);
		break;
	}
	case 3: vgic_send_sgi(v, val & 15, (uint32_t)(val >> 8) & 3); return;
	case 4: {
		unsigned spi = (d->id ? 48 : 40) + (val & 3);
		if (val & 4)
			vgic_set_level(d, spi, val & 8);
		else
			vgic_inject(d, &d->vcpu[(val >> 4) & 1], spi);
		return;
	}
	case 5: guest_touches_lrs((uint8_t)val); /* fall through: then the exit path */
	case 6:
		if (o->kind % 8 == 6 && board.gic_version == 3 && (val & 0x100)) {
			/* A timer tick as vtimer_fire takes it (GICv3: HW-linked),
			 * after an exit's flush, when the direct listing can apply. */
			vgic_sync_and_flush(v);
			if (!vgic_list_hw_now(v, 27, 27))
				vgic_inject_hw(v, 27, 27);
			return;
		}
		if (o->kind % 8 == 6 && board.gic_version == 2 && (val & 0x100)) {
			/* GICv2: a timer's tick as v2_vcpu_irq takes it (a
			 * software level, listed at once when it can: vgic_v2_tick)
			 * or the maintenance interrupt of a tick's EOI, with each
			 * timer's CTL (ENABLE, IMASK, ISTATUS) as the value says. */
			fake_sysreg_write("cntv_ctl_el0", (val >> 12) & 7);
			fake_sysreg_write("cntp_ctl_el0", (val >> 15) & 7);
			if (val & 0x200)
				vgic_maintenance(v);
			else
				vgic_v2_tick(v, val & 0x400 ? 30 : 27);
			return;
		}
		vgic_sync_and_flush(v);
		return;
	case 7: vuart_input(d, (char)val); return;
	}
	if (!write && size < 8)
		val = 0;
	vmmio_dispatch(v, ipa, size, write, &val, &handled);
}

static void fail(const char *what, unsigned intid)
{
	fprintf(stderr, "%s (INTID %u)\n", what, intid);
	abort();
}

/* What the model keeps true of a vCPU after any operation, and the GICv2
 * tick's direct listing assumes (gic/vgic.c: vgic_v2_tick): a list
 * register in use through the model or quiet, never both; a quiet one's
 * interrupt knows it is listed there, and a listed private interrupt's
 * register is in use for it; an interrupt not listed has no latch in a
 * register; GICv2's private interrupts are never linked, and a quiet
 * one is not pending in the model. */
static void check_vcpu(const struct vcpu *v)
{
	const struct vgic_cpu *c = &v->arch.vgic;
	if (c->lr_used & c->lr_quiet)
		fail("list register both used and quiet", c->lr_intid[__builtin_ctz(c->lr_used & c->lr_quiet)]);
	for (uint32_t m = c->lr_quiet; m; m &= m - 1) {
		unsigned i = (unsigned)__builtin_ctz(m), id = c->lr_intid[i];
		if (id >= 32 || !c->priv[id].in_lr || c->priv[id].lr != i)
			fail("quiet list register's interrupt not listed there", id);
		/* GICv2: pended again (ISPENDR0) it is in lr_used, so the
		 * lock-free maintenance path (timers_done_quiet) declines. */
		if (gic_host.version == 2 && c->priv[id].pending)
			fail("quiet list register's interrupt pending in the model", id);
	}
	for (unsigned i = 0; i < 32; i++) {
		if (!c->priv[i].in_lr && c->priv[i].lr_latched)
			fail("interrupt not listed, yet latched in a register", i);
		if (c->priv[i].in_lr && (c->priv[i].lr >= VGIC_MAX_LRS || c->lr_intid[c->priv[i].lr] != i ||
					 !((c->lr_used | c->lr_quiet) >> c->priv[i].lr & 1)))
			fail("listed interrupt's register not in use for it", i);
		if (gic_host.version == 2 && (c->priv[i].hw || c->priv[i].hw_linked))
			fail("GICv2 private interrupt linked to a physical one", i);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	fake_setup(data[0] & 1 ? 3 : 2);
	static struct domain other;
	for (size_t p = 1; p + sizeof(struct op) <= size && p < 1 + 64 * sizeof(struct op);
	     p += sizeof(struct op)) {
		struct op o;
		memcpy(&o, data + p, sizeof(o));
		const struct domain *victim = &domains[1 - (o.sel >> 7)];
		fake_snapshot(victim, &other);
		run_op(&o);
		fake_check_unchanged(victim, &other, "a vGIC/vUART operation");
		for (unsigned i = 0; i < 2; i++)
			for (unsigned c = 0; c < domains[i].nvcpus; c++)
				check_vcpu(&domains[i].vcpu[c]);
		/* Physical routes of domain 1's linked SPIs: only its own CPUs (2, 3). */
		for (unsigned s = 48; s < 50; s++)
			if (fake_hw_route_cpu[s] != ~0u && fake_hw_route_cpu[s] != 2 &&
			    fake_hw_route_cpu[s] != 3) {
				fprintf(stderr, "SPI %u routed to CPU %u, not its owner's\n", s,
					fake_hw_route_cpu[s]);
				abort();
			}
	}
	return 0;
}
