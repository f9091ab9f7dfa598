/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The control device and its commands (see control.h, docs/control.md).
 * Queues (virtio 1.2 §5.3.2, no MULTIPORT): 0 receiveq, device -> driver,
 * where replies go; 1 transmitq, driver -> device, where commands come
 * from. Work per notify is bounded (CTL_TX_BUDGET chains of at most
 * CTL_CHAIN_BYTES read); a reply waits in c->out for receive buffers.
 * Lock order: c->lock, then what commands take (a domain's lock, the
 * console's, the audit ring's, the vGIC's).
 */
#include "common/control.h"
#include "arch.h"
#include "common/audit.h"
#include "common/channel.h"
#include "common/console.h"
#include "common/domain.h"
#include "common/lib.h"
#include "common/percpu.h"
#include "common/report.h"
#include "common/vnet.h"

#define RXQ 0
#define TXQ 1

static struct ctl ctl;
static bool ctl_ready;

/* One reply line: prefix and text, then '\n'. A data line that does not fit
 * (leaving room for the status line) is dropped and the reply marked. */
static void out_line(struct ctl *c, const char *prefix, const char *s, bool status)
{
	unsigned np = (unsigned)strlen(prefix), n = (unsigned)strlen(s);
	if (c->out_pos == c->out_len)
		c->out_pos = c->out_len = 0;
	unsigned room = CTL_OUT_MAX - c->out_len;
	if (!status)
		room = room > CTL_OUT_RESERVE ? room - CTL_OUT_RESERVE : 0;
	if (np + n + 1 > room) {
		if (c->out_pos) { /* delivered bytes make room */
			memmove(c->out, c->out + c->out_pos, c->out_len - c->out_pos);
			c->out_len -= c->out_pos;
			c->out_pos = 0;
			out_line(c, prefix, s, status);
		} else {
			c->truncated = true;
		}
		return;
	}
	memcpy(c->out + c->out_len, prefix, np);
	memcpy(c->out + c->out_len + np, s, n);
	c->out_len += np + n;
	c->out[c->out_len++] = '\n';
}

static void emit(const char *line, void *arg)
{
	out_line(arg, ". ", line, false);
}

static struct domain *by_name(const char *name)
{
	for (unsigned i = 0; i < ndomains; i++)
		if (!strcmp(domains[i].name, name))
			return &domains[i];
	return NULL;
}

static const char *const state_name[] = {[DOM_RUNNING] = "running",
					 [DOM_STOPPED] = "stopped",
					 [DOM_OFF] = "off",
					 [DOM_RESTARTING] = "restarting"};

/* list: every domain the caller may query (itself always). */
static const char *cmd_list(struct ctl *c)
{
	char line[128], cpus[40];
	emit("NAME       ID STATE      CPUS     MEMORY RESTARTS      EXITS", c);
	for (unsigned i = 0; i < ndomains; i++) {
		struct domain *d = &domains[i];
		if (d != c->dom && !policy_check(c->dom, d, CLASS_DOMAIN, PERM_QUERY))
			continue;
		unsigned o = 0;
		for (unsigned k = 0; k < d->cfg->ncpus && o < sizeof(cpus) - 4; k++)
			o += (unsigned)snprintf(cpus + o, sizeof(cpus) - o, "%s%u", k ? "," : "",
						d->cfg->cpus[k]);
		cpus[o] = 0;
		snprintf(line, sizeof(line), "%-10s %2u %-10s %-8s %5lluM %8u %10llu", d->name,
			 d->id, state_name[__atomic_load_n(&d->state, __ATOMIC_ACQUIRE)], cpus,
			 (unsigned long long)(d->ram_size >> 20), d->restarts,
			 (unsigned long long)stats_exits_of_domain(d));
		emit(line, c);
	}
	return NULL;
}

/* stop, start, restart and console of another domain, as the policy allows. */
static const char *cmd_domain(struct ctl *c, enum policy_class cls, unsigned perm, const char *name)
{
	struct domain *t = by_name(name);
	if (!t)
		return "no such domain";
	if (t == c->dom && cls == CLASS_DOMAIN)
		return "not the control domain itself (use its own reboot or poweroff)";
	if (t != c->dom && !policy_check(c->dom, t, cls, perm))
		return "permission denied";
	enum dom_state st = __atomic_load_n(&t->state, __ATOMIC_ACQUIRE);
	switch (perm) {
	case PERM_READ:
		console_domain_history(t, emit, c);
		return NULL;
	case PERM_STOP:
		return domain_stop(t) ? NULL : "not running";
	case PERM_START:
		if ((st != DOM_OFF && st != DOM_STOPPED) ||
		    !__atomic_compare_exchange_n(&t->state, &st, DOM_RESTARTING, false,
						 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
			return "not off or stopped";
		bh_log("domain %s started by the control domain", t->name);
		arch_send_event(); /* its vCPU 0's CPU loads it */
		return NULL;
	default:
		/* dom0 may send many in one notify: rate-limited as its reports. */
		if (report_allowed(c->dom))
			bh_log("domain %s restarted by the control domain", t->name);
		domain_reboot(t);
		return NULL;
	}
}

static const char *run(struct ctl *c, const char *cmd, const char *arg)
{
	static const struct {
		char name[8];
		uint8_t cls;
		uint16_t perm;
	} op[] = {{"stop", CLASS_DOMAIN, PERM_STOP},	   {"start", CLASS_DOMAIN, PERM_START},
		  {"restart", CLASS_DOMAIN, PERM_RESTART}, {"console", CLASS_CONSOLE, PERM_READ},
		  {"stats", CLASS_HYPERVISOR, PERM_STATS}, {"audit", CLASS_HYPERVISOR, PERM_AUDIT}};
	if (!strcmp(cmd, "list"))
		return *arg ? "list takes no argument" : cmd_list(c);
	for (unsigned i = 0; i < ARRAY_SIZE(op); i++) {
		if (strcmp(cmd, op[i].name))
			continue;
		if (op[i].cls != CLASS_HYPERVISOR)
			return *arg ? cmd_domain(c, op[i].cls, op[i].perm, arg)
				    : "which domain? (a name)";
		if (*arg)
			return "takes no argument";
		if (!policy_check(c->dom, NULL, CLASS_HYPERVISOR, op[i].perm))
			return "permission denied";
		if (op[i].perm == PERM_STATS)
			stats_each(emit, c);
		else
			audit_each(emit, c);
		return NULL;
	}
	return "unknown command (list, stop, start, restart, console, stats, audit)";
}

/* One complete line: "COMMAND [ARG]". Anything but printable ASCII is junk. */
static void exec(struct ctl *c)
{
	char *s = c->line, *arg;
	const char *err = NULL;
	s[c->len] = 0;
	for (unsigned i = 0; i < c->len; i++)
		if (s[i] < 0x20 || s[i] > 0x7e)
			err = "not a text line";
	while (*s == ' ')
		s++;
	for (arg = s; *arg && *arg != ' '; arg++)
		;
	if (*arg)
		*arg++ = 0;
	while (*arg == ' ')
		arg++;
	for (char *e = arg + strlen(arg); e > arg && e[-1] == ' ';)
		*--e = 0;
	if (!err && !*s)
		return; /* an empty line: nothing to answer */
	c->truncated = false;
	if (!err)
		err = run(c, s, arg);
	if (!err && c->truncated)
		err = "reply too long: lines lost";
	out_line(c, err ? "error: " : "ok", err ? err : "", true);
}

void control_input(struct ctl *c, const char *buf, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char ch = buf[i];
		if (ch == '\n') {
			if (c->too_long)
				out_line(c, "error: ", "line too long", true);
			else
				exec(c);
			c->len = 0;
			c->too_long = false;
		} else if (ch != '\r' && !c->too_long) {
			if (c->len == CTL_LINE_MAX - 1)
				c->too_long = true;
			else
				c->line[c->len++] = ch;
		}
	}
}

/* Replies into the driver's receive buffers, as many as it posted. */
static void deliver(struct ctl *c)
{
	struct virtq *q = virtio_mmio_queue(&c->dev, RXQ);
	bool used = false;
	while (q && c->out_pos < c->out_len) {
		enum vq_err e = vq_pop(q, &c->dev.mem, true, &c->chain);
		if (e == VQ_EMPTY)
			break;
		uint32_t done = 0;
		for (unsigned i = 0; !e && i < c->chain.nseg && c->out_pos < c->out_len; i++) {
			uint32_t k = MIN(c->chain.seg[i].len, c->out_len - c->out_pos);
			memcpy(c->chain.seg[i].p, c->out + c->out_pos, k);
			c->out_pos += k;
			done += k;
		}
		if (!e)
			e = vq_push(q, &c->dev.mem, c->chain.head, done);
		if (e) {
			virtio_mmio_fail(&c->dev, RXQ, e);
			return;
		}
		used = true;
	}
	if (used)
		virtio_mmio_used(&c->dev, RXQ);
}

/* Commands from the transmit queue: a bounded batch. */
static void receive(struct ctl *c)
{
	struct virtq *q = virtio_mmio_queue(&c->dev, TXQ);
	unsigned n;
	for (n = 0; q && n < CTL_TX_BUDGET; n++) {
		enum vq_err e = vq_pop(q, &c->dev.mem, false, &c->chain);
		if (e == VQ_EMPTY)
			break;
		uint32_t left = CTL_CHAIN_BYTES;
		for (unsigned i = 0; !e && i < c->chain.nseg && left; i++) {
			uint32_t k = MIN(c->chain.seg[i].len, left);
			control_input(c, (const char *)c->chain.seg[i].p, k);
			left -= k;
		}
		if (!left && c->chain.len > CTL_CHAIN_BYTES)
			c->too_long = true; /* the rest of this line is dropped */
		if (!e)
			e = vq_push(q, &c->dev.mem, c->chain.head, 0);
		if (e) {
			virtio_mmio_fail(&c->dev, TXQ, e);
			return;
		}
	}
	if (n)
		virtio_mmio_used(&c->dev, TXQ);
}

static bool ctl_access(struct vcpu *v, uint64_t off, unsigned size, bool write, uint64_t *val)
{
	struct ctl *c = &ctl;
	enum virtio_mmio_result r;
	unsigned queue = 0;
	spin_lock(&c->lock);
	if (write) {
		r = virtio_mmio_write(&c->dev, (uint32_t)off, size, (uint32_t)*val, &queue);
	} else {
		uint32_t x = 0;
		r = virtio_mmio_read(&c->dev, (uint32_t)off, size, &x);
		*val = x;
	}
	if (r == VIRTIO_MMIO_NOTIFY && queue == TXQ)
		receive(c);
	if (r == VIRTIO_MMIO_NOTIFY || (write && off == VIRTIO_MMIO_STATUS))
		deliver(c);
	arch_irq_set_level(c->dom, c->view.intid, virtio_mmio_irq(&c->dev));
	spin_unlock(&c->lock);
	if (r == VIRTIO_MMIO_BAD && report_allowed(v->dom))
		bh_dlog(v->dom->name, "control device: bad %s of %u bytes at +0x%llx ignored", write ? "write" : "read", size, (unsigned long long)off);
	return true;
}

int control_attach(struct domain *d, unsigned uart_intid)
{
	struct ctl *c = &ctl;
	uint64_t ipa = vnet_window_ipa(d, BH_MAX_NETWORKS);
	/* The highest SPI below the channels' and networks' that is free. */
	unsigned intid = 32 + arch_irq_lines(d) - 1 - plan.nchans - plan.nnets;
	while (intid >= 32 && (intid == uart_intid || domain_devices_use_intid(d, intid)))
		intid--;
	bool in_ram = false; /* board RAM it does not own: no device there */
	for (unsigned i = 0; i < board.nmem; i++)
		in_ram |= ipa >= board.mem[i].base &&
			  ipa + 0x1000 <= board.mem[i].base + board.mem[i].size;
	if (intid < 32 || d->nvmmio == BH_MAX_VMMIO || !in_ram) {
		bh_dlog(d->name, "no %s left for the control device",
		       intid < 32 ? "free SPI"
		       : in_ram	  ? "emulated region"
				  : "room above its RAM");
		return -1;
	}
	struct vq_mem mem = {
	    .base = d->ram_ipa, .size = d->ram_size, .host = (uint8_t *)(uintptr_t)d->ram_pa};
	static const uint8_t no_config[1]; /* no config space (no F_SIZE, no MULTIPORT) */
	virtio_mmio_init(&c->dev, VIRTIO_ID_CONSOLE, 0, no_config, 0, 2, &mem);
	c->dom = d;
	c->view = (struct vnet_view){.ipa = ipa, .intid = intid};
	if (arch_irq_own(d, intid, false, "its control device"))
		return -1;
	d->vmmio[d->nvmmio++] =
	    (struct vmmio){.base = ipa, .size = VNET_WINDOW_SIZE, .access = ctl_access};
	ctl_ready = true;
	bh_dlog(d->name, "control device (virtio-console) at 0x%llx, SPI %u",
	       (unsigned long long)ipa, intid);
	return 0;
}

const struct vnet_view *control_view(void)
{
	return ctl_ready ? &ctl.view : NULL;
}

void control_domain_reset(struct domain *d)
{
	struct ctl *c = &ctl;
	if (!ctl_ready || c->dom != d)
		return;
	spin_lock(&c->lock);
	virtio_mmio_reset(&c->dev);
	c->len = c->out_pos = c->out_len = 0;
	c->too_long = c->truncated = false;
	arch_irq_set_level(d, c->view.intid, false);
	spin_unlock(&c->lock);
}
