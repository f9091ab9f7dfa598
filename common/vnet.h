/* SPDX-License-Identifier: Apache-2.0 */
/* Virtual networks wired into domains (common/vnet.c): docs/networking.md. */
#ifndef COMMON_VNET_H
#define COMMON_VNET_H

#include <stdbool.h>

struct domain;
struct vcpu;

/* At domain creation, after its channels and before its DT is built: a port
 * on each network it is a member of, its virtio-mmio window and its SPI.
 * Returns 0, or -1 after logging why. */
int vnet_attach(struct domain *d, unsigned uart_intid);
/* Its devices reset (status 0, line low): from now on frames to it are
 * dropped and counted, and its RAM is not written. The domain went down or
 * is being (re)loaded. */
void vnet_domain_reset(struct domain *d);
/* A sender that spent its budget: forward what waits, on its next exit. */
void vnet_run_pending(struct vcpu *v);

/* Where emulated device window k of d goes (networks: k = their index;
 * the control device: BH_MAX_NETWORKS). */
#include <stdint.h>
uint64_t vnet_window_ipa(const struct domain *d, unsigned k);

/* Each port's counters, one line per port (with the exit statistics). */
void vnet_print_stats(void);

#endif
