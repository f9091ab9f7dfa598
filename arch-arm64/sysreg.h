/* SPDX-License-Identifier: Apache-2.0 */
/*
 * AArch64 system-register access and the architectural field definitions the
 * hypervisor uses (Arm ARM DDI 0487 names). Only constants and inline accessors.
 */
#ifndef ARCH_ARM64_SYSREG_H
#define ARCH_ARM64_SYSREG_H

#include <stdint.h>

#define read_sysreg(r)                                                                             \
	({                                                                                         \
		uint64_t __v;                                                                      \
		__asm__ volatile("mrs %0, " #r : "=r"(__v));                                       \
		__v;                                                                               \
	})
#define write_sysreg(r, v)                                                                         \
	do {                                                                                       \
		uint64_t __v = (uint64_t)(v);                                                      \
		__asm__ volatile("msr " #r ", %0" : : "r"(__v));                                   \
	} while (0)
/* For registers GNU as only knows by encoding (GICv3 ICH/ICC are known; keep for others). */
#define isb() __asm__ volatile("isb" ::: "memory")
#define dsb(opt) __asm__ volatile("dsb " #opt ::: "memory")
#define dmb(opt) __asm__ volatile("dmb " #opt ::: "memory")
#define wfe() __asm__ volatile("wfe" ::: "memory")
#define wfi() __asm__ volatile("wfi" ::: "memory")
#define sev() __asm__ volatile("sev" ::: "memory")

/* HCR_EL2 (D13.2.46) */
#define HCR_VM (1ULL << 0)
#define HCR_SWIO (1ULL << 1)
#define HCR_FMO (1ULL << 3)
#define HCR_IMO (1ULL << 4)
#define HCR_AMO (1ULL << 5)
#define HCR_VF (1ULL << 6)
#define HCR_VI (1ULL << 7)
#define HCR_VSE (1ULL << 8)
#define HCR_FB (1ULL << 9)
#define HCR_BSU_IS (1ULL << 10)
#define HCR_TWI (1ULL << 13)
#define HCR_TWE (1ULL << 14)
#define HCR_TSC (1ULL << 19)
#define HCR_TIDCP (1ULL << 20)
#define HCR_TSW (1ULL << 22)
#define HCR_TERR (1ULL << 36)
#define HCR_RW (1ULL << 31)
#define HCR_APK (1ULL << 40)
#define HCR_API (1ULL << 41)

/* ESR_ELx (D13.2.37) */
#define ESR_EC(esr) (((esr) >> 26) & 0x3f)
#define ESR_IL (1ULL << 25)
#define ESR_ISS(esr) ((esr)&0x1ffffff)
#define EC_UNKNOWN 0x00
#define EC_WFX 0x01
#define EC_CP15_32 0x03
#define EC_CP15_64 0x04
#define EC_CP14_MR 0x05
#define EC_CP14_LS 0x06
#define EC_FP 0x07
#define EC_CP10_ID 0x08
#define EC_PAC 0x09
#define EC_CP14_64 0x0c
#define EC_ILL 0x0e
#define EC_SVC32 0x11
#define EC_HVC32 0x12
#define EC_SMC32 0x13
#define EC_SVC64 0x15
#define EC_HVC64 0x16
#define EC_SMC64 0x17
#define EC_SYS64 0x18
#define EC_SVE 0x19
#define EC_SME 0x1d
#define EC_IABT_LOW 0x20
#define EC_IABT_CUR 0x21
#define EC_PC_ALIGN 0x22
#define EC_DABT_LOW 0x24
#define EC_DABT_CUR 0x25
#define EC_SP_ALIGN 0x26
#define EC_FP32 0x28
#define EC_FP64 0x2c
#define EC_SERROR 0x2f
#define EC_BRK_LOW 0x30
#define EC_BRK_CUR 0x31
#define EC_SSTEP_LOW 0x32
#define EC_SSTEP_CUR 0x33
#define EC_WATCH_LOW 0x34
#define EC_WATCH_CUR 0x35
#define EC_BKPT32 0x38
#define EC_BRK64 0x3c

/* Data abort ISS (D13.2.37, ISS encoding for an exception from a Data Abort) */
#define DABT_ISV (1U << 24)
#define DABT_SAS(iss) (((iss) >> 22) & 3)
#define DABT_SSE (1U << 21)
#define DABT_SRT(iss) (((iss) >> 16) & 0x1f)
#define DABT_SF (1U << 15)
#define DABT_AR (1U << 14)
#define DABT_FNV (1U << 10)
#define DABT_EA (1U << 9)
#define DABT_CM (1U << 8)
#define DABT_S1PTW (1U << 7)
#define DABT_WNR (1U << 6)
#define DABT_DFSC(iss) ((iss)&0x3f)
#define FSC_SEA 0x10 /* synchronous external abort, not on a table walk */

/* SPSR / PSTATE */
#define PSR_MODE_EL0t 0x0
#define PSR_MODE_EL1t 0x4
#define PSR_MODE_EL1h 0x5
#define PSR_MODE_EL2h 0x9
#define PSR_MODE_MASK 0xf
#define PSR_AA32 (1U << 4)
#define PSR_F (1U << 6)
#define PSR_I (1U << 7)
#define PSR_A (1U << 8)
#define PSR_D (1U << 9)
#define PSR_DAIF (PSR_D | PSR_A | PSR_I | PSR_F)
#define PSR_PAN (1U << 22)
/* Software step (pending when clear) and, AArch64 only, the branch type a
 * BTI checks next: an instruction emulated and stepped over has completed,
 * so both are cleared as the hardware would (AArch32 keeps IT in 15:10). */
#define PSR_SS (1U << 21)
#define PSR_BTYPE (3U << 10)
#define PSR_AA32_MODE_SVC 0x13
#define PSR_AA32_T (1U << 5)

/* SCTLR_EL1/EL2 */
#define SCTLR_M (1ULL << 0)
#define SCTLR_A (1ULL << 1)
#define SCTLR_C (1ULL << 2)
#define SCTLR_SA (1ULL << 3)
#define SCTLR_I (1ULL << 12)
#define SCTLR_SPAN (1ULL << 23)
#define SCTLR_EL2_RES1 0x30c50830ULL
#define SCTLR_EL1_RES1 0x30d00800ULL

/* MAIR indices used by the hypervisor's own page tables */
#define MAIR_IDX_DEVICE 0 /* Device-nGnRE */
#define MAIR_IDX_NORMAL 1 /* Normal, inner/outer write-back non-transient RW-allocate */
#define MAIR_VALUE 0x000000000000ff04ULL

/* CPTR_EL2 (E2H == 0): RES1 bits 13:12, 9, 7:0; TZ = bit 8, TFP = bit 10 */
#define CPTR_EL2_RES1 0x32ffULL
#define CPTR_TZ (1ULL << 8)
#define CPTR_TFP (1ULL << 10)
#define CPTR_TTA (1ULL << 20)
#define CPTR_TAM (1ULL << 30) /* FEAT_AMUv1, else RES0 */

/* MDCR_EL2 */
#define MDCR_HPMN_MASK 0x1fULL
#define MDCR_TPM (1ULL << 6)
#define MDCR_TPMS (1ULL << 14) /* FEAT_SPE */
#define MDCR_HPMD (1ULL << 17) /* FEAT_PMUv3p1 */
#define MDCR_HCCD (1ULL << 23) /* FEAT_PMUv3p5 */

#endif
