#!/usr/bin/env python3
"""Prints the results of one bench/run as Markdown: a table per server and shape,
Northstar's throughput against every other server, and the targets of the benchmark
issue. Usage: report.py OUT_DIR --duration S --connections N --shapes "a b b2 c c2 d".

The servers, in the order they ran, are OUT_DIR/servers.tsv (name TAB label), which
bench/run writes; a server's results are OUT_DIR/<name>-<shape>.json."""

import argparse
import json
import os
import platform
import subprocess

SHAPES = {
    "a": "`{ __typename }`",
    "b": "one team → squads → KPIs → latest measurement",
    "b2": "(b) as Relay edges, with totalCount, pageInfo and more fields",
    "c": "50 teams → squads → KPIs → latest measurement",
    "c2": "(c) as Relay edges, with totalCount, pageInfo and more fields",
    "d": "`recordKpiMeasurement`",
}
# Throughput ratios Northstar / peer the issues ask for (issues 12 and 14).
TARGETS = {
    "postgraphile": {"a": 2.0, "b": 3.0, "c": 3.0, "d": 1.0},
    "postgraphile-secured": {"d": 2.0},
}
DEFAULT_SERVERS = [
    ("northstar", "Northstar"),
    ("postgraphile", "PostGraphile 5"),
    ("postgraphile-secured", "PostGraphile 5 secured (JWT + RLS)"),
    ("seaography", "seaography 2.0 (over sea-orm)"),
    ("sql", "raw SQL (pgbench)"),
]
# Short names for the ratio columns.
SHORT = {
    "postgraphile": "PostGraphile open",
    "postgraphile-secured": "PostGraphile secured",
    "seaography": "seaography",
    "sql": "raw SQL",
}


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


def servers(out):
    path = os.path.join(out, "servers.tsv")
    if not os.path.exists(path):
        return DEFAULT_SERVERS
    seen = []
    for line in open(path):
        name, _, label = line.rstrip("\n").partition("\t")
        if name and name not in [n for n, _ in seen]:
            seen.append((name, label or name))
    return seen


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--duration", type=int)
    ap.add_argument("--connections", type=int)
    ap.add_argument("--shapes", default="a b b2 c c2 d")
    args = ap.parse_args()
    shapes = args.shapes.split()
    cpu = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip()
    ran = servers(args.out)

    print("# Benchmark results\n")
    print(
        f"{args.connections} connections, {args.duration} s per measurement after a warm-up, "
        f"one server at a time, all on 127.0.0.1 ({platform.machine()}, {cpu} cores, "
        f"load tool and servers on the same cores).\n"
    )
    print("| shape | server | req/s | p50 ms | p99 ms | peak RSS MB | response bytes | SQL statements / request |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for s in shapes:
        for server, label in ran:
            r = load(args.out, f"{server}-{s}.json")
            if not r:
                continue
            stmts = r.get("statements_per_request")
            if server == "sql":
                stmts = 1
            print(
                f"| {s}: {SHAPES.get(s, s)} | {label} | {r['rps']:.0f} | {num(r.get('p50_ms'), '{:.2f}')} | "
                f"{num(r.get('p99_ms'), '{:.2f}')} | {mb(r.get('rss_peak_kb'))} | "
                f"{r.get('response_bytes', '–')} | {num(stmts, '{:g}')} |"
            )

    others = [(n, l) for n, l in ran if n != "northstar"]
    misses = []
    if any(n == "northstar" for n, _ in ran) and others:
        print("\n## Ratios (throughput)\n")
        head = ["shape"]
        for n, label in others:
            head.append(f"Northstar / {SHORT.get(n, label)}")
            if n in TARGETS:
                head.append("target")
        print("| " + " | ".join(head) + " |")
        print("|---|" + "---:|" * (len(head) - 1))
        for s in shapes:
            ns = load(args.out, f"northstar-{s}.json")
            if not ns:
                continue
            row = [s]
            for n, _ in others:
                r = load(args.out, f"{n}-{s}.json")
                ratio = ns["rps"] / r["rps"] if r and r["rps"] else None
                row.append(num(ratio, "{:.2f}×"))
                if n in TARGETS:
                    target = TARGETS[n].get(s)
                    mark = "–"
                    if target and ratio is not None:
                        ok = ratio >= target
                        mark = f"≥ {target:g}× {'met' if ok else 'MISSED'}"
                        if not ok:
                            misses.append(f"{s} against {SHORT.get(n, n)}: {ratio:.2f}× of {target:g}×")
                    row.append(mark)
            print("| " + " | ".join(row) + " |")

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
    for what, value, ok in checks:
        print(f"- {what}: {value} — {'met' if ok else 'MISSED'}")
        if not ok:
            misses.append(what)
    for n, label in others:
        pg_rest = kb(args.out, f"{n}-rss-rest.kb")
        if pg_rest:
            print(f"- ({label} RSS at rest: {pg_rest / 1024:.0f} MB)")
    print()
    print("All targets met." if not misses else "Missed: " + "; ".join(misses))


if __name__ == "__main__":
    main()
