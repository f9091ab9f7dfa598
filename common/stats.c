/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Per-CPU exit accounting by cause and by the domain that caused it: the
 * evidence that one domain's activity never costs another domain's CPU time.
 * Printed on request (Ctrl-A s on the console) and whenever a domain powers off.
 */
#include "common/console.h"
#include "common/domain.h"
#include "common/lib.h"
#include "common/percpu.h"
#include "common/vnet.h"
#include "common/stats_fmt.h"

static const char *const kind_name[EXIT_KINDS] = {"trap", "timer", "ipi", "maint", "device",
						   "console"};

unsigned stats_slots(void)
{
	return plan.ndoms + 1;
}

static unsigned slot_of(const struct domain *d)
{
	return d ? (unsigned)(d - domains) : plan.ndoms; /* the last: the hypervisor's */
}

void stats_count(enum exit_kind k, const struct domain *d)
{
	pcpus[arch_cpu_index()].exits[(unsigned)k * stats_slots() + slot_of(d)]++;
}

void stats_kick(unsigned cpu)
{
	struct vcpu *me = vcpu_of_cpu(arch_cpu_index());
	bool running = me && __atomic_load_n(&me->state, __ATOMIC_ACQUIRE) == VCPU_RUNNING;
	unsigned slot = running ? slot_of(me->dom) : plan.ndoms;
	__atomic_fetch_or(&pcpus[cpu].kick_from[slot / 64], 1ULL << (slot % 64), __ATOMIC_RELEASE);
}

bool stats_count_kicks(void)
{
	struct pcpu *p = &pcpus[arch_cpu_index()];
	/* The common case (every kick within a domain: gic_kick_own), all
	 * words tested at once, not one loop step each (the IPI round's
	 * receivers: gic_handle_irq inlines this). */
	uint64_t some = 0;
	for (unsigned w = 0; w < KICK_WORDS; w++)
		some |= __atomic_load_n(&p->kick_from[w], __ATOMIC_RELAXED);
	if (!some)
		return false;
	bool any = false;
	for (unsigned w = 0; w < KICK_WORDS; w++) {
		if (!__atomic_load_n(&p->kick_from[w], __ATOMIC_RELAXED))
			continue; /* the common case: no atomic exchange */
		uint64_t from = __atomic_exchange_n(&p->kick_from[w], 0, __ATOMIC_ACQ_REL);
		any = true;
		for (; from; from &= from - 1)
			p->exits[EXIT_IPI * stats_slots() + w * 64 + (unsigned)__builtin_ctzll(from)]++;
	}
	return any;
}

static void emit_line(const char *line, void *arg)
{
	(void)arg;
	bh_printf("%s\n", line);
}

__attribute__((cold)) void stats_each(void (*emit)(const char *line, void *arg), void *arg)
{
	const char *slot_names[BH_MAX_DOMAINS + 1];
	for (unsigned s = 0; s < plan.ndoms; s++)
		slot_names[s] = s < ndomains ? domains[s].name : "?";
	slot_names[plan.ndoms] = "hypervisor";
	for (unsigned c = 0; c < board.ncpus; c++) {
		struct pcpu *p = &pcpus[c];
		struct stats_cpu_view v = {
		    .cpu = c,
		    .owner = p->vcpu ? p->vcpu->dom->name : "idle",
		    .nkinds = EXIT_KINDS,
		    .nslots = stats_slots(),
		    .kind_names = kind_name,
		    .slot_names = slot_names,
		    .counts = p->exits,
		};
		stats_format_cpu(&v, emit, arg);
	}
}

__attribute__((cold)) uint64_t stats_exits_of_domain(const struct domain *d)
{
	uint64_t n = 0;
	for (unsigned c = 0; c < board.ncpus; c++)
		for (unsigned k = 0; k < EXIT_KINDS; k++)
			n += pcpus[c].exits[k * stats_slots() + slot_of(d)];
	return n;
}

__attribute__((cold)) void stats_print(void)
{
	bh_log("exits per CPU, by cause and the domain that caused them:");
	stats_each(emit_line, NULL);
	vnet_print_stats();
	boot_memory_report();
}
