/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The guest's PMU on PMUv3 (Armv8.0) CPUs such as Cortex-A53/A57/A72, which
 * have no MDCR_EL2.HPMD: every guest PMU register access traps
 * (MDCR_EL2.TPM, set in cpu.c only there) and is done here on the real PMU,
 * with each event filter's NSH bit (count at EL2) cleared, so a guest's
 * counters never count the hypervisor. Later CPUs use HPMD and never trap.
 */
#include "arch.h"
#include "arch-arm64/sysreg.h"
#include "arch-arm64/trap.h"

#define PMEVTYPER_NSH (1ULL << 27)
#define PMU_CYCLE_IDX 31 /* PMSELR_EL0.SEL value that names PMCCFILTR_EL0 */

#define RW(reg)                                                                                    \
	do {                                                                                       \
		if (write)                                                                         \
			write_sysreg(reg, *val);                                                   \
		else                                                                               \
			*val = read_sysreg(reg);                                                   \
	} while (0)
#define RO(reg)                                                                                    \
	do {                                                                                       \
		if (write)                                                                         \
			return false;                                                              \
		*val = read_sysreg(reg);                                                           \
	} while (0)

/* Event counter or event type register n (n = 31: the cycle counter's filter). */
static bool event_access(unsigned n, bool type, bool write, uint64_t *val)
{
	if (type && write)
		*val &= ~PMEVTYPER_NSH;
	if (n == PMU_CYCLE_IDX) {
		if (!type)
			return false; /* there is no PMEVCNTR31 */
		RW(pmccfiltr_el0);
		return true;
	}
	/* Counters from HPMN up are EL2's: undefined at EL1, as on hardware. */
	if (n >= (read_sysreg(mdcr_el2) & MDCR_HPMN_MASK))
		return false;
	uint64_t sel = read_sysreg(pmselr_el0);
	write_sysreg(pmselr_el0, n);
	isb();
	if (type)
		RW(pmxevtyper_el0);
	else
		RW(pmxevcntr_el0);
	write_sysreg(pmselr_el0, sel);
	isb();
	return true;
}

bool vpmu_access(unsigned crn, unsigned crm, unsigned op2, bool write, uint64_t *val)
{
	if (crn == 14 && crm >= 8) /* PMEVCNTR<n> (c8-c11), PMEVTYPER<n> (c12-c15) */
		return event_access((crm & 3) << 3 | op2, crm >= 12, write, val);
	if (crn != 9)
		return false;
	switch (crm << 3 | op2) {
	case 12 << 3 | 0:
		RW(pmcr_el0);
		break;
	case 12 << 3 | 1:
		RW(pmcntenset_el0);
		break;
	case 12 << 3 | 2:
		RW(pmcntenclr_el0);
		break;
	case 12 << 3 | 3:
		RW(pmovsclr_el0);
		break;
	case 12 << 3 | 4:
		if (!write)
			return false; /* PMSWINC is write-only */
		write_sysreg(pmswinc_el0, *val);
		break;
	case 12 << 3 | 5:
		RW(pmselr_el0);
		break;
	case 12 << 3 | 6:
		RO(pmceid0_el0);
		break;
	case 12 << 3 | 7:
		RO(pmceid1_el0);
		break;
	case 13 << 3 | 0:
		RW(pmccntr_el0);
		break;
	case 13 << 3 | 1:
		return event_access((unsigned)read_sysreg(pmselr_el0) & 0x1f, true, write, val);
	case 13 << 3 | 2:
		return event_access((unsigned)read_sysreg(pmselr_el0) & 0x1f, false, write, val);
	case 14 << 3 | 0:
		RW(pmuserenr_el0);
		break;
	case 14 << 3 | 1:
		RW(pmintenset_el1);
		break;
	case 14 << 3 | 2:
		RW(pmintenclr_el1);
		break;
	case 14 << 3 | 3:
		RW(pmovsset_el0);
		break;
	default:
		return false;
	}
	isb();
	return true;
}
