/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Boot: from the loader's hand-off to every physical CPU running its vCPU.
 * Order matters: MMU first (libfdt does unaligned accesses, which Device
 * memory forbids), then the board DT, the console, the config check (a bad
 * config stops here, before any domain exists), domains, then the other CPUs.
 * libfdt (which uses FP/SIMD registers) is used only here, before any guest
 * state exists: see docs/design/fp-state.md.
 */
#include <libfdt.h>

#include "common/console.h"
#include "common/domain.h"
#include "common/lib.h"
#include "common/package.h"
#include "common/percpu.h"

#define BH_VERSION_STRING "0.1.0"

struct pcpu *pcpus;
struct board board;
struct plan plan __attribute__((section(".noinit"))); /* dt_plan_read() zeroes it */
struct pmem pmem;
const void *host_fdt;

static uint64_t heap_start, heap_next, heap_end, heap_last; /* heap_last: the last allocation */
static const struct bh_pkg_hdr *pkg;
static volatile bool boot_done;

uint64_t __stack_chk_guard = 0x5ca1ab1e0ddba11ULL;
void __stack_chk_fail(void)
{
	bh_log("stack protector: stack smashed on cpu%u", arch_cpu_index());
	arch_halt_system();
}

#define HEAP_PER_CPU (20u << 10)	  /* a 16 KiB stack and per-CPU state */
#define HEAP_PER_DOMAIN (40u << 10) /* stage-2 tables (~16 KiB), its DT, exit counters */

/* Once free memory is known (boot_memory), the heap grows into the RAM right
 * after it, 2 MiB at a time, when a board or config needs more than its
 * first BH_HEAP_SIZE (64 CPUs and 64 domains do): small ones never pay. */
static bool heap_can_grow;

static bool heap_grow(uint64_t need)
{
	uint64_t n = ALIGN_UP(need, SZ_2M);
	if (!heap_can_grow || heap_end + n < heap_end || !pmem_take(&pmem, heap_end, n) ||
	    arch_map_ram(heap_end, n))
		return false;
	heap_end += n;
	return true;
}

void *boot_alloc_nozero(uint64_t size, uint64_t align)
{
	uint64_t a = ALIGN_UP(heap_next, align);
	if (boot_done || a + size < a || (a + size > heap_end && !heap_grow(a + size - heap_end)))
		return NULL;
	heap_next = a + size;
	heap_last = a;
	return (void *)(uintptr_t)a;
}

void boot_alloc_shrink(void *p, uint64_t size)
{
	uint64_t a = (uint64_t)(uintptr_t)p;
	if (!boot_done && a == heap_last && a + size >= a && a + size <= heap_next)
		heap_next = a + size;
}

void *boot_alloc(uint64_t size, uint64_t align)
{
	void *p = boot_alloc_nozero(size, align);
	if (p)
		memset(p, 0, size);
	return p;
}

const void *package_find(const char *name, uint64_t *size)
{
	return pkg ? package_entry(pkg, name, size) : NULL;
}

void system_check_idle(void)
{
	for (unsigned i = 0; i < ndomains; i++) {
		enum dom_state s = __atomic_load_n(&domains[i].state, __ATOMIC_ACQUIRE);
		if (s == DOM_RUNNING || s == DOM_RESTARTING)
			return;
	}
	/* Two CPUs may end their domains at once and both find none running:
	 * one says it and powers off. */
	static bool ending;
	if (__atomic_exchange_n(&ending, true, __ATOMIC_ACQ_REL))
		return;
	/* Another CPU may still be saying how its domain ended: its line first
	 * (at most a second: the console's own waits are bounded). */
	uint64_t until = arch_counter() + arch_counter_freq();
	while (domain_ends_unsaid() && arch_counter() < until)
		arch_wait_event();
	bh_log("no domain left running: powering off");
	arch_halt_system();
}

static void fatal(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
static void fatal(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	bh_vlog(fmt, ap);
	va_end(ap);
	bh_log("boot stopped: no domain was started");
	arch_halt_system();
}

/* The payload tools/bhpack appended, checked before anything is read from it. */
static const struct bh_pkg_hdr *find_package(uint64_t load_base, uint64_t payload_off,
					     uint64_t room)
{
	const struct bh_pkg_hdr *h = (const void *)(uintptr_t)(load_base + payload_off);
	static char why[160]; /* static: no stack guard (boot, one CPU) */
	if (package_check(h, room, why, sizeof(why)))
		fatal("%s", why);
	return h;
}

void boot_heap_setup(uint64_t start, uint64_t end)
{
	heap_start = heap_next = start;
	heap_end = end;
}

/* Nothing is allocated after boot (boot_alloc refuses, pmem is only read):
 * these two figures must stay what they were at boot however often domains
 * restart. Printed at boot and with the exit statistics (each power-off,
 * Ctrl-A s), never on a guest's request: tests/qemu/restart-hygiene.sh
 * compares them. */
void boot_memory_report(void)
{
	bh_log("memory: %llu bytes free, boot heap %llu of %llu bytes used",
	       (unsigned long long)pmem_free_total(&pmem),
	       (unsigned long long)(heap_next - heap_start),
	       (unsigned long long)(heap_end - heap_start));
}

static const char *gic_name(void)
{
	return arch_irq_ctrl_name(&board);
}

/* Where the payload tools/bhpack appended lies, read with the MMU off
 * (aligned loads only). It starts where we were linked to end; the package
 * may fill what the Image header's image_size reserves, less the heap. */
struct payload {
	uint64_t off;	  /* from the load address */
	uint64_t room;	  /* what the header reserves for it */
	uint64_t claimed; /* what the package header says it takes (0: none) */
};

static void payload_locate(uint64_t load_base, struct payload *pl)
{
	extern char __payload_start[];
	pl->off = (uint64_t)(uintptr_t)__payload_start - load_base;
	uint64_t image_size = arch_image_size(load_base);
	pl->room = image_size > pl->off + BH_HEAP_SIZE ? image_size - pl->off - BH_HEAP_SIZE : 0;
	const volatile struct bh_pkg_hdr *ph = (const void *)(uintptr_t)(load_base + pl->off);
	pl->claimed = memcmp((const void *)ph, BH_PKG_MAGIC, 8) ? 0 : ph->total_size;
}

/* Early MMU (ourselves, the payload, the heap after it, the DT), the board
 * DT read, the final MMU and the console; then our own copy of the DT (the
 * loader's sits in RAM we give away). A package claiming more than its room
 * gets an empty one here: heap right after the image, refused later.
 * Inlined: called once, and apart it costs the image ~270 bytes. */
static inline __attribute__((always_inline)) void boot_mmu_board(uint64_t dtb, uint64_t load_base,
								 const struct payload *pl)
{
	struct dt_error err;
	uint64_t total = pl->claimed <= pl->room ? pl->claimed : 0;
	heap_start = heap_next = ALIGN_UP(load_base + pl->off + total, SZ_2M);
	heap_end = heap_next + BH_HEAP_SIZE;
	arch_early_init(load_base, heap_end, dtb);
	/* A console or GIC "device" on RAM (ours included): refused, and
	 * nothing written to a console that is memory (bad == 1). */
	const struct mem_range hyp = {ALIGN_DOWN(load_base, SZ_2M),
				      heap_end - ALIGN_DOWN(load_base, SZ_2M)};
	int bad = arch_board_read(dtb, &board, &err);
	if (!bad && ARCH_BOARD_DT)
		bad = dt_board_windows(&board, &hyp, &err);
	if (bad) {
		if (ARCH_BOARD_DT) /* refused before its console was found, perhaps */
			dt_board_fallback((const void *)(uintptr_t)dtb, &board, &err);
		if (board.uart && bad != 1 && arch_map_device(board.uart_base, SZ_4K) == 0) {
			console_init(board.uart, board.uart_base);
			bh_log("%s", err.msg);
		}
		arch_halt_system();
	}
	/* Copied while the early tables map it (the final ones map only RAM the
	 * hypervisor uses); only the bytes it uses: QEMU's DT claims 1 MiB for
	 * ~8 KiB. Same offsets, a smaller totalsize (dom0's DT is built from it). */
	uint32_t dt_size = ARCH_BOARD_DT ? dt_used_size((const void *)(uintptr_t)dtb) : 0;
	void *dt_copy = ARCH_BOARD_DT ? boot_alloc_nozero(dt_size, 8) : NULL;
	if (dt_copy) {
		memcpy(dt_copy, (const void *)(uintptr_t)dtb, dt_size);
		fdt_set_totalsize(dt_copy, dt_size);
	}
	arch_mmu_final(&board, load_base, heap_end);
	console_init(board.uart, board.uart_base);
	if (!dt_copy && ARCH_BOARD_DT)
		fatal("board DT of %u bytes does not fit in the hypervisor heap", dt_size);
	host_fdt = dt_copy;
	dt_board_move(&board, host_fdt); /* same bytes, same offsets: not read again */
}

/* The payload checked, its config read and checked against the board. */
static void boot_config(uint64_t load_base, const struct payload *pl)
{
	static struct dt_error err; /* static: no stack guard (boot, one CPU) */
	uint64_t hdr_off = arch_payload_offset(load_base, pl->off);
	if (hdr_off != pl->off)
		fatal("%s: build it with tools/bhpack",
		      hdr_off ? "this image's header does not match its hypervisor (payload offset)"
			      : "this image carries no payload (config and guest images)");
	if (pl->claimed > pl->room)
		fatal("the boot image's payload claims %llu bytes, more than the %llu its image "
		      "header reserves: build it with tools/bhpack",
		      (unsigned long long)pl->claimed, (unsigned long long)pl->room);
	pkg = find_package(load_base, pl->off, pl->room);
	uint64_t cfg_size;
	const void *cfg = package_find(BH_PKG_CONFIG, &cfg_size);
	if (!cfg)
		fatal("the boot image has no %s", BH_PKG_CONFIG);
	if (cfg_size < 40 || fdt_totalsize(cfg) > cfg_size)
		fatal("the boot image's %s is cut short (%llu bytes)", BH_PKG_CONFIG,
		      (unsigned long long)cfg_size);
	if (dt_plan_read(cfg, &board, &plan, &err) || arch_plan_check(&plan, &err))
		fatal("%s", err.msg);
	if (plan.insecure_pmu_el2)
		bh_log("config: insecure-pmu-el2: every domain's PMU can count the hypervisor's "
		       "(EL2) events; for measurement only, never in a product");
}

/* Free memory: RAM less the hypervisor and the DT's reservations (none of
 * which may hold the hypervisor: dom0 gets reserved memory mapped). */
static void boot_memory(uint64_t load_base)
{
	uint64_t lo = ALIGN_DOWN(load_base, SZ_2M);
	pmem_init(&pmem);
	for (unsigned i = 0; i < board.nmem; i++)
		pmem_add(&pmem, board.mem[i].base, board.mem[i].size);
	pmem_reserve(&pmem, lo, heap_end - lo);
	for (unsigned i = 0; i < board.nresv; i++) {
		const struct mem_range *r = &board.resv[i];
		if (r->base < heap_end && lo < r->base + r->size)
			fatal("the board DT reserves 0x%llx-0x%llx, where the hypervisor was loaded "
			      "(0x%llx-0x%llx): load it elsewhere",
			      (unsigned long long)r->base, (unsigned long long)(r->base + r->size - 1),
			      (unsigned long long)load_base, (unsigned long long)heap_end - 1);
		pmem_reserve(&pmem, r->base, r->size);
	}
	heap_can_grow = true;
	/* What the boards and configs the heap's first size was made for never
	 * need: then the heap grows now, before domains take the RAM after it.
	 * Per CPU its stack and state; per domain its state, vCPUs, stage-2
	 * tables and DT (what boot_alloc gives them, rounded up). */
	uint64_t need = (uint64_t)board.ncpus * HEAP_PER_CPU;
	for (unsigned i = 0; i < plan.ndoms; i++)
		need += sizeof(struct domain) + plan.dom[i].ncpus * sizeof(struct vcpu) + HEAP_PER_DOMAIN;
	if (heap_next + need > heap_end && !heap_grow(heap_next + need - heap_end))
		fatal("no room for the hypervisor's memory (%llu KiB) after it",
		      (unsigned long long)(need >> 10));
}

static void banner(uint64_t load_base)
{
	uint64_t ram = 0;
	for (unsigned i = 0; i < board.nmem; i++)
		ram += board.mem[i].size;
	bh_printf("Bulkhead %s: %u CPUs, %s, %llu MiB RAM, %u domain%s\n", BH_VERSION_STRING,
		  board.ncpus, gic_name(), (unsigned long long)(ram >> 20), plan.ndoms,
		  plan.ndoms == 1 ? "" : "s");
	bh_log("hypervisor at 0x%llx-0x%llx, console %s at 0x%llx, %s", (unsigned long long)load_base,
	       (unsigned long long)heap_end - 1, dt_uart_name(board.uart),
	       (unsigned long long)arch_console_addr(&board), arch_firmware_name(&board));
}

/* One line per domain, and its start: loaded (RAM zeroed) by its own CPU. */
static void domain_announce_start(struct domain *d)
{
	char cpus[48];
	int n = 0;
	for (unsigned c = 0; c < d->nvcpus; c++)
		n += snprintf(cpus + n, sizeof(cpus) - (size_t)n, "%s%u", c ? "," : "",
			      d->vcpu[c].pcpu);
	bh_log("domain %s (id %u): %u vCPU%s on CPU%s %s, %llu MiB at 0x%llx (IPA 0x%llx), "
	       "kernel \"%s\"%s%s%s",
	       d->name, d->id, d->nvcpus, d->nvcpus == 1 ? "" : "s", d->nvcpus == 1 ? "" : "s", cpus,
	       (unsigned long long)(d->ram_size >> 20), (unsigned long long)d->ram_pa,
	       (unsigned long long)d->ram_ipa, d->cfg->kernel, d->initrd ? ", initrd " : "",
	       d->initrd ? d->cfg->initrd : "", d->guest_32bit ? " (32-bit)" : "");
	domain_start(d);
}

void boot_main(uint64_t dtb, uint64_t load_base, uint64_t el)
{
	if (el != 2)
		boot_wrong_el(dtb, load_base, (unsigned)el);
	struct payload pl;
	payload_locate(load_base, &pl);
	boot_mmu_board(dtb, load_base, &pl);
	boot_config(load_base, &pl);
	banner(load_base);
	boot_memory(load_base);

	/* Per-CPU state for the board's CPUs, exit counters for the config's
	 * domains: what this board and config need, no more. */
	pcpus = boot_alloc((uint64_t)board.ncpus * sizeof(*pcpus), 64);
	uint64_t *exits = boot_alloc((uint64_t)board.ncpus * EXIT_KINDS * (plan.ndoms + 1) * 8, 64);
	if (!pcpus || !exits)
		fatal("no room for the state of %u CPUs in the hypervisor heap", board.ncpus);
	for (unsigned i = 0; i < board.ncpus; i++)
		pcpus[i].exits = exits + (uint64_t)i * EXIT_KINDS * (plan.ndoms + 1);
	arch_irq_init(&board);
	unsigned me = arch_boot_cpu_index(&board);
	if (me >= board.ncpus)
		fatal("the boot CPU (MPIDR 0x%llx) is not in the DT's /cpus, or no room for "
		      "%u CPU stacks", (unsigned long long)arch_read_mpidr(), board.ncpus);
	/* Each domain_create() zeroes its own: no need to here. */
	domains = boot_alloc_nozero((uint64_t)plan.ndoms * sizeof(*domains), 64);
	if (!domains)
		fatal("no room for %u domains in the hypervisor heap", plan.ndoms);
	for (unsigned i = 0; i < plan.ndoms; i++) {
		if (domain_create(&domains[i], &plan.dom[i], &board, host_fdt))
			fatal("domain %s could not be built", plan.dom[i].name);
		ndomains++;
	}
	console_enable_input();
	if (ARCH_PASSTHROUGH && domains_assign_devices(&board))
		fatal("devices could not be assigned");
	arch_start_secondaries(&board, me);
	boot_done = true; /* from here on: no libfdt, no boot_alloc */
	boot_memory_report();
	for (unsigned i = 0; i < ndomains; i++)
		domain_announce_start(&domains[i]);
	cpu_run_loop();
}

/* A secondary CPU, MMU on, stack set: join the run loop. */
void secondary_main(uint64_t index)
{
	arch_secondary_init((unsigned)index);
	pcpus[index].online = true;
	arch_send_event();
	cpu_run_loop();
}
