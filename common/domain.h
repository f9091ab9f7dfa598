/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Domains and vCPUs: what each domain owns, its lifecycle (running, stopped,
 * off, restarting) and the emulated devices it sees. Every vCPU is pinned to
 * one physical CPU for its whole life, so there is no scheduler.
 */
#ifndef COMMON_DOMAIN_H
#define COMMON_DOMAIN_H

#include <stdbool.h>
#include <stdint.h>

#include "arch.h"
#include "common/report.h"
#include "common/spinlock.h"
#include "dt/plan.h"

struct vcpu;

/* An emulated MMIO region in a domain's physical address space. */
struct vmmio {
	uint64_t base, size;
	/* Returns false if the access is not valid (size, alignment): the guest then
	 * gets an external abort. `val` is in/out. */
	bool (*access)(struct vcpu *v, uint64_t off, unsigned size, bool write, uint64_t *val);
	uint64_t phys; /* forwarded regions: the physical address of base */
};
#define BH_MAX_VMMIO 24 /* vUART, vGIC (2), sub-page passed-through devices, virtio-net */

/* Emulated PL011 (common/vuart.c). */
struct vuart {
	uint32_t cr, lcrh, ibrd, fbrd, ifls, imsc, ris, dmacr;
	unsigned rx_head, rx_count;
	bool rx_dropping; /* input was dropped since the buffer was last read */
	bool dr_written;  /* the last access wrote DR: an FR read now is the poll before the next */
	unsigned intid; /* its SPI in the domain's view */
	/* Typed input the domain has not read yet: a paste of a few long
	 * lines fits while the guest is busy elsewhere (a real PL011 has 32).
	 * Last: the words above, read at every character, stay near the
	 * domain's start (one load each, no offset to build). */
	uint8_t rx[1024];
};

enum vcpu_state { VCPU_OFF, VCPU_ON_PENDING, VCPU_RUNNING };
enum dom_state { DOM_RUNNING, DOM_STOPPED, DOM_OFF, DOM_RESTARTING };

struct vcpu {
	struct domain *dom;
	unsigned index; /* vCPU number inside its domain (its MPIDR Aff0) */
	unsigned pcpu;	/* the physical CPU it is pinned to */
	volatile enum vcpu_state state;
	/* Why its next entry must take the full check (vcpu_entry_check): a
	 * byte per kind of writer (VCPU_RECHECK_*), so setting one is a plain
	 * store-release, never a read-modify-write; its exit tests the word.
	 * Ordering: docs/ARCHITECTURE.md, "The entry flag word". */
	union {
		uint32_t any;
		uint8_t why[4];
	} recheck;
	uint64_t on_entry, on_ctx; /* PSCI CPU_ON arguments */
	bool on_boot;		    /* the domain's boot: on_ctx is its DT (boot protocol) */
	struct trap_frame *frame;   /* the frame of the trap being handled */
	uint64_t vuart_base;	    /* its domain's emulated PL011 (the trap fast path's) */
	const struct vmmio *mmio;   /* the emulated region being accessed */
	uint64_t mmio_val;	    /* and the value written or read (traps.c) */
	uint64_t *exits;	    /* its exit counts (common/percpu.h: stats_exits_of) */
	struct arch_vcpu arch; /* arm64: also its vGIC state */
};

/* One of a domain's channels. */
struct dom_chan {
	const struct chan_cfg *cfg;
	unsigned peer;		/* the other end (index into domains[]) */
	struct chan_view view;	/* what its DT says */
	/* max-notify-rate from this end: the counter time at which the budget of
	 * the last second would be spent (GCRA), and how long one ring costs. */
	uint64_t notify_tat, notify_period;
	bool busy_logged;
};

/* One of a domain's virtio-net devices: its port on a network's switch. */
struct dom_net {
	unsigned net;	       /* index into plan.net[] (and the switches) */
	unsigned port;	       /* its port of that switch */
	struct vnet_view view; /* its window and SPI (what its DT says) */
};

/* A domain's console output not yet on the UART: about 25 full lines. Power of 2. */
#define CON_IN_SIZE 4096u
/* Its recent lines kept for the control domain (`bhctl console`): ~12 lines. */
#define CON_HIST_SIZE 1024u

struct domain {
	unsigned id;
	unsigned slot; /* its index in domains[] (exit accounting) */
	char name[BH_NAME_MAX];
	const struct dom_cfg *cfg;
	volatile enum dom_state state;

	/* Console output (common/console.c). The ring is written by the domain's
	 * own vCPUs under con_in_lock (domain_con_put) and read under the
	 * console lock; nothing else is shared with other domains. First, with
	 * the vUART: every character of a polling guest touches them. */
	struct spinlock con_in_lock;
	uint32_t con_in_head;	  /* next byte written (atomic) */
	uint32_t con_in_tail;	  /* next byte composed (atomic; console lock) */
	uint64_t con_lost;	  /* bytes dropped: ring full (atomic) */
	struct vuart vuart;
	uint64_t ram_ipa, ram_pa, ram_size;
	unsigned nvcpus;
	struct vcpu *vcpu; /* nvcpus of them, from the boot heap */
	struct arch_domain arch; /* arm64: also its virtual GIC */

	/* What a (re)start loads: images stay in the boot image, the DT is kept. */
	const void *kernel;
	uint64_t kernel_size, kernel_ipa, entry_ipa;
	bool guest_32bit; /* its kernel is a 32-bit image (on arm64: AArch32 EL1) */
	const void *initrd;
	uint64_t initrd_size, initrd_ipa;
	void *fdt;
	uint64_t fdt_size, fdt_ipa;
	uint32_t *restarts_prop; /* /chosen/bulkhead,restarts inside fdt, patched at restart */

	unsigned nvmmio;
	struct vmmio vmmio[BH_MAX_VMMIO];

	uint64_t con_flush;	  /* (1 << 32) | ring position of a flush request, or 0 */
	/* The rest of the console's under the console lock. */
	uint64_t con_lost_reported, con_report_at;
	uint8_t con_esc;	  /* escape sequence being stripped (console.c) */
	uint8_t con_csi_len;
	char con_csi[8];	  /* its parameter bytes */
	uint8_t con_u8_len, con_u8_need; /* a UTF-8 sequence being checked */
	char con_u8[4];
	unsigned con_vis;	  /* columns of its own text left of the cursor, at least */
	char con_line[160];
	unsigned con_len;
	char con_open[160]; /* the unfinished line on screen, to repeat if cut */
	unsigned con_open_len;
	char con_held[160]; /* a finished line held while the focused domain is mid-line */
	unsigned con_held_len;
	bool con_holding;
	/* Its recent filtered output, for `bhctl console` (console lock). */
	char con_hist[CON_HIST_SIZE];
	uint32_t con_hist_pos; /* bytes ever put in (the next goes at pos % size) */
	unsigned restarts;
	struct domain_reports reports; /* guest-triggered reports: rate and log-once */
	unsigned nchans;
	struct dom_chan chans[BH_MAX_CHANNELS];
	unsigned nnets;
	struct dom_net nets[BH_MAX_NETWORKS];
	bool vnet_pending; /* a transmit queue waits after its budget (common/vnet.c) */
	struct spinlock lock; /* vCPU state changes that depend on the domain state
			       * (see the state machine in common/domain.c) */
	char con_in[CON_IN_SIZE]; /* the console ring (last: keeps the offsets above small) */
};

extern struct domain *domains; /* ndomains of them, from the boot heap */
extern unsigned ndomains;

/* Append c to the domain's console ring (its own vCPUs; console.c moves it
 * on): the bytes that waited before it, CON_IN_SIZE if full (c is lost,
 * counted). Inline: the emulated UART's DR write does this per character. */
static inline uint32_t domain_con_put(struct domain *d, char c)
{
	spin_lock(&d->con_in_lock);
	uint32_t head = d->con_in_head;
	uint32_t used = head - __atomic_load_n(&d->con_in_tail, __ATOMIC_ACQUIRE);
	if (used < CON_IN_SIZE) {
		d->con_in[head % CON_IN_SIZE] = c;
		__atomic_store_n(&d->con_in_head, head + 1, __ATOMIC_RELEASE);
	} else {
		__atomic_fetch_add(&d->con_lost, 1, __ATOMIC_RELAXED);
	}
	spin_unlock(&d->con_in_lock);
	return used;
}

/* Does the byte domain_con_put just kept stay held? Until its line ends,
 * a line's worth waits, the guest's next other UART access, or the
 * deadline (a prompt the guest then waits at shows within milliseconds);
 * if not, console_domain_burst_end moves the ring on. */
static inline bool domain_con_held(struct domain *d, char c, uint32_t used)
{
	return c != '\n' && used < sizeof(d->con_line) - 1 && arch_console_later();
}

/* Physical CPU -> its vCPU (NULL when the CPU belongs to no domain). */
struct vcpu *vcpu_of_cpu(unsigned cpu);

int domain_create(struct domain *d, const struct dom_cfg *cfg, const struct board *b,
		  const void *host_fdt);
/* Its identity and vCPUs, each pinned to its CPU (domain_create's first
 * step; the x86 port builds the rest of its domains itself). */
int domain_init_vcpus(struct domain *d, const struct dom_cfg *cfg);
/* After every domain exists: give each its devices (MMIO and interrupts). */
int domains_assign_devices(const struct board *b);
/* Physical SPI -> the domain it was given to (NULL: none). */
struct domain *irq_owner(unsigned intid);
/* (Re)load images and DT into the domain's RAM (all of the rest zeroed) and
 * make vCPU 0 runnable; on the CPU of vCPU 0, when the domain is RESTARTING. */
void domain_load(struct domain *d);
/* First boot: have vCPU 0's CPU load the domain (boot CPU, after boot). */
void domain_start(struct domain *d);
/* PSCI CPU_ON: the vCPU becomes ON_PENDING if its domain runs and it is off. */
enum vcpu_on_result {
	VCPU_ON_OK,
	VCPU_ON_ALREADY_ON,
	VCPU_ON_ALREADY_PENDING,
	VCPU_ON_DOMAIN_DOWN, /* the domain is being stopped or restarted */
};
enum vcpu_on_result vcpu_request_on(struct vcpu *t, uint64_t entry, uint64_t ctx);
/* Lifecycle events (called on the CPU that observed them). */
void domain_poweroff(struct domain *d);
/* Some domain's end (power-off, fault stop) is shown by its state but its
 * line is not out yet: the machine's power-off waits for it. */
bool domain_ends_unsaid(void);
void domain_reboot(struct domain *d);
void domain_fault(struct domain *d, const char *why);
/* A peer's stop (bhctl stop): RUNNING -> OFF, false in any other state. */
bool domain_stop(struct domain *d);
/* The idle/run loop of a physical CPU (common/vcpu.c): runs its vCPU whenever
 * it is runnable. Also where a CPU goes when its vCPU leaves the guest. */
void cpu_run_loop(void) __attribute__((noreturn));
/* RUNNING -> OFF, on v's own CPU: it left the guest (common/vcpu.c). */
void vcpu_stop(struct vcpu *v);
/* The kinds of writer of a vCPU's recheck word (one byte each). */
enum vcpu_recheck {
	VCPU_RECHECK_LIFE, /* its domain's state or its own changed (stop, restart, off) */
	VCPU_RECHECK_VGIC, /* the domain's vGIC changed, an SGI to it, or a list register in use */
	VCPU_RECHECK_NET,  /* a transmit queue of its domain waits (common/vnet.c) */
};
/* The word with only byte `why` set (little-endian, as the hypervisor runs). */
#define VCPU_RECHECK_WORD(why) (1u << (8 * (why)))
_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "recheck bytes in a word");
/* Make v's next entry take the full check. Call it after the change it
 * announces is stored (the release orders the two), and kick v's CPU if v
 * runs elsewhere and must see the change soon. */
static inline void vcpu_recheck(struct vcpu *v, enum vcpu_recheck why)
{
	__atomic_store_n(&v->recheck.why[why], 1, __ATOMIC_RELEASE);
}
/* The same for every vCPU of d. */
static inline void domain_recheck(struct domain *d, enum vcpu_recheck why)
{
	for (unsigned i = 0; i < d->nvcpus; i++)
		vcpu_recheck(&d->vcpu[i], why);
}
/*
 * The full check of an entry into the guest, the first and any later one
 * whose recheck word is set (on v's own CPU): the word read and cleared in
 * one exchange, then what it announces looked at: the domain and the vCPU
 * must still be running (a stop, restart or power-off seen here makes the
 * vCPU leave), a waiting transmit queue gets its next budget, and the
 * vGIC's list registers are brought up to date (gic/vgic.c). False: leave.
 */
bool vcpu_entry_check(struct vcpu *v);
/*
 * The end of every exit from the guest, once the architecture handled the
 * trap (r: what the handler asks). True: enter the guest again, prepared;
 * false: the vCPU left it (now OFF), and its CPU returns to cpu_run_loop.
 * Inline: every exit runs it. An exit that returns to the same vCPU with
 * nothing changed tests one word (v->recheck); a change made by another CPU
 * after this test kicks v's CPU (an IPI: another exit, and this test again).
 */
static inline bool vcpu_trap_done(struct vcpu *v, enum trap_result r)
{
	if (__builtin_expect(r == TRAP_CONTINUE, 1) &&
	    __builtin_expect(__atomic_load_n(&v->recheck.any, __ATOMIC_RELAXED) == 0, 1))
		return true;
	if (r == TRAP_CONTINUE && vcpu_entry_check(v))
		return true;
	vcpu_stop(v);
	return false;
}

/* Guest memory access for emulation and hypercalls: copies only within the
 * domain's RAM; false if any byte is outside it. */
bool domain_copy_from_guest(struct domain *d, void *dst, uint64_t ipa, uint64_t size);

/* The domain's emulated region that covers ipa, or NULL. */
const struct vmmio *vmmio_find(struct domain *d, uint64_t ipa);
int vuart_init(struct domain *d, uint64_t base, uint64_t size, unsigned intid);
void vuart_reset(struct domain *d);
/* The two registers each character of a polling console costs: FR read,
 * DR written (offsets from vuart_base). The trap fast path calls them
 * directly for a valid access (FR: 16 or 32 bits; DR: 8 to 32). */
#define VUART_DR 0x00
#define VUART_FR 0x18
#define VUART_FR_RXFE (1u << 4) /* FR's bits vuart_fr sets in its common case */
#define VUART_FR_TXFE (1u << 7)
uint32_t vuart_fr(struct domain *d);
void vuart_dr(struct domain *d, char c);
void vuart_input(struct domain *d, char c);

/* Hypercalls: returns true if fid was in the Bulkhead range. */
bool hypercall_handle(struct vcpu *v, uint64_t *regs);

#endif
