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

/* What trap_guest_sync64 (traps.c) tells the lean entry (vectors.S). */
#define TRAP_GUEST_LEFT 0 /* the vCPU left its guest: to cpu_run_loop */
#define TRAP_GUEST_DONE 1 /* handled: back into the guest */
#define TRAP_GUEST_FULL 2 /* nothing done: save the whole frame, call trap_guest */

#endif
