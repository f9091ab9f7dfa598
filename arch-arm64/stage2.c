/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Per-domain stage-2 translation: IPA size = min(CPU PA size, 40 bits), 4 KiB
 * granule, concatenated root tables, one VMID per domain. Tables come from the
 * hypervisor's boot heap and are never mapped into any guest.
 */
#include "arch.h"
#include "arch-arm64/pt.h"
#include "arch-arm64/sysreg.h"
#include "arch-arm64/trap.h"
#include "common/console.h"
#include "common/lib.h"
#include "common/percpu.h"

#define IPA_BITS_MAX 40 /* covers every board's RAM and devices; 2 concatenated L1 tables */

static unsigned ipa_bits, start_level, root_pages;
static struct pt s2[BH_MAX_DOMAINS];

static void geometry(void)
{
	if (ipa_bits)
		return;
	ipa_bits = MIN(arch_pa_bits(), IPA_BITS_MAX);
	pt_geometry(ipa_bits, true, &start_level, &root_pages);
}

uint64_t arch_vtcr(void)
{
	geometry();
	unsigned ps = read_sysreg(id_aa64mmfr0_el1) & 0xf;
	if (ps > 5)
		ps = 5;
	/* SL0 for a 4 KiB granule: 0 = level 2, 1 = level 1, 2 = level 0. */
	uint64_t sl0 = 2 - start_level;
	return (64 - ipa_bits) | (sl0 << 6) | (1ULL << 8) | (1ULL << 10) | (3ULL << 12) |
	       ((uint64_t)ps << 16) | (1ULL << 31);
}

int arch_domain_init(struct domain *d)
{
	geometry();
	unsigned slot = (unsigned)(d - domains);
	struct pt *pt = &s2[slot];
	memset(pt, 0, sizeof(*pt));
	pt->stage2 = true;
	pt->in_bits = ipa_bits;
	pt->out_bits = MIN(arch_pa_bits(), 48u);
	pt->start_level = start_level;
	arch_pt_identity_env(pt);
	pt->root = boot_alloc(SZ_4K * root_pages, SZ_4K * root_pages);
	if (!pt->root) {
		bh_dlog(d->name, "out of hypervisor memory for stage-2 tables");
		return -1;
	}
	d->arch.s2_root = pt->root;
	d->arch.vmid = (uint16_t)(slot + 1); /* VMID 0 is never used by a guest */
	d->arch.vttbr = ((uint64_t)d->arch.vmid << 48) | (uint64_t)(uintptr_t)pt->root;
	return 0;
}

int arch_stage2_map(struct domain *d, uint64_t ipa, uint64_t pa, uint64_t size, unsigned flags)
{
	struct pt *pt = &s2[d - domains];
	unsigned f = 0;
	if (flags & S2_READ)
		f |= PT_READ;
	if (flags & S2_WRITE)
		f |= PT_WRITE;
	if (flags & S2_EXEC)
		f |= PT_EXEC;
	if (flags & S2_DEVICE)
		f |= PT_DEVICE;
	enum pt_err e = pt_map(pt, ipa, pa, size, f);
	if (e) {
		bh_dlog(d->name, "stage-2 map IPA 0x%llx -> PA 0x%llx (0x%llx bytes): %s",
		       (unsigned long long)ipa, (unsigned long long)pa, (unsigned long long)size,
		       pt_strerror(e));
		return -1;
	}
	dsb(ishst);
	return 0;
}

bool arch_stage2_mapped(struct domain *d, uint64_t ipa, uint64_t size)
{
	return pt_range_mapped(&s2[d - domains], ipa, size);
}

bool arch_stage2_lookup(struct domain *d, uint64_t ipa, uint64_t *pa)
{
	return pt_lookup(&s2[d - domains], ipa, pa, NULL, NULL);
}
