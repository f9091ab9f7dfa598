/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The x86 test guest (bare metal, 64-bit): says hello on the 16550 at
 * COM1, checks it runs under Bulkhead (CPUID), makes a VMMCALL hypercall
 * (BH_HC_VERSION, the ARM number), and with "test=npf" on its command line
 * reads an address outside its partition, which the hypervisor must catch.
 * Other test= modes try what the hypervisor intercepts: an absent MSR, an
 * SVM instruction, an absent I/O port, string I/O, HLT; "test=restart"
 * asks the core about its own life (BH_HC_SELF, BH_HC_DOMAIN_QUERY) and in
 * its first one faults, to be restarted; "test=spin" spins in its first
 * life without a single exit, and "test=kick" restarts that domain (the
 * other of ids 0 and 1) once it had time to start spinning; "test=exits"
 * exits for ever (CPUID, no output). It ends by
 * writing QEMU's debug-exit port (its power-off).
 */
#include "common/hypercall.h"
#include "common/lib.h"
#include "arch-x86/x86.h" /* inb, outb, cpuid: instructions only */
#include <stdint.h>

#define COM1	0x3f8
#define OUTSIDE 0x30000000ull /* 768 MiB: mapped by the guest, not by the hypervisor */
#define MARK	0x300000ull   /* 3 MiB: inside a 4 MiB domain, above its image */

static void say(const char *fmt, ...)
{
	char buf[160];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	for (const char *c = buf; *c; c++) {
		while (!(inb(COM1 + 5) & 0x20))
			;
		outb(COM1, (uint8_t)*c);
	}
}

static bool has_arg(const char *cmdline, const char *arg)
{
	size_t n = strlen(arg);
	for (const char *c = cmdline; *c; c++)
		if ((c == cmdline || c[-1] == ' ') && !strncmp(c, arg, n) && (c[n] == ' ' || !c[n]))
			return true;
	return false;
}

static void power_off(void)
{
	__asm__ volatile("outl %0, %1" : : "a"(0), "Nd"(0xf4));
	for (;;)
		__asm__ volatile("hlt");
}

void guest_exception(unsigned vec)
{
	say("TESTGUEST x86: caught vector %u\n", vec);
	power_off();
}

/* An IDT for the two exceptions the hypervisor injects. */
static void idt_init(void)
{
	extern char guest_vec_ud[], guest_vec_gp[];
	static struct __attribute__((packed)) {
		uint16_t off_lo, sel;
		uint8_t ist, type;
		uint16_t off_mid;
		uint32_t off_hi, zero;
	} idt[14];
	const uintptr_t h[2] = {(uintptr_t)guest_vec_ud, (uintptr_t)guest_vec_gp};
	for (int i = 0; i < 2; i++) {
		unsigned v = i ? 13 : 6;
		idt[v].off_lo = (uint16_t)h[i];
		idt[v].sel = 0x08;
		idt[v].type = 0x8e;
		idt[v].off_mid = (uint16_t)(h[i] >> 16);
		idt[v].off_hi = (uint32_t)(h[i] >> 32);
	}
	struct __attribute__((packed)) {
		uint16_t limit;
		uint64_t base;
	} ptr = {sizeof(idt) - 1, (uintptr_t)idt};
	__asm__ volatile("lidt %0" : : "m"(ptr));
}

/* The intercepted instructions, one per test= mode. */
static void try_intercepts(const char *cmdline)
{
	if (has_arg(cmdline, "test=msr")) {
		uint32_t lo, hi;
		say("TESTGUEST x86: reading MSR 0x1b\n");
		__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(0x1b));
		say("TESTGUEST x86: NOT CAUGHT: MSR 0x1b = 0x%x\n", lo);
	}
	if (has_arg(cmdline, "test=vmrun")) {
		say("TESTGUEST x86: VMRUN\n");
		__asm__ volatile("vmrun %%rax" : : "a"(0x200000ull) : "memory");
		say("TESTGUEST x86: NOT CAUGHT: VMRUN returned\n");
	}
	if (has_arg(cmdline, "test=esc"))
		say("TESTGUEST x86: \033[2Jcleared?\a\033]0;title\007 \x7f\xc3\xa9"
		    "end\n");
	if (has_arg(cmdline, "test=port")) {
		uint8_t a = inb(0x60), b = inb(0x60), c = inb(0x61);
		say("TESTGUEST x86: port 0x60 reads 0x%x, again 0x%x, port 0x61 0x%x\n", a, b, c);
		uint64_t r = 0xdead000000000000ull; /* IN EAX must clear bits 63:32 */
		__asm__ volatile("inl %1, %k0" : "+a"(r) : "Nd"((uint16_t)0x64));
		say("TESTGUEST x86: 32-bit IN from port 0x64 leaves RAX 0x%llx\n",
		    (unsigned long long)r);
	}
	if (has_arg(cmdline, "test=outs")) {
		say("TESTGUEST x86: OUTSB\n");
		__asm__ volatile("outsb" : : "S"("x"), "d"(COM1) : "memory");
		say("TESTGUEST x86: NOT CAUGHT: OUTSB went on\n");
	}
	if (has_arg(cmdline, "test=hlt")) {
		say("TESTGUEST x86: HLT\n");
		__asm__ volatile("cli; hlt");
		say("TESTGUEST x86: NOT CAUGHT: woke from HLT\n");
	}
}

/* Bulkhead's hypercall ABI on x86 (docs/x86.md): arm64's x0-x4 are RAX,
 * RBX, RCX, RDX, RSI, both ways. */
struct hc {
	uint64_t a, b, c, d, si;
};

static struct hc hypercall(uint64_t fid, uint64_t arg)
{
	struct hc r = {fid, arg, 0, 0, 0};
	__asm__ volatile("vmmcall"
			 : "+a"(r.a), "+b"(r.b), "+c"(r.c), "+d"(r.d), "+S"(r.si)
			 :
			 : "memory");
	return r;
}

/* The FS and GS it was entered with (start.S), as Multiboot wants them:
 * flat data segments (the VMCB's, not what the CPU last held), and its task
 * register; in its first life, a TSS of its own loaded (LTR) and a null
 * FS, both still its own after its exits, which its next life must not
 * find (nor the hypervisor keep: its own TSS holds the stack its #DF, NMI
 * and #MC are taken on). */
static void segments(bool load_tr)
{
	extern uint16_t entry_fs, entry_gs;
	extern uint64_t guest_gdt[5];
	static uint8_t tss[104] __attribute__((aligned(16)));
	uint16_t tr;
	__asm__ volatile("str %0" : "=r"(tr));
	say("TESTGUEST x86: entered with FS 0x%x, GS 0x%x; TR 0x%x\n", entry_fs, entry_gs, tr);
	if (!load_tr)
		return;
	uint64_t b = (uintptr_t)tss;
	guest_gdt[3] =
	    (sizeof(tss) - 1) | (b & 0xffffff) << 16 | 0x89ull << 40 | (b >> 24 & 0xff) << 56;
	guest_gdt[4] = b >> 32;
	__asm__ volatile("ltr %w0" : : "r"(0x18) : "memory");
	__asm__ volatile("mov %0, %%fs" : : "r"(0) : "memory");
	__asm__ volatile("str %0" : "=r"(tr));
	say("TESTGUEST x86: loaded TR 0x%x, FS 0x0\n", tr);
	uint16_t fs; /* kept across the exits of that line (VMSAVE after each run) */
	__asm__ volatile("str %0; mov %%fs, %1" : "=r"(tr), "=r"(fs));
	say("TESTGUEST x86: after its exits: TR 0x%x, FS 0x%x\n", tr, fs);
}

/* "test=restart": its id and restart count from the core; another domain's
 * state, which no policy grants it; in its first life, a fault (its config's
 * on-fault = "restart" brings it back: RAM scrubbed, image reloaded). */
static void life(void)
{
	struct hc self = hypercall(BH_HC_SELF, 0);
	struct hc me = hypercall(BH_HC_DOMAIN_QUERY, self.b);
	struct hc peer = hypercall(BH_HC_DOMAIN_QUERY, self.b ^ 1);
	say("TESTGUEST x86: domain id %llu, vCPU %llu of %llu, state %llu, restarts %llu; query of "
	    "domain %llu: %lld\n",
	    (unsigned long long)self.b, (unsigned long long)self.c, (unsigned long long)self.d,
	    (unsigned long long)me.b, (unsigned long long)me.c, (unsigned long long)(self.b ^ 1),
	    (long long)peer.a);
	/* A word no image or loader writes: zero in every life whose RAM the
	 * hypervisor scrubbed. */
	volatile uint32_t *mark = (volatile uint32_t *)MARK;
	say("TESTGUEST x86: marker from an earlier life: 0x%x\n", *mark);
	*mark = 0xfeedu;
	segments(!me.c);
	if (!me.c) {
		say("TESTGUEST x86: first life: reading 0x%llx, to be restarted\n", OUTSIDE);
		(void)*(volatile uint64_t *)OUTSIDE;
	}
}

/* "test=spin": its first life never leaves the guest (PAUSE is not
 * intercepted): only a kick from another CPU can stop it. Its next says
 * so and goes on to its end. */
static void spin(void)
{
	struct hc self = hypercall(BH_HC_SELF, 0);
	struct hc me = hypercall(BH_HC_DOMAIN_QUERY, self.b);
	if (me.c) {
		say("TESTGUEST x86: restarted by a peer (restarts %llu)\n",
		    (unsigned long long)me.c);
		return;
	}
	say("TESTGUEST x86: spinning without an exit\n");
	for (;;)
		__asm__ volatile("pause");
}

/* "test=kick": the other domain restarted, after half a second of TSC
 * (its first life is spinning by then, on a loaded host too). */
static void kick(void)
{
	struct hc self = hypercall(BH_HC_SELF, 0);
	uint64_t t0 = __builtin_ia32_rdtsc();
	while (__builtin_ia32_rdtsc() - t0 < 1000000000ull) /* ~0.5 s at 2 GHz */
		__asm__ volatile("pause");
	struct hc r = hypercall(BH_HC_DOMAIN_RESTART, self.b ^ 1);
	say("TESTGUEST x86: restart of domain %llu: %lld\n", (unsigned long long)(self.b ^ 1),
	    (long long)r.a);
}

void guest_main(const char *cmdline)
{
	idt_init();
	say("TESTGUEST x86: hello from long mode, command line \"%s\"\n", cmdline);
	struct cpuid f = cpuid(1, 0);
	bool hv = f.ecx & (1u << 31);
	unsigned apic_id = f.ebx >> 24; /* the CPU this vCPU runs on */
	struct cpuid h = cpuid(0x40000000, 0);
	char sig[13] = "";
	memcpy(sig, &h.ebx, 4);
	memcpy(sig + 4, &h.ecx, 4);
	memcpy(sig + 8, &h.edx, 4);
	say("TESTGUEST x86: hypervisor bit %u, signature \"%s\", APIC ID %u\n", hv, sig, apic_id);
	uint64_t ret = BH_HC_VERSION;
	__asm__ volatile("vmmcall" : "+a"(ret) : : "memory");
	say("TESTGUEST x86: hypercall BH_HC_VERSION = 0x%llx\n", (unsigned long long)ret);
	if (has_arg(cmdline, "test=npf")) {
		say("TESTGUEST x86: reading 0x%llx, outside my partition\n", OUTSIDE);
		uint64_t v = *(volatile uint64_t *)OUTSIDE;
		say("TESTGUEST x86: NOT CAUGHT: read 0x%llx\n", (unsigned long long)v);
	}
	try_intercepts(cmdline);
	if (has_arg(cmdline, "test=restart"))
		life();
	if (has_arg(cmdline, "test=spin"))
		spin();
	if (has_arg(cmdline, "test=kick"))
		kick();
	if (has_arg(cmdline, "test=exits")) {
		say("TESTGUEST x86: exiting for ever\n");
		for (;;)
			(void)cpuid(0, 0);
	}
	say("TESTGUEST x86: done\n");
	power_off();
}
