/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests of the exit statistics' line formatting (common/stats_fmt.c):
 * the longest names and counts a configuration can produce never overflow
 * the line buffer, and no count is left out.
 */
#include "common/stats_fmt.h"
#include "check.h"
#include "dt/dt.h"

#define KINDS 6
#define SLOTS (BH_MAX_DOMAINS + 1)

static const char *const kinds[KINDS] = {"trap", "timer", "ipi", "maint", "device", "console"};

struct out {
	char text[16384];
	size_t len;
	unsigned lines;
	size_t longest;
};

static void collect(const char *line, void *arg)
{
	struct out *o = arg;
	size_t n = strlen(line);
	o->lines++;
	if (n > o->longest)
		o->longest = n;
	if (o->len + n + 2 < sizeof(o->text)) {
		memcpy(o->text + o->len, line, n);
		o->len += n;
		o->text[o->len++] = '\n';
		o->text[o->len] = '\0';
	}
}

/* Every count of every kind is in the output, after its kind's name. */
static void check_all_counts(const struct stats_cpu_view *v, const struct out *o)
{
	const char *at = o->text;
	for (unsigned k = 0; k < v->nkinds; k++) {
		char word[32];
		snprintf(word, sizeof(word), " %s", v->kind_names[k]);
		const char *kat = strstr(at, word);
		CHECK(kat != NULL);
		if (!kat)
			return;
		at = kat + strlen(word);
		for (unsigned s = 0; s < v->nslots; s++) {
			uint64_t c = v->counts[k * v->nslots + s];
			if (!c)
				continue;
			char entry[64];
			snprintf(entry, sizeof(entry), " %s=%llu", v->slot_names[s],
				 (unsigned long long)c);
			CHECK_CONTAINS(at, entry);
		}
	}
}

/* The most domains (BH_MAX_DOMAINS) with names of the longest length a config allows, every one
 * of them kicking this CPU (channel doorbells, restarts), and counts as large
 * as 64 bits go: the line cannot hold it all. */
static void test_longest(void)
{
	char names[SLOTS][BH_NAME_MAX];
	const char *slot_names[SLOTS];
	uint64_t counts[KINDS * SLOTS];
	for (unsigned s = 0; s < BH_MAX_DOMAINS; s++) {
		memset(names[s], 'a' + s % 26, BH_NAME_MAX - 1);
		names[s][BH_NAME_MAX - 1] = '\0';
		slot_names[s] = names[s];
	}
	slot_names[BH_MAX_DOMAINS] = "hypervisor";
	for (unsigned i = 0; i < KINDS * SLOTS; i++)
		counts[i] = UINT64_MAX - i;
	struct stats_cpu_view v = {.cpu = 7,
				   .owner = names[0],
				   .nkinds = KINDS,
				   .nslots = SLOTS,
				   .kind_names = kinds,
				   .slot_names = slot_names,
				   .counts = counts};
	struct out o = {0};
	stats_format_cpu(&v, collect, &o);
	CHECK(o.lines >= 1);
	CHECK(o.longest < STATS_LINE_MAX);
	CHECK_CONTAINS(o.text, "  CPU 7 [aaaaaaaaaaaaaaa]:");
	check_all_counts(&v, &o);
}

/* The common case stays one line, as before. */
static void test_short(void)
{
	enum { N = 9 }; /* eight domains and the hypervisor */
	const char *slot_names[N] = {"dom0", "rt", "?", "?", "?", "?", "?", "?", "hypervisor"};
	uint64_t counts[KINDS * N] = {0};
	counts[0 * N + 1] = 42;	   /* trap rt */
	counts[1 * N + 1] = 1000;  /* timer rt */
	counts[5 * N + N - 1] = 3; /* console hypervisor */
	struct stats_cpu_view v = {.cpu = 2,
				   .owner = "rt",
				   .nkinds = KINDS,
				   .nslots = N,
				   .kind_names = kinds,
				   .slot_names = slot_names,
				   .counts = counts};
	struct out o = {0};
	stats_format_cpu(&v, collect, &o);
	CHECK_EQ(o.lines, 1u);
	CHECK_STR(o.text, "  CPU 2 [rt]: trap rt=42 timer rt=1000 ipi - maint - device - console "
			  "hypervisor=3\n");
}

int main(void)
{
	RUN(test_short);
	RUN(test_longest);
	return check_summary("test_stats");
}
