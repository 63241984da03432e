#!/usr/bin/env python3
"""Prints the results of one bench/sweep as one Markdown table: req/s, p50 and p99 of
every server per shape, scale and connection count, and Northstar's throughput over
each other server's. Usage:
  sweep_report.py OUT_DIR --duration S --connections "1 8 32 128" --scales "1 10" --shapes "b d"
A measurement's results are OUT_DIR/<server>-<shape>-x<scale>-c<connections>.json."""

import argparse
import json
import os
import platform
import subprocess

from report import SHAPES, SHORT, servers

TEAMS = 200  # at scale 1


def load(out, name):
    path = os.path.join(out, name)
    return json.load(open(path)) if os.path.exists(path) else None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--duration", type=int)
    ap.add_argument("--connections", default="1 8 32 128")
    ap.add_argument("--scales", default="1 10")
    ap.add_argument("--shapes", default="b d")
    args = ap.parse_args()
    ran = servers(args.out)
    cpu = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip()

    print("# Sweep: connections × data set size\n")
    print(
        f"{args.duration} s per measurement after a warm-up, one server at a time, all on "
        f"127.0.0.1 ({platform.machine()}, {cpu} cores, load tool and servers on the same "
        f"cores). Scale 1 is DATASET.md ({TEAMS} teams, 40,000 measurements); scale N has "
        f"N × the teams. Each cell is req/s · p50 ms · p99 ms.\n"
    )
    for s in args.shapes.split():
        print(f"- {s}: {SHAPES.get(s, s)}")
    print()
    others = [(n, l) for n, l in ran if n != "northstar"]
    has_ns = any(n == "northstar" for n, _ in ran)
    head = ["shape", "teams", "connections"] + [label for _, label in ran]
    if has_ns:
        head += [f"Northstar / {SHORT.get(n, l)}" for n, l in others]
    print("| " + " | ".join(head) + " |")
    print("|---|---:|---:|" + "---:|" * (len(head) - 3))
    for s in args.shapes.split():
        for scale in args.scales.split():
            for c in args.connections.split():
                tag = f"{s}-x{scale}-c{c}"
                res = {n: load(args.out, f"{n}-{tag}.json") for n, _ in ran}
                row = [s, f"{TEAMS * int(scale):,}", c]
                for n, _ in ran:
                    r = res[n]
                    row.append(
                        f"{r['rps']:.0f} · {r['p50_ms']:.1f} · {r['p99_ms']:.1f}" if r else "–"
                    )
                if has_ns:
                    ns = res["northstar"]
                    for n, _ in others:
                        r = res[n]
                        row.append(f"{ns['rps'] / r['rps']:.2f}×" if ns and r and r["rps"] else "–")
                print("| " + " | ".join(row) + " |")
    setup = []
    for scale in args.scales.split():
        for n, label in ran:
            path = os.path.join(args.out, f"{n}-setup-seconds-x{scale}")
            if os.path.exists(path):
                setup.append(f"{label} ×{scale}: {int(open(path).read())} s")
    if setup:
        print("\nFresh database, data set and start, per server and scale: " + "; ".join(setup) + ".")


if __name__ == "__main__":
    main()
