/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Forced first into every hypervisor file (Makefile: -include). The image is
 * one static PIE: every symbol it uses is its own. Declared hidden, calls are
 * a direct BL and globals are reached PC-relative; without this, -fpie makes
 * each call to another file's function a load from the GOT and an indirect
 * branch, and each global an extra load (three instructions instead of one,
 * on every trap).
 */
#pragma GCC visibility push(hidden)
