/* SPDX-License-Identifier: Apache-2.0 */
/* The config on x86 (config.c): the shared plan, checked against the board
 * built from firmware tables. */
#ifndef ARCH_X86_CONFIG_H
#define ARCH_X86_CONFIG_H
#include <stdint.h>
#include "dt/plan.h"

struct mb_info;
struct bh_pkg_hdr;
const struct bh_pkg_hdr *x86_payload(void);
void x86_config_read(const struct mb_info *mb, const struct bh_pkg_hdr *pkg,
		     const uint32_t *apic_ids, unsigned ncpus, struct board *b, struct plan *p);

#endif
