"""The client side of bench/history: seeds one organisation with two KPIs through the
GraphQL API — SHORT measurements on one, LONG on the other (bulks of 1,000) — and
writes the request bodies of each read shape for each KPI, with the API token, to
a directory; bench/history loads them with wrk, the two KPIs in turn, and
`--report` turns the wrk summaries into a table of the long KPI's rate over the
short one's.
"""

import argparse
import datetime
import json
import os
import statistics
import sys

from bulk import Client

SHAPES = {
    "latest": ("latestMeasurement and attainment",
               "query($k: ID!) { node(id: $k) { ... on Kpi { attainment latestMeasurement { value recordedAt } } } }"),
    "page": ("the first 5 measurements",
             "query($k: ID!) { node(id: $k) { ... on Kpi { measurements(first: 5) { nodes { value recordedAt } } } } }"),
    "list": ("kpis list with latestMeasurement",
             "query($s: ID!) { kpis(filter: {squadId: $s}) { nodes { name attainment latestMeasurement { value } } } }"),
    "count": ("measurements(first: 5) with totalCount",
              "query($k: ID!) { node(id: $k) { ... on Kpi { latestMeasurement { value } measurements(first: 5) { totalCount nodes { value } } } } }"),
}

BULK = """mutation($items: [UpsertKpiMeasurementInput!]!) {
  bulkUpsertKpiMeasurements(input: {items: $items}) { errors { index code message } } }"""


def seed(c, short, long):
    d, _ = c.gql(
        """mutation($i: RegisterOrganizationInput!) { registerOrganization(input: $i) { accessToken } }""",
        {"i": {"organizationName": "History Bench", "email": "admin@history.bench",
               "password": "correct horse battery", "displayName": "Admin", "discipline": "ENGINEERING"}})
    admin = d["registerOrganization"]["accessToken"]
    d, _ = c.gql('mutation { createTeam(input: {name: "Payments"}) { team { id } } }', token=admin)
    team = d["createTeam"]["team"]["id"]
    squads, kpis = {}, {}
    for name in ("short", "long"):
        d, _ = c.gql("mutation($t: ID!, $n: String!) { createSquad(input: {teamId: $t, name: $n}) { squad { id } } }",
                     {"t": team, "n": f"Squad {name}"}, token=admin)
        squads[name] = d["createSquad"]["squad"]["id"]
        d, _ = c.gql("""mutation($s: ID!) { createKpi(input: {squadId: $s, name: "Conversion", unit: PERCENT,
                          direction: HIGHER_IS_BETTER, category: CUSTOMER, target: 70}) { kpi { id } } }""",
                     {"s": squads[name]}, token=admin)
        kpis[name] = d["createKpi"]["kpi"]["id"]
    d, _ = c.gql('mutation { createApiToken(input: {name: "bench", scopes: [READ, KPIS_WRITE]}) { secret } }',
                 token=admin)
    c.token = d["createApiToken"]["secret"]
    now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    for name, n in (("short", short), ("long", long)):
        # One a minute, the newest a minute ago.
        for start in range(0, n, 1000):
            items = [{"externalRef": {"source": "history", "id": f"{name}-{i}"}, "kpiId": kpis[name],
                      "value": 40 + (i % 30),
                      "recordedAt": (now - datetime.timedelta(minutes=n - i)).isoformat()}
                     for i in range(start, min(n, start + 1000))]
            d, _ = c.gql(BULK, {"items": items})
            if d["bulkUpsertKpiMeasurements"]["errors"]:
                sys.exit(f"bulk errors: {d['bulkUpsertKpiMeasurements']['errors'][:3]}")
    return squads, kpis


def prepare(a):
    c = Client(a.server)
    squads, kpis = seed(c, a.short, a.long)
    os.makedirs(a.dir, exist_ok=True)
    for shape, (_, query) in SHAPES.items():
        for name in ("short", "long"):
            body = {"query": query, "variables": {"k": kpis[name], "s": squads[name]}}
            d, _ = c.gql(body["query"], body["variables"])
            json.dump(body, open(os.path.join(a.dir, f"{shape}-{name}.json"), "w"))
    open(os.path.join(a.dir, "token"), "w").write(c.token)


def report(a):
    runs = {}
    for f in sorted(os.listdir(a.dir)):
        if f.endswith(".wrk.json"):
            shape, name, _round = f[:-len(".wrk.json")].split("-")
            runs.setdefault((shape, name), []).append(json.load(open(os.path.join(a.dir, f))))
    print(f"| shape | KPI with {a.short} measurements: req/s (per round) | with {a.long}: req/s (per round) "
          "| median long / short | p99 ms short / long |")
    print("|---|---|---|---:|---:|")
    for shape, (title, _) in SHAPES.items():
        s, l = runs.get((shape, "short"), []), runs.get((shape, "long"), [])
        if not s or not l:
            continue
        ratios = [y["rps"] / x["rps"] for x, y in zip(s, l)]
        per_s = ", ".join("%.0f" % x["rps"] for x in s)
        per_l = ", ".join("%.0f" % y["rps"] for y in l)
        p99_s = statistics.median(x["p99_ms"] for x in s)
        p99_l = statistics.median(y["p99_ms"] for y in l)
        errors = sum(x["errors"] for x in s + l)
        note = f" ({errors} wrk errors)" if errors else ""
        print(f"| {shape}: {title}{note} | {per_s} | {per_l} | {statistics.median(ratios):.2f}× "
              f"| {p99_s:.1f} / {p99_l:.1f} |")


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--server")
    ap.add_argument("--dir")
    ap.add_argument("--short", type=int, default=10)
    ap.add_argument("--long", type=int, default=100_000)
    ap.add_argument("--report", action="store_true")
    a = ap.parse_args()
    report(a) if a.report else prepare(a)
