/* SPDX-License-Identifier: Apache-2.0 */
/* Constants shared by assembly and C: stack size and the trap-frame layout. */
#ifndef ARCH_ARM64_ASM_H
#define ARCH_ARM64_ASM_H

#define CPU_STACK_SIZE 0x4000 /* 16 KiB: deepest path is boot-time libfdt + printf */

/* struct pcpu (common/percpu.h), for secondary_entry: checked in cpu.c */
#define PCPU_SIZE 64
#define PCPU_STACK_TOP 0
#define PCPU_MPIDR 8 /* secondary_entry finds its index by it */

/* struct trap_frame: x0..x30, then these (byte offsets) */
#define TF_ELR (31 * 8)
#define TF_SPSR (32 * 8)
#define TF_ESR (33 * 8)
#define TF_FAR (34 * 8)
#define TF_HPFAR (35 * 8)
#define TF_SP_EL1 (36 * 8)
#define TF_OWNER (37 * 8) /* written at entry only (arch_vcpu_run), never by the vectors */
#define TF_SIZE (38 * 8) /* keeps sp 16-byte aligned */

/* What trap_guest_sync64 (traps.c) tells the lean entry (vectors.S): the
 * common answer 0 (one CBZ), FULL told from LEFT by bit 1. */
#define TRAP_GUEST_DONE 0 /* handled: back into the guest */
#define TRAP_GUEST_LEFT 1 /* the vCPU left its guest: to cpu_run_loop */
#define TRAP_GUEST_FULL 2 /* nothing done: save the whole frame, call trap_guest */

/* What the vectors' PL011 FR read (vectors.S: guest_fr_fast) reads of
 * struct vcpu and struct domain (common/domain.h): checked in traps.c. */
#define VCPU_DOM 0
#define VCPU_RECHECK 20
#define VCPU_VUART_BASE 56
#define VCPU_EXITS 80 /* EXIT_TRAP's count is the first word it points to */
#define DOM_CON_IN_HEAD 44 /* con_in_tail follows it */
#define DOM_RX_COUNT 100
#define DOM_DR_WRITTEN 105
/* ESR_EL2 of an AArch64 MSR ICC_SGI1R_EL1 less Rt (vectors.S: guest_sgi64):
 * EC 0x18, IL, op0 3, op2 5, CRn 12, CRm 11, a write. Checked in traps.c. */
#define ESR_SGI1R_WRITE 0x623a3016
#define FAST_FR_OFF 0x18     /* VUART_FR */
#define FAST_FR_NEAR 4064    /* CON_IN_SIZE - CON_TX_ROOM: more used is nearly full */
#define FAST_FR_TXFE 0x80    /* common/vuart.c: FR_TXFE */
#define FAST_FR_RXFE 0x10    /* FR_RXFE */

#endif
