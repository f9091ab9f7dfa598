/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The fake architecture's system registers: the real header's names and
 * constants, with the accessors going to a register file in memory
 * (tests/fake/fake.c) instead of MRS/MSR, and barriers as no-ops.
 */
#ifndef FAKE_SYSREG_H
#define FAKE_SYSREG_H

#include "../../../arch-arm64/sysreg.h"

#undef read_sysreg
#undef write_sysreg
#undef isb
#undef dsb
#undef dmb
#undef wfe
#undef wfi
#undef sev

uint64_t fake_sysreg_read(const char *name);
void fake_sysreg_write(const char *name, uint64_t v);

#define read_sysreg(r) fake_sysreg_read(#r)
#define write_sysreg(r, v) fake_sysreg_write(#r, (uint64_t)(v))
#define isb() ((void)0)
#define dsb(opt) ((void)0)
#define dmb(opt) ((void)0)
#define wfe() ((void)0)
#define wfi() ((void)0)
#define sev() ((void)0)

#endif
