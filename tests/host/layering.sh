#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The architecture interface stays an interface, and the folders stay layers
# (docs/ARCHITECTURE.md, "Include rules"):
#  1. every function named arch_* is defined under arch-arm64/ (the core
#     calls arch_* hooks; it never implements one): a C-aware pattern (a
#     definition starts a line with its return type and ends without ';');
#  2. the architecture's headers (arch-arm64/*.h) include nothing from gic/,
#     common/, dt/ or vtimer/ but the leaf headers ARCHITECTURE.md names;
#  3. the headers' include graph between top-level folders has no cycle
#     (leaf headers aside): the interfaces form layers;
#  4. the include graph of every hypervisor source (.c, .h, .S) between
#     top-level folders has no cycle but those ARCHITECTURE.md names and
#     justifies (an implementation may use the interface of a layer above it
#     only where the doc says why).
# Includes are resolved as the hypervisor's build does: the including file's
# folder, then -I. and -Iarch-arm64 (so "arch.h" is arch-arm64/arch.h).
# timeout: 60
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 1
fail=0
bad=$(grep -nE '^[a-z_][a-z0-9_ *]*[ *]arch_[a-z0-9_]+\(' common/*.c dt/*.c gic/*.c vtimer/*.c 2>/dev/null |
	grep -v ';' || true)
n=$(grep -hcE '^[a-z_][a-z0-9_ *]*[ *]arch_[a-z0-9_]+\(' arch-arm64/*.c | awk '{s += $1} END {print s}')
if [ -n "$bad" ]; then
	echo "FAIL arch_* functions defined outside arch-arm64/:"; echo "$bad" | sed 's/^/   /'; fail=1
elif [ "$n" -lt 10 ]; then
	echo "FAIL found only $n arch_* definitions under arch-arm64/: the pattern is broken"; fail=1
else
	echo "ok   $n arch_* functions, all defined under arch-arm64/"
fi

python3 - docs/ARCHITECTURE.md <<'PY' || fail=1
import os, re, sys
FOLDERS = ["arch-arm64", "common", "dt", "gic", "vtimer"]
doc = open(sys.argv[1]).read()
leaves = set(re.findall(r"^- leaf header `([^`]+)`", doc, re.M))
cycles = {frozenset(p) for p in re.findall(r"^- cycle `([^`/]+)/?` <-> `([^`/]+)/?`", doc, re.M)}
if not leaves or not cycles:
    print("FAIL docs/ARCHITECTURE.md names no leaf header or no cycle: the pattern is broken")
    sys.exit(1)

def resolve(src, name, quoted):
    cands = ([os.path.join(os.path.dirname(src), name)] if quoted else []) + [name, os.path.join("arch-arm64", name)]
    for c in cands:
        if os.path.isfile(c):
            return os.path.normpath(c)
    return None  # a system or libfdt header

files = sorted(os.path.join(d, f) for d in FOLDERS for f in os.listdir(d) if f.endswith((".c", ".h", ".S")))
edges = []  # (file, included file)
for src in files:
    for m in re.finditer(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]', open(src).read(), re.M):
        dst = resolve(src, m.group(2), m.group(1) == '"')
        if dst and dst.split("/")[0] in FOLDERS:
            edges.append((src, dst))
folder = lambda p: p.split("/")[0]
ok = True

for leaf in sorted(leaves):  # a leaf includes no project header: it cannot close a cycle
    for s, d in edges:
        if s == leaf:
            print(f"FAIL leaf header {leaf} includes {d}"); ok = False

bad = [(s, d) for s, d in edges if s.startswith("arch-arm64/") and s.endswith(".h")
       and folder(d) != "arch-arm64" and d not in leaves]
for s, d in bad:
    print(f"FAIL architecture header {s} includes {d}")
ok &= not bad
if not bad:
    print("ok   arch-arm64/*.h include no gic/, common/, dt/ or vtimer/ header but the leaves " +
          ", ".join(sorted(leaves)))

def graph(pairs):
    g = {f: set() for f in FOLDERS}
    for s, d in pairs:
        if folder(s) != folder(d) and d not in leaves:
            g[folder(s)].add(folder(d))
    return g

def reaches(g, a, b):
    seen, todo = set(), [a]
    while todo:
        x = todo.pop()
        if x == b:
            return True
        if x not in seen:
            seen.add(x)
            todo.extend(g[x])
    return False

def back_edges(g):
    return sorted({(a, b) for a in g for b in g[a] if reaches(g, b, a)})

hdr = graph((s, d) for s, d in edges if s.endswith(".h"))
hb = back_edges(hdr)
for a, b in hb:
    why = [f"{s} -> {d}" for s, d in edges if s.endswith(".h") and folder(s) == a and folder(d) == b and d not in leaves]
    print(f"FAIL header include cycle: {a}/ -> {b}/ and back ({', '.join(why)})")
ok &= not hb
if not hb:
    print("ok   the headers' include graph between folders has no cycle: " +
          "; ".join(f"{a}/ -> {', '.join(sorted(hdr[a]))}" for a in FOLDERS if hdr[a]))

allg = graph(edges)
unlisted = [(a, b) for a, b in back_edges(allg) if frozenset((a, b)) not in cycles]
for a, b in unlisted:
    why = [f"{s} -> {d}" for s, d in edges if folder(s) == a and folder(d) == b and d not in leaves][:3]
    print(f"FAIL include cycle {a}/ <-> ... not named in docs/ARCHITECTURE.md: {a}/ -> {b}/ ({', '.join(why)})")
ok &= not unlisted
stale = [c for c in cycles if not any(frozenset(e) == c for e in back_edges(allg))]
for c in stale:
    print(f"FAIL docs/ARCHITECTURE.md names a cycle that no longer exists: {' <-> '.join(sorted(c))}")
ok &= not stale
if not unlisted and not stale:
    print(f"ok   every include cycle between folders is one ARCHITECTURE.md names ({len(cycles)})")
sys.exit(0 if ok else 1)
PY
exit $fail
