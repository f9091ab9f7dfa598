/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What U-Boot's booti does on the ZCU102, for QEMU's xlnx-zcu102 machine
 * (which has no U-Boot in Debian): CPU 0 enters the kernel with x0 = the DT
 * and x1..x3 = 0. QEMU's generic loader puts this at BOOT, the board DT at DT
 * and the image at KERNEL (tools/run-qemu.sh -M xlnx-zcu102), and starts CPU
 * 0 here at EL2; the other CPUs stay off until PSCI CPU_ON (QEMU's own PSCI,
 * the DT's "smc" conduit). QEMU -kernel/-dtb would do the same but rewrites
 * the DT's memory as one range from 0, which is not this board's map (DDR at
 * 0 and at 32 GiB).
 */
#define DT 0x00100000
#define KERNEL 0x00200000

	.text
	.globl _start
_start:
	ldr	x0, =DT
	mov	x1, xzr
	mov	x2, xzr
	mov	x3, xzr
	ldr	x4, =KERNEL
	br	x4
	.ltorg
