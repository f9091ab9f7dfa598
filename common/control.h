/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The control device (docs/control.md): a virtio-console device (virtio id
 * 3, one port, no MULTIPORT) emulated at EL2 in the control domain only, so
 * dom0's stock virtio_console driver gives its userland /dev/hvc0, which
 * tools/bhctl.c speaks a line protocol over: a command line in, reply lines
 * (each ". text") and one status line ("ok" or "error: why") out. Every
 * command is checked by the policy against dom0's type, and denials audited.
 */
#ifndef COMMON_CONTROL_H
#define COMMON_CONTROL_H

#include <stdbool.h>
#include <stddef.h>

#include "common/spinlock_types.h"
#include "common/virtio_mmio.h"
#include "dt/dt.h"

#define VIRTIO_ID_CONSOLE 3
#define CTL_LINE_MAX	  128u	/* a command line, its '\n' excluded */
#define CTL_OUT_MAX	  4096u /* reply bytes not yet taken by the driver */
#define CTL_OUT_RESERVE	  64u	/* kept for a reply's status line */
#define CTL_TX_BUDGET	  16u	/* chains taken from the transmit queue per notify */
#define CTL_CHAIN_BYTES	  512u	/* bytes read of one chain; the rest is dropped */

struct domain;

struct ctl {
	struct spinlock lock; /* everything below */
	struct domain *dom;   /* the control domain: the caller of every command */
	struct vnet_view view;
	struct virtio_mmio dev;
	char line[CTL_LINE_MAX]; /* the command line being received */
	unsigned len;
	bool too_long;	       /* the line being received passed CTL_LINE_MAX: dropped */
	char out[CTL_OUT_MAX]; /* replies, [out_pos, out_len) not yet delivered */
	unsigned out_pos, out_len;
	bool truncated;	       /* the current reply lost lines: no room */
	struct vq_chain chain; /* scratch for the chain being moved */
};

/* At dom0's creation: the device's window and SPI. 0, or -1 after logging. */
int control_attach(struct domain *d, unsigned uart_intid);
/* Its window and SPI for dom0's DT, or NULL (no control device). */
const struct vnet_view *control_view(void);
/* d's (re)load: if it has the device, the device and its buffers reset. */
void control_domain_reset(struct domain *d);

/* Bytes the driver sent: whole lines are commands, run as c->dom; replies
 * go to c->out. Exposed for tests/unit/test_control.c. */
void control_input(struct ctl *c, const char *buf, size_t n);

#endif
