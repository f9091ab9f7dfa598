// SPDX-License-Identifier: Apache-2.0
/*
 * QEMU TCG plugin: executed instructions per translation block, to find
 * where a run spends them. At exit it prints "tb <vaddr> <insns>" for every
 * block that ran; tests/bench/profile.sh folds those onto the hypervisor's
 * symbols. Like insncount.c, it declares the few plugin API version 1 calls
 * it uses (Debian's QEMU 7.2 ships no qemu-plugin.h).
 * Build: gcc -shared -fPIC -O2 -o profile.so profile.c
 */
#include <inttypes.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

typedef uint64_t qemu_plugin_id_t;
typedef struct qemu_info_t qemu_info_t;
struct qemu_plugin_tb;
enum qemu_plugin_op { QEMU_PLUGIN_INLINE_ADD_U64 };
typedef void (*tb_trans_cb)(qemu_plugin_id_t, struct qemu_plugin_tb *);
typedef void (*udata_cb)(qemu_plugin_id_t, void *);
void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t, tb_trans_cb);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *);
uint64_t qemu_plugin_tb_vaddr(const struct qemu_plugin_tb *);
void qemu_plugin_register_vcpu_tb_exec_inline(struct qemu_plugin_tb *, enum qemu_plugin_op,
					      void *, uint64_t);
void qemu_plugin_register_atexit_cb(qemu_plugin_id_t, udata_cb, void *);

__attribute__((visibility("default"))) int qemu_plugin_version = 1;

/* One record per translation (a block translated twice counts twice: the
 * sum per address is what the fold adds up). */
struct rec {
	uint64_t vaddr, insns;
	struct rec *next;
};
static struct rec *recs;

static void on_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
	(void)id;
	struct rec *r = calloc(1, sizeof(*r));
	if (!r)
		return;
	r->vaddr = qemu_plugin_tb_vaddr(tb);
	r->next = recs;
	recs = r;
	qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64, &r->insns,
						 qemu_plugin_tb_n_insns(tb));
}

static void at_exit(qemu_plugin_id_t id, void *p)
{
	(void)id, (void)p;
	FILE *f = fopen(getenv("BH_PROFILE_OUT") ? getenv("BH_PROFILE_OUT") : "profile.txt", "w");
	if (!f)
		return;
	for (struct rec *r = recs; r; r = r->next)
		if (r->insns)
			fprintf(f, "tb %" PRIx64 " %" PRIu64 "\n", r->vaddr, r->insns);
	fclose(f);
}

__attribute__((visibility("default"))) int qemu_plugin_install(qemu_plugin_id_t id,
							       const qemu_info_t *info, int argc,
							       char **argv)
{
	(void)info, (void)argc, (void)argv;
	qemu_plugin_register_vcpu_tb_trans_cb(id, on_trans);
	qemu_plugin_register_atexit_cb(id, at_exit, NULL);
	return 0;
}
