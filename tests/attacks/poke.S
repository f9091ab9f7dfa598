/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Attack: store 8 bytes ("PWNED!!!") at the physical address `target`
 * (patched by the test to the hypervisor's "domain %s powered off" string),
 * then power off. A domain must never have hypervisor memory mapped, however
 * the board DT describes devices or reserved memory. Position independent,
 * MMU off; for a control domain (IPA = PA).
 */
	.text
	.globl	_start
_start:
	ldr	x1, target
	ldr	x2, value
	str	x2, [x1]
	dsb	sy
	movz	x0, #0x0008
	movk	x0, #0x8400, lsl #16	/* PSCI SYSTEM_OFF */
	hvc	#0
1:	b	1b

	.balign	8
target:	.ascii	"TARGET!!"		/* patched by the test */
value:	.ascii	"PWNED!!!"
