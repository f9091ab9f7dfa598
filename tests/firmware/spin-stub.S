/* SPDX-License-Identifier: Apache-2.0 */
/*
 * spin-stub: a tiny boot firmware for QEMU virt (-bios) that starts a kernel
 * the way the Raspberry Pi's armstub does: secondary CPUs wait in a WFE loop
 * on a 64-bit release address each (the DT's cpu-release-addr), CPU 0 jumps
 * to the kernel with x0 = its DT. QEMU keeps the secondaries powered off until
 * a PSCI CPU_ON, so CPU 0 first starts each of them into the pen with it
 * (QEMU's built-in PSCI, SMC conduit with virtualization=on).
 *
 * Fixed layout (tests/qemu/spin-table.sh builds the DT to match):
 *   DT at RAM base (QEMU puts -dtb there when -bios is given), the kernel at
 *   KERNEL (QEMU -device loader), release addresses at MBOX + 8 * Aff0,
 *   covered by a /memreserve/ in the DT.
 * Built with -DSHARED_MBOX, every secondary waits on MBOX + 0 (firmware that
 * releases all its CPUs with one write), so a CPU the DT does not list can
 * be released too.
 * A released CPU enters with garbage in x0..x3, not the 0 the boot protocol
 * asks for: the kernel must not trust them.
 */
#define RAM_BASE 0x40000000
#define KERNEL 0x40200000
#define MBOX 0x40100000
#define MAX_CPUS 8
#define PSCI_CPU_ON_64 0xc4000003

	.text
	.globl _start
_start:
	mrs	x4, mpidr_el1
	tst	x4, #0xff
	b.ne	pen			/* only CPU 0 (Aff0 = 0) boots */
	ldr	x5, =MBOX
	mov	x6, #MAX_CPUS
1:	str	xzr, [x5], #8		/* every release address empty */
	subs	x6, x6, #1
	b.ne	1b
	dsb	sy
	mov	x19, #1
2:	ldr	x0, =PSCI_CPU_ON_64	/* CPUs 1..MAX_CPUS-1 into the pen; */
	mov	x1, x19			/* those QEMU has not answer an error */
	adr	x2, pen
	ldr	x3, =0xbad0c0de
	smc	#0
	add	x19, x19, #1
	cmp	x19, #MAX_CPUS
	b.lo	2b
	ldr	x0, =RAM_BASE		/* booting protocol: x0 = DT, x1..x3 = 0 */
	mov	x1, xzr
	mov	x2, xzr
	mov	x3, xzr
	ldr	x4, =KERNEL
	br	x4

pen:
	mrs	x4, mpidr_el1
#ifdef SHARED_MBOX
	mov	x4, #0
#else
	and	x4, x4, #0xff
#endif
	ldr	x5, =MBOX
	add	x5, x5, x4, lsl #3
3:	wfe
	ldr	x6, [x5]
	cbz	x6, 3b
	ldr	x0, =0xdeadbeefdeadbeef	/* garbage, on purpose */
	mrs	x1, mpidr_el1
	mvn	x2, x1
	ldr	x3, =0x5a5a5a5a5a5a5a5a
	br	x6
	.ltorg
