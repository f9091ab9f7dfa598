/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Secondary CPUs: started one at a time with INIT-SIPI-SIPI through the
 * boot CPU's local APIC (Intel SDM vol. 3, 8.4.4; AMD APM vol. 2, 16.5),
 * each through the real-mode trampoline (trampoline.S) into long mode, then
 * x86_ap_main on the stack and CPU index the boot CPU gave it.
 */
#include "svm.h"
#include "x86.h"
#include "common/lib.h"
#include "common/percpu.h"

#define MSR_APIC_BASE	 0x1b
#define APIC_BASE_ENABLE (1u << 11)
#define LAPIC_EOI	 0xb0
#define LAPIC_SVR	 0xf0
#define LAPIC_LVT_TIMER	 0x320 /* one-shot by default */
#define LAPIC_TIMER_INIT 0x380
#define LAPIC_TIMER_DIV	 0x3e0
#define IDLE_TICK	 100000 /* bus clocks / 16: 1.6 ms under QEMU (1 GHz), a few ms on hardware */
#define LAPIC_ICR_LO	 0x300
#define LAPIC_ICR_HI	 0x310
#define ICR_INIT	 0x4500 /* INIT, level assert */
#define ICR_STARTUP	 0x4600 /* start-up IPI; the vector is the page number */
#define ICR_PENDING	 (1u << 12)
#define AP_WAIT_US	 5000000 /* TCG on a loaded host: far more than hardware */

extern const char ap_trampoline[], ap_trampoline_end[];
uint64_t ap_stack; /* read by trampoline.S */
static volatile unsigned ap_index;
static struct x86_cpu_tables *ap_tables; /* its GDT, TSS, IST stack (traps.c) */
bool x86_ap_self_test;			 /* bhtest=apdf (config.c) */
bool x86_restart_self_test;		 /* bhtest=restartdf (config.c; svm.c) */
static volatile bool ap_up;

static volatile uint32_t *lapic(void)
{
	return (volatile uint32_t *)(uintptr_t)(rdmsr(MSR_APIC_BASE) & ~0xfffull);
}

/* TSC ticks per microsecond, measured once against the PIT's channel 2
 * (1.193182 MHz: 11932 ticks = 10 ms). A port read takes about a microsecond
 * on a PC but far less under emulation: waits are timed, not counted. */
static uint64_t tsc_per_us;
uint64_t x86_tsc_hz; /* arch_counter_freq() */

void x86_tsc_calibrate(void)
{
	outb(0x61, (uint8_t)((inb(0x61) & ~0x02) | 0x01)); /* gate 2 on, speaker off */
	outb(0x43, 0xb0);				   /* channel 2, both bytes, mode 0 */
	outb(0x42, 11932 & 0xff);
	outb(0x42, 11932 >> 8);
	uint64_t t0 = __builtin_ia32_rdtsc();
	for (unsigned i = 0; i < 100000000 && !(inb(0x61) & 0x20); i++) /* OUT2: terminal count */
		;
	tsc_per_us = (__builtin_ia32_rdtsc() - t0) / 10000;
	if (!tsc_per_us) /* no PIT answered: assume a fast CPU, waits only get longer */
		tsc_per_us = 4000;
	x86_tsc_hz = tsc_per_us * 1000000;
}

static void delay_us(uint64_t us)
{
	uint64_t end = __builtin_ia32_rdtsc() + us * tsc_per_us;
	while (__builtin_ia32_rdtsc() < end)
		__asm__ volatile("pause");
}

/* Until ap_up, at most `us` microseconds. */
static bool wait_up(uint64_t us)
{
	uint64_t end = __builtin_ia32_rdtsc() + us * tsc_per_us;
	while (!__atomic_load_n(&ap_up, __ATOMIC_ACQUIRE))
		if (__builtin_ia32_rdtsc() >= end)
			return false;
	return true;
}

static void send_ipi(uint32_t apic_id, uint32_t icr)
{
	volatile uint32_t *l = lapic();
	l[LAPIC_ICR_HI / 4] = apic_id << 24;
	l[LAPIC_ICR_LO / 4] = icr;
	for (unsigned i = 0; i < 1000 && (l[LAPIC_ICR_LO / 4] & ICR_PENDING); i++)
		delay_us(1);
}

static const uint32_t *cpu_apic_ids; /* the board's CPUs, in MADT order */
static unsigned cpu_count;

unsigned arch_cpu_index(void)
{
	if (!cpu_count) /* before the MADT is read (an early failure): the boot CPU */
		return 0;
	uint32_t id = cpuid(1, 0).ebx >> 24;
	unsigned i = 0;
	while (i < cpu_count - 1 && cpu_apic_ids[i] != id)
		i++;
	return i;
}

/* Make the CPU leave its guest (a domain stopped or restarted from another
 * CPU): a fixed interrupt, which ends VMRUN (the INTR intercept) and is
 * taken by the host as it sets GIF again (svm_run.S, vectors.S: KICK_VECTOR). */
void arch_send_ipi(unsigned cpu)
{
	send_ipi(cpu_apic_ids[cpu], KICK_VECTOR);
}

uint64_t x86_lapic_eoi; /* vectors.S: x86_kick_entry */

/* This CPU's local APIC on, its timer the idle tick (KICK_VECTOR too: the
 * handler only acknowledges it). */
static void lapic_init(void)
{
	wrmsr(MSR_APIC_BASE, rdmsr(MSR_APIC_BASE) | APIC_BASE_ENABLE);
	volatile uint32_t *l = lapic();
	l[LAPIC_SVR / 4] |= 0x1ff;    /* software enabled, spurious vector 0xff */
	l[LAPIC_TIMER_DIV / 4] = 0x3; /* divide by 16 */
	l[LAPIC_LVT_TIMER / 4] = KICK_VECTOR;
}

void x86_idle(void)
{
	lapic()[LAPIC_TIMER_INIT / 4] = IDLE_TICK;
	__asm__ volatile("sti; hlt; cli" ::: "memory");
}

void x86_smp_init(const uint32_t *apic_ids, unsigned ncpus)
{
	cpu_apic_ids = apic_ids;
	cpu_count = ncpus;
	x86_lapic_eoi = (uint64_t)(uintptr_t)lapic() + LAPIC_EOI;
	lapic_init();
	memcpy((void *)TRAMPOLINE, ap_trampoline, (size_t)(ap_trampoline_end - ap_trampoline));
}

/* Start CPU `index` (APIC ID apic_id) on `stack`; false if it never said so. */
bool x86_start_cpu(unsigned index, uint32_t apic_id, void *stack_top)
{
	ap_stack = (uint64_t)(uintptr_t)stack_top;
	ap_index = index;
	ap_tables = x86_cpu_tables_alloc();
	__atomic_store_n(&ap_up, false, __ATOMIC_SEQ_CST);
	send_ipi(apic_id, ICR_INIT);
	delay_us(10000);
	for (int i = 0; i < 2; i++) {
		send_ipi(apic_id, ICR_STARTUP | TRAMPOLINE >> 12);
		if (wait_up(200))
			return true;
	}
	/* Slow to answer (an emulator on a loaded host): give it AP_WAIT_US. */
	return wait_up(AP_WAIT_US);
}

void x86_ap_main(void)
{
	unsigned index = ap_index;
	x86_traps_load(ap_tables);
	__asm__ volatile("mov %0, %%cr4" : : "r"(read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT));
	svm_cpu_enable(index);
	lapic_init();
	if (x86_ap_self_test)
		x86_stack_fault_test();
	pcpus[index].online = true;
	__atomic_store_n(&ap_up, true, __ATOMIC_RELEASE);
	x86_run_loop_on(pcpus[index].stack_top);
}
