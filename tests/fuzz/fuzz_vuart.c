/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: the emulated PL011 (common/vuart.c) as a hostile guest
 * drives it, on the fake architecture (fake_env.h): register accesses of any
 * offset, size and value by either domain, input characters arriving, and
 * the interrupt it raises. The other domain's state must stay unchanged, and
 * the register file must read back within its masks.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/fake/fake_env.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint16_t regs[] = {0x00, 0x04, 0x18, 0x20, 0x24, 0x28, 0x2c, 0x30,
					0x34, 0x38, 0x3c, 0x40, 0x44, 0x48, 0xfe0, 0xffc};
	fake_setup(size && (data[0] & 1) ? 3 : 2);
	static struct domain other;
	for (size_t p = 1; p + 6 <= size && p < 1 + 256 * 6; p += 6) {
		uint8_t sel = data[p];
		struct domain *d = &domains[sel >> 7];
		struct vcpu *v = &d->vcpu[(sel >> 6) & 1];
		uint16_t off = (uint16_t)(data[p + 1] | data[p + 2] << 8);
		uint32_t val = (uint32_t)data[p + 3] | (uint32_t)data[p + 4] << 8 |
			       (uint32_t)data[p + 5] << 16;
		fake_enter(v);
		fake_snapshot(&domains[1 - d->id], &other);
		if ((sel & 0x30) == 0x30) {
			vuart_input(d, (char)val);
		} else {
			uint64_t ipa = board.uart_base +
				       (sel & 8 ? regs[off % 16] + ((off >> 8) & 3) : off % 0x1000);
			uint64_t x = sel & 4 ? val : 0;
			bool handled;
			vmmio_dispatch(v, ipa, 1u << (sel & 3), sel & 4, &x, &handled);
			if (!handled)
				abort(); /* the UART's page is the UART's */
		}
		fake_check_unchanged(&domains[1 - d->id], &other, "a vUART operation");
		const struct vuart *u = &d->vuart;
		if (u->rx_count > sizeof(u->rx) || u->rx_head >= sizeof(u->rx) || u->cr > 0xffff ||
		    u->imsc > 0x7ff || u->ifls > 0x3f) {
			fprintf(stderr, "vUART state out of range\n");
			abort();
		}
	}
	return 0;
}
