"""The client side of bench/bulk: seeds an organisation through the GraphQL API, then
times 1,000-item bulk upserts (new, unchanged, updated initiatives; new measurements)
and the same 1,000 initiative rows inserted by hand-written SQL in one transaction;
then the sustained rate of CLIENTS concurrent clients each sending 1,000-measurement
bulks of new references to one KPI, for a fixed time.

Every request is one HTTP POST on a kept-alive connection, timed from sending to the
last byte; a GraphQL error, or a bulk that reports item errors, stops the run.
"""

import argparse
import http.client
import json
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
import uuid

ITEMS = 1000


class Client:
    def __init__(self, server):
        u = urllib.parse.urlparse(server)
        self.conn = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
        self.token = None

    def gql(self, query, variables=None, token=None):
        body = json.dumps({"query": query, "variables": variables or {}})
        headers = {"Content-Type": "application/json"}
        if token or self.token:
            headers["Authorization"] = "Bearer " + (token or self.token)
        started = time.perf_counter()
        self.conn.request("POST", "/graphql", body, headers)
        resp = self.conn.getresponse()
        raw = resp.read()
        elapsed = time.perf_counter() - started
        data = json.loads(raw)
        if data.get("errors"):
            sys.exit(f"GraphQL errors: {json.dumps(data['errors'])[:600]}")
        return data["data"], elapsed


def seed(c):
    d, _ = c.gql(
        """mutation($i: RegisterOrganizationInput!) { registerOrganization(input: $i) {
             accessToken } }""",
        {"i": {"organizationName": "Bulk Bench", "email": "admin@bulk.bench",
               "password": "correct horse battery", "displayName": "Admin",
               "discipline": "ENGINEERING"}},
    )
    admin = d["registerOrganization"]["accessToken"]
    d, _ = c.gql('mutation { createTeam(input: {name: "Payments"}) { team { id } } }', token=admin)
    team = d["createTeam"]["team"]["id"]
    d, _ = c.gql(
        "mutation($t: ID!) { createSquad(input: {teamId: $t, name: \"Checkout\"}) { squad { id } } }",
        {"t": team}, token=admin)
    squad = d["createSquad"]["squad"]["id"]
    d, _ = c.gql(
        """mutation($s: ID!) { createKpi(input: {squadId: $s, name: "Conversion", unit: PERCENT,
             direction: HIGHER_IS_BETTER, category: CUSTOMER, target: 70}) { kpi { id } } }""",
        {"s": squad}, token=admin)
    kpi = d["createKpi"]["kpi"]["id"]
    d, _ = c.gql(
        """mutation { createApiToken(input: {name: "bench", scopes: [READ, KPIS_WRITE, INITIATIVES_WRITE]}) {
             secret } }""", token=admin)
    c.token = d["createApiToken"]["secret"]
    return squad, kpi


BULK_INITIATIVES = """mutation($items: [UpsertInitiativeInput!]!) {
  bulkUpsertInitiatives(input: {items: $items}) { results { result } errors { index code message } } }"""
BULK_MEASUREMENTS = """mutation($items: [UpsertKpiMeasurementInput!]!) {
  bulkUpsertKpiMeasurements(input: {items: $items}) { results { result } errors { index code message } } }"""


def bulk(c, query, field, items, want):
    d, elapsed = c.gql(query, {"items": items})
    payload = d[field]
    if payload["errors"]:
        sys.exit(f"{field} reported item errors: {payload['errors'][:3]}")
    got = {r["result"] for r in payload["results"]}
    if got != {want} or len(payload["results"]) != len(items):
        sys.exit(f"{field}: wanted {want} x {len(items)}, got {got}")
    return elapsed


def raw_insert(db, url, org_squad, n, round_):
    """The same rows as a bulk of new initiatives, by hand-written SQL in one
    transaction: the floor under what the API does."""
    rows = [(str(uuid.uuid4()), f"raw-{round_}-{i}", f"Raw item {i}") for i in range(n)]
    started = time.perf_counter()
    if db == "sqlite":
        path = urllib.parse.urlparse(url.replace("sqlite://", "file://")).path
        con = sqlite3.connect(path, timeout=30)
        org, squad = org_squad
        with con:
            con.executemany(
                """INSERT INTO initiative (id, organization_id, squad_id, title, title_key,
                   description, status, external_source, external_id, created_at, updated_at, version)
                   VALUES (?, ?, ?, ?, lower(?), '', 'PROPOSED', 'raw', ?, datetime('now'), datetime('now'), 1)""",
                [(r[0], org, squad, r[2], r[2], r[1]) for r in rows],
            )
        con.close()
    else:
        org, squad = org_squad
        values = ",".join(
            f"('{r[0]}', '{org}', '{squad}', '{r[2]}', lower('{r[2]}'), '', 'PROPOSED', 'raw', '{r[1]}', now(), now(), 1)"
            for r in rows)
        script = ("\\timing on\nBEGIN;\nINSERT INTO initiative (id, organization_id, squad_id, title, title_key,"
                  " description, status, external_source, external_id, created_at, updated_at, version) VALUES "
                  + values + ";\nCOMMIT;\n")
        out = subprocess.run(["psql", url, "-qX", "-v", "ON_ERROR_STOP=1"], input=script, check=True,
                             capture_output=True, text=True).stdout
        # psql times each statement from sending it to its answer: BEGIN, INSERT, COMMIT.
        ms = [float(line.split()[1]) for line in out.splitlines() if line.startswith("Time:")]
        return sum(ms) / 1000
    return time.perf_counter() - started


def squad_row(db, url):
    q = "SELECT organization_id, id FROM squad LIMIT 1"
    if db == "sqlite":
        path = urllib.parse.urlparse(url.replace("sqlite://", "file://")).path
        con = sqlite3.connect(path)
        row = con.execute(q).fetchone()
        con.close()
        return row
    out = subprocess.run(["psql", url, "-qXAt", "-F", " ", "-c", q], check=True,
                         capture_output=True, text=True).stdout.split()
    return out[0], out[1]


def measure(args):
    c = Client(args.server)
    squad, kpi = seed(c)
    org_squad = squad_row(args.db, args.url)
    timings = {k: [] for k in ["create", "unchanged", "update", "measurements", "raw_sql"]}
    for r in range(args.rounds):
        items = [{"externalRef": {"source": "jira", "id": f"R{r}-{i}"}, "squadId": squad,
                  "title": f"Initiative {r}-{i}", "description": "Synced from the planning tool",
                  "status": "PLANNED"} for i in range(ITEMS)]
        timings["create"].append(bulk(c, BULK_INITIATIVES, "bulkUpsertInitiatives", items, "CREATED"))
        timings["unchanged"].append(bulk(c, BULK_INITIATIVES, "bulkUpsertInitiatives", items, "UNCHANGED"))
        for it in items:
            it["title"] += " (renamed)"
        timings["update"].append(bulk(c, BULK_INITIATIVES, "bulkUpsertInitiatives", items, "UPDATED"))
        ms = [{"externalRef": {"source": "analytics", "id": f"R{r}-{i}"}, "kpiId": kpi,
               "value": 50 + i % 20} for i in range(ITEMS)]
        timings["measurements"].append(bulk(c, BULK_MEASUREMENTS, "bulkUpsertKpiMeasurements", ms, "CREATED"))
        timings["raw_sql"].append(raw_insert(args.db, args.url, org_squad, ITEMS, r))
    sustained = concurrent(args, c.token, kpi)
    json.dump({"db": args.db, "items": ITEMS, "rounds": args.rounds, "seconds": timings,
               "sustained": sustained}, open(args.out, "w"), indent=1)


def concurrent(args, token, kpi):
    """`args.clients` clients, each on its own connection, send bulks of new
    measurements of one KPI back to back for `args.seconds`; the rate counts the items
    of the bulks that finished inside that time."""
    done = [0] * args.clients
    stop = time.perf_counter() + args.seconds

    def client(n):
        c = Client(args.server)
        c.token = token
        b = 0
        while time.perf_counter() < stop:
            ms = [{"externalRef": {"source": "stream", "id": f"C{n}-{b}-{i}"}, "kpiId": kpi,
                   "value": 50 + i % 20} for i in range(ITEMS)]
            bulk(c, BULK_MEASUREMENTS, "bulkUpsertKpiMeasurements", ms, "CREATED")
            b += 1
            if time.perf_counter() <= stop:
                done[n] += ITEMS
    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(args.clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return {"clients": args.clients, "seconds": args.seconds, "items": sum(done),
            "per_second": sum(done) / args.seconds, "wall": time.perf_counter() - started}


def report(paths):
    print(f"| database | what (1,000 items, one request) | median ms | min ms | max ms | × raw SQL |")
    print("|---|---|---:|---:|---:|---:|")
    names = {"create": "bulkUpsertInitiatives, all new", "unchanged": "the same bulk again (unchanged)",
             "update": "the same bulk, every title changed", "measurements": "bulkUpsertKpiMeasurements, all new",
             "raw_sql": "raw SQL: the 1,000 rows in one INSERT, one transaction"}
    for p in paths:
        r = json.load(open(p))
        raw = statistics.median(r["seconds"]["raw_sql"])
        for k, name in names.items():
            s = [x * 1000 for x in r["seconds"][k]]
            ratio = statistics.median(r["seconds"][k]) / raw
            print(f"| {r['db']} | {name} | {statistics.median(s):.0f} | {min(s):.0f} | {max(s):.0f} | {ratio:.1f} |")
    print()
    print(f"Rounds per database: {json.load(open(paths[0]))['rounds']}; each round writes new references.")
    print()
    print("| database | concurrent clients | seconds | measurements written | measurements/s |")
    print("|---|---:|---:|---:|---:|")
    for p in paths:
        r = json.load(open(p))
        c = r.get("sustained")
        if c:
            print(f"| {r['db']} | {c['clients']} | {c['seconds']} | {c['items']} | {c['per_second']:.0f} |")


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--db")
    ap.add_argument("--url")
    ap.add_argument("--server")
    ap.add_argument("--rounds", type=int, default=10)
    ap.add_argument("--clients", type=int, default=4)
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--out")
    ap.add_argument("--report", nargs="+")
    a = ap.parse_args()
    if a.report:
        report(a.report)
    else:
        measure(a)
