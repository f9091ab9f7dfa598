/* SPDX-License-Identifier: Apache-2.0 */
/*
 * One CPU's exit counts as console lines (see common/stats_fmt.h). Every
 * append is bounded by what is left of the line: an entry that does not fit
 * goes on a continuation line, so no count is lost and nothing overflows.
 */
#include "common/stats_fmt.h"
#include "common/lib.h"

#define CONT_INDENT "      "

struct line {
	char buf[STATS_LINE_MAX];
	size_t len;
	void (*emit)(const char *line, void *arg);
	void *arg;
};

static void line_flush(struct line *l)
{
	l->buf[l->len] = '\0';
	l->emit(l->buf, l->arg);
	l->len = 0;
}

/* Appends s, starting a continuation line first if s does not fit; s longer
 * than a whole line is cut (never the case for names of BH_NAME_MAX). */
static void line_add(struct line *l, const char *s)
{
	size_t n = strlen(s);
	if (l->len + n >= sizeof(l->buf) && l->len > sizeof(CONT_INDENT) - 1) {
		line_flush(l);
		memcpy(l->buf, CONT_INDENT, sizeof(CONT_INDENT) - 1);
		l->len = sizeof(CONT_INDENT) - 1;
	}
	n = MIN(n, sizeof(l->buf) - 1 - l->len);
	memcpy(l->buf + l->len, s, n);
	l->len += n;
}

void stats_format_cpu(const struct stats_cpu_view *v, void (*emit)(const char *line, void *arg),
		      void *arg)
{
	struct line l = {.len = 0, .emit = emit, .arg = arg};
	char word[STATS_LINE_MAX];
	snprintf(word, sizeof(word), "  CPU %u [%s]:", v->cpu, v->owner);
	line_add(&l, word);
	for (unsigned k = 0; k < v->nkinds; k++) {
		snprintf(word, sizeof(word), " %s", v->kind_names[k]);
		line_add(&l, word);
		bool any = false;
		for (unsigned s = 0; s < v->nslots; s++) {
			uint64_t c = v->counts[k * v->nslots + s];
			if (!c)
				continue;
			any = true;
			snprintf(word, sizeof(word), " %s=%llu", v->slot_names[s],
				 (unsigned long long)c);
			line_add(&l, word);
		}
		if (!any)
			line_add(&l, " -");
	}
	line_flush(&l);
}
