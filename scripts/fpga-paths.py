#!/usr/bin/env python3
"""Estimated slow paths of a synthesised iCE40 netlist, all of them at once.

nextpnr reports only the single worst path of a run; this walks the Yosys JSON netlist that
`scripts/fpga.sh build` writes (OUTDIR/<top>.json, after synth_ice40, before place and route)
with a fixed delay per cell and per net, and lists every register/RAM/DSP input whose
estimated arrival is above a threshold, grouped by signal (a bus counts once), slowest first,
with the nets along its worst path. The numbers are estimates, not sign-off: routing is one
fixed delay per net. Use them to find the next paths to cut, then check with nextpnr.

  fpga-paths.py NETLIST.json [--top N] [--min NS] [--path K]
"""
import argparse
import json
import re
import sys
from collections import defaultdict

# delays in ns (iCE40 UP, rough; the net delay stands for average routing)
NET = 2.45        # one routed net
LUT = 0.9        # SB_LUT4 input -> output
CARRY_IN = 0.6   # SB_CARRY I0/I1 -> CO
CARRY = 0.3      # SB_CARRY CI -> CO (dedicated chain, no net delay)
CO_LUT = 0.7     # SB_CARRY CO -> a LUT input (the chain's sum LUT: a local net)
CLK_Q = 1.4      # register clock -> Q
RAM_Q = 2.5      # SB_RAM40_4K clock -> RDATA
SPRAM_Q = 4.0    # SB_SPRAM256KA clock -> DATAOUT
MAC = 6.0        # SB_MAC16 combinational input -> output
SETUP = 0.5

ASYNC = {"SB_DFFR": "R", "SB_DFFS": "S", "SB_DFFER": "R", "SB_DFFES": "S",
         "SB_DFFNR": "R", "SB_DFFNS": "S", "SB_DFFNER": "R", "SB_DFFNES": "S"}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("netlist")
    ap.add_argument("--top", type=int, default=40, help="signals to list (40)")
    ap.add_argument("--min", type=float, default=0.0, help="only arrivals above NS")
    ap.add_argument("--path", type=int, default=8, help="paths printed in full (8)")
    a = ap.parse_args()

    nl = json.load(open(a.netlist))
    mods = nl["modules"]
    top = next((m for m, v in mods.items() if v.get("attributes", {}).get("top")), None)
    if top is None:
        top = max(mods, key=lambda m: len(mods[m].get("cells", {})))
    # Flatten: modules kept in the hierarchy (Yosys `keep_hierarchy`, e.g. the core's small
    # mux modules) appear as cells of a module type; nextpnr flattens them, so do the same,
    # giving their internal bits fresh numbers. cells: (name, type, connections, directions,
    # parameters); name: bit -> ((hidden, length), label), the shortest visible net name.
    cells, name = [], {}
    fresh = [max((b for v in mods.values() for n in v.get("netnames", {}).values()
                  for b in n["bits"] if not isinstance(b, str)), default=0) + 1]

    def add_names(m, prefix, remap):
        for n, v in mods[m]["netnames"].items():
            hidden = v.get("hide_name", 0)
            for i, b in enumerate(v["bits"]):
                if isinstance(b, str):
                    continue
                label = prefix + (n if len(v["bits"]) == 1 else "%s[%d]" % (n, i))
                key = (hidden, len(label))
                b = remap(b)
                if b not in name or key < name[b][0]:
                    name[b] = (key, label)

    def flatten(m, prefix, remap):
        add_names(m, prefix, remap)
        for cn, c in mods[m]["cells"].items():
            con = {p: [b if isinstance(b, str) else remap(b) for b in bs]
                   for p, bs in c["connections"].items()}
            sub_mod = mods.get(c["type"])
            if sub_mod is not None and not sub_mod.get("attributes", {}).get("blackbox"):
                # a kept submodule (not a cell library blackbox): its ports are our bits
                outer = {}
                for p, v in sub_mod["ports"].items():
                    for inner, b in zip(v["bits"], con.get(p, [])):
                        if not isinstance(inner, str):
                            outer[inner] = b
                local = {}

                def sub_remap(b, outer=outer, local=local):
                    if b in outer:
                        return outer[b]
                    if b not in local:
                        local[b] = fresh[0]
                        fresh[0] += 1
                    return local[b]
                flatten(c["type"], prefix + cn + ".", sub_remap)
            else:
                cells.append((prefix + cn, c["type"], con, c.get("port_directions", {}),
                              c.get("parameters", {})))

    flatten(top, "", lambda b: b)

    def nm(b):
        return name[b][1] if b in name else "$%d" % b

    # arcs: output bit <- [(input bit, delay, routed?)], launch bits with their time
    arcs = defaultdict(list)
    launch = {}
    ends = []  # (bit, cell, port)
    carry_out = {b for (_, t, con, _, _) in cells if t == "SB_CARRY"
                 for b in con.get("CO", []) if not isinstance(b, str)}
    for cn, t, con, pd, prm in cells:
        def bits(p):
            return [b for b in con.get(p, []) if not isinstance(b, str)]
        if t == "SB_LUT4":
            for o in bits("O"):
                for p in ("I0", "I1", "I2", "I3"):
                    for b in bits(p):
                        if b in carry_out:  # a chain's sum LUT: a local net
                            arcs[o].append((b, LUT + CO_LUT, False))
                        else:
                            arcs[o].append((b, LUT, True))
        elif t == "SB_CARRY":
            for o in bits("CO"):
                for b in bits("CI"):
                    arcs[o].append((b, CARRY, False))
                for p in ("I0", "I1"):
                    for b in bits(p):
                        arcs[o].append((b, CARRY_IN, True))
        elif t.startswith("SB_DFF"):
            for o in bits("Q"):
                launch[o] = CLK_Q
            for p in con:
                if p in ("Q", "C") or ASYNC.get(t) == p:
                    continue
                for b in bits(p):
                    ends.append((b, cn, p))
        elif t.startswith("SB_RAM40") or t == "SB_SPRAM256KA":
            q = RAM_Q if t.startswith("SB_RAM40") else SPRAM_Q
            for p, d in pd.items():
                if d == "output":
                    for o in bits(p):
                        launch[o] = q
                elif not p.endswith("CLK") and p not in ("CLOCK", "STANDBY", "SLEEP", "POWEROFF"):
                    for b in bits(p):
                        ends.append((b, cn, p))
        elif t == "SB_MAC16":
            def pv(k):
                v = prm.get(k, "0")
                return int(v, 2) if isinstance(v, str) else int(v)
            reg_out = all(pv(k) in (1, 3) for k in ("TOPOUTPUT_SELECT", "BOTOUTPUT_SELECT"))
            ins = [b for p, d in pd.items() if d == "input" and p not in ("CLK", "CE")
                   for b in bits(p)]
            for p, d in pd.items():
                if d != "output":
                    continue
                for o in bits(p):
                    if reg_out:
                        launch[o] = CLK_Q
                    else:
                        for b in ins:
                            arcs[o].append((b, MAC, True))
            if reg_out:
                for b in ins:
                    ends.append((b, cn, "in"))
        else:  # IO, PLL, global buffers: their outputs start at 0, inputs are not timed
            for p, d in pd.items():
                if d == "output":
                    for o in bits(p):
                        launch.setdefault(o, 0.0)

    # arrival times (memoised depth-first; the netlist is a DAG between registers)
    arr, pred = {}, {}
    sys.setrecursionlimit(1000000)

    def arrival(b):
        if b in arr:
            return arr[b]
        arr[b] = 0.0  # loop guard
        best, bp = launch.get(b, 0.0), None
        for (i, d, routed) in arcs.get(b, ()):
            t = arrival(i) + d + (NET if routed else 0.0)
            if t > best:
                best, bp = t, (i, routed)
        arr[b], pred[b] = best, bp
        return best

    res = []
    for (b, cn, p) in ends:
        res.append((arrival(b) + NET + SETUP, b, cn, p))
    res.sort(key=lambda r: -r[0])

    groups, order = {}, []
    for t, b, cn, p in res:
        if t < a.min:
            break
        g = re.sub(r"\[\d+\]$", "", nm(b)) + " -> " + p
        if g not in groups:
            groups[g] = (t, b, cn, p, 1)
            order.append(g)
        else:
            t0, b0, c0, p0, k = groups[g]
            groups[g] = (t0, b0, c0, p0, k + 1)
    worst = res[0][0] if res else 0.0
    print("estimated worst arrival %.1f ns (%.1f MHz); %d timed inputs" %
          (worst, 1000.0 / worst if worst else 0.0, len(res)))
    for k, g in enumerate(order[:a.top]):
        t, b, cn, p, n = groups[g]
        print("%6.1f ns %5.1f MHz  x%-3d %s" % (t, 1000.0 / t, n, g))
        if k < a.path:
            chain, x = [], b
            while x is not None:
                chain.append(nm(x))
                x = pred[x][0] if pred.get(x) else None
            chain.reverse()
            # named nets only (and the ends), with the cells between them
            short, skip = [], 0
            for i, s in enumerate(chain):
                if i in (0, len(chain) - 1) or not s.startswith("$"):
                    short.append(("(+%d) " % skip if skip else "") + s)
                    skip = 0
                else:
                    skip += 1
            print("           %d cells: " % (len(chain) - 1) + " > ".join(short))


if __name__ == "__main__":
    main()
