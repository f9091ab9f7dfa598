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

int main(void)
{
	RUN(test_policy);
	RUN(test_malformed);
	return check_summary("test_control");
}
