/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The architecture interface's hooks: every arch_* function the core
 * (common/, dt/) calls, declared once for every port. Each port's arch.h
 * (arch-arm64/, arch-x86/) includes this after its own types (struct
 * trap_frame, arch_vcpu, arch_domain) and its inline hooks
 * (arch_inline.h), and implements what the code it links reaches. A leaf
 * header: it includes no project header.
 */
#ifndef COMMON_ARCH_HOOKS_H
#define COMMON_ARCH_HOOKS_H

#include <stdbool.h>
#include <stdint.h>

struct vcpu;
struct domain;
struct board;

/* What handling a trap asks of the vCPU's exit path (common/vcpu.c:
 * vcpu_trap_done): back into the guest (if its domain still runs), or leave
 * it (PSCI CPU_OFF, the domain's own power-off or reset). */
enum trap_result { TRAP_CONTINUE, TRAP_LEAVE };

unsigned arch_cpu_index(void);
void arch_halt_system(void) __attribute__((noreturn));
void arch_vcpu_reset(struct vcpu *v, uint64_t entry, uint64_t arg0);
/* Enter the guest (prepared by the core). Never returns: each exit ends in
 * vcpu_trap_done(), which resumes the guest or sends this CPU back to
 * cpu_run_loop() on an empty stack. */
void arch_vcpu_run(struct vcpu *v) __attribute__((noreturn));
/* v left its guest (on its own CPU): nothing of it keeps running here (no
 * stage-2, no virtual interrupt interface, its timer off). */
void arch_vcpu_stop(struct vcpu *v);
/* An entry's full check, last (common/vcpu.c: vcpu_entry_check): the
 * vCPU's virtual interrupt state brought up to date (arm64: the vGIC's
 * list registers; nothing to do, in a few instructions, when nothing
 * changed). */
void arch_vcpu_prepare(struct vcpu *v);
int arch_domain_init(struct domain *d);
/* A domain's console output is held (common/console.c: a partial line, to
 * be composed with the rest of it): have console_pump() run on this CPU
 * within a few milliseconds whatever its guest does meanwhile. False: this
 * port cannot, and the caller pumps now. */
bool arch_console_later(void);
/* Nothing of this CPU's domain is held any more: no deadline needed. */
void arch_console_later_off(void);
bool arch_guest_32bit_supported(void);
/* Stage-2 permissions and memory type (arch_stage2_map's flags). */
#define S2_READ	  (1u << 0)
#define S2_WRITE  (1u << 1)
#define S2_EXEC	  (1u << 2)
#define S2_DEVICE (1u << 3) /* Device-nGnRE; otherwise Normal write-back */
#define S2_RW	  (S2_READ | S2_WRITE)
#define S2_RWX	  (S2_RW | S2_EXEC)
int arch_stage2_map(struct domain *d, uint64_t ipa, uint64_t pa, uint64_t size, unsigned flags);
bool arch_stage2_lookup(struct domain *d, uint64_t ipa, uint64_t *pa);
/* Is any of [ipa, ipa + size) mapped for d? */
bool arch_stage2_mapped(struct domain *d, uint64_t ipa, uint64_t size);
void arch_send_ipi(unsigned cpu);
void arch_dcache_clean_range(uint64_t start, uint64_t size);
/* memcpy to identity-mapped RAM, then arch_dcache_clean_range, in one pass. */
void arch_copy_clean(uint64_t dst, const void *src, uint64_t size);
/* Zero memory (identity-mapped RAM) and write it back past every cache. */
void arch_scrub(uint64_t start, uint64_t size);

/* Boot (on arm64: arch-arm64/mmu.c, cpu.c, psci.c, gic/) */
void boot_wrong_el(uint64_t dtb, uint64_t load_base, unsigned el) __attribute__((noreturn));
void arch_early_init(uint64_t load_base, uint64_t hyp_end, uint64_t dtb);
int arch_map_device(uint64_t base, uint64_t size);
/* Map RAM the hypervisor will touch (only what lies in the board's RAM). */
int arch_map_ram(uint64_t base, uint64_t size);
/* One access of size 1, 2, 4 or 8 (pa aligned to it) to a device mapped with
 * arch_map_device, for a guest. False: the device answered with an external
 * abort (recovered, not a hypervisor fault: arch-arm64/mmio.S). */
bool arch_mmio_read(uint64_t pa, unsigned size, uint64_t *val);
bool arch_mmio_write(uint64_t pa, unsigned size, uint64_t val);
void arch_mmu_final(const struct board *b, uint64_t load_base, uint64_t hyp_end);
unsigned arch_boot_cpu_index(const struct board *b);
uint64_t arch_read_mpidr(void);
void arch_irq_init(const struct board *b); /* the interrupt controller */

/* A domain's interrupt lines (arm64: its virtual GIC's SPIs, gic/vgic.c;
 * a line is its number in the domain's view, an SPI's INTID). The core's
 * emulated and passed-through devices raise their interrupts only through
 * these, so it names no interrupt controller. */
void arch_irq_domain_init(struct domain *d);	/* no line owned, before any arch_irq_own */
int arch_irq_domain_register(struct domain *d); /* its controller's registers, once */
void arch_irq_domain_reset(struct domain *d);	/* at each (re)start: every line idle */
unsigned arch_irq_lines(struct domain *d);	/* lines a domain may own: 32 .. 32 + n - 1 */
/* Give d the line `what` uses: 0, or -1 having said why it cannot have it
 * ("domain D: interrupt LINE of WHAT: ..."). */
int arch_irq_own(struct domain *d, unsigned line, bool edge, const char *what);
void arch_irq_set_level(struct domain *d, unsigned line, bool level);
void arch_irq_inject(struct domain *d, struct vcpu *v,
		     unsigned line); /* edge; v NULL: its target */
/* The board's interrupt line of a passed-through device, given to d: raised
 * in d when the device raises it, on vCPU 0's CPU. */
int arch_irq_passthrough(struct domain *d, unsigned line, bool edge, const char *what); /* as arch_irq_own */
/* At each domain (re)start: its counter and timers as at its first boot. */
void arch_timer_domain_start(struct domain *d);
void arch_start_secondaries(const struct board *b, unsigned boot_cpu);
void arch_secondary_init(unsigned index);

/* The boot and domain-building steps that differ by architecture, each
 * defined by the port's arch.h before it includes this file (as a macro
 * where arm64's is the core's own DT code, so it costs no call; x86's are
 * functions in arch-x86/), used by common/boot.c's boot_main and
 * common/domain.c's domain_create, which run on every port:
 *   ARCH_BOARD_DT	the loader hands over a board DT: copied, kept, dom0's
 *			built from it (x86: no DT, the board from firmware)
 *   ARCH_PASSTHROUGH	devices can be passed through (common/passthrough.c)
 *   int arch_board_read(uint64_t dtb, struct board *, struct dt_error *)
 *			the board (arm64: dt_board_read; x86: the Multiboot
 *			memory map and the ACPI MADT)
 *   uint64_t arch_image_size(uint64_t load_base)
 *			what the boot image may span from its load address
 *   uint64_t arch_payload_offset(uint64_t load_base, uint64_t off)
 *			the payload's offset as the image's header gives it
 *   int arch_plan_check(const struct plan *, struct dt_error *)
 *			what the shared checks accept but the port cannot do
 *   const char *arch_irq_ctrl_name(const struct board *)   for the banner
 *   uint64_t arch_guest_ram_base(const struct board *)
 *			where a guest's RAM starts in its own view
 *   int arch_image_layout(...)	common/image.h's image_layout: where the
 *			kernel, initrd and boot information lie in its RAM
 *   int arch_domain_boot_info(struct domain *, const struct dom_cfg *,
 *			const struct board *, const void *board_dt)
 *			the guest's boot information into d->fdt, d->fdt_size
 *			(arm64: its DT; x86: its command line) */

#endif
