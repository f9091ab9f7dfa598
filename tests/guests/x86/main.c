/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The x86 test guest (bare metal, 64-bit): says hello on the 16550 at
 * COM1, checks it runs under Bulkhead (CPUID), makes a VMMCALL hypercall
 * (BH_HC_VERSION, the ARM number), and with "test=npf" on its command line
 * reads an address outside its partition, which the hypervisor must catch.
 * It ends by writing QEMU's debug-exit port (its power-off).
 */
#include "common/hypercall.h"
#include "common/lib.h"
#include "arch-x86/x86.h" /* inb, outb, cpuid: instructions only */
#include <stdint.h>

#define COM1 0x3f8
#define OUTSIDE 0x30000000ull /* 768 MiB: mapped by the guest, not by the hypervisor */

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

void guest_main(const char *cmdline)
{
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
	say("TESTGUEST x86: done\n");
	__asm__ volatile("outl %0, %1" : : "a"(0), "Nd"(0xf4));
	for (;;)
		__asm__ volatile("hlt");
}
