/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What start.S, main.c and gic.c of the AArch32 test guest share: the board
 * constants, the per-CPU stack layout, CP15 and device register access.
 */
#ifndef TESTGUEST32_GUEST32_H
#define TESTGUEST32_GUEST32_H

/* QEMU virt: a bare-metal program for this board uses its addresses directly. */
#define LINK_ADDR 0x40008000 /* RAM + 0x8000: where Linux's ARM boot protocol puts a zImage */
#define UART_BASE 0x09000000
#define GICD_BASE 0x08000000
#define GICC_BASE 0x08010000 /* GICv2 CPU interface */
#define GICR_BASE 0x080a0000 /* GICv3 redistributors, 0x20000 bytes each */

#define PSR_MODE_MASK 0x1f
#define PSR_MODE_FIQ  0x11
#define PSR_MODE_IRQ  0x12
#define PSR_MODE_SVC  0x13
#define PSR_MODE_ABT  0x17
#define PSR_MODE_UND  0x1b
#define PSR_T	      (1 << 5)

#define SCTLR_V	 (1 << 13) /* high vectors: must be off for VBAR to count */
#define SCTLR_TE (1 << 30) /* exceptions taken in Thumb state: ours are ARM code */

/*
 * One stack block per CPU, a stack per mode the guest takes exceptions in.
 * The SVC stack holds the C checks and their formatted lines; the others
 * only a handler's frame, or the report of an unexpected exception.
 */
#define MAX_CPUS       4 /* CPUs whose MPIDR Aff0 is below this get a stack block */
#define SVC_STACK_SIZE 0x1000
#define IRQ_STACK_SIZE 0x400
#define ABT_STACK_SIZE 0x400
#define UND_STACK_SIZE 0x400
#define FIQ_STACK_SIZE 0x400
#define CPU_STACKS_SIZE                                                                            \
	(SVC_STACK_SIZE + IRQ_STACK_SIZE + ABT_STACK_SIZE + UND_STACK_SIZE + FIQ_STACK_SIZE)

#ifndef __ASSEMBLER__
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What the loader handed over, stored by start.S before any C runs. */
struct boot_info {
	uint32_t r0, r1, r2, cpsr;
	uint32_t load_addr; /* where the image was running before it moved itself */
};
extern struct boot_info boot_info;

/* start.S helpers (see there). */
uint32_t probe_read(uint32_t addr, uint32_t if_aborted);
void probe_udf(void);
extern const char probe_read_insn[], probe_udf_insn[], secondary_entry[];
extern const char _text[], _edata[], _end[];

/* ---- CP15 ---- */

/* read_<name>() / write_<name>() for a 32-bit CP15 register: MRC/MCR p15, op1, crn, crm, op2. */
#define CP15_REG32(name, op1, crn, crm, op2)                                                       \
	static inline uint32_t read_##name(void)                                                   \
	{                                                                                          \
		uint32_t v;                                                                        \
		__asm__ volatile("mrc p15, " #op1 ", %0, " #crn ", " #crm ", " #op2                \
				 : "=r"(v)                                                         \
				 :                                                                 \
				 : "memory");                                                      \
		return v;                                                                          \
	}                                                                                          \
	static inline void write_##name(uint32_t v)                                                \
	{                                                                                          \
		__asm__ volatile("mcr p15, " #op1 ", %0, " #crn ", " #crm ", " #op2 ::"r"(v)       \
				 : "memory");                                                      \
	}

CP15_REG32(midr, 0, c0, c0, 0)
CP15_REG32(mpidr, 0, c0, c0, 5)
CP15_REG32(ccsidr, 1, c0, c0, 0)
CP15_REG32(clidr, 1, c0, c0, 1)
CP15_REG32(csselr, 2, c0, c0, 0)
CP15_REG32(sctlr, 0, c1, c0, 0)
CP15_REG32(id_mmfr3, 0, c0, c1, 7)
CP15_REG32(ttbcr, 0, c2, c0, 2)
CP15_REG32(dfsr, 0, c5, c0, 0)
CP15_REG32(ifsr, 0, c5, c0, 1)
CP15_REG32(dfar, 0, c6, c0, 0)
CP15_REG32(ifar, 0, c6, c0, 2)
CP15_REG32(dccisw, 0, c7, c14, 2)
CP15_REG32(cntfrq, 0, c14, c0, 0)
CP15_REG32(cntp_tval, 0, c14, c2, 0)
CP15_REG32(cntp_ctl, 0, c14, c2, 1)
CP15_REG32(cntv_ctl, 0, c14, c3, 1)
CP15_REG32(icc_pmr, 0, c4, c6, 0)
CP15_REG32(icc_iar1, 0, c12, c12, 0)
CP15_REG32(icc_eoir1, 0, c12, c12, 1)
CP15_REG32(icc_sre, 0, c12, c12, 5)
CP15_REG32(icc_igrpen1, 0, c12, c12, 7)
CP15_REG32(id_dfr0, 0, c0, c1, 2)
CP15_REG32(pmcr, 0, c9, c12, 0)
CP15_REG32(pmselr, 0, c9, c12, 5)
CP15_REG32(pmxevtyper, 0, c9, c13, 1)
CP15_REG32(pmccfiltr, 0, c14, c15, 7)

#define CNTV_CTL_ENABLE	 (1u << 0)
#define CNTV_CTL_IMASK	 (1u << 1)
#define CNTV_CTL_ISTATUS (1u << 2)

#define isb() __asm__ volatile("isb" ::: "memory")
#define dsb() __asm__ volatile("dsb sy" ::: "memory")
#define dmb() __asm__ volatile("dmb sy" ::: "memory")

/* CNTVCT, after an ISB so it is not read ahead of what precedes it. */
static inline uint64_t read_cntvct(void)
{
	uint64_t v;
	isb();
	__asm__ volatile("mrrc p15, 1, %Q0, %R0, c14" : "=r"(v));
	return v;
}

/* CNTPCT and CNTP_CVAL: the EL1 physical counter and timer (MRRC/MCRR). */
static inline uint64_t read_cntpct(void)
{
	uint64_t v;
	isb();
	__asm__ volatile("mrrc p15, 0, %Q0, %R0, c14" : "=r"(v));
	return v;
}

static inline uint64_t read_cntp_cval(void)
{
	uint64_t v;
	__asm__ volatile("mrrc p15, 2, %Q0, %R0, c14" : "=r"(v));
	return v;
}

static inline void write_cntp_cval(uint64_t v)
{
	__asm__ volatile("mcrr p15, 2, %Q0, %R0, c14" ::"r"(v) : "memory");
}

static inline void write_cntv_cval(uint64_t v)
{
	__asm__ volatile("mcrr p15, 3, %Q0, %R0, c14" ::"r"(v) : "memory");
}

static inline void write_icc_sgi1r(uint64_t v)
{
	__asm__ volatile("mcrr p15, 0, %Q0, %R0, c12" ::"r"(v) : "memory");
}

/*
 * Device registers as single LDR/STR on a plain base register: an emulated
 * device's trap needs a syndrome the hypervisor can decode, which loads and
 * stores with writeback do not give, and the compiler may pick those for
 * plain volatile accesses.
 */
static inline uint32_t mmio_read32(uint32_t addr)
{
	uint32_t v;
	__asm__ volatile("ldr %0, [%1]" : "=r"(v) : "r"(addr) : "memory");
	return v;
}

static inline void mmio_write32(uint32_t addr, uint32_t v)
{
	__asm__ volatile("str %0, [%1]" ::"r"(v), "r"(addr) : "memory");
}

/* ---- main.c ---- */

__attribute__((format(printf, 1, 2))) void say(const char *fmt, ...);
uint64_t deadline_in_us(uint32_t us);
bool expired(uint64_t deadline);

/* ---- gic.c ---- */

/* GIC version found (2 or 3), or 0 with *why set when there is none we can use. */
unsigned gic_init(char *why, size_t why_size);
void gic_enable_private(unsigned intid);
uint32_t gic_ack(void); /* the raw IAR value: hand it back to gic_eoi() */
unsigned gic_intid(uint32_t iar);
void gic_eoi(uint32_t iar);
void gic_send_sgi_self(unsigned sgi);

#define INTID_SPURIOUS 1023

#endif /* __ASSEMBLER__ */
#endif
