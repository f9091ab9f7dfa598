/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The virtual Ethernet switch of one network: ports (each a member domain's
 * virtio-net device), a forwarding table (static entries and MAC learning),
 * VLANs (access and trunk ports), flooding within a VLAN, per-port
 * counters, and a policy hook. A frame goes from the sender's transmit
 * chain straight into each receiver's receive buffers: nothing is queued or
 * allocated in between, so a receiver without a buffer loses the frame (and
 * the drop is counted). Pure: no locks (the caller holds the network's lock
 * across vswitch_tx), no console.
 */
#ifndef COMMON_VSWITCH_H
#define COMMON_VSWITCH_H

#include <stdbool.h>
#include <stdint.h>

#include "common/virtio_mmio.h"

/* Ports per network: one per member domain (BH_MAX_DOMAINS is 8). */
#define VSWITCH_PORTS_MAX 8u
/* Forwarding-table entries per network: static ones (one per port) plus
 * learned MACs; a full table replaces its oldest learned entry. */
#define VSWITCH_FDB_SIZE 64u
/* Frames taken from a sender's transmit queue per notify: then the guest
 * runs again (vswitch_tx says more are waiting). Bounds the work of one
 * exit: 32 frames x up to 7 receivers x 1.5 KiB. */
#define VSWITCH_BUDGET 32u
/* The virtio-net header with VIRTIO_F_VERSION_1 (§5.1.6): 12 bytes. */
#define VNET_HDR_LEN 12u
/* Frames (without FCS): at least the Ethernet header, at most 1500 bytes of
 * payload plus one 802.1Q tag. No GSO is offered, so nothing is larger. */
#define ETH_HDR_LEN   14u
#define VLAN_TAG_LEN  4u
#define ETH_MTU	      1500u
#define ETH_FRAME_MAX (ETH_HDR_LEN + VLAN_TAG_LEN + ETH_MTU)
#define VLAN_ID_MAX   4094u

/* What Linux's virtio_net needs of a net device and no more: VERSION_1
 * (added by the transport) and the MAC the config gives the member. */
#define VSWITCH_NET_FEATURES (1ULL << VIRTIO_NET_F_MAC)

struct vswitch_counters {
	uint64_t tx_frames, tx_bytes; /* taken from this port's TX queue, forwarded or not */
	uint64_t rx_frames, rx_bytes; /* delivered into this port's RX buffers */
	uint64_t rx_drop_no_buf;      /* for this port, lost: no (large enough) RX buffer */
	uint64_t tx_drop_policy;      /* from this port, not delivered to a port: policy */
	uint64_t tx_drop_vlan;	      /* from this port: a VLAN it may not use, nested tags */
	uint64_t tx_drop_bad;	      /* from this port: runt, oversize, GSO, bad source MAC */
};

struct vswitch_port {
	struct virtio_mmio dev; /* the member's virtio-net device */
	unsigned domain;	/* the member domain's id (the policy's subject/object) */
	uint8_t mac[6];
	bool trunk;	      /* trunk: tagged frames of allowed VLANs; access: untagged only */
	uint16_t pvid;	      /* access: its VLAN; trunk: the native (untagged) VLAN, 0 = none */
	uint64_t allowed[64]; /* trunk: bitmap of allowed VLAN ids */
	bool pending;	      /* its TX queue still has frames after the last budget */
	struct vswitch_counters c;
};

struct vswitch_fdb {
	uint8_t mac[6];
	uint16_t vlan;
	uint8_t port;
	bool used, fixed; /* fixed: a static entry (never learned over, never evicted) */
	uint64_t stamp;	  /* last seen (frames forwarded by this switch) */
};

/* The policy hook: may the domain of port src send to that of port dst? */
typedef bool (*vswitch_may_send_fn)(const void *ctx, unsigned src_port, unsigned dst_port);

struct vswitch {
	unsigned nports;
	struct vswitch_port port[VSWITCH_PORTS_MAX];
	struct vswitch_fdb fdb[VSWITCH_FDB_SIZE];
	uint64_t clock; /* frames seen: the forwarding table's time */
	vswitch_may_send_fn may_send;
	const void *policy_ctx;
	/* Scratch for the chains of the frame being forwarded (not on the
	 * 16 KiB EL2 stack); only used under the network's lock. */
	struct vq_chain tx_chain, rx_chain;
};

/* A switch with no ports; may_send NULL allows everything. */
void vswitch_init(struct vswitch *sw, vswitch_may_send_fn may_send, const void *policy_ctx);

/* Add a port: the member domain's RAM, its MAC (also a static entry), its
 * VLANs (trunk: allowed[] of count ids; pvid as above). Its index, or -1
 * (full, bad VLAN). */
int vswitch_add_port(struct vswitch *sw, unsigned domain, const struct vq_mem *mem,
		     const uint8_t mac[6], bool trunk, uint16_t pvid, const uint16_t *allowed,
		     unsigned count);

/* A static forwarding entry (mac in vlan is behind port): false if full or bad. */
bool vswitch_add_static(struct vswitch *sw, const uint8_t mac[6], uint16_t vlan, unsigned port);

enum vswitch_result {
	VSWITCH_IDLE,  /* the TX queue is empty */
	VSWITCH_MORE,  /* the budget is spent and frames wait: call again later */
	VSWITCH_FAULT, /* the sender's device broke (NEEDS_RESET) and stopped */
};

/*
 * The sender's TX notify: forward up to VSWITCH_BUDGET frames from port
 * src. *irq gets a bit per port whose interrupt line must be raised (the
 * sender for its used TX buffers, receivers for their RX buffers, a device
 * that broke for its configuration change).
 */
enum vswitch_result vswitch_tx(struct vswitch *sw, unsigned src, uint32_t *irq);

/* The sender's port index for a device, or -1. */
int vswitch_port_of(const struct vswitch *sw, const struct virtio_mmio *dev);

#endif
