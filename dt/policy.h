/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The security policy (dt/policy.c): rules between domain types, and the
 * check every cross-domain hypercall makes.
 */
#ifndef DT_POLICY_H
#define DT_POLICY_H

#include "dt/plan.h"

/* May domain src do perm (of class cls) to domain tgt (NULL: the hypervisor)?
 * Default: no. */
bool dt_policy_allows(const struct plan *p, const struct dom_cfg *src, const struct dom_cfg *tgt,
		      enum policy_class cls, unsigned perm);
/* The same by type names (tgt HYPERVISOR_TYPE for class hypervisor). */
bool dt_policy_allows_type(const struct plan *p, const char *src, const char *tgt,
			   enum policy_class cls, unsigned perm);
/* Names of a class and of one permission (a PERM_* bit), "?" if none; a
 * permission's bit from its name, 0 if none. */
const char *dt_policy_class_name(enum policy_class cls);
const char *dt_policy_perm_name(unsigned perm);
unsigned dt_policy_perm(const char *name);
/* Add rule number idx ("SRC TGT : CLASS { PERM ... }") of the config node at
 * path to p; its types must be domains' types already read. */
int dt_policy_parse_rule(const char *text, const char *path, unsigned idx, struct plan *p,
			 struct dt_error *err);
/* The build's warnings about a config that parses: each pair of a
 * network's members no "net { send }" rule joins either way, each channel
 * neither end may notify over. warn gets each message; returns how many. */
unsigned dt_policy_lint(const struct plan *p, void (*warn)(const char *msg, void *arg), void *arg);
/* A label or type: a-z, 0-9, '-' and '_', not empty. */
bool dt_valid_name(const char *s);

#endif
