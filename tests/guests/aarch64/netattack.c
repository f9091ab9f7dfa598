/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The attack suite's network part (tests/attacks/README.md, "Virtual
 * network"): mode `net-attack`, a domain whose virtio-net driver is hostile.
 * Each attack sets its own device up wrongly (rings and buffers outside its
 * RAM, loops, indices out of range, indirect tables, wrong directions,
 * impossible sizes, notify floods, bad register accesses) and checks the
 * device's answer; then it resets the device, sets it up properly (vnet.c)
 * and asks rt (`peer=a.b.c.d`) for its MAC: the answer proves the
 * hypervisor, the switch and that peer unharmed. Mode `net-probe` is a peer
 * that keeps asking rt the same all along (another pair still exchanging
 * frames) and fails on a gap.
 */
#include <libfdt.h>

#include "attacks.h"
#include "common/hypercall.h"
#include "common/lib.h"
#include "irq.h"
#include "vnet.h"

#define R_DRV_FEAT     0x020
#define R_DRV_FEAT_SEL 0x024
#define R_QUEUE_SEL    0x030
#define R_QUEUE_NUM    0x038
#define R_QUEUE_READY  0x044
#define R_NOTIFY       0x050
#define R_STATUS       0x070
#define R_DESC	       0x080
#define R_MAGIC	       0x000
#define ST_NEEDS_RESET 64u
#define ST_FEATURES_OK 8u
#define F_NEXT	       1u
#define F_WRITE	       2u
#define F_INDIRECT     4u
#define HYP_IMAGE      0x40200000ULL /* QEMU -kernel loads the hypervisor there */
#define NQ	       16

struct desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags, next;
};

/* The hostile driver's own transmit ring, in its RAM. */
static struct {
	struct desc desc[NQ] __attribute__((aligned(4096)));
	struct {
		uint16_t flags, idx, ring[NQ], used_event;
	} avail __attribute__((aligned(64)));
	struct {
		uint16_t flags, idx;
		uint32_t ring[2 * NQ];
		uint16_t avail_event;
	} used __attribute__((aligned(64)));
	struct desc table[4] __attribute__((aligned(16))); /* an indirect table */
	uint8_t buf[2048] __attribute__((aligned(64)));
} hq;

static const struct attack_env *env;
static uint64_t base, mem_end;
static uint32_t my_ip, peer_ip;
static unsigned contained, escaped;

static uint32_t rd(unsigned off)
{
	return mmio_read32(base + off);
}

static void wr(unsigned off, uint32_t v)
{
	mmio_write32(base + off, v);
}

static uint64_t ms_ticks(unsigned ms)
{
	return read_sysreg(cntfrq_el0) / 1000 * ms;
}

static uint64_t now(void)
{
	isb();
	return read_sysreg(cntvct_el0);
}

/* Asks the peer for its MAC until it answers (true) or `ms` pass. */
static bool peer_answers(unsigned ms)
{
	uint32_t before = vnet_stats()->arp_replies;
	uint64_t end = now() + ms_ticks(ms), next = 0;
	while (now() < end) {
		if (now() >= next) {
			vnet_arp_probe(peer_ip);
			next = now() + ms_ticks(100);
		}
		vnet_poll(16);
		if (vnet_stats()->arp_replies != before)
			return true;
	}
	return false;
}

/* Reset, VERSION_1 only, then the transmit queue with these rings and size;
 * DRIVER_OK. Returns Status. */
static uint32_t raw_setup(uint32_t num, uint64_t desc, uint64_t avail, uint64_t used)
{
	memset(&hq, 0, sizeof(hq));
	wr(R_STATUS, 0);
	wr(R_STATUS, 1);
	wr(R_STATUS, 3);
	wr(R_DRV_FEAT_SEL, 1);
	wr(R_DRV_FEAT, 1);
	wr(R_STATUS, 3 | ST_FEATURES_OK);
	wr(R_QUEUE_SEL, 1);
	wr(R_QUEUE_NUM, num);
	uint64_t a[3] = {desc, avail, used};
	for (unsigned i = 0; i < 3; i++) {
		wr(R_DESC + 0x10 * i, (uint32_t)a[i]);
		wr(R_DESC + 0x10 * i + 4, (uint32_t)(a[i] >> 32));
	}
	wr(R_QUEUE_READY, 1);
	wr(R_STATUS, 15);
	return rd(R_STATUS);
}

static uint32_t good_rings(void)
{
	return raw_setup(NQ, (uintptr_t)hq.desc, (uintptr_t)&hq.avail, (uintptr_t)&hq.used);
}

/* Post descriptor chain `head` (already written) and notify the transmit queue. */
static uint32_t post(uint16_t head, uint16_t idx)
{
	hq.avail.ring[0] = head;
	__asm__ volatile("dmb ish" ::: "memory");
	hq.avail.idx = idx;
	__asm__ volatile("dsb st" ::: "memory");
	wr(R_NOTIFY, 1);
	return rd(R_STATUS);
}

static void desc(unsigned i, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next)
{
	hq.desc[i] = (struct desc){.addr = addr, .len = len, .flags = flags, .next = next};
}

/* One attack's verdict: its device's answer as expected, then recovery. */
static void verdict(const char *name, bool as_expected, const char *seen)
{
	const char *why = as_expected ? NULL : seen;
	if (!why) {
		const char *e = vnet_init(env->fdt, my_ip);
		if (e)
			why = e;
		else if (!peer_answers(2000))
			why = "after a reset and a good set-up, the peer did not answer";
	}
	if (why) {
		escaped++;
		env->say("attack: %s ... ESCAPED (%s)", name, why);
	} else {
		contained++;
		env->say("attack: %s ... contained", name);
	}
}

static void broken(const char *name, uint32_t status)
{
	verdict(name, status & ST_NEEDS_RESET, "the device did not go to NEEDS_RESET");
}

/* A ring the device must refuse at QueueReady = 1: NEEDS_RESET, not ready. */
static void bad_ring(const char *name, uint32_t num, uint64_t d, uint64_t a, uint64_t u)
{
	uint32_t st = raw_setup(num, d, a, u);
	wr(R_QUEUE_SEL, 1);
	verdict(name, (st & ST_NEEDS_RESET) && !rd(R_QUEUE_READY),
		"the ring was taken (QueueReady 1 or no NEEDS_RESET)");
}

static void ring_attacks(void)
{
	uint64_t d = (uintptr_t)hq.desc, a = (uintptr_t)&hq.avail, u = (uintptr_t)&hq.used;
	bad_ring("vnet-ring-outside-ram", NQ, mem_end, a, u);
	bad_ring("vnet-ring-hyp-image", NQ, HYP_IMAGE, a, u);
	bad_ring("vnet-ring-straddle-ram-end", NQ, d, a, mem_end - 8);
	bad_ring("vnet-ring-wraps-address-space", NQ, d, ~0ULL - 15, u);
	bad_ring("vnet-ring-misaligned", NQ, d + 8, a, u);
	bad_ring("vnet-queue-size-3", 3, d, a, u);
	bad_ring("vnet-queue-size-512", 512, d, a, u);
	bad_ring("vnet-queue-size-0", 0, d, a, u);
}

static void chain_attacks(void)
{
	uint64_t b = (uintptr_t)hq.buf;
	good_rings();
	desc(0, b, 64, F_NEXT, 1), desc(1, b + 64, 64, F_NEXT, 0);
	broken("vnet-desc-loop", post(0, 1));
	good_rings();
	desc(0, b, 64, F_NEXT, 0);
	broken("vnet-desc-self-loop", post(0, 1));
	good_rings();
	desc(0, mem_end - 64, 4096, 0, 0);
	broken("vnet-desc-length-past-ram", post(0, 1));
	good_rings();
	desc(0, HYP_IMAGE, 64, 0, 0);
	broken("vnet-desc-addr-hyp-image", post(0, 1));
	good_rings();
	desc(0, ~0ULL - 0xff, 0x200, 0, 0);
	broken("vnet-desc-addr-wraps", post(0, 1));
	good_rings();
	desc(0, b, 64, F_NEXT, 200);
	broken("vnet-desc-next-out-of-range", post(0, 1));
	good_rings();
	broken("vnet-avail-head-out-of-range", post(100, 1));
	good_rings();
	desc(0, b, 64, 0, 0);
	broken("vnet-avail-idx-jump", post(0, 1000));
	good_rings();
	desc(0, HYP_IMAGE, 4 * sizeof(struct desc), F_INDIRECT, 0);
	broken("vnet-indirect-table-hyp", post(0, 1));
	good_rings();
	hq.table[0] = (struct desc){.addr = (uintptr_t)hq.table, .len = 64, .flags = F_INDIRECT};
	desc(0, (uintptr_t)hq.table, sizeof(hq.table), F_INDIRECT, 0);
	broken("vnet-indirect-table-loop", post(0, 1));
	good_rings();
	desc(0, b, 0, 0, 0);
	broken("vnet-desc-zero-length", post(0, 1));
	good_rings();
	desc(0, b, 64, F_WRITE, 0);
	broken("vnet-tx-desc-device-writable", post(0, 1));
	good_rings();
	wr(R_NOTIFY, 7);
	broken("vnet-notify-missing-queue", rd(R_STATUS));
}

/* Attacks a working device must shrug off: it keeps working, no re-set-up. */
static void harmless_attacks(void)
{
	vnet_init(env->fdt, my_ip);
	for (unsigned i = 0; i < 100000; i++)
		wr(R_NOTIFY, 1);
	bool ok = !(rd(R_STATUS) & ST_NEEDS_RESET) && peer_answers(2000);
	verdict("vnet-notify-flood-100000", ok, "the device broke or stopped after the flood");

	uint64_t v64 = mmio_read64(base + R_MAGIC);
	wr(R_MAGIC, 0);			  /* read-only */
	wr(0x028, 0x1000);		  /* legacy GuestPageSize: not in version 2 */
	mmio_write64(base + R_STATUS, 0); /* a reset, but 8 bytes wide: BAD, ignored */
	ok = v64 == 0 && rd(R_MAGIC) == 0x74726976u && (rd(R_STATUS) & 4) && peer_answers(2000);
	verdict("vnet-bad-register-access", ok, "a bad access read non-zero or changed the device");

	wr(R_STATUS, rd(R_STATUS) | ST_NEEDS_RESET); /* the device's bit, not the driver's */
	ok = !(rd(R_STATUS) & ST_NEEDS_RESET) && peer_answers(2000);
	verdict("vnet-driver-sets-needs-reset", ok, "the driver could set NEEDS_RESET");

	wr(R_STATUS, 0);
	wr(R_STATUS, 3);
	wr(R_DRV_FEAT_SEL, 0);
	wr(R_DRV_FEAT, 1u << 28); /* INDIRECT_DESC: not offered */
	wr(R_DRV_FEAT_SEL, 1);
	wr(R_DRV_FEAT, 1);
	wr(R_STATUS, 3 | ST_FEATURES_OK);
	verdict("vnet-features-not-offered", !(rd(R_STATUS) & ST_FEATURES_OK),
		"FEATURES_OK was kept with a feature the device does not offer");
}

/* Where word `key` (e.g. "ip=") starts in the bootargs, or NULL. */
static const char *word(const char *key)
{
	size_t n = strlen(key);
	for (const char *p = env->bootargs; p && *p; p++)
		if ((p == env->bootargs || p[-1] == ' ') && !strncmp(p, key, n))
			return p;
	return NULL;
}

static uint32_t ip_arg(const char *key)
{
	const char *p = word(key);
	uint32_t ip = 0;
	for (unsigned i = 0; p && i < 4; i++) {
		char *e;
		p += i ? 1 : strlen(key);
		ip = ip << 8 | (uint32_t)strtoul(p, &e, 10);
		p = e;
	}
	return ip;
}

static const char *setup(const struct attack_env *e)
{
	env = e;
	mem_end = e->mem_base + e->mem_size;
	my_ip = ip_arg("ip=");
	peer_ip = ip_arg("peer=");
	if (!my_ip || !peer_ip)
		return "needs ip=a.b.c.d and peer=a.b.c.d";
	const char *why = vnet_init(e->fdt, my_ip);
	if (why)
		return why;
	base = vnet_base();
	return peer_answers(10000) ? NULL : "the peer does not answer before any attack";
}

const char *netattack_run(const struct attack_env *e)
{
	const char *why = setup(e);
	if (why)
		return why;
	/* Attack only once the prober's questions to the peer (broadcast) are
	 * seen: the exchange it checks is under way during every attack. */
	uint64_t end = now() + ms_ticks(30000);
	while (!vnet_stats()->arp_others && now() < end)
		vnet_poll(16);
	if (!vnet_stats()->arp_others)
		return "no other member's ARP requests seen in 30 s (is the prober running?)";
	e->say("net-attack: another member is probing the peer: attacking");
	ring_attacks();
	chain_attacks();
	harmless_attacks();
	e->say("net-attack: %u attacks, %u contained, %u escaped", contained + escaped, contained,
	       escaped);
	return escaped ? "an attack escaped" : NULL;
}

/* BH_HC_DOMAIN_QUERY: true while domain id runs or restarts; false once it
 * is off or stopped, or if the query is refused (*err set). */
static bool domain_up(uint64_t id, int64_t *err)
{
	register uint64_t x0 __asm__("x0") = BH_HC_DOMAIN_QUERY;
	register uint64_t x1 __asm__("x1") = id;
	__asm__ volatile("hvc #0"
			 : "+r"(x0), "+r"(x1)
			 :
			 : "x2", "x3", "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11", "x12",
			   "x13", "x14", "x15", "x16", "x17", "memory");
	*err = (int64_t)x0;
	return !x0 && (x1 == BH_DOM_RUNNING || x1 == BH_DOM_RESTARTING);
}

#define PROBE_GAP_MS 3000 /* no answer this long: the exchange stopped */

/* `net-probe while-up=<id>`: ask the peer for its MAC every 10 ms while that
 * domain runs; fail if PROBE_GAP_MS pass without an answer. */
const char *netprobe_run(const struct attack_env *e)
{
	const char *why = setup(e);
	if (why)
		return why;
	const char *p = word("while-up=");
	uint64_t id = p ? strtoul(p + 9, NULL, 10) : 0;
	int64_t err = 0;
	if (!p || (!domain_up(id, &err) && err))
		return "needs while-up=<id> of a domain the policy lets it query";
	uint64_t start = now(), last = start;
	uint32_t first = vnet_stats()->arp_replies, seen = first, probes = 0;
	while (domain_up(id, &err)) {
		vnet_arp_probe(peer_ip);
		probes++;
		uint64_t t = now() + ms_ticks(10);
		while (now() < t)
			vnet_poll(16);
		if (vnet_stats()->arp_replies != seen) {
			seen = vnet_stats()->arp_replies;
			last = now();
		} else if (now() - last > ms_ticks(PROBE_GAP_MS)) {
			return "the peer stopped answering (3 s without an answer)";
		}
	}
	e->say("net-probe: domain %lu is down: %u probes, %u answers in %lu ms, never 3 s without",
	       id, probes, seen - first, (now() - start) / ms_ticks(1));
	return NULL;
}

/*
 * `net-bench` (make bench, tests/bench/net.sh): deterministic work for the
 * switch under -icount. role=echo answers until it has answered `count=`
 * echo requests and one ARP request; role=ping asks `peer=` for its MAC,
 * then sends `count=` echo requests of `size=` payload bytes, one at a
 * time, each after the last one's reply. Every frame is forwarded once: 2
 * per round. Both sleep in WFI until the device's interrupt (a guest
 * spinning without exits would starve the other vCPU under -icount's
 * round-robin), and no timer runs: each side, once its device is up, sends
 * one ARP request for the other, so whichever comes up second reaches the
 * first, and both know each other without a retry.
 */
static void on_bench_irq(uint32_t iar)
{
	(void)iar;
	vnet_irq_ack();
}

static const char *bench_irqs(void)
{
	irq_disable();
	const char *why = gic_probe(env->fdt);
	if (!why) {
		gic_dist_init();
		why = gic_cpu_init();
	}
	if (why)
		return why;
	irq_set_handler(vnet_intid(), on_bench_irq);
	gic_route_to_self(vnet_intid());
	gic_enable(vnet_intid(), true);
	return NULL;
}

/* With IRQs masked: until *a + *b reaches want, handle frames, else sleep. */
static void bench_until(const uint32_t *a, const uint32_t *b, uint32_t want)
{
	const volatile uint32_t *x = a, *y = b ? b : &(const uint32_t){0};
	while (*x + *y < want)
		if (!vnet_poll(16) && *x + *y < want)
			irq_wait();
}

const char *netbench_run(const struct attack_env *e)
{
	env = e;
	my_ip = ip_arg("ip=");
	peer_ip = ip_arg("peer=");
	const char *c = word("count="), *z = word("size="), *r = word("role=");
	uint32_t n = c ? (uint32_t)strtoul(c + 6, NULL, 10) : 0;
	unsigned size = z ? (unsigned)strtoul(z + 5, NULL, 10) : 18;
	const char *why = my_ip ? vnet_init(e->fdt, my_ip) : "needs ip=a.b.c.d";
	if (!why)
		why = bench_irqs();
	if (why)
		return why;
	const struct vnet_stats *st = vnet_stats();
	if (!peer_ip)
		return "needs peer=a.b.c.d";
	vnet_arp_probe(peer_ip); /* lost if the peer is not up yet: then it asks us */
	bench_until(&st->arp_replies, &st->arp_asked, 1);
	if (r && !strncmp(r + 5, "echo", 4)) {
		bench_until(&st->icmp, NULL, n);
		e->say("net-bench: echo: %u echo requests answered", st->icmp);
		return NULL;
	}
	for (uint32_t i = 0; i < n; i++) {
		if (!vnet_ping(peer_ip, size, (uint16_t)i))
			return "no transmit buffer for an echo request";
		bench_until(&st->echo_replies, NULL, i + 1);
	}
	e->say("net-bench: ping: %u echo replies of %u payload bytes", st->echo_replies, size);
	return NULL;
}
