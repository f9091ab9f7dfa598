/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Emulated PL011 UART, placed at the board's own UART address so programs
 * built for the board run unchanged. Each character written goes to the
 * domain's console buffer; the TX FIFO reads as empty when that buffer is,
 * full when it is nearly full (the guest waits, in its own time). Enough of
 * the register file and ID registers for Linux's amba-pl011 driver and earlycon.
 */
#include "common/console.h"
#include "common/domain.h"
#include "common/lib.h"

#define DR VUART_DR
#define RSR 0x04
#define FR VUART_FR
#define ILPR 0x20
#define IBRD 0x24
#define FBRD 0x28
#define LCRH 0x2c
#define CR 0x30
#define IFLS 0x34
#define IMSC 0x38
#define RIS 0x3c
#define MIS 0x40
#define ICR 0x44
#define DMACR 0x48

#define FR_RXFE VUART_FR_RXFE
#define FR_TXFF (1u << 5)
#define FR_TXFE VUART_FR_TXFE
#define INT_RX (1u << 4)
#define INT_TX (1u << 5)
#define INT_RT (1u << 6)

/* PrimeCell identification: PL011 r1p5, as QEMU and real silicon report it. */
static const uint8_t id_regs[8] = {0x11, 0x10, 0x34, 0x00, /* VUART_PERIPHID */ 0x0d, 0xf0, 0x05, 0xb1};

static void update_ris(struct vuart *u)
{
	u->ris |= INT_TX; /* transmit always done */
	if (u->rx_count)
		u->ris |= INT_RX | INT_RT;
	else
		u->ris &= ~(INT_RX | INT_RT);
}

/* The PL011's combined interrupt line (any unmasked raw interrupt), then
 * d->lock released: worked out and set under the lock, or input on another
 * CPU between the two could be overwritten by a stale low. d->lock -> vGIC
 * lock: nothing takes d->lock under the vGIC's. */
__attribute__((noinline)) static void update_line_unlock(struct domain *d)
{
	struct vuart *u = &d->vuart;
	update_ris(u);
	arch_irq_set_level(d, u->intid, (u->ris & u->imsc) != 0);
	spin_unlock(&d->lock);
}

/* FR, the register guests poll: a snapshot, no lock needed. TX is the
 * domain's console buffer: empty (the common case, checked inline), or
 * moved on by console_domain_tx(), reading full while it is nearly full
 * (the guest waits at EL1; never while the UART is stuck). The read right
 * after a DR write is the poll before the next character: the buffer moves
 * on only once it nears full (console_domain_putc says when else). */
uint32_t vuart_fr(struct domain *d)
{
	uint32_t r = __atomic_load_n(&d->vuart.rx_count, __ATOMIC_RELAXED) ? 0 : FR_RXFE;
	uint32_t used = __atomic_load_n(&d->con_in_head, __ATOMIC_RELAXED) -
			__atomic_load_n(&d->con_in_tail, __ATOMIC_RELAXED);
	bool poll = __atomic_load_n(&d->vuart.dr_written, __ATOMIC_RELAXED);
	if (poll)
		__atomic_store_n(&d->vuart.dr_written, false, __ATOMIC_RELAXED);
	if (!used)
		r |= FR_TXFE;
	else if ((!poll || used > CON_IN_SIZE - CON_TX_ROOM) && console_domain_tx(d) == CON_TX_FULL)
		r |= FR_TXFF;
	return r;
}

void vuart_dr(struct domain *d, char c)
{
	/* Output: the domain's console ring (console_domain_putc, inline). */
	if (!domain_con_held(d, c, domain_con_put(d, c)))
		console_domain_burst_end(d);
	/* TX is set from reset on (update_ris): the line cannot change. */
	__atomic_store_n(&d->vuart.dr_written, true, __ATOMIC_RELAXED);
}

/* A write to a PL011 register other than DR (d->lock held). */
static void reg_write(struct vuart *u, uint64_t off, uint32_t w)
{
	switch (off) {
	case IBRD: u->ibrd = w & 0xffff; break;
	case FBRD: u->fbrd = w & 0x3f; break;
	case LCRH: u->lcrh = w & 0xff; break;
	case CR: u->cr = w & 0xffff; break;
	case IFLS: u->ifls = w & 0x3f; break;
	case IMSC: u->imsc = w & 0x7ff; break;
	case ICR: u->ris &= ~w; break;
	case DMACR: u->dmacr = w & 7; break;
	default: break; /* RSR/ECR clears errors (we have none); others are read-only */
	}
	update_ris(u);
}

/* A read of a PL011 register other than FR (d->lock held). */
static uint32_t reg_read(struct vuart *u, uint64_t off)
{
	switch (off) {
	case DR: {
		uint32_t r = 0;
		if (u->rx_count) {
			r = u->rx[u->rx_head];
			u->rx_head = (u->rx_head + 1) % sizeof(u->rx);
			u->rx_count--;
			u->rx_dropping = false;
		}
		update_ris(u);
		return r;
	}
	case IBRD: return u->ibrd;
	case FBRD: return u->fbrd;
	case LCRH: return u->lcrh;
	case CR: return u->cr;
	case IFLS: return u->ifls;
	case IMSC: return u->imsc;
	case RIS: update_ris(u); return u->ris;
	case MIS: update_ris(u); return u->ris & u->imsc;
	case DMACR: return u->dmacr;
	default: return off >= 0xfe0 && off < 0x1000 ? id_regs[(off - 0xfe0) / 4] : 0;
	}
}

/* Any other access (rare: set-up, input, interrupts), optimised for size.
 * It ends a burst of characters: they go on now. */
__attribute__((cold, noinline)) static bool reg_access(struct domain *d, uint64_t off, unsigned size,
					       bool write, uint64_t *val)
{
	struct vuart *u = &d->vuart;

	if ((size != 4 && size != 2) || (off & (size - 1)))
		return false;
	__atomic_store_n(&u->dr_written, false, __ATOMIC_RELAXED);
	console_domain_tx(d); /* pumps if anything waits */
	spin_lock(&d->lock);
	if (write)
		reg_write(u, off, (uint32_t)*val);
	else
		*val = reg_read(u, off);
	/* Only these change RIS & IMSC (input does in vuart_input, a reset
	 * clears both with the vGIC's level): any other access, such as the
	 * CR save and restore around each of Linux's console writes, leaves
	 * the line as it was. */
	if (write ? off == IMSC || off == ICR : off == DR)
		update_line_unlock(d);
	else
		spin_unlock(&d->lock); /* no call: Linux's CR save and restore */
	return true;
}

static bool vuart_access(struct vcpu *v, uint64_t off, unsigned size, bool write, uint64_t *val)
{
	struct domain *d = v->dom;

	/* Every character costs an FR read and a DR write: those two first. */
	if (!write && off == FR && (size == 4 || size == 2)) {
		*val = vuart_fr(d);
		return true;
	}
	if (write && off == DR && (size == 4 || size == 2 || size == 1)) {
		vuart_dr(d, (char)(*val & 0xff));
		return true;
	}
	return reg_access(d, off, size, write, val);
}

void vuart_input(struct domain *d, char c)
{
	struct vuart *u = &d->vuart;
	bool first_drop = false;
	spin_lock(&d->lock);
	if (u->rx_count < sizeof(u->rx)) {
		u->rx[(u->rx_head + u->rx_count) % sizeof(u->rx)] = (uint8_t)c;
		u->rx_count++;
	} else {
		first_drop = !u->rx_dropping;
		u->rx_dropping = true;
	}
	update_line_unlock(d);
	if (first_drop) /* once until it reads again: at most once per keystroke burst */
		bh_log("domain %s: console input dropped: it has not read the %u characters "
		       "typed before",
		       d->name, (unsigned)sizeof(u->rx));
}

void vuart_reset(struct domain *d)
{
	unsigned intid = d->vuart.intid;
	memset(&d->vuart, 0, sizeof(d->vuart));
	d->vuart.intid = intid;
	d->vuart.cr = 0x300; /* TXE | RXE, the PL011 reset value */
	d->vuart.ris = INT_TX; /* transmit always done */
	d->vuart.ifls = 0x12;
}

__attribute__((cold)) int vuart_init(struct domain *d, uint64_t base, uint64_t size, unsigned intid)
{
	d->vuart.intid = intid;
	if (arch_irq_own(d, intid, false, "its console"))
		return -1;
	vuart_reset(d);
	struct vmmio *m = &d->vmmio[d->nvmmio++];
	/* The board UART's own registers, but at least the PL011's that Linux
	 * uses (the Raspberry Pi's mini UART has 0x40 bytes, ICR is at 0x44):
	 * a device sharing its page (the Pi's aux block) is forwarded, see
	 * domains_assign_devices(), but for those bytes (SPI1's first 3). */
	m->base = base;
	m->size = size ? MAX(size, (uint64_t)DMACR + 4) : 0x1000;
	m->access = vuart_access;
	/* The domain's first region: vmmio_find finds FR and DR here whatever
	 * is added later (a forwarded device sharing the page), so the trap
	 * fast path, which compares with this base instead, serves the same. */
	for (unsigned i = 0; i < d->nvcpus; i++)
		d->vcpu[i].vuart_base = base;
	return 0;
}
