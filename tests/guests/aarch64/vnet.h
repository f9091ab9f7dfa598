/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A minimal bare-metal virtio-net driver (virtio-mmio version 2, split
 * virtqueues) that answers ARP requests and ICMP echo requests for one IPv4
 * address: enough for Linux to `ping` a real-time domain. Written as a
 * template an RTOS can copy: no allocation, static rings in its own RAM,
 * bounded work per call, no dependency but five small hooks (below).
 */
#ifndef TESTGUEST_VNET_H
#define TESTGUEST_VNET_H

#include <stdbool.h>
#include <stdint.h>

struct vnet_stats {
	uint32_t rx;	       /* frames received */
	uint32_t arp;	       /* ARP requests answered */
	uint32_t icmp;	       /* ICMP echo requests answered */
	uint32_t ignored;      /* frames not for us, or not ARP/ICMP echo */
	uint32_t bad;	       /* malformed frames (short, bad lengths) */
	uint32_t tx_full;      /* replies dropped: no free transmit buffer */
	uint32_t notifies;     /* QueueNotify writes (each one exit to the hypervisor) */
	uint32_t arp_replies;  /* ARP replies from the address vnet_arp_probe asked for */
	uint32_t arp_others;   /* ARP requests seen for other addresses (broadcast) */
	uint32_t echo_replies; /* ICMP echo replies to us (answers to vnet_ping) */
	uint32_t arp_asked;    /* ARP requests from the probed address (its MAC learnt too) */
};

/*
 * Finds the first `virtio,mmio` node of the DT whose device is a network
 * card, resets it, negotiates VIRTIO_F_VERSION_1 (and VIRTIO_NET_F_MAC if
 * offered), sets up the receive and transmit queues and posts every receive
 * buffer. ip is the address to answer for, in host order (10.0.0.3 is
 * 0x0a000003). Returns NULL, or why the device could not be used.
 */
const char *vnet_init(const void *fdt, uint32_t ip);

/* The device's interrupt (INTID), known after vnet_init. */
unsigned vnet_intid(void);

/* For the IRQ handler: acknowledges the device's interrupt (its level line
 * drops); the work itself is done by vnet_poll, outside the handler. */
void vnet_irq_ack(void);

/*
 * Handles at most `budget` received frames (answering ARP and ICMP echo),
 * reposts their buffers and reclaims sent ones. Returns true if more frames
 * are waiting (call again), false if the receive queue is empty. Run it with
 * interrupts enabled: it never waits, and a timer tick may preempt it.
 */
bool vnet_poll(unsigned budget);

/* True once the device reported DEVICE_NEEDS_RESET (it then moves nothing). */
bool vnet_broken(void);

/* Sends an ARP request (who has ip?); its replies count in arp_replies.
 * False if it could not be sent (no device, broken, no transmit buffer). */
bool vnet_arp_probe(uint32_t ip);

/* Sends an ICMP echo request with `payload` bytes (at most 1472) and
 * sequence number seq to ip, at the MAC the last vnet_arp_probe reply gave;
 * its reply counts in echo_replies. False if it could not be sent. */
bool vnet_ping(uint32_t ip, unsigned payload, uint16_t seq);

/* The device's window (0 before vnet_init found one). */
uint64_t vnet_base(void);

const struct vnet_stats *vnet_stats(void);
/* The MAC in use (from the device's config space, or the default). */
const uint8_t *vnet_mac(void);

#endif
