#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Check a partition of a real board DT, with its own FDT reader (independent
of the hypervisor's libfdt-based code under test).

usage: partition_check.py BOARD.dtb DOM0.dtb OTHER.dtb OTHER_CPU DEVICE_PATH
Checks: dom0 keeps every node it should (all but memory, the other domain's
CPU and device, PCI hosts, GIC children, DMA masters it does not name) with identical interrupts; the other
domain's device, CPU and SPIs are absent from dom0; memory is disjoint.
"""
import struct
import sys


def parse(path):
    data = open(path, "rb").read()
    magic, _tot, off_struct, off_strings = struct.unpack(">IIII", data[:16])
    assert magic == 0xD00DFEED, path + ": not a DTB"
    nodes, stack, pos = {}, [], off_struct
    while True:
        tok = struct.unpack(">I", data[pos:pos + 4])[0]
        pos += 4
        if tok == 1:
            end = data.index(b"\0", pos)
            name = data[pos:end].decode()
            pos = (end + 4) & ~3
            stack.append(name)
            p = "/" + "/".join(stack[1:])
            nodes[p] = {}
        elif tok == 2:
            stack.pop()
        elif tok == 3:
            ln, nameoff = struct.unpack(">II", data[pos:pos + 8])
            pos += 8
            s = data[off_strings + nameoff:data.index(b"\0", off_strings + nameoff)].decode()
            nodes["/" + "/".join(stack[1:])][s] = data[pos:pos + ln]
            pos = (pos + ln + 3) & ~3
        elif tok == 4:
            continue
        elif tok == 9:
            return nodes
        else:
            raise ValueError("bad token %d" % tok)


def cells(v):
    return list(struct.unpack(">%dI" % (len(v) // 4), v))


def parent(p):
    return p.rsplit("/", 1)[0] or "/"


def phandles(nodes):
    return {cells(props["phandle"])[0]: p for p, props in nodes.items() if "phandle" in props}


def int_parent(nodes, p, ph):
    while True:
        if "interrupt-parent" in nodes[p]:
            return ph.get(cells(nodes[p]["interrupt-parent"])[0])
        if p == "/":
            return None
        p = parent(p)


def gic_of(nodes):
    for p, props in nodes.items():
        c = props.get("compatible", b"")
        if any(x in c for x in (b"arm,gic-v3\0", b"arm,gic-400", b"arm,cortex-a15-gic")) \
                and "interrupt-controller" in props:
            return p
    return None


def spis(nodes, p, gic, ph):
    if "interrupts" not in nodes[p] or int_parent(nodes, p, ph) != gic:
        return set()
    c = cells(nodes[p]["interrupts"])
    return {32 + c[i + 1] for i in range(0, len(c) - 2, 3) if c[i] == 0}


def is_pci(props):
    return props.get("device_type") == b"pci\0" or b"pci-host-ecam-generic" in props.get("compatible", b"")


DMA_NAMES = {"dma-controller", "dma", "ethernet", "usb", "mmc", "sdhci", "sata", "ahci", "nvme",
             "gpu", "display", "display-controller", "video-codec", "vpu", "npu", "pcie", "pci"}
DMA_COMPAT = ("virtio,mmio", "fw-cfg", "dma", "xhci", "ehci", "ohci", "dwc2", "dwc3", "musb", "usb",
              "sdhci", "mshc", "mmc", "ahci", "sata", "gem", "macb", "dwmac", "stmmac", "genet",
              "fec", "eqos", "ethernet", "gpu", "mali", "v3d", "vop", "lcdif", "pcie")
DMA_PROPS = ("dma-coherent", "#dma-cells", "iommus", "msi-parent")


def masters_dma(nodes, p):
    """docs/config.md's rule: a device with registers on a memory-mapped bus
    whose generic name, compatible or properties say it masters DMA."""
    pr, par = nodes[p], parent(p)
    name = p.rsplit("/", 1)[-1]
    if "reg" not in pr or "ranges" in pr or "phy" in name \
            or par.rsplit("/", 1)[-1].startswith("reserved-memory") \
            or nodes.get(par, {}).get("#size-cells") == b"\0\0\0\0":
        return False
    if name.split("@")[0] in DMA_NAMES:
        return True
    for c in pr.get("compatible", b"").split(b"\0"):
        c = c.decode()
        if c and not any(w in c for w in ("phy", "xceiv", "pwrseq")) and any(w in c for w in DMA_COMPAT):
            return True
    return any(k in pr for k in DMA_PROPS)


def main():
    host, dom0, other = parse(sys.argv[1]), parse(sys.argv[2]), parse(sys.argv[3])
    other_cpu, device = int(sys.argv[4]), sys.argv[5]
    errors = []
    gic = gic_of(host)
    ph = phandles(host)
    cpus = [p for p, pr in host.items() if pr.get("device_type") == b"cpu\0"
            and pr.get("status", b"okay\0") in (b"okay\0", b"ok\0")]
    gone = {p for p, pr in host.items() if pr.get("device_type") == b"memory\0"}
    for p, pr in host.items():
        q = p
        while q != "/":  # a removed node takes its descendants with it
            if is_pci(host[q]) or q in (device, cpus[other_cpu]) or parent(q) == gic \
                    or q.endswith("/cpu-map") or masters_dma(host, q):
                gone.add(p)
            q = parent(q)
    # 1. dom0 keeps every node it should, with the same interrupts.
    for p in host:
        if p in gone or p == "/":
            continue
        if p not in dom0:
            errors.append("dom0 lost node %s" % p)
            continue
        for prop in ("interrupts", "interrupts-extended"):
            if host[p].get(prop) != dom0[p].get(prop) and p != gic:
                errors.append("dom0 %s: %s differs from the board's" % (p, prop))
    # 2. Nothing of the other domain in dom0.
    if device in dom0:
        errors.append("dom0 still has the other domain's device %s" % device)
    if cpus[other_cpu] in dom0:
        errors.append("dom0 still has the other domain's CPU %s" % cpus[other_cpu])
    dom0_cpus = [p for p, pr in dom0.items() if pr.get("device_type") == b"cpu\0"]
    if len(dom0_cpus) != len(cpus) - 1:
        errors.append("dom0 has %d CPUs, expected %d" % (len(dom0_cpus), len(cpus) - 1))
    dev_spis = spis(host, device, gic, ph)
    ph0 = phandles(dom0)
    gic0 = gic_of(dom0)
    for p in dom0:
        common = spis(dom0, p, gic0, ph0) & dev_spis
        if common:
            errors.append("dom0 node %s uses the other domain's interrupts %s" % (p, sorted(common)))
    # 3. The other domain has its device, with the same interrupts, and one CPU.
    name = device.rsplit("/", 1)[1]
    odev = "/" + name
    if odev not in other:
        errors.append("the other domain lacks its device %s" % name)
    elif dev_spis and {32 + c for c in cells(other[odev]["interrupts"])[1::3]} != dev_spis:
        errors.append("the other domain's %s interrupts differ" % name)
    ocpus = [p for p, pr in other.items() if pr.get("device_type") == b"cpu\0"]
    if len(ocpus) != 1:
        errors.append("the other domain has %d CPUs, expected 1" % len(ocpus))

    def ranges(nodes):
        ac = cells(nodes["/"].get("#address-cells", b"\0\0\0\2"))[0]
        sc = cells(nodes["/"].get("#size-cells", b"\0\0\0\1"))[0]
        out = []
        for p, pr in nodes.items():
            if pr.get("device_type") == b"memory\0":
                c = cells(pr["reg"])
                for i in range(0, len(c) - ac - sc + 1, ac + sc):
                    a = s = 0
                    for x in c[i:i + ac]:
                        a = (a << 32) | x
                    for x in c[i + ac:i + ac + sc]:
                        s = (s << 32) | x
                    out.append((a, s))
        return out
    for a, asz in ranges(dom0):
        for b, bsz in ranges(other):
            if a < b + bsz and b < a + asz:
                errors.append("memory overlaps: dom0 %#x+%#x, other %#x+%#x" % (a, asz, b, bsz))
    for e in errors:
        print("  " + e)
    print("%d nodes in the board DT, %d in dom0's, %d errors" % (len(host), len(dom0), len(errors)))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
