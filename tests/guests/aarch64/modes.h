/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Modes of the AArch64 test guest kept in their own files, run by main.c
 * with what it read from the DT (the attack suite's struct attack_env):
 * `ptimer` (ptimer.c), `gicregs` (gicregs.c), `trapregs` (trapregs.c) and `el0abort` (el0.c).
 */
#ifndef TESTGUEST_MODES_H
#define TESTGUEST_MODES_H

#include "attacks.h"

/* NULL when the mode passed, else why it failed. */
const char *ptimer_run(const struct attack_env *e);
const char *gicregs_run(const struct attack_env *e);
const char *trapregs_mode(const struct attack_env *e);
/* el0.c: `el0abort`, aborts injected for accesses made at EL0. */
const char *el0abort_run(const struct attack_env *e);
/* Called by exception_entry: true if el0abort's EL0 code took it. */
bool el0_exception(struct frame *f, uint64_t vector);
/* Called by exception_entry: true if gicregs expected this data abort (an
 * access of a size the register refuses); the access is skipped. */
bool modes_exception(struct frame *f, uint64_t vector);

#endif
