/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The tiny guest: the smallest image that shows it ran. At EL1 with the MMU
 * off it writes one line to the domain's PL011 (QEMU virt's 0x09000000, the
 * vUART) and asks PSCI SYSTEM_OFF through HVC. make bench boots it for the
 * boot row the issue's target ("tiny guest") is compared with, beside the
 * 135 KB test guest's; it checks the line and the power-off first.
 * Build (tests/bench/run.sh): gcc -nostdlib -static -Wl,-Ttext=0x40080000
 * tiny.S, then objcopy -O binary.
 */
	.text
	.globl _start
_start:
	b	1f			/* code0: the arm64 Image header */
	.long	0			/* code1 */
	.quad	0x80000			/* text_offset: linked at RAM base + 0x80000 */
	.quad	end - _start		/* image_size */
	.quad	0x2			/* little endian, 4 KiB pages, not relocatable */
	.quad	0, 0, 0			/* res2-res4 */
	.ascii	"ARM\x64"		/* magic */
	.long	0			/* no PE header */
1:	adr	x1, msg
	mov	x2, #0x09000000		/* UARTDR */
2:	ldrb	w3, [x1], #1
	cbz	w3, 4f
3:	ldr	w4, [x2, #0x18]		/* UARTFR */
	tbnz	w4, #5, 3b		/* TXFF: the FIFO is full */
	str	w3, [x2]
	b	2b
4:	mov	x0, #0x0008		/* PSCI SYSTEM_OFF, 0x84000008 */
	movk	x0, #0x8400, lsl #16
	hvc	#0
5:	wfi				/* not reached: the domain is off */
	b	5b
msg:	.asciz	"tiny guest: hello from EL1, powering off\n"
	.balign	8
end:
