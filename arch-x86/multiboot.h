/* SPDX-License-Identifier: Apache-2.0 */
/* What a Multiboot v1 loader hands over (Multiboot 0.6.96, section 3.3):
 * the information structure, its memory map entries and modules. */
#ifndef ARCH_X86_MULTIBOOT_H
#define ARCH_X86_MULTIBOOT_H
#include <stdint.h>

#define MB_BOOT_MAGIC	0x2badb002 /* eax at entry */
#define MB_INFO_CMDLINE (1 << 2)
#define MB_INFO_MODS	(1 << 3)
#define MB_INFO_MMAP	(1 << 6)
#define MB_MMAP_RAM	1

struct mb_info {
	uint32_t flags, mem_lower, mem_upper, boot_device, cmdline, mods_count, mods_addr;
	uint32_t syms[4];
	uint32_t mmap_length, mmap_addr;
};

struct __attribute__((packed)) mb_mmap_entry {
	uint32_t size; /* of the rest of the entry */
	uint64_t base, len;
	uint32_t type;
};

struct mb_module {
	uint32_t start, end, string, reserved;
};

#endif
