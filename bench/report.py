#!/usr/bin/env python3
"""Prints the results of one bench/run as Markdown: a table per server and shape,
the ratios against PostGraphile and raw SQL, and the targets of the benchmark issue.
Usage: report.py OUT_DIR --duration S --connections N --shapes "a b c d"."""

import argparse
import json
import os
import platform
import subprocess

SHAPES = {
    "a": "`{ __typename }`",
    "b": "one team → squads → KPIs → latest measurement",
    "c": "50 teams → squads → KPIs → latest measurement",
    "d": "`recordKpiMeasurement`",
}
# Throughput ratio Northstar / PostGraphile the issue asks for.
TARGET_RATIO = {"a": 2.0, "b": 3.0, "c": 3.0}


def load(out, name):
    path = os.path.join(out, name)
    return json.load(open(path)) if os.path.exists(path) else None


def kb(out, name):
    path = os.path.join(out, name)
    return int(open(path).read().strip()) if os.path.exists(path) else None


def mb(v):
    return f"{v / 1024:.0f}" if v else "–"


def num(v, fmt="{:.1f}"):
    return fmt.format(v) if v is not None else "–"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--duration", type=int)
    ap.add_argument("--connections", type=int)
    ap.add_argument("--shapes", default="a b c d")
    args = ap.parse_args()
    shapes = args.shapes.split()
    cpu = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip()

    print(f"# Benchmark results\n")
    print(
        f"{args.connections} connections, {args.duration} s per measurement after a warm-up, "
        f"one server at a time, all on 127.0.0.1 ({platform.machine()}, {cpu} cores, "
        f"load tool and servers on the same cores).\n"
    )
    print("| shape | server | req/s | p50 ms | p99 ms | peak RSS MB | response bytes | SQL statements / request |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for s in shapes:
        for server, label in (("northstar", "Northstar"), ("postgraphile", "PostGraphile 5"), ("sql", "raw SQL (pgbench)")):
            r = load(args.out, f"{server}-{s}.json")
            if not r:
                continue
            stmts = r.get("statements_per_request")
            if server == "sql":
                stmts = 1
            print(
                f"| {s}: {SHAPES[s]} | {label} | {r['rps']:.0f} | {num(r.get('p50_ms'), '{:.2f}')} | "
                f"{num(r.get('p99_ms'), '{:.2f}')} | {mb(r.get('rss_peak_kb'))} | "
                f"{r.get('response_bytes', '–')} | {num(stmts, '{:g}')} |"
            )

    print("\n## Ratios (throughput)\n")
    print("| shape | Northstar / PostGraphile | target | Northstar / raw SQL |")
    print("|---|---:|---:|---:|")
    misses = []
    for s in shapes:
        n, p, q = (load(args.out, f"{x}-{s}.json") for x in ("northstar", "postgraphile", "sql"))
        if not n:
            continue
        vs_p = n["rps"] / p["rps"] if p else None
        vs_q = n["rps"] / q["rps"] if q else None
        target = TARGET_RATIO.get(s)
        mark = ""
        if target and vs_p is not None:
            ok = vs_p >= target
            mark = f"≥ {target:g}× {'met' if ok else 'MISSED'}"
            if not ok:
                misses.append(f"{s}: {vs_p:.2f}× of {target:g}×")
        print(f"| {s} | {num(vs_p, '{:.2f}×')} | {mark or '–'} | {num(vs_q, '{:.2f}×')} |")

    print("\n## Targets\n")
    b = load(args.out, "northstar-b.json")
    rest = kb(args.out, "northstar-rss-rest.kb")
    peak = max(
        (r["rss_peak_kb"] for s in shapes if (r := load(args.out, f"northstar-{s}.json")) and r.get("rss_peak_kb")),
        default=None,
    )
    checks = []
    if b:
        checks.append(("p99 on (b) at the given concurrency under 50 ms", f"{b['p99_ms']:.1f} ms", b["p99_ms"] < 50))
    if rest:
        checks.append(("Northstar RSS at rest (seeded, before load) under 100 MB", f"{rest / 1024:.0f} MB", rest < 100 * 1024))
    if peak:
        checks.append(("Northstar peak RSS under load under 300 MB", f"{peak / 1024:.0f} MB", peak < 300 * 1024))
    pg_rest = kb(args.out, "postgraphile-rss-rest.kb")
    for what, value, ok in checks:
        print(f"- {what}: {value} — {'met' if ok else 'MISSED'}")
        if not ok:
            misses.append(what)
    if pg_rest:
        print(f"- (PostGraphile RSS at rest: {pg_rest / 1024:.0f} MB)")
    print()
    print("All targets met." if not misses else "Missed: " + "; ".join(misses))


if __name__ == "__main__":
    main()
