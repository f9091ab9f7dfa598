/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Included first in every hypervisor object (the Makefile's -include): all
 * symbols, declared or defined, have hidden visibility. The image is one
 * static PIE, nothing is preempted, so the compiler addresses every global
 * PC-relatively instead of through a GOT entry (each one also a 24-byte
 * relocation): 2 KiB of GOT and 6 KiB of relocations less.
 */
#pragma GCC visibility push(hidden)
