/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The partition plan: what each domain gets, read from a config DTB
 * (configs/<name>.dts) and checked against the board. Shared by the hypervisor
 * (boot-time check) and the host tools (build-time check).
 */
#ifndef DT_PLAN_H
#define DT_PLAN_H

#include "dt/devices.h"
#include "dt/dt.h"

enum on_fault { FAULT_STOP, FAULT_RESTART, FAULT_HALT };

struct dom_cfg {
	char name[BH_NAME_MAX];
	unsigned id;
	bool control;
	char label[32]; /* its security type ("type", default "domain_t") */
	unsigned ncpus;
	unsigned cpus[BH_MAX_CPUS]; /* vCPU i runs on physical CPU cpus[i] (board index) */
	uint64_t mem_size;
	uint64_t mem_base; /* fixed physical base (IPA = PA) or 0 = anywhere */
	char kernel[BH_IMAGE_NAME_MAX];
	char initrd[BH_IMAGE_NAME_MAX];
	char bootargs[BH_BOOTARGS_MAX];
	enum on_fault on_fault;
	bool firmware_layout; /* layout = "firmware": DT at the start of RAM (image.h) */
	bool dma_trusted; /* "dma-trusted": may own DMA masters (without an IOMMU: all memory) */
	unsigned ndevices;
	char devices[BH_MAX_DEVICES][96]; /* board DT paths passed through */
	struct dev_res dev[BH_MAX_DEVICES]; /* filled when checked against a board */
	int dev_node[BH_MAX_DEVICES];	     /* their board DT offsets then, else -1 */
	int node; /* offset of its node in the config DT */
};

#define BH_MAX_CHANNELS 16
#define BH_MAX_RULES 32
#define BH_CHANNEL_MAX_SIZE (16u << 20)
/* max-notify-rate: at most one notification per microsecond; beyond that a
 * limit would not bound anything a guest's hypercall rate does not already. */
#define BH_MAX_NOTIFY_RATE 1000000u

/* A channel: memory shared by two domains, and a doorbell each way. */
struct chan_cfg {
	unsigned id;		  /* channel@<id> */
	unsigned end[2];	  /* the two domains (indices into plan.dom) */
	uint64_t size;		  /* bytes, a multiple of 4 KiB */
	uint32_t max_notify_rate; /* notifications per second each way; 0: no limit */
};

/*
 * Policy in the spirit of XSM-Flask: "SRC TGT : CLASS { PERM ... }" grants
 * domains of type SRC the permissions of CLASS on TGT: a domain of that type
 * (classes domain, console), the channels to one (channel), the frames to
 * one (net), or the hypervisor itself, whose type is "hypervisor_t" (class
 * hypervisor). Nothing is allowed that no rule allows (docs/config.md).
 */
enum policy_class { CLASS_DOMAIN, CLASS_CHANNEL, CLASS_NET, CLASS_CONSOLE, CLASS_HYPERVISOR,
		    CLASS_COUNT };
#define PERM_QUERY   1u	  /* domain */
#define PERM_RESTART 2u	  /* domain */
#define PERM_NOTIFY  4u	  /* channel */
#define PERM_STOP    8u	  /* domain */
#define PERM_START   16u  /* domain */
#define PERM_SEND    32u  /* net */
#define PERM_READ    64u  /* console */
#define PERM_STATS   128u /* hypervisor */
#define PERM_AUDIT   256u /* hypervisor */
#define PERM_COUNT   9
/* The target type of class hypervisor: no domain has it. */
#define HYPERVISOR_TYPE "hypervisor_t"
struct rule {
	char src[32], tgt[32];
	enum policy_class cls;
	unsigned perms;
};

/*
 * Virtual networks (docs/networking.md): each member domain gets one port of
 * the network's switch (common/vswitch.c), an emulated virtio-net device.
 * BH_NET_MAX_PORTS is VSWITCH_PORTS_MAX: one port per domain of the board.
 */
#define BH_MAX_NETWORKS	  4
#define BH_NET_MAX_PORTS  8
#define BH_NET_MAX_VLANS  16 /* VLANs a trunk port may carry */
#define BH_VLAN_ID_MAX	  4094

struct net_port_cfg {
	unsigned id;	       /* port@<id> */
	unsigned dom;	       /* the member (index into plan.dom) */
	uint8_t mac[6];	       /* 'mac-address', or derived (docs/config.md) */
	bool trunk;	       /* 'vlans' given: tagged frames of those VLANs */
	uint16_t pvid;	       /* access: 'vlan' (default 1); trunk: 'native-vlan' or 0 */
	unsigned nvlans;
	uint16_t vlans[BH_NET_MAX_VLANS];
};

struct net_cfg {
	unsigned id; /* network@<id> */
	unsigned nports;
	struct net_port_cfg port[BH_NET_MAX_PORTS];
};

struct plan {
	unsigned ndoms;
	struct dom_cfg dom[BH_MAX_DOMAINS];
	unsigned nchans;
	struct chan_cfg chan[BH_MAX_CHANNELS];
	unsigned nrules;
	struct rule rule[BH_MAX_RULES];
	unsigned nnets;
	struct net_cfg net[BH_MAX_NETWORKS];
	/* /bulkhead/insecure-pmu-el2: guests' PMUs may count EL2 (measurement
	 * configs only, e.g. make bench; never in a product). */
	bool insecure_pmu_el2;
};


/* Read and check a config. `b` may be NULL (syntax-only check). */
int dt_plan_read(const void *cfg, const struct board *b, struct plan *p, struct dt_error *err);
const char *dt_fault_name(enum on_fault f);

#endif
