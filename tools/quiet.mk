# SPDX-License-Identifier: Apache-2.0
# Build output, as Kbuild and Bao print it: one short line per step
# ("  CC      gic/vgic.c"), the full command with `make V=1`. Included by the
# top-level Makefile and the test guests' Makefiles.
V ?= 0
ifeq ($(V),1)
Q :=
say :=
else
Q := @
# $(call say,WHAT,TARGET): the short line (a recipe line of its own)
say = printf '  %-7s %s\n' '$(1)' '$(2)';
endif
export V
