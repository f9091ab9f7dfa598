/* SPDX-License-Identifier: Apache-2.0 */
/* Constants shared by assembly and C: stack size and the trap-frame layout. */
#ifndef ARCH_ARM64_ASM_H
#define ARCH_ARM64_ASM_H

#define CPU_STACK_SIZE 0x4000 /* 16 KiB: deepest path is boot-time libfdt + printf */

/* struct pcpu (common/percpu.h), for secondary_entry: checked in cpu.c */
#define PCPU_SIZE 64
#define PCPU_STACK_TOP 0

/* struct trap_frame: x0..x30, then these (byte offsets) */
#define TF_ELR (31 * 8)
#define TF_SPSR (32 * 8)
#define TF_ESR (33 * 8)
#define TF_FAR (34 * 8)
#define TF_HPFAR (35 * 8)
#define TF_SP_EL1 (36 * 8)
#define TF_SIZE (38 * 8) /* keeps sp 16-byte aligned */

#endif
