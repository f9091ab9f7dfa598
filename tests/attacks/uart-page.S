/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Attack (isolation finding 3): on boards where another device shares the
 * 4 KiB page of the hypervisor's console UART (the Raspberry Pi 4's aux
 * block), dom0 was given that whole page. It then writes the UART's data
 * register directly: a line with no domain prefix, forged as the
 * hypervisor's. Contained, the writes reach dom0's emulated UART and come
 * out as "[dom0] ...". Position independent, MMU off.
 */
	.text
	.globl	_start
_start:
	ldr	x1, uart
	adr	x2, msg
1:	ldrb	w3, [x2], #1
	cbz	w3, 2f
	str	w3, [x1]		/* UARTDR */
	b	1b
2:	dsb	sy
	movz	x0, #0x0008
	movk	x0, #0x8400, lsl #16	/* PSCI SYSTEM_OFF */
	hvc	#0
3:	b	3b

	.balign	8
uart:	.quad	0x09000000		/* QEMU virt's PL011: the hypervisor's console */
msg:	.asciz	"\nFORGED-BY-DOM0 bulkhead: all domains healthy\n"
