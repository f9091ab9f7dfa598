/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: Bulkhead's hypercall decoding (common/hypercall.c) as a
 * hostile guest calls it, on the fake architecture (fake_env.h): each input
 * is a list of calls, x0-x7 as the guest leaves them (any function ID, SMC32
 * and SMC64 forms, any arguments), by a vCPU of either domain. A call must
 * never touch the other domain (no policy rule allows anything here), SMC32
 * results stay in r0-r3, and a call it does not know is left to the caller.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/hypercall.h"
#include "tests/fake/fake_env.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fake_setup(3);
	static struct domain other;
	enum { CALL = 1 + 8 * 8 };
	for (size_t p = 0; p + CALL <= size && p < 32 * CALL; p += CALL) {
		struct domain *d = &domains[data[p] >> 7];
		struct vcpu *v = &d->vcpu[(data[p] >> 6) & 1];
		uint64_t x[8], in[8];
		memcpy(x, data + p + 1, sizeof(x));
		/* Mostly Bulkhead's own range (SMC32 0x86000000, SMC64 0xC6000000),
		 * the low bits of the ID from the input. */
		if (data[p] & 1)
			x[0] = (data[p] & 2 ? 0xC6000000u : 0x86000000u) | (x[0] & 0xffff);
		memcpy(in, x, sizeof(in));
		fake_enter(v);
		fake_snapshot(&domains[1 - d->id], &other);
		bool known = hypercall_handle(v, x);
		fake_check_unchanged(&domains[1 - d->id], &other, "a hypercall");
		if (!known && memcmp(x, in, sizeof(x))) {
			fprintf(stderr, "unknown call 0x%llx changed the caller's registers\n",
				(unsigned long long)in[0]);
			abort();
		}
		if (known && !(in[0] & 0x40000000u) && memcmp(x + 4, in + 4, 4 * sizeof(x[0]))) {
			fprintf(stderr, "SMC32 call 0x%llx changed r4-r7\n", (unsigned long long)in[0]);
			abort();
		}
	}
	return 0;
}
