/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The hypervisor's own exceptions on x86: each CPU's descriptor tables (its
 * GDT and TSS, the IDT they share: vectors 0-31, vectors.S) and the report
 * of an unexpected exception: its name, error code decoded, RIP, CR2, the
 * registers. The machine then powers off (failure status).
 */
#include "arch.h"
#include "svm.h"
#include "x86.h"
#include "common/console.h"
#include "common/lib.h"

/* What vectors.S pushed, lowest address first. */
struct x86_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8, rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error;
	uint64_t rip, cs, rflags, rsp, ss; /* pushed by the CPU */
};

struct idt_gate {
	uint16_t off_lo, sel;
	uint8_t ist, type;
	uint16_t off_mid;
	uint32_t off_hi, zero;
};

#define IDT_INTERRUPT_GATE 0x8e /* present, DPL 0, 64-bit interrupt gate */
#define NVECTORS	   32
#define GDT_TSS		   0x18
#define TSS_AVAILABLE	   0x89ull /* present, DPL 0, 64-bit TSS (available) */
#define IST_STACK_SIZE	   4096

/* The 64-bit TSS (APM vol. 2, 12.2.5): only IST1 is used. */
struct __attribute__((packed)) x86_tss {
	uint32_t rsvd0;
	uint64_t rsp[3];
	uint64_t ist[8]; /* IST n is ist[n]; ist[0] is reserved */
	uint64_t rsvd1;
	uint16_t rsvd2, iopb;
};
_Static_assert(sizeof(struct x86_tss) == 104, "64-bit TSS");

/*
 * A CPU's own: its GDT (head.S's code and data segments at the same
 * selectors, then its TSS), the TSS, and the stack the TSS's IST1 names, on
 * which #DF, NMI and #MC are taken whatever the stack they interrupt: a
 * fault while an exception is delivered (a stack pointer gone bad) is then
 * reported, where without it the CPU shuts down (a triple fault: the
 * machine resets, silently). A secondary CPU's GDT is no longer its
 * trampoline's, below 1 MiB.
 */
struct x86_cpu_tables {
	uint64_t gdt[5];
	struct x86_tss tss;
	uint8_t ist1[IST_STACK_SIZE] __attribute__((aligned(16)));
};

extern const uint64_t x86_vector_stubs[NVECTORS];
extern const char x86_kick_entry[], x86_spurious_entry[];
static struct idt_gate idt[256];
static struct x86_cpu_tables boot_tables;

static void gate(unsigned v, uint64_t a)
{
	bool own_stack = v == 2 || v == 8 || v == 18; /* NMI, #DF, #MC: IST1 */
	idt[v] = (struct idt_gate){.off_lo = (uint16_t)a,
				   .sel = GDT_CODE,
				   .ist = own_stack,
				   .type = IDT_INTERRUPT_GATE,
				   .off_mid = (uint16_t)(a >> 16),
				   .off_hi = (uint32_t)(a >> 32)};
}

void x86_traps_init(void)
{
	for (unsigned v = 0; v < NVECTORS; v++)
		gate(v, x86_vector_stubs[v]);
	gate(KICK_VECTOR, (uint64_t)(uintptr_t)x86_kick_entry);
	gate(0xff,
	     (uint64_t)(uintptr_t)x86_spurious_entry); /* the LAPIC's spurious vector (smp.c) */
	x86_traps_load(&boot_tables);
}

struct x86_cpu_tables *x86_cpu_tables_alloc(void)
{
	return x86_alloc(sizeof(struct x86_cpu_tables), 4096);
}

struct __attribute__((packed)) desc_ptr {
	uint16_t limit;
	uint64_t base;
};

/* This CPU's GDT, TSS and IST1 stack in t (zeroed), and the IDT: loaded. */
void x86_traps_load(struct x86_cpu_tables *t)
{
	uint64_t tss = (uint64_t)(uintptr_t)&t->tss;
	t->gdt[1] = 0x00af9a000000ffffull; /* GDT_CODE: 64-bit code, DPL 0 (as head.S's) */
	t->gdt[2] = 0x00cf92000000ffffull; /* GDT_DATA */
	t->gdt[3] = (sizeof(t->tss) - 1) | (tss & 0xffffff) << 16 | TSS_AVAILABLE << 40 |
		    (tss >> 24 & 0xff) << 56;
	t->gdt[4] = tss >> 32;
	t->tss.ist[1] = (uint64_t)(uintptr_t)(t->ist1 + sizeof(t->ist1));
	t->tss.iopb = sizeof(t->tss); /* no I/O permission bitmap */
	struct desc_ptr g = {sizeof(t->gdt) - 1, (uint64_t)(uintptr_t)t->gdt},
			i = {sizeof(idt) - 1, (uint64_t)(uintptr_t)idt};
	__asm__ volatile("lgdt %0; lidt %1; ltr %w2" : : "m"(g), "m"(i), "r"(GDT_TSS) : "memory");
}

/* Self-test (bhtest=df, bhtest=apdf): a push onto an unmapped stack. Its
 * #PF cannot be delivered there: a #DF, which its own stack reports. */
void x86_stack_fault_test(void)
{
	bh_log("self-test: CPU %u pushes onto a stack at unmapped address 0x40000000000",
	       arch_cpu_index());
	__asm__ volatile("mov %0, %%rsp; push %%rax" : : "r"(0x40000000000ull) : "memory");
	__builtin_unreachable();
}

/* AMD64 APM vol. 2, 8.2 (vectors) */
static const char *const vec_names[NVECTORS] = {
    "#DE divide error",
    "#DB debug",
    "NMI",
    "#BP breakpoint",
    "#OF overflow",
    "#BR bound range",
    "#UD invalid opcode",
    "#NM device not available",
    "#DF double fault",
    "coprocessor overrun",
    "#TS invalid TSS",
    "#NP segment not present",
    "#SS stack fault",
    "#GP general protection",
    "#PF page fault",
    "reserved 15",
    "#MF x87 floating point",
    "#AC alignment check",
    "#MC machine check",
    "#XF SIMD floating point",
    "#VE virtualization",
    "#CP control protection",
    [28] = "#HV hypervisor injection",
    [29] = "#VC VMM communication",
    [30] = "#SX security",
};

/* A #PF error code in words (APM vol. 2, 8.4.2). */
static void pf_decode(uint64_t e, char *buf, size_t n)
{
	snprintf(buf, n, " [%s, %s, %s%s%s]", e & 1 ? "protection" : "not present",
		 e & 2 ? "write" : "read", e & 4 ? "user" : "supervisor",
		 e & 8 ? ", reserved bit" : "", e & 16 ? ", instruction fetch" : "");
}

void x86_exception(const struct x86_frame *f)
{
	char what[96] = "";
	const char *name =
	    f->vector < NVECTORS && vec_names[f->vector] ? vec_names[f->vector] : "reserved";
	if (f->vector == 14)
		pf_decode(f->error, what, sizeof(what));
	else if (f->error)
		snprintf(what, sizeof(what), " [%s selector index 0x%llx%s]",
			 f->error & 2	? "IDT"
			 : f->error & 4 ? "LDT"
					: "GDT",
			 (unsigned long long)(f->error >> 3), f->error & 1 ? ", external" : "");
	bh_printf("*** hypervisor exception on the CPU of APIC ID %u: vector %llu %s, error code "
		  "0x%llx%s\n",
		  cpuid(1, 0).ebx >> 24, (unsigned long long)f->vector, name,
		  (unsigned long long)f->error, what);
	bh_printf("    RIP 0x%016llx CS 0x%llx RFLAGS 0x%llx RSP 0x%016llx\n",
		  (unsigned long long)f->rip, (unsigned long long)f->cs,
		  (unsigned long long)f->rflags, (unsigned long long)f->rsp);
	bh_printf("    CR0 0x%llx CR2 0x%016llx CR3 0x%llx CR4 0x%llx\n",
		  (unsigned long long)read_cr0(), (unsigned long long)read_cr2(),
		  (unsigned long long)read_cr3(), (unsigned long long)read_cr4());
	static const char names[15][4] = {"R15", "R14", "R13", "R12", "R11", "R10", "R9", "R8",
					  "RBP", "RDI", "RSI", "RDX", "RCX", "RBX", "RAX"};
	const uint64_t *r = &f->r15;
	for (int i = 14; i >= 0; i--)
		bh_printf("    %-3s 0x%016llx%s", names[i], (unsigned long long)r[i],
			  i % 3 == 0 ? "\n" : "");
	x86_power_off(X86_EXIT_FAIL);
}
