// SPDX-License-Identifier: Apache-2.0
/*
 * The control device's command layer (common/control.c) on the fake
 * architecture, as dom0's bhctl and a hostile dom0 userland drive it:
 * every command checked by the policy (denials audited: common/audit.c),
 * and malformed input (over-long lines, unknown commands, binary junk,
 * unknown domains, replies nobody reads) answered with errors, never
 * harming the device or another domain.
 */
#include <string.h>

#include "check.h"
#include "common/audit.h"
#include "common/control.h"
#include "common/domain.h"
#include "common/percpu.h"
#include "dt/policy.h"
#include "tests/fake/fake_env.h"

/* What control.c asks of the rest of the hypervisor, recorded. */
static unsigned stops, hist_reads;
bool domain_stop(struct domain *d)
{
	stops++;
	if (d->state != DOM_RUNNING)
		return false;
	d->state = DOM_OFF;
	return true;
}
void console_domain_history(struct domain *d, void (*emit)(const char *, void *), void *arg)
{
	hist_reads++;
	emit(d->name, arg);
	emit("a line of its console", arg);
}
void stats_each(void (*emit)(const char *, void *), void *arg)
{
	emit("cpu0 stats line", arg);
}
uint64_t stats_exits_of_domain(const struct domain *d)
{
	return 100 + d->id;
}
uint64_t vnet_window_ipa(const struct domain *d, unsigned k)
{
	return d->ram_ipa + d->ram_size + k * 0x1000;
}
bool domain_devices_use_intid(const struct domain *d, unsigned intid)
{
	(void)d, (void)intid;
	return false;
}

static struct ctl c;
static char got[CTL_OUT_MAX + 1];

/* Feed `in` (n bytes) as dom0's driver would; the reply it produced. */
static const char *feed(const char *in, size_t n)
{
	c.out_pos = c.out_len = 0;
	control_input(&c, in, n);
	memcpy(got, c.out, c.out_len);
	got[c.out_len] = 0;
	return got;
}
static const char *say(const char *in)
{
	return feed(in, strlen(in));
}

static void allow(const char *rule)
{
	struct dt_error err;
	if (!CHECK_EQ(dt_policy_parse_rule(rule, "/bulkhead/policy", 0, &plan, &err), 0))
		fprintf(stderr, "    %s\n", err.msg);
}

static void setup(void)
{
	fake_setup(3);
	memset(&c, 0, sizeof(c));
	c.dom = &domains[0];
	stops = hist_reads = 0;
}

static void test_policy(void)
{
	setup();
	/* No rule: dom0 sees itself only, may do nothing to d1. */
	CHECK(strstr(say("list\n"), ". d0 ") && !strstr(got, ". d1 "));
	CHECK(strstr(got, "running") && strstr(got, "100"));
	CHECK(!strcmp(got + strlen(got) - 3, "ok\n"));
	CHECK_STR(say("restart d1\n"), "error: permission denied\n");
	CHECK_STR(say("stop d1\n"), "error: permission denied\n");
	CHECK_STR(say("console d1\n"), "error: permission denied\n");
	CHECK_STR(say("stats\n"), "error: permission denied\n");
	CHECK_STR(say("audit\n"), "error: permission denied\n");
	CHECK_EQ(domains[1].restarts, 0);
	CHECK_EQ(stops + hist_reads, 0);
	/* The rules, one permission at a time. */
	allow("d0_t hypervisor_t : hypervisor { audit }");
	say("audit\n");
	CHECK(strstr(got, ". denied { restart } d0_t -> d1_t : domain count 1\n") != NULL);
	CHECK(strstr(got, ". denied { query } d0_t -> d1_t : domain count 1\n") != NULL);
	CHECK(strstr(got, ". denied { stats } d0_t -> hypervisor_t : hypervisor count 1\n"));
	CHECK_STR(say("stats\n"), "error: permission denied\n"); /* audit is not stats */
	allow("d0_t d1_t : domain { query restart }");
	CHECK(strstr(say("list\n"), ". d1 ") != NULL);
	CHECK_STR(say("restart d1\n"), "ok\n");
	CHECK_EQ(domains[1].restarts, 1);
	CHECK_STR(say("stop d1\n"), "error: permission denied\n");
	allow("d0_t d1_t : domain { stop start }");
	CHECK_STR(say("stop d1\n"), "ok\n");
	CHECK_EQ(domains[1].state, DOM_OFF);
	CHECK_STR(say("stop d1\n"), "error: not running\n");
	CHECK_STR(say("start d1\n"), "ok\n");
	CHECK_EQ(domains[1].state, DOM_RESTARTING);
	CHECK_STR(say("start d1\n"), "error: not off or stopped\n");
	allow("d0_t d1_t : console { read }");
	CHECK_STR(say("console d1\n"), ". d1\n. a line of its console\nok\n");
	/* Its own console needs no rule; its own restart is not bhctl's. */
	CHECK_STR(say("console d0\n"), ". d0\n. a line of its console\nok\n");
	CHECK(strncmp(say("restart d0\n"), "error: not the control domain itself", 36) == 0);
	CHECK_EQ(domains[0].restarts, 0);
}

static void test_malformed(void)
{
	setup();
	allow("d0_t d1_t : domain { query restart stop start }");
	allow("d0_t hypervisor_t : hypervisor { stats audit }");
	CHECK(!strncmp(say("frob\n"), "error: unknown command", 22));
	CHECK(!strncmp(say("LIST\n"), "error: unknown command", 22));
	CHECK_STR(say("restart nosuch\n"), "error: no such domain\n");
	CHECK_STR(say("restart\n"), "error: which domain? (a name)\n");
	CHECK_STR(say("list d1\n"), "error: list takes no argument\n");
	CHECK_STR(say("stats now\n"), "error: takes no argument\n");
	CHECK_STR(say("restart d1 d1\n"), "error: no such domain\n");
	CHECK_STR(say("\n\r\n   \n"), ""); /* empty lines: no answer */
	/* Binary junk, NUL bytes included. */
	static const char junk[] = {'l',  'i',	      0,	  's',	't',
				    '\n', (char)0xff, (char)0x80, 0x1b, '\n'};
	CHECK_STR(feed(junk, sizeof(junk)), "error: not a text line\nerror: not a text line\n");
	/* An over-long line: one error for it, whatever its length; then a
	 * command works again. */
	static char longline[5000];
	memset(longline, 'r', sizeof(longline));
	longline[sizeof(longline) - 1] = '\n';
	CHECK_STR(feed(longline, sizeof(longline)), "error: line too long\n");
	CHECK(!strncmp(say("restart d1\n"), "ok", 2));
	/* A line split across writes is one command. */
	CHECK_STR(say("resta"), "");
	CHECK_STR(say("rt d1\r\n"), "ok\n");
	CHECK_EQ(domains[1].restarts, 2);
	/* A name that is only a prefix of another, or with junk appended. */
	CHECK_STR(say("restart d\n"), "error: no such domain\n");
	CHECK_STR(say("restart d1x\n"), "error: no such domain\n");
	CHECK_EQ(domains[1].restarts, 2);
	/* Replies nobody reads: the buffer never overflows, every reply keeps
	 * its status line while room lasts, and the device answers again once
	 * the driver takes what waits. */
	c.out_pos = c.out_len = 0;
	for (unsigned i = 0; i < 500; i++)
		control_input(&c, "stats\n", 6);
	CHECK(c.out_len <= CTL_OUT_MAX);
	c.out_pos = c.out_len; /* the driver took it all */
	CHECK_STR(say("stats\n"), ". cpu0 stats line\nok\n");
	CHECK_EQ(domains[0].state, DOM_RUNNING);
}

/* ---- the device as dom0's virtio_console drives it, through its window ---- */

#define QN	8u	/* queue size the driver picks */
#define RXBUF	0x8000u /* receive buffers: QN of 64 bytes */
#define TXBUF	0x9000u
#define BUFLEN	64u

static const struct vmmio *win;
static uint8_t *ram;
static uint16_t rx_avail, tx_avail, rx_seen;

static uint32_t rd(uint32_t off)
{
	uint64_t x = 0;
	fake_enter(&domains[0].vcpu[0]);
	CHECK(win->access(&domains[0].vcpu[0], off, 4, false, &x));
	return (uint32_t)x;
}
static void wr(uint32_t off, uint32_t val)
{
	uint64_t x = val;
	fake_enter(&domains[0].vcpu[0]);
	CHECK(win->access(&domains[0].vcpu[0], off, 4, true, &x));
}
static void desc(unsigned q, unsigned i, uint64_t addr, uint32_t len, uint16_t flags)
{
	uint8_t *p = ram + q * 0x3000u + 16u * i;
	memcpy(p, &addr, 8);
	memcpy(p + 8, &len, 4);
	memcpy(p + 12, &flags, 2);
	memset(p + 14, 0, 2);
}
static void avail(unsigned q, uint16_t *idx, uint16_t head)
{
	uint8_t *a = ram + q * 0x3000u + 0x1000;
	memcpy(a + 4 + 2u * (*idx % QN), &head, 2);
	(*idx)++;
	memcpy(a + 2, idx, 2);
}

/* virtio_mmio's probe and virtio_console's (no MULTIPORT): VERSION_1 only. */
static bool probe(void)
{
	rx_avail = tx_avail = rx_seen = 0;
	memset(ram, 0, 0xa000);
	if (rd(VIRTIO_MMIO_MAGIC_VALUE) != VIRTIO_MMIO_MAGIC || rd(VIRTIO_MMIO_VERSION) != 2 ||
	    rd(VIRTIO_MMIO_DEVICE_ID) != VIRTIO_ID_CONSOLE)
		return false;
	wr(VIRTIO_MMIO_STATUS, 0);
	wr(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	if (rd(VIRTIO_MMIO_DEVICE_FEATURES) != 0) /* no MULTIPORT, SIZE, EMERG_WRITE */
		return false;
	wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, 1); /* VERSION_1 */
	uint32_t st = VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK;
	wr(VIRTIO_MMIO_STATUS, st);
	for (unsigned q = 0; q < 2; q++) {
		wr(VIRTIO_MMIO_QUEUE_SEL, q);
		wr(VIRTIO_MMIO_QUEUE_NUM, QN);
		for (unsigned k = 0; k < 3; k++)
			wr(VIRTIO_MMIO_QUEUE_DESC_LOW + 0x10 * k,
			   (uint32_t)(FAKE_RAM_IPA + q * 0x3000u + k * 0x1000u));
		wr(VIRTIO_MMIO_QUEUE_READY, 1);
	}
	wr(VIRTIO_MMIO_STATUS, st | VIRTIO_STATUS_DRIVER_OK);
	for (unsigned i = 0; i < QN; i++) { /* its receive buffers */
		desc(0, i, FAKE_RAM_IPA + RXBUF + i * BUFLEN, BUFLEN, VQ_DESC_F_WRITE);
		avail(0, &rx_avail, (uint16_t)i);
	}
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	return rd(VIRTIO_MMIO_STATUS) == (st | VIRTIO_STATUS_DRIVER_OK);
}

/* Send bytes in one buffer; what came back, buffers given back again. */
static const char *talk(const char *s)
{
	size_t n = strlen(s);
	unsigned slot = tx_avail % QN;
	memcpy(ram + TXBUF + slot * 256, s, n);
	desc(1, slot, FAKE_RAM_IPA + TXBUF + slot * 256, (uint32_t)n, 0);
	avail(1, &tx_avail, (uint16_t)slot);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 1);
	size_t o = 0;
	uint16_t used;
	memcpy(&used, ram + 0x2002, 2);
	for (; rx_seen != used; rx_seen++) {
		uint32_t e[2];
		memcpy(e, ram + 0x2004 + 8u * (rx_seen % QN), 8);
		if (e[1] > BUFLEN || o + e[1] >= sizeof(got))
			break;
		memcpy(got + o, ram + RXBUF + e[0] * BUFLEN, e[1]);
		o += e[1];
		avail(0, &rx_avail, (uint16_t)e[0]);
	}
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0); /* buffers back: the rest of a long reply */
	got[o] = 0;
	return got;
}

static void test_device(void)
{
	setup();
	allow("d0_t d1_t : domain { query restart }");
	board.nmem = 1;
	board.mem[0] = (struct mem_range){FAKE_RAM_IPA, 1ull << 30};
	ram = (uint8_t *)(uintptr_t)domains[0].ram_pa;
	unsigned n = domains[0].nvmmio;
	if (!CHECK_EQ(control_attach(&domains[0], 33), 0))
		return;
	win = &domains[0].vmmio[n];
	CHECK_EQ(win->base, control_view()->ipa);
	if (!CHECK(probe()))
		return;
	CHECK_STR(talk("restart d1\n"), "ok\n");
	CHECK_EQ(domains[1].restarts, 1);
	/* A reply longer than the posted buffers: delivered as they come back. */
	const char *r = talk("list\n");
	CHECK(strstr(r, ". d0 ") && strstr(r, ". d1 ") && !strcmp(r + strlen(r) - 3, "ok\n"));
	/* A transmit buffer outside dom0's RAM: only this device breaks. */
	struct domain copy;
	fake_snapshot(&domains[1], &copy);
	desc(1, 0, FAKE_RAM_IPA + FAKE_RAM_SIZE - 4, 64, 0);
	avail(1, &tx_avail, 0);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 1);
	CHECK(rd(VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_NEEDS_RESET);
	CHECK(rd(VIRTIO_MMIO_INTERRUPT_STATUS) & VIRTIO_MMIO_INT_CONFIG);
	fake_check_unchanged(&domains[1], &copy, "a broken control queue");
	/* A bad register access reads as zero and changes nothing. */
	uint64_t x = 0x1234;
	CHECK(win->access(&domains[0].vcpu[0], 0x3, 1, false, &x));
	CHECK_EQ(x, 0);
	/* The driver resets it and the device works again. */
	if (!CHECK(probe()))
		return;
	CHECK_STR(talk("restart d1\n"), "ok\n");
	CHECK_EQ(domains[1].restarts, 2);
	/* dom0's restart resets the device and its half-received line. */
	talk("rest");
	control_domain_reset(&domains[0]);
	CHECK_EQ(rd(VIRTIO_MMIO_STATUS), 0);
	CHECK(probe());
	CHECK_STR(talk("art d1\n"), "error: unknown command (list, stop, start, restart, console, "
				     "stats, audit)\n");
}

/* Restarting a domain again and again (one notify can carry hundreds of
 * lines): every restart done, but its log lines rate-limited as a guest's
 * reports are, not one console line each. */
static void test_restart_flood(void)
{
	setup();
	allow("d0_t d1_t : domain { query restart }");
	char in[46 * 11 + 1];
	for (unsigned i = 0; i < 46; i++)
		memcpy(in + 11 * i, "restart d1\n", 11);
	unsigned before = fake_nlog;
	feed(in, 46 * 11);
	CHECK_EQ(domains[1].restarts, 46);
	CHECK(fake_nlog - before <= 9);
}

/* A denial decided under another lock (the switch's, per frame) is printed
 * by audit_flush() once that lock is released, never under it; a second one
 * due before the flush is counted as suppressed, not lost silently. */
static void test_audit_held(void)
{
	setup();
	fake_counter += 10 * arch_counter_freq(); /* 10 s on: the line rate is fresh */
	fake_log[0] = 0;
	audit_denied_held(1, 0, CLASS_NET, PERM_SEND);
	CHECK_STR(fake_log, "");
	audit_flush();
	CHECK(strstr(fake_log, "audit: denied { send } d1_t -> d0_t : net (1 time)") != NULL);
	fake_log[0] = 0;
	audit_flush(); /* nothing held any more */
	CHECK_STR(fake_log, "");
	audit_denied_held(0, 1, CLASS_NET, PERM_SEND);
	audit_denied_held(0, 0, CLASS_NET, PERM_SEND); /* due too, while one is held */
	audit_flush();
	CHECK(strstr(fake_log, "d0_t -> d1_t : net (1 time)") != NULL);
	audit_denied(1, 1, CLASS_NET, PERM_SEND); /* not held: printed at once */
	CHECK(strstr(fake_log, "d1_t -> d1_t : net (1 time; audit lines suppressed") != NULL);
}

int main(void)
{
	RUN(test_policy);
	RUN(test_malformed);
	RUN(test_device);
	RUN(test_restart_flood);
	RUN(test_audit_held);
	return check_summary("test_control");
}
