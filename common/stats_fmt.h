/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Formatting of one CPU's exit counts into console lines (common/stats.c
 * prints them). Kept free of hypervisor state so the host unit tests can
 * check it with the longest names and counts a configuration can have.
 */
#ifndef COMMON_STATS_FMT_H
#define COMMON_STATS_FMT_H

#include <stdint.h>

/* Longest line handed to emit, its '\0' included. */
#define STATS_LINE_MAX 512

/* The counts of one CPU: counts[k * nslots + s] exits of kind k caused by slot s. */
struct stats_cpu_view {
	unsigned cpu;
	const char *owner; /* the CPU's domain name, or "idle" */
	unsigned nkinds, nslots;
	const char *const *kind_names; /* [nkinds] */
	const char *const *slot_names; /* [nslots] */
	const uint64_t *counts;	       /* [nkinds * nslots] */
};

/* Calls emit once per line (no '\n'), each shorter than STATS_LINE_MAX. */
void stats_format_cpu(const struct stats_cpu_view *v, void (*emit)(const char *line, void *arg),
		      void *arg);

#endif
