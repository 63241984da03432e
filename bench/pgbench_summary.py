#!/usr/bin/env python3
"""Summarises a pgbench run as JSON: throughput from its report, p50/p99 latency from
its per-transaction logs (-l). Usage: pgbench_summary.py REPORT LOG..."""
import json
import re
import sys

report = open(sys.argv[1]).read()
tps = re.search(r"tps = ([0-9.]+)", report)
failed = re.search(r"number of failed transactions: (\d+)", report)
if not tps:
    raise SystemExit(f"no tps in pgbench's report:\n{report}")
latencies = []
for path in sys.argv[2:]:
    with open(path) as f:
        # client_id transaction_no time_us script_no time_epoch time_us
        latencies.extend(int(line.split()[2]) for line in f if line.strip())
latencies.sort()


def pct(p):
    return latencies[min(len(latencies) - 1, int(len(latencies) * p / 100))] / 1000 if latencies else None


print(json.dumps({
    "rps": float(tps.group(1)),
    "requests": len(latencies),
    "p50_ms": pct(50),
    "p99_ms": pct(99),
    "errors": int(failed.group(1)) if failed else 0,
}))
