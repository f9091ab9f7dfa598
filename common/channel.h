/* SPDX-License-Identifier: Apache-2.0 */
/* Channels between domains (shared memory + doorbells): common/channel.c. */
#ifndef COMMON_CHANNEL_H
#define COMMON_CHANNEL_H

#include <stdbool.h>
#include <stdint.h>

#include "common/hypercall.h"

struct domain;

/* At domain creation, before its DT is built: map each of its channels and
 * claim their doorbell SPIs. Returns 0, or -1 after logging why. */
int channels_attach(struct domain *d, unsigned uart_intid);
/* Is INTID already an interrupt of one of the domain's devices (passed
 * through, or every board device dom0 gets)? */
bool domain_devices_use_intid(const struct domain *d, unsigned intid);
/* BH_HC_CHANNEL_NOTIFY: ring the peer's doorbell of channel `id`. */
int64_t channel_notify(struct domain *d, uint64_t id);

#endif
