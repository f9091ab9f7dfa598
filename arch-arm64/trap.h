/* SPDX-License-Identifier: Apache-2.0 */
/* Internal interfaces between the arm64 trap, PSCI, stage-2 and GIC code. */
#ifndef ARCH_ARM64_TRAP_H
#define ARCH_ARM64_TRAP_H

#include <stdbool.h>
#include <stdint.h>

#include "arch.h"

struct pt;
struct vcpu;
/* Boot-heap pages, VA = PA: the environment of every table the hypervisor builds. */
void arch_pt_identity_env(struct pt *pt);
uint64_t arch_vtcr(void);
unsigned arch_pa_bits(void);
/* Acknowledge and handle pending physical interrupts (hypervisor IPIs...). */
void arch_psci_system_off(void);
int arch_psci_cpu_on(uint64_t mpidr, uint64_t entry, uint64_t ctx);
/* SMCCC call from a guest (HVC or trapped SMC): results written to x[0..3]. */
enum trap_result smccc_guest_call(struct vcpu *v, uint64_t *x);

/* The guest exception vectors' kinds (vectors.S), and their one C entry. */
#define TRAP_GUEST_SYNC 0
#define TRAP_GUEST_IRQ 1
#define TRAP_GUEST_FIQ 2
#define TRAP_GUEST_SERROR 3
bool trap_guest(struct trap_frame *f, unsigned kind);
/* The lean entry of an AArch64 guest's synchronous exception: a TRAP_GUEST_*
 * of arch-arm64/asm.h. */
unsigned trap_guest_sync64(struct trap_frame *f, uint64_t esr);
/* The same for a data abort (an emulated device's register). */
unsigned trap_guest_dabt64(struct trap_frame *f, uint64_t esr);
/* Ask the firmware which SMCCC CPU workarounds it has on this CPU (at its start). */
void arch_smccc_probe(unsigned cpu);
/* A trapped PMU register access (MDCR_EL2.TPM, PMUv3 CPUs), named by its
 * AArch32 CRn, CRm, opc2 (the AArch64 encodings share them): done on the real
 * PMU without EL2 counting; false if it does not exist for the guest. */
bool vpmu_access(unsigned crn, unsigned crm, unsigned op2, bool write, uint64_t *val);
const char *esr_class_name(unsigned ec);
/* Inject a synchronous exception into the guest's EL1 (AArch64 guests). */
void inject_sync(struct vcpu *v, struct trap_frame *f, uint64_t esr, uint64_t far);
/* An Undefined Instruction for a guest of either width, from EL1 or EL0. */
void inject_undef(struct vcpu *v, struct trap_frame *f, const char *why);

/* First time this key (an encoding) is seen? At most 32 keys ever are. */
/* DC ISW/CSW/CISW from a guest (value as the instruction takes it). */
void emulate_dc_setway(uint64_t val);

/* AArch32 guests (guest32.c). */
uint64_t guest32_reg_get(struct trap_frame *f, unsigned n);
void guest32_reg_set(struct trap_frame *f, unsigned n, uint64_t val);
bool guest32_cond_passed(const struct trap_frame *f);
void guest32_advance_pc(struct trap_frame *f);
bool guest32_can_take(struct vcpu *v, const struct trap_frame *f, bool abort);
void guest32_inject_undef(struct trap_frame *f);
void guest32_inject_abort(struct trap_frame *f, uint64_t addr, bool write, bool exec);
void guest32_cp15(struct vcpu *v, struct trap_frame *f);
void guest32_vcpu_reset(struct trap_frame *f, uint64_t entry, uint64_t arg0, bool boot);

#endif
