/* SPDX-License-Identifier: Apache-2.0 */
/*
 * EL2 stage-1 translation: an identity map (VA = PA, 48-bit) of the
 * hypervisor's own memory and, once the DT is read, of all RAM (Normal
 * write-back) and the devices the hypervisor drives (Device-nGnRE).
 * Domains' stage-2 tables (arch-arm64/stage2.c) use the same builder.
 */
#include "arch.h"
#include "arch-arm64/asm.h"
#include "arch-arm64/pt.h"
#include "arch-arm64/sysreg.h"
#include "arch-arm64/trap.h"
#include "common/lib.h"
#include "common/console.h"
#include "common/percpu.h"

void arch_mmu_load_el2(uint64_t ttbr, uint64_t tcr, uint64_t mair, uint64_t sctlr);
void arch_mmu_load_el1(uint64_t ttbr, uint64_t tcr, uint64_t mair, uint64_t sctlr);

/* What a secondary CPU loads before it has caches: cleaned to PoC. */
struct mmu_cfg {
	uint64_t ttbr, tcr, mair, sctlr;
} mmu_cfg;

static struct pt hyp_pt;
static unsigned pa_bits_hw;

/* The hypervisor's own translation tables (EL2 stage-1 and every stage-2):
 * pages from the boot heap, which is identity-mapped (VA = PA). */
/* The span of table pages allocated so far (early tables are written with
 * caches off: only they and our own image need invalidating). */
static uint64_t tables_lo = ~0ULL, tables_hi;

static uint64_t *alloc_table(void *ctx)
{
	(void)ctx;
	uint64_t *t = boot_alloc(SZ_4K, SZ_4K);
	uint64_t a = (uint64_t)(uintptr_t)t;
	if (t && a < tables_lo)
		tables_lo = a;
	if (t && a + SZ_4K > tables_hi)
		tables_hi = a + SZ_4K;
	return t;
}
static uint64_t pa_identity(void *ctx, const void *va)
{
	(void)ctx;
	return (uint64_t)(uintptr_t)va;
}
static void *va_identity(void *ctx, uint64_t pa)
{
	(void)ctx;
	return (void *)(uintptr_t)pa;
}

unsigned arch_pa_bits(void)
{
	static const unsigned bits[] = {32, 36, 40, 42, 44, 48, 52};
	unsigned r = read_sysreg(id_aa64mmfr0_el1) & 0xf;
	return r < 7 ? bits[r] : 48;
}

void arch_dcache_clean_range(uint64_t start, uint64_t size)
{
	uint64_t line = 4ULL << ((read_sysreg(ctr_el0) >> 16) & 0xf);
	uint64_t a = ALIGN_DOWN(start, line);
	for (; a + 4 * line <= start + size; a += 4 * line) /* images: four lines a step */
		__asm__ volatile("dc cvac, %0\n dc cvac, %1\n dc cvac, %2\n dc cvac, %3" ::"r"(a),
				 "r"(a + line), "r"(a + 2 * line), "r"(a + 3 * line)
				 : "memory");
	for (; a < start + size; a += line)
		__asm__ volatile("dc cvac, %0" ::"r"(a) : "memory");
	dsb(ish);
}

/*
 * An image into a domain's RAM, cleaned to PoC (its vCPU may start with
 * the MMU off): each 128 bytes copied with load/store pairs, then their
 * lines cleaned while still in the cache, the line size read once: about
 * 11 instructions per 64 bytes where a copy then a clean took 19. Lines
 * under 64 bytes, a destination not 64-byte aligned or a source not 8-byte
 * aligned, and the last bytes: memcpy, then arch_dcache_clean_range.
 */
void arch_copy_clean(uint64_t dst, const void *src, uint64_t size)
{
	uint64_t line = 4ULL << ((read_sysreg(ctr_el0) >> 16) & 0xf);
	uint64_t d = dst, s = (uint64_t)(uintptr_t)src, end = dst + (size & ~127ULL);
	if (line >= 64 && !(dst & 63) && !(s & 7) && d < end)
		__asm__ volatile("1:	ldp	x6, x7, [%1]\n"
				 "	ldp	x8, x9, [%1, #16]\n"
				 "	ldp	x10, x11, [%1, #32]\n"
				 "	ldp	x12, x13, [%1, #48]\n"
				 "	stp	x6, x7, [%0]\n"
				 "	stp	x8, x9, [%0, #16]\n"
				 "	stp	x10, x11, [%0, #32]\n"
				 "	stp	x12, x13, [%0, #48]\n"
				 "	dc	cvac, %0\n"
				 "	add	%0, %0, #64\n"
				 "	ldp	x6, x7, [%1, #64]\n"
				 "	ldp	x8, x9, [%1, #80]\n"
				 "	ldp	x10, x11, [%1, #96]\n"
				 "	ldp	x12, x13, [%1, #112]\n"
				 "	stp	x6, x7, [%0]\n"
				 "	stp	x8, x9, [%0, #16]\n"
				 "	stp	x10, x11, [%0, #32]\n"
				 "	stp	x12, x13, [%0, #48]\n"
				 "	dc	cvac, %0\n"
				 "	add	%0, %0, #64\n"
				 "	add	%1, %1, #128\n"
				 "	cmp	%0, %2\n"
				 "	b.lo	1b"
				 : "+r"(d), "+r"(s)
				 : "r"(end)
				 : "x6", "x7", "x8", "x9", "x10", "x11", "x12", "x13", "cc", "memory");
	memcpy((void *)(uintptr_t)d, (const void *)(uintptr_t)s, size - (d - dst));
	arch_dcache_clean_range(d, size - (d - dst)); /* and the barrier */
}

/*
 * Zero [start, start + size) and leave none of it in the data cache: a guest
 * that starts with its MMU off reads memory non-cacheable, and one that later
 * turns it on must not hit a stale line. RAM is Normal write-back at EL2, so
 * DC ZVA (a whole block per instruction, without reading memory) is allowed
 * where DCZID_EL0 permits it; otherwise 64-bit stores. Done a chunk at a time
 * (zero, then clean+invalidate) so the lines are still in the cache when
 * they are written back.
 */
#define SCRUB_CHUNK 0x10000ULL /* 64 KiB: fits any L1 data cache */

void arch_scrub(uint64_t start, uint64_t size)
{
	uint64_t line = 4ULL << ((read_sysreg(ctr_el0) >> 16) & 0xf);
	uint64_t dczid = read_sysreg(dczid_el0);
	uint64_t zva = (dczid & (1u << 4)) ? 0 : 4ULL << (dczid & 0xf); /* DZP, BS */
	uint64_t end = start + size;

	for (uint64_t c = start; c < end;) {
		uint64_t ce = MIN(end, ALIGN_DOWN(c, SCRUB_CHUNK) + SCRUB_CHUNK), a = c;
		while (a < ce && (a & 7))
			*(volatile uint8_t *)(uintptr_t)a++ = 0;
		if (zva) {
			while (a + 8 <= ce && (a & (zva - 1))) {
				*(volatile uint64_t *)(uintptr_t)a = 0;
				a += 8;
			}
			/* Four blocks a step: the loop, not the zeroing, was most
			 * of a domain's start-up (10 instructions per 64 bytes). */
			for (; a + 4 * zva <= ce; a += 4 * zva)
				__asm__ volatile("dc zva, %0\n dc zva, %1\n dc zva, %2\n dc zva, %3" ::"r"(a),
						 "r"(a + zva), "r"(a + 2 * zva), "r"(a + 3 * zva)
						 : "memory");
			for (; a + zva <= ce; a += zva)
				__asm__ volatile("dc zva, %0" ::"r"(a) : "memory");
		}
		for (; a + 8 <= ce; a += 8)
			*(volatile uint64_t *)(uintptr_t)a = 0;
		while (a < ce)
			*(volatile uint8_t *)(uintptr_t)a++ = 0;
		for (a = ALIGN_DOWN(c, line); a + 4 * line <= ce; a += 4 * line)
			__asm__ volatile("dc civac, %0\n dc civac, %1\n dc civac, %2\n dc civac, %3" ::"r"(a),
					 "r"(a + line), "r"(a + 2 * line), "r"(a + 3 * line)
					 : "memory");
		for (; a < ce; a += line)
			__asm__ volatile("dc civac, %0" ::"r"(a) : "memory");
		c = ce;
	}
	dsb(sy);
}

static void dcache_inval_range(uint64_t start, uint64_t size)
{
	uint64_t line = 4ULL << ((read_sysreg(ctr_el0) >> 16) & 0xf);
	uint64_t a = ALIGN_DOWN(start, line);
	/* Four lines a step: the data, .bss and the boot stack are ~1,800
	 * lines, the loop (not the DC) most of the early MMU's cost. */
	for (; a + 4 * line <= start + size; a += 4 * line)
		__asm__ volatile("dc ivac, %0\n dc ivac, %1\n dc ivac, %2\n dc ivac, %3" ::"r"(a),
				 "r"(a + line), "r"(a + 2 * line), "r"(a + 3 * line)
				 : "memory");
	for (; a < start + size; a += line)
		__asm__ volatile("dc ivac, %0" ::"r"(a) : "memory");
	dsb(ish);
}

void arch_pt_identity_env(struct pt *pt)
{
	pt->alloc_page = alloc_table;
	pt->pa_of = pa_identity;
	pt->va_of = va_identity;
	pt->ctx = NULL;
}

static void pt_new(struct pt *pt)
{
	memset(pt, 0, sizeof(*pt));
	pt->in_bits = 48;
	pt->out_bits = 48;
	pt->start_level = 0;
	arch_pt_identity_env(pt);
	pt->root = alloc_table(NULL);
}

static uint64_t tcr_value(unsigned el)
{
	unsigned ps = read_sysreg(id_aa64mmfr0_el1) & 0xf;
	if (ps > 5)
		ps = 5; /* our descriptors carry 48-bit addresses */
	uint64_t t = 16 | (1ULL << 8) | (1ULL << 10) | (3ULL << 12); /* T0SZ, WB/WB, inner shareable */
	if (el == 2)
		return t | ((uint64_t)ps << 16) | (1ULL << 23) | (1ULL << 31);
	return t | (1ULL << 23) /* EPD1 */ | ((uint64_t)ps << 32);
}

/* Map [base, end) as 2 MiB-granular Normal memory, skipping what is already mapped. */
static void map_normal_2m(uint64_t base, uint64_t end)
{
	for (uint64_t a = ALIGN_DOWN(base, SZ_2M); a < end; a += SZ_2M)
		if (!pt_range_mapped(&hyp_pt, a, SZ_2M))
			pt_map(&hyp_pt, a, a, SZ_2M, PT_RWX);
}

static void early_tables(uint64_t load_base, uint64_t hyp_end, uint64_t dtb)
{
	pt_new(&hyp_pt);
	map_normal_2m(load_base, hyp_end);
	/* The DT: its size is the big-endian word at offset 4 (aligned load, fine uncached). */
	uint32_t be = *(volatile uint32_t *)(uintptr_t)(dtb + 4);
	uint32_t size = __builtin_bswap32(be);
	if (size > DT_MAP_MAX) /* refused by its header (dt_board_early) */
		size = SZ_2M;
	map_normal_2m(dtb, dtb + size);
}

/* CPTR_EL2 (E2H = 0: it applies to EL2 too), one value for the hypervisor and
 * its guests. FP/SIMD and SVE are not trapped (TFP = TZ = 0): libfdt uses
 * FP/SIMD at boot, and guests use both natively on their pinned CPUs. SME
 * traps (TSM, among the RES1 bits below when SME exists): not offered to
 * guests (traps.c). Trace registers trap (TTA): a guest programming the
 * CPU's trace unit could trace EL2. Activity monitors trap (TAM, only with
 * FEAT_AMUv1, else RES0): their counters run at every EL, the hypervisor's
 * work included, as the PMU's EL2 counting does (cpu.c). A trapped trace or
 * AMU register reads as zero for the guest, writes are ignored (traps.c). */
static uint64_t cptr_value(void)
{
	uint64_t v = CPTR_EL2_RES1 | CPTR_TTA;
	if ((read_sysreg(id_aa64pfr0_el1) >> 44) & 0xf) /* AMU */
		v |= CPTR_TAM;
	return v;
}

void arch_early_init(uint64_t load_base, uint64_t hyp_end, uint64_t dtb)
{
	pa_bits_hw = arch_pa_bits();
	early_tables(load_base, hyp_end, dtb);
	/* What we wrote with caches off (relocated words, .bss, the boot stack,
	 * the tables): drop any stale lines before the MMU and caches see it.
	 * The text and read-only data (~130 KiB), like the payload behind the
	 * image, we only read as the loader left them (cleaned to the point of
	 * coherency, as the boot protocol requires): any line still cached
	 * holds what memory holds. */
	/* Of .noinit only the boot stack was written so far (the plan, 540 KiB
	 * with 64 domain slots, is written with caches on). */
	extern char __rw_start[], __noinit_start[], boot_stack[];
	dcache_inval_range((uint64_t)(uintptr_t)__rw_start, (uint64_t)(__noinit_start - __rw_start));
	dcache_inval_range((uint64_t)(uintptr_t)boot_stack, CPU_STACK_SIZE);
	dcache_inval_range(tables_lo, tables_hi - tables_lo);
	mmu_cfg.ttbr = (uint64_t)(uintptr_t)hyp_pt.root;
	mmu_cfg.tcr = tcr_value(2);
	mmu_cfg.mair = MAIR_VALUE;
	mmu_cfg.sctlr = SCTLR_EL2_RES1 | SCTLR_M | SCTLR_C | SCTLR_I | SCTLR_SA;
	arch_mmu_load_el2(mmu_cfg.ttbr, mmu_cfg.tcr, mmu_cfg.mair, mmu_cfg.sctlr);
	extern char el2_vectors[];
	write_sysreg(vbar_el2, (uint64_t)(uintptr_t)el2_vectors);
	write_sysreg(cptr_el2, cptr_value());
	isb();
}

/* Identity-map what of [b, e) (4 KiB-aligned) is not mapped yet. */
static int map_missing(uint64_t b, uint64_t e, unsigned flags)
{
	/* Nothing of it mapped yet (the usual case, a GICv3 redistributor region
	 * of many MiB or a domain's RAM): one call, in blocks where aligned
	 * (pt_map checks that nothing of it is mapped, and maps nothing if so). */
	enum pt_err r = pt_map(&hyp_pt, b, b, e - b, flags);
	if (r != PT_E_OVERLAP)
		return r ? -1 : 0;
	for (uint64_t a = b; a < e;) {
		uint64_t n = MIN(e, ALIGN_DOWN(a, SZ_2M) + SZ_2M); /* a 2 MiB step, else pages */
		if (!pt_range_mapped(&hyp_pt, a, n - a)) {
			if (pt_map(&hyp_pt, a, a, n - a, flags))
				return -1;
		} else {
			for (; a < n; a += SZ_4K)
				if (!pt_range_mapped(&hyp_pt, a, SZ_4K) &&
				    pt_map(&hyp_pt, a, a, SZ_4K, flags))
					return -1;
		}
		a = n;
	}
	return 0;
}

int arch_map_device(uint64_t base, uint64_t size)
{
	if (map_missing(ALIGN_DOWN(base, SZ_4K), ALIGN_UP(base + size, SZ_4K), PT_RW | PT_DEVICE))
		return -1;
	dsb(ishst);
	isb();
	return 0;
}

/* The board's RAM ranges (arch_mmu_final): arch_map_ram maps nothing else. */
static const struct board *ram_board;

int arch_map_ram(uint64_t base, uint64_t size)
{
	uint64_t b = ALIGN_DOWN(base, SZ_4K), e = ALIGN_UP(base + size, SZ_4K);
	for (unsigned i = 0; ram_board && i < ram_board->nmem; i++) {
		const struct mem_range *m = &ram_board->mem[i];
		uint64_t s = MAX(b, ALIGN_UP(m->base, SZ_4K));
		uint64_t t = MIN(e, ALIGN_DOWN(m->base + m->size, SZ_4K));
		if (t > s && ((t - 1) >> 48) == 0 && map_missing(s, t, PT_RW))
			return -1;
	}
	dsb(ishst);
	isb();
	return 0;
}

void arch_mmu_final(const struct board *b, uint64_t load_base, uint64_t hyp_end)
{
	/* Not the whole of RAM: mapping 16 TiB in 1 GiB blocks alone took 478K
	 * instructions. RAM the hypervisor touches is mapped when it is handed
	 * out (arch_map_ram: a domain's RAM, a channel, a spin-table word). */
	pt_new(&hyp_pt);
	ram_board = b;
	map_normal_2m(load_base, hyp_end);
	arch_map_device(b->uart_base, b->uart_size ? b->uart_size : SZ_4K);
	mmu_cfg.ttbr = (uint64_t)(uintptr_t)hyp_pt.root;
	dsb(ish);
	write_sysreg(ttbr0_el2, mmu_cfg.ttbr);
	isb();
	__asm__ volatile("tlbi alle2\n dsb ish\n isb" ::: "memory");
	arch_dcache_clean_range((uint64_t)(uintptr_t)&mmu_cfg, sizeof(mmu_cfg));
}

/* Called by secondary_entry with the MMU off. */
void mmu_enable_secondary(void)
{
	arch_mmu_load_el2(mmu_cfg.ttbr, mmu_cfg.tcr, mmu_cfg.mair, mmu_cfg.sctlr);
	extern char el2_vectors[];
	write_sysreg(vbar_el2, (uint64_t)(uintptr_t)el2_vectors);
	write_sysreg(cptr_el2, cptr_value());
	isb();
}

/* Started at EL1 (e.g. QEMU virtualization=off): say so on the board's console and stop. */
void boot_wrong_el(uint64_t dtb, uint64_t load_base, unsigned el)
{
	static struct dt_error err; /* static: no stack guard (boot, one CPU) */
	extern char __payload_start[];
	uint64_t end = ALIGN_UP((uint64_t)(uintptr_t)__payload_start, SZ_2M) + SZ_2M;
	/* The heap sits right after our image: enough for these few tables. */
	extern void boot_heap_setup(uint64_t start, uint64_t end);
	boot_heap_setup(ALIGN_UP((uint64_t)(uintptr_t)__payload_start, SZ_2M), end);
	pt_new(&hyp_pt);
	map_normal_2m(load_base, end);
	uint32_t size = __builtin_bswap32(*(volatile uint32_t *)(uintptr_t)(dtb + 4));
	map_normal_2m(dtb, dtb + (size > DT_MAP_MAX ? SZ_2M : size));
	dcache_inval_range(ALIGN_DOWN(load_base, SZ_2M), end - ALIGN_DOWN(load_base, SZ_2M));
	write_sysreg(cpacr_el1, 3ULL << 20); /* FP/SIMD for libfdt */
	isb();
	arch_mmu_load_el1((uint64_t)(uintptr_t)hyp_pt.root, tcr_value(1), MAIR_VALUE,
			  SCTLR_EL1_RES1 | SCTLR_M | SCTLR_C | SCTLR_I | SCTLR_SA);
	if (dt_board_early((const void *)(uintptr_t)dtb, &board, &err))
		dt_board_fallback((const void *)(uintptr_t)dtb, &board, &err);
	if (board.uart && arch_map_device(board.uart_base, SZ_4K) == 0) {
		console_init(board.uart, board.uart_base);
		bh_printf("Bulkhead needs to be started at EL2; it was started at EL%u. "
			  "Stopping.\n", el);
		console_sync();
	}
	arch_psci_system_off(); /* through the conduit the DT (or its fallback) gave */
	for (;;)
		wfi();
}
