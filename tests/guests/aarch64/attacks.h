/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The attack suite's guest side (attacks.c): the `attack` mode, a hostile
 * domain that tries one attack after another, and the `victim` mode, a
 * domain with known memory contents and a heartbeat that the attacker pings
 * after each attack. main.c hands them what it read from the DT.
 */
#ifndef TESTGUEST_ATTACKS_H
#define TESTGUEST_ATTACKS_H

#include <stdbool.h>
#include <stdint.h>

#include "guest.h"

struct attack_env {
	const void *fdt;
	const char *bootargs;
	uint64_t mem_base, mem_size;
	unsigned ncpus;
	bool psci_smc;
	bool native;	  /* no hypervisor (bootargs `native`) */
	uint64_t uart;	  /* the PL011 the guest prints on (emulated under Bulkhead) */
	int64_t restarts; /* /chosen/bulkhead,restarts */
	void (*say)(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
	/* main.c's hook run by a secondary CPU after secondary_entry. */
	void (**secondary_job)(unsigned slot);
};

/* NULL when the mode passed, else why it failed. */
const char *attack_run(const struct attack_env *e);
const char *victim_run(const struct attack_env *e);
/* netattack.c: the hostile virtio-net driver, and a peer probing rt. */
const char *netattack_run(const struct attack_env *e);
const char *netprobe_run(const struct attack_env *e);
const char *netbench_run(const struct attack_env *e);

/* Called first by exception_entry: true if an attack expected this
 * exception (it is recorded and the attacker resumes). */
bool attack_exception(struct frame *f, uint64_t vector);

#endif
