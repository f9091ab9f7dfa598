// SPDX-License-Identifier: Apache-2.0
/*
 * QEMU TCG plugin: exact count of executed guest instructions, all vCPUs and
 * all exception levels, printed at exit as "insns: N". Debian's QEMU 7.2
 * supports -plugin but ships no qemu-plugin.h, so the few declarations of
 * plugin API version 1 that this uses are written out here.
 *
 * Optional arguments (-plugin insncount.so,at=0x40080000,hit=2,lo=..,hi=..,stop=on):
 *   at, hit: when the block at virtual address `at` starts for the hit-th
 *     time, print "at: N M": N instructions ran before it, M of them in
 *     [lo, hi). Reset to a guest's first instruction: under QEMU -kernel the
 *     hypervisor's own entry is the first execution at its load address, a
 *     guest linked there the second (hit=2).
 *   stop: exit QEMU right there (nothing after it is measured).
 *   lo, hi alone: at exit, "in range: M" after "insns: N".
 *   xlo, xhi: instructions in [xlo, xhi) are left out of every count
 *     above (the hypervisor's idle wait, cpu_idle_wait: a CPU with nothing
 *     to run, whose turns depend on the host's scheduling; see
 *     docs/BENCHMARKS.md) and printed apart at exit as "left out: K".
 *   end: the counts printed at exit are those when the block at `end`
 *     first starts (the hypervisor's power-off call: what other CPUs run
 *     after it depends on when QEMU's main loop acts on the request); the
 *     instructions after it are printed apart as "after end: K".
 * Build: gcc -shared -fPIC -O2 -o insncount.so insncount.c
 */
#include <inttypes.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef uint64_t qemu_plugin_id_t;
typedef struct qemu_info_t qemu_info_t;
struct qemu_plugin_tb;
struct qemu_plugin_insn;
enum qemu_plugin_op { QEMU_PLUGIN_INLINE_ADD_U64 };
enum qemu_plugin_cb_flags { QEMU_PLUGIN_CB_NO_REGS };
typedef void (*tb_trans_cb)(qemu_plugin_id_t, struct qemu_plugin_tb *);
typedef void (*udata_cb)(qemu_plugin_id_t, void *);
typedef void (*vcpu_udata_cb)(unsigned int, void *);
void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t, tb_trans_cb);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *);
uint64_t qemu_plugin_tb_vaddr(const struct qemu_plugin_tb *);
struct qemu_plugin_insn *qemu_plugin_tb_get_insn(const struct qemu_plugin_tb *, size_t);
uint64_t qemu_plugin_insn_vaddr(const struct qemu_plugin_insn *);
void qemu_plugin_register_vcpu_insn_exec_inline(struct qemu_plugin_insn *, enum qemu_plugin_op,
						void *, uint64_t);
void qemu_plugin_register_vcpu_tb_exec_cb(struct qemu_plugin_tb *, vcpu_udata_cb,
					  enum qemu_plugin_cb_flags, void *);
void qemu_plugin_register_atexit_cb(qemu_plugin_id_t, udata_cb, void *);
void qemu_plugin_outs(const char *);

__attribute__((visibility("default"))) int qemu_plugin_version = 1;

/* One counter for every vCPU: with -icount QEMU runs them on one thread,
 * so the inline adds never race. */
static uint64_t count, in_range, left_out;
static uint64_t e_count, e_in_range, e_left_out; /* the counts at `end` */
static uint64_t end = ~0ULL, ended;
static uint64_t at = ~0ULL, lo, hi, xlo, xhi, hits, hit = 1;
static int stop;

static void on_at(unsigned int vcpu, void *p)
{
	(void)vcpu, (void)p;
	if (++hits != hit)
		return;
	char buf[80];
	snprintf(buf, sizeof(buf), "at: %" PRIu64 " %" PRIu64 "\n", count, in_range);
	qemu_plugin_outs(buf);
	if (stop)
		exit(0);
}

static void on_end(unsigned int vcpu, void *p)
{
	(void)vcpu, (void)p;
	if (ended++)
		return;
	e_count = count, e_in_range = in_range, e_left_out = left_out;
}

static void on_tb(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
	(void)id;
	size_t n = qemu_plugin_tb_n_insns(tb);
	if (qemu_plugin_tb_vaddr(tb) == at)
		qemu_plugin_register_vcpu_tb_exec_cb(tb, on_at, QEMU_PLUGIN_CB_NO_REGS, NULL);
	if (qemu_plugin_tb_vaddr(tb) == end)
		qemu_plugin_register_vcpu_tb_exec_cb(tb, on_end, QEMU_PLUGIN_CB_NO_REGS, NULL);
	for (size_t i = 0; i < n; i++) {
		struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
		uint64_t va = qemu_plugin_insn_vaddr(insn);
		if (va >= xlo && va < xhi) {
			qemu_plugin_register_vcpu_insn_exec_inline(insn, QEMU_PLUGIN_INLINE_ADD_U64,
								   &left_out, 1);
			continue;
		}
		qemu_plugin_register_vcpu_insn_exec_inline(insn, QEMU_PLUGIN_INLINE_ADD_U64, &count, 1);
		if (va >= lo && va < hi)
			qemu_plugin_register_vcpu_insn_exec_inline(insn, QEMU_PLUGIN_INLINE_ADD_U64,
								   &in_range, 1);
	}
}

static void at_exit(qemu_plugin_id_t id, void *p)
{
	(void)id;
	(void)p;
	char buf[80];
	if (ended) {
		snprintf(buf, sizeof(buf), "after end: %" PRIu64 "\n", count - e_count);
		qemu_plugin_outs(buf);
		count = e_count, in_range = e_in_range, left_out = e_left_out;
	}
	snprintf(buf, sizeof(buf), "insns: %" PRIu64 "\n", count);
	qemu_plugin_outs(buf);
	if (hi > lo) {
		snprintf(buf, sizeof(buf), "in range: %" PRIu64 "\n", in_range);
		qemu_plugin_outs(buf);
	}
	if (xhi > xlo) {
		snprintf(buf, sizeof(buf), "left out: %" PRIu64 "\n", left_out);
		qemu_plugin_outs(buf);
	}
}

__attribute__((visibility("default"))) int qemu_plugin_install(qemu_plugin_id_t id,
								const qemu_info_t *info, int argc,
								char **argv)
{
	(void)info;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i], *v = strchr(a, '=');
		if (!v)
			continue;
		uint64_t x = strtoull(v + 1, NULL, 0);
		if (!strncmp(a, "at=", 3))
			at = x;
		else if (!strncmp(a, "end=", 4))
			end = x;
		else if (!strncmp(a, "hit=", 4))
			hit = x;
		else if (!strncmp(a, "lo=", 3))
			lo = x;
		else if (!strncmp(a, "hi=", 3))
			hi = x;
		else if (!strncmp(a, "xlo=", 4))
			xlo = x;
		else if (!strncmp(a, "xhi=", 4))
			xhi = x;
		else if (!strncmp(a, "stop=", 5))
			stop = !strcmp(v + 1, "on");
	}
	qemu_plugin_register_vcpu_tb_trans_cb(id, on_tb);
	qemu_plugin_register_atexit_cb(id, at_exit, NULL);
	return 0;
}
