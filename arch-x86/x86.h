/* SPDX-License-Identifier: Apache-2.0 */
/*
 * x86-64 architectural names the port uses (control registers, MSRs, page
 * table bits, the boot GDT's selectors) and the instructions that reach them.
 * Shared by assembly (the constants) and C.
 */
#ifndef ARCH_X86_X86_H
#define ARCH_X86_X86_H

#define CR0_PE		(1 << 0)
#define CR0_ET		(1 << 4)
#define CR0_NE		(1 << 5)
#define CR0_NW		(1 << 29)
#define CR0_CD		(1 << 30)
#define CR0_PG		(1 << 31)
#define CR4_PAE		(1 << 5)
#define MSR_EFER	0xc0000080
#define EFER_LME	(1 << 8)
#define EFER_LMA	(1 << 10)
#define EFER_SVME	(1 << 12)
#define MSR_VM_HSAVE_PA 0xc0010117
#define MSR_FS_BASE	0xc0000100
#define CR4_OSFXSR	(1 << 9)
#define CR4_OSXMMEXCPT	(1 << 10)

#define PTE_P  0x1
#define PTE_W  0x2
#define PTE_U  0x4
#define PTE_PS 0x80

#define GDT_CODE	    0x08
#define GDT_DATA	    0x10
#define COM1_PORT	    0x3f8
#define BOOT_STACK_SIZE	    16384
#define TRAMPOLINE	    0x8000	   /* a secondary CPU's first instruction (smp.c) */
#define X86_IDENTITY_MAPPED 0x100000000ull /* head.S maps the first 4 GiB */
#define KICK_VECTOR	    0xf0 /* another CPU's IPI, to make a vCPU exit (arch_send_ipi) */

#ifndef __ASSEMBLER__
#include <stdbool.h>
#include <stdint.h>

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline void outw(uint16_t port, uint16_t v)
{
	__asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;
	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return (uint64_t)hi << 32 | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

struct cpuid {
	uint32_t eax, ebx, ecx, edx;
};

static inline struct cpuid cpuid(uint32_t leaf, uint32_t sub)
{
	struct cpuid r;
	__asm__ volatile("cpuid"
			 : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx)
			 : "a"(leaf), "c"(sub));
	return r;
}

#define READ_CR(n)                                                                                 \
	static inline uint64_t read_cr##n(void)                                                    \
	{                                                                                          \
		uint64_t v;                                                                        \
		__asm__ volatile("mov %%cr" #n ", %0" : "=r"(v));                                  \
		return v;                                                                          \
	}
READ_CR(0)
READ_CR(2)
READ_CR(3)
READ_CR(4)
#undef READ_CR

/* acpi.c: the board's CPUs from the MADT */
#define X86_MAX_CPUS 64 /* as on arm64 (BH_MAX_CPUS) */
unsigned x86_acpi_cpus(uint32_t *apic_ids, unsigned max);
void x86_acpi_power_off(void); /* returns if ACPI gives no way */

/* config.c: the board's CPUs' APIC IDs, in MADT order (arch_board_read) */
extern uint32_t x86_apic_ids[X86_MAX_CPUS];

/* traps.c: each CPU's GDT and TSS (its own stack for #DF, NMI, #MC), the
 * IDT and its decoded reports; power.c: the machine's end */
struct x86_cpu_tables;
void x86_traps_init(void); /* the boot CPU's */
struct x86_cpu_tables *x86_cpu_tables_alloc(void);
void x86_traps_load(struct x86_cpu_tables *t); /* on a secondary CPU */
__attribute__((noreturn)) void x86_stack_fault_test(void);

/* smp.c: the TSC's rate (arch_counter_freq), secondary CPUs, which CPU
 * this is (arch_cpu_index: the index of its APIC ID in apic_ids), IPIs */
void x86_tsc_calibrate(void);
void x86_smp_init(const uint32_t *apic_ids, unsigned ncpus);
bool x86_start_cpu(unsigned index, uint32_t apic_id, void *stack_top);
extern bool x86_ap_self_test;	   /* bhtest=apdf: a secondary CPU's stack fault */
extern bool x86_restart_self_test; /* bhtest=restartdf: one at a domain's restart */
/* domains.c: the machine ending (arch_halt_system); a CPU that sees it at
 * an exit stops there for good (x86_park) */
extern bool x86_halting;
__attribute__((noreturn)) void x86_park(void);
/* Codes for x86_power_off; QEMU's isa-debug-exit ends with status 2 * code + 1. */
#define X86_EXIT_OK   0
#define X86_EXIT_FAIL 1
__attribute__((noreturn)) void x86_power_off(unsigned code);

#endif
#endif
