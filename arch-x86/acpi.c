/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The x86 board from ACPI (ACPI 6.5, 5.2): the RSDP found where firmware
 * puts it, the RSDT/XSDT, the MADT's local APIC and x2APIC entries; and the
 * S5 power-off (FADT, the DSDT's \_S5). Every table is checked (signature,
 * length, checksum) before use; a broken one is named and refused at boot,
 * ignored at power-off.
 */
#include "arch.h"
#include "x86.h"
#include "common/console.h"
#include "common/lib.h"

struct __attribute__((packed)) rsdp {
	char sig[8];
	uint8_t checksum;
	char oem[6];
	uint8_t revision;
	uint32_t rsdt;
	uint32_t length;
	uint64_t xsdt;
	uint8_t xchecksum, rsvd[3];
};

struct __attribute__((packed)) sdt {
	char sig[4];
	uint32_t length;
	uint8_t revision, checksum;
	char oem[6], oem_table[8];
	uint32_t oem_rev, creator, creator_rev;
};

#define MADT_LAPIC	    0
#define MADT_X2APIC	    9
#define MADT_ENABLED	    1
#define MADT_ONLINE_CAPABLE 2
#define MAPPED		    0x100000000ull /* head.S maps the first 4 GiB */
#define PM1_SLP_EN	    (1u << 13)

static uint8_t sum(const void *p, uint32_t n)
{
	uint8_t s = 0;
	for (uint32_t i = 0; i < n; i++)
		s += ((const uint8_t *)p)[i];
	return s;
}

static __attribute__((noreturn)) void acpi_bad(const char *what, uint64_t at)
{
	bh_printf("bulkhead: ACPI: %s (at 0x%llx). Stopping.\n", what, (unsigned long long)at);
	x86_power_off(X86_EXIT_FAIL);
}

/* The RSDP: in the first KiB of the EBDA, else in 0xe0000-0xfffff, on a
 * 16-byte boundary, with a valid checksum. */
static const struct rsdp *rsdp_find(void)
{
	uintptr_t bda_ebda = 0x40e;   /* the BIOS data area's EBDA segment */
	__asm__("" : "+r"(bda_ebda)); /* an address, not a null pointer plus 0x40e */
	uint64_t ebda = (uint64_t) * (const volatile uint16_t *)bda_ebda << 4;
	uint64_t ranges[2][2] = {{ebda, ebda + 1024}, {0xe0000, 0x100000}};
	for (unsigned r = ebda ? 0 : 1; r < 2; r++)
		for (uint64_t a = ranges[r][0]; a + 20 <= ranges[r][1]; a += 16) {
			const struct rsdp *p = (const void *)(uintptr_t)a;
			if (!memcmp(p->sig, "RSD PTR ", 8) && !sum(p, 20))
				return p;
		}
	return NULL;
}

/* The table at pa if it has signature sig; a broken one stops the boot when
 * `fatal` (boot), else is ignored (power-off: it must not stop twice). */
static const struct sdt *sdt_at(uint64_t pa, const char *sig, bool fatal)
{
	const char *bad = NULL;
	const struct sdt *t = (const void *)(uintptr_t)pa;
	if (!pa || pa + sizeof(struct sdt) > MAPPED)
		bad = "a table address outside the first 4 GiB or null";
	else if (memcmp(t->sig, sig, 4))
		return NULL;
	else if (t->length < sizeof(*t) || pa + t->length > MAPPED)
		bad = "a table's length is impossible";
	else if (sum(t, t->length))
		bad = "a table's checksum is wrong";
	if (bad && fatal)
		acpi_bad(bad, pa);
	return bad ? NULL : t;
}

/* A table through the XSDT (ACPI 2.0+) or the RSDT. */
static const struct sdt *acpi_table(const struct rsdp *r, const char *sig, bool fatal)
{
	bool x = r->revision >= 2 && r->xsdt;
	if (x && sum(r, sizeof(*r))) {
		if (fatal)
			acpi_bad("the extended RSDP's checksum is wrong", (uintptr_t)r);
		return NULL;
	}
	const struct sdt *root = sdt_at(x ? r->xsdt : r->rsdt, x ? "XSDT" : "RSDT", fatal);
	if (!root) {
		if (fatal)
			acpi_bad("the root table's signature is wrong", x ? r->xsdt : r->rsdt);
		return NULL;
	}
	unsigned esz = x ? 8 : 4, n = (root->length - sizeof(*root)) / esz;
	const uint8_t *e = (const uint8_t *)(root + 1);
	for (unsigned i = 0; i < n; i++) {
		uint64_t pa = 0;
		memcpy(&pa, e + i * esz, esz);
		const struct sdt *t = sdt_at(pa, sig, fatal);
		if (t)
			return t;
	}
	return NULL;
}

/* An AML integer constant (ACPI 6.5, 20.2.3): *v and its length, or 0. */
static unsigned aml_int(const uint8_t *p, const uint8_t *end, uint32_t *v)
{
	if (p >= end)
		return 0;
	if (*p == 0x00 || *p == 0x01) { /* ZeroOp, OneOp */
		*v = *p;
		return 1;
	}
	if (*p == 0x0a && p + 1 < end) { /* BytePrefix */
		*v = p[1];
		return 2;
	}
	return 0;
}

/* \_S5's SLP_TYPa and SLP_TYPb from the DSDT: Name (_S5_, Package () {a, b, ...}). */
static bool s5_types(const struct sdt *dsdt, uint32_t *a, uint32_t *b)
{
	const uint8_t *p = (const uint8_t *)(dsdt + 1), *end = (const uint8_t *)dsdt + dsdt->length;
	for (; p + 8 < end; p++) {
		if (memcmp(p, "_S5_", 4) || p[-1] != 0x08 || p[4] != 0x12) /* NameOp, PackageOp */
			continue;
		const uint8_t *q = p + 5;
		q += 1 + (*q >> 6); /* PkgLength: its lead byte says how many follow */
		q++;		    /* NumElements */
		unsigned n = aml_int(q, end, a);
		return n && aml_int(q + n, end, b);
	}
	return false;
}

/* Power off through ACPI S5 (ACPI 6.5, 7.4.2 and 16.1.7): SLP_TYP from \_S5,
 * SLP_EN, into PM1a (and PM1b) control. Returns if there is no way. */
void x86_acpi_power_off(void)
{
	const struct rsdp *r = rsdp_find();
	const struct sdt *fadt = r ? acpi_table(r, "FACP", false) : NULL;
	if (!fadt || fadt->length < 76)
		return;
	const uint8_t *f = (const uint8_t *)fadt;
	uint32_t dsdt_pa, pm1a, pm1b, typ_a, typ_b;
	memcpy(&dsdt_pa, f + 40, 4);
	memcpy(&pm1a, f + 64, 4);
	memcpy(&pm1b, f + 68, 4);
	const struct sdt *dsdt = sdt_at(dsdt_pa, "DSDT", false);
	if (!dsdt || !pm1a || pm1a > 0xffff || pm1b > 0xffff || !s5_types(dsdt, &typ_a, &typ_b))
		return;
	outw((uint16_t)pm1a, (uint16_t)((typ_a & 7) << 10 | PM1_SLP_EN));
	if (pm1b)
		outw((uint16_t)pm1b, (uint16_t)((typ_b & 7) << 10 | PM1_SLP_EN));
	/* The machine goes down: a million port reads, and at least a second
	 * (an emulator on a loaded host may take longer than the reads). */
	uint64_t end = arch_counter() + arch_counter_freq();
	for (unsigned i = 0; i < 1000000 || arch_counter() < end; i++)
		(void)inb(0x80);
}

/* The enabled (or online-capable) CPUs' APIC IDs; their number. Without
 * ACPI, the boot CPU alone. */
unsigned x86_acpi_cpus(uint32_t *apic_ids, unsigned max)
{
	const struct rsdp *r = rsdp_find();
	const struct sdt *madt = r ? acpi_table(r, "APIC", true) : NULL;
	if (!madt) {
		bh_printf("bulkhead: ACPI: no %s: the boot CPU only\n", r ? "MADT" : "RSDP");
		apic_ids[0] = cpuid(1, 0).ebx >> 24;
		return 1;
	}
	unsigned n = 0;
	const uint8_t *p = (const uint8_t *)madt + sizeof(struct sdt) + 8,
		      *end = (const uint8_t *)madt + madt->length;
	for (; p + 2 <= end; p += p[1]) {
		if (p[1] < 2 || p + p[1] > end)
			acpi_bad("a MADT entry's length is impossible", (uintptr_t)p);
		uint32_t id, flags;
		if (p[0] == MADT_LAPIC && p[1] >= 8) {
			id = p[3];
			memcpy(&flags, p + 4, 4);
		} else if (p[0] == MADT_X2APIC && p[1] >= 16) {
			memcpy(&id, p + 4, 4);
			memcpy(&flags, p + 8, 4);
		} else {
			continue;
		}
		if (!(flags & (MADT_ENABLED | MADT_ONLINE_CAPABLE)))
			continue;
		if (n == max)
			acpi_bad("the MADT lists more CPUs than the hypervisor supports (64)",
				 (uintptr_t)madt);
		apic_ids[n++] = id;
	}
	if (!n)
		acpi_bad("the MADT lists no usable CPU", (uintptr_t)madt);
	return n;
}
