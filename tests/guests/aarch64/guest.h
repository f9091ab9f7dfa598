/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What start.S, main.c and irq.c of the AArch64 test guest share: per-CPU
 * stacks, the exception frame layouts, the reach of the identity map and
 * system register access.
 */
#ifndef TESTGUEST_GUEST_H
#define TESTGUEST_GUEST_H

#define MAX_CPUS       8      /* one static stack each; CPUs beyond this are not started */
#define STACK_SIZE     0x4000 /* libfdt and vsnprintf frames plus nested exception frames */
#define FRAME_SIZE     272    /* x0-x30, ELR_EL1, SPSR_EL1, padding to 16 bytes */
#define FP_SIZE	       528    /* q0-q31, FPSR, FPCR: saved on IRQ entry */
#define IRQ_FRAME_SIZE (FRAME_SIZE + FP_SIZE)
#define IDMAP_END      0x100000000 /* start.S maps 0-4 GiB: 0-1 GiB Device, 1-4 GiB Normal */

#ifndef __ASSEMBLER__
#include <stdint.h>

struct frame {
	uint64_t x[31];
	uint64_t elr, spsr, pad;
};

_Static_assert(sizeof(struct frame) == FRAME_SIZE, "start.S saves FRAME_SIZE bytes");

#define read_sysreg(r)                                                                             \
	({                                                                                         \
		uint64_t __v;                                                                      \
		__asm__ volatile("mrs %0, " #r : "=r"(__v));                                       \
		__v;                                                                               \
	})
#define write_sysreg(r, v) __asm__ volatile("msr " #r ", %0" ::"r"((uint64_t)(v)))
#define isb()		   __asm__ volatile("isb" ::: "memory")

/*
 * Device register access as single LDR/STR with a plain base register: an
 * emulated device's trap needs a syndrome (ESR ISV), which loads and stores
 * with writeback or pairs do not give, and the compiler may pick those for
 * plain volatile accesses.
 */
static inline uint32_t mmio_read32(uint64_t addr)
{
	uint32_t v;
	__asm__ volatile("ldr %w0, [%1]" : "=r"(v) : "r"(addr) : "memory");
	return v;
}

static inline void mmio_write32(uint64_t addr, uint32_t v)
{
	__asm__ volatile("str %w0, [%1]" ::"rZ"(v), "r"(addr) : "memory");
}

static inline uint64_t mmio_read64(uint64_t addr)
{
	uint64_t v;
	__asm__ volatile("ldr %0, [%1]" : "=r"(v) : "r"(addr) : "memory");
	return v;
}

static inline void mmio_write64(uint64_t addr, uint64_t v)
{
	__asm__ volatile("str %x0, [%1]" ::"rZ"(v), "r"(addr) : "memory");
}

/* This CPU's stack slot (0 = the boot CPU), which start.S keeps in TPIDR_EL1. */
static inline unsigned cpu_slot(void)
{
	return (unsigned)read_sysreg(tpidr_el1);
}

/* Called from start.S. */
void guest_main(uint64_t dtb);
void secondary_main(uint64_t slot);
void exception_entry(struct frame *f, uint64_t vector);
/* The IRQ vector of the current EL: f is followed by the saved FP/SIMD state. */
void irq_entry(struct frame *f, uint64_t vector);

/* Defined in start.S. */
extern char secondary_entry[];
#endif

#endif
