/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Bulkhead hypercall ABI: the one header guests and the hypervisor share.
 * Documented in docs/hypercalls.md. SMCCC 1.1 fast calls in the vendor-specific
 * hypervisor service range (owning entity 6), issued with HVC #0 (SMC #0 also
 * works: the hypervisor traps SMC). Arguments in x1..x6, results in x0..x3.
 * Pure ABI: no hypervisor internals here, safe to include from guest code.
 */
#ifndef COMMON_HYPERCALL_H
#define COMMON_HYPERCALL_H

/* Standard SMCCC queries for this service range (32-bit convention). */
#define BH_HC_CALL_COUNT 0x8600FF00u
#define BH_HC_CALL_UID 0x8600FF01u
#define BH_HC_REVISION 0x8600FF03u

/*
 * The calls below are listed with their SMC64 IDs; each also exists in the
 * SMC32 convention (bit 30 clear: BH_HC_32(id)), with 32-bit arguments and
 * results, for AArch32 guests (which may only use that one).
 */
#define BH_HC_32(id) ((id) & ~0x40000000u)

/* x0 = (major << 16) | minor */
#define BH_HC_VERSION 0xC6000000u
/* x0 = 0, x1 = domain id, x2 = this vCPU's index, x3 = vCPU count, x4 = physical CPU */
#define BH_HC_SELF 0xC6000001u
/* x1 = guest address (IPA) of bytes, x2 = length (<= BH_HC_CONSOLE_MAX); x0 = bytes written */
#define BH_HC_CONSOLE_WRITE 0xC6000002u
#define BH_HC_CONSOLE_MAX 256
/* x1 = channel id (its DT node's bulkhead,id): ring the other end's doorbell.
 * x0 = 0, -2 (not one of the caller's channels), -3 (the policy denies
 * "channel { notify }" from the caller's type to the peer's), -4 (BUSY: the
 * channel's max-notify-rate is spent for now; nothing rang, try later) */
#define BH_HC_CHANNEL_NOTIFY 0xC6000003u
/* x1 = domain id: x0 = 0, x1 = its state (BH_DOM_*), x2 = its restart count;
 * -3 the policy denies "domain { query }" (own: allowed), also for an id
 * that names no domain (answers never tell which ids exist) */
#define BH_HC_DOMAIN_QUERY 0xC6000004u
/* x1 = domain id: restart that domain (from whatever state). x0 = 0, -2 the
 * caller itself (use PSCI SYSTEM_RESET), -3 denied ("domain { restart }"),
 * also for an id that names no domain */
#define BH_HC_DOMAIN_RESTART 0xC6000005u
#define BH_HC_LAST BH_HC_DOMAIN_RESTART

/* Domain states BH_HC_DOMAIN_QUERY reports. */
#define BH_DOM_RUNNING 0
#define BH_DOM_STOPPED 1 /* faulted, on-fault = "stop" */
#define BH_DOM_OFF 2
#define BH_DOM_RESTARTING 3

/* UID words returned by BH_HC_CALL_UID in x0..x3 ("Bulkhead-HYP-UID" little endian). */
#define BH_HC_UID0 0x6b6c7542u
#define BH_HC_UID1 0x64616568u
#define BH_HC_UID2 0x5059482du
#define BH_HC_UID3 0x4449552du

#define BH_VERSION_MAJOR 0
#define BH_VERSION_MINOR 1

/* Return codes (SMCCC values where SMCCC defines one). */
#define BH_OK 0
#define BH_E_NOT_SUPPORTED (-1)
#define BH_E_INVALID (-2)
#define BH_E_DENIED (-3)
#define BH_E_BUSY (-4) /* over a limit the config sets (max-notify-rate): retry later */

#endif
