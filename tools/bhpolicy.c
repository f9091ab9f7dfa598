// SPDX-License-Identifier: Apache-2.0
/*
 * bhpolicy: questions about a compiled config's policy, the way SELinux's
 * sesearch answers them (docs/config.md, "policy").
 *
 *   bhpolicy CONFIG.dtb [-s SRC] [-t TGT] [-c CLASS] [-p PERM] [-w]
 *
 * SRC and TGT are a type (dom0_t) or a domain's name (rt: its type). Prints
 * each rule that grants what was asked, reduced to the permissions asked
 * for, with the domains it applies to:
 *   "who may restart rt?"             bhpolicy cfg.dtb -t rt -p restart
 *   "which types can send to guest_t?" bhpolicy cfg.dtb -t guest_t -c net -p send
 * -w also prints the build's warnings (networks and channels no rule
 * allows). Exit status: 0 a rule matched, 1 none did, 2 a bad argument or
 * config.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libfdt.h>

#include "dt/policy.h"

static struct plan plan;

static void *read_dtb(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		perror(path);
		exit(2);
	}
	static char buf[1 << 20];
	size_t n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	if (n < 40 || fdt_check_header(buf) || fdt_totalsize(buf) > n) {
		fprintf(stderr, "bhpolicy: %s: not a compiled config (dtc -O dtb)\n", path);
		exit(2);
	}
	return buf;
}

/* A domain's name stands for its type; a type stands for itself. */
static const char *type_of(const char *s)
{
	if (!s)
		return NULL;
	for (unsigned i = 0; i < plan.ndoms; i++)
		if (!strcmp(plan.dom[i].name, s))
			return plan.dom[i].label;
	for (unsigned i = 0; i < plan.ndoms; i++)
		if (!strcmp(plan.dom[i].label, s))
			return s;
	if (!strcmp(s, HYPERVISOR_TYPE))
		return s;
	fprintf(stderr, "bhpolicy: \"%s\" is no domain's name or type\n", s);
	exit(2);
}

/* The domains of a type, "a, b" (the hypervisor for hypervisor_t). */
static void domains_of(const char *type, char *out, size_t size)
{
	out[0] = 0;
	for (unsigned i = 0; i < plan.ndoms; i++)
		if (!strcmp(plan.dom[i].label, type))
			snprintf(out + strlen(out), size - strlen(out), "%s%s", out[0] ? ", " : "",
				 plan.dom[i].name);
	if (!out[0])
		snprintf(out, size, "the hypervisor");
}

static void warn(const char *msg, void *arg)
{
	(void)arg;
	printf("warning: %s\n", msg);
}

static int usage(void)
{
	fprintf(stderr, "usage: bhpolicy CONFIG.dtb [-s SRC] [-t TGT] [-c CLASS] [-p PERM] [-w]\n");
	return 2;
}

int main(int argc, char **argv)
{
	const char *src = NULL, *tgt = NULL, *cls = NULL, *perm = NULL;
	int lint = 0, o;
	while ((o = getopt(argc, argv, "s:t:c:p:w")) != -1) {
		switch (o) {
		case 's':
			src = optarg;
			break;
		case 't':
			tgt = optarg;
			break;
		case 'c':
			cls = optarg;
			break;
		case 'p':
			perm = optarg;
			break;
		case 'w':
			lint = 1;
			break;
		default:
			return usage();
		}
	}
	if (optind != argc - 1)
		return usage();
	struct dt_error err;
	if (dt_plan_read(read_dtb(argv[optind]), NULL, &plan, &err)) {
		fprintf(stderr, "bhpolicy: %s\n", err.msg);
		return 2;
	}
	unsigned pbit = perm ? dt_policy_perm(perm) : ~0u;
	if (!pbit) {
		fprintf(stderr, "bhpolicy: \"%s\" is no permission\n", perm);
		return 2;
	}
	src = type_of(src);
	tgt = type_of(tgt);
	unsigned found = 0;
	for (unsigned i = 0; i < plan.nrules; i++) {
		const struct rule *r = &plan.rule[i];
		unsigned perms = r->perms & pbit;
		if (!perms || (src && strcmp(r->src, src)) || (tgt && strcmp(r->tgt, tgt)) ||
		    (cls && strcmp(dt_policy_class_name(r->cls), cls)))
			continue;
		char line[256], from[128], to[128];
		int n = snprintf(line, sizeof(line), "allow %s %s : %s {", r->src, r->tgt,
				 dt_policy_class_name(r->cls));
		for (unsigned b = 0; b < PERM_COUNT; b++)
			if (perms & (1u << b))
				n += snprintf(line + n, sizeof(line) - (size_t)n, " %s",
					      dt_policy_perm_name(1u << b));
		domains_of(r->src, from, sizeof(from));
		domains_of(r->tgt, to, sizeof(to));
		printf("%s }  (%s -> %s)\n", line, from, to);
		found++;
	}
	if (!found)
		printf("no rule grants that (default: denied)\n");
	if (lint)
		dt_policy_lint(&plan, warn, NULL);
	return found ? 0 : 1;
}
