#!/usr/bin/env python3
"""Seeds the benchmark data set (bench/DATASET.md) into a running Northstar server
through its public GraphQL API, and writes the ids the load shapes need.

    python3 bench/seed.py --url http://127.0.0.1:8088/graphql --out bench/out/northstar-ids.json
    python3 bench/seed.py ... --scale 10     # 2,000 teams (and so 400,000 measurements)

Only the standard library is used. Mutations are batched with aliases (the server
allows 30 per request) and sent from a few threads; every call's errors are fatal.

--scale N multiplies the teams (200 N teams, each with its 5 squads, 20 KPIs and 200
measurements); the organisation and its 50 users stay as they are. --measurements
says how the measurements go in: `single` is one recordKpiMeasurement per measurement
(30 per request), what the data set has always been seeded with; `bulk` is
bulkUpsertKpiMeasurements, 1,000 per request, with an API token (scopes READ and
KPIS_WRITE) that the admin creates, each measurement carrying the external reference
("bench-seed-<request>", "<kpi index>:<i>"): same KPIs, values and times, written by the same
application code (attainment, change log and audit included), about ten times faster,
but recorded by the token (source, externalRef and recordedByToken set, recordedBy
null) instead of by the admin. `auto` (the default) is `single` at scale 1, so that
the 1x data set stays exactly what it was, and `bulk` above it.
"""

import argparse
import datetime as dt
import json
import sys
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor

ADMIN_EMAIL = "admin@bench.example"
PASSWORD = "bench password 1"
BATCH = 30  # the server's alias limit
BULK = 1000  # bulkUpsertKpiMeasurements' limit
THREADS = 4
TEAMS = 200  # at scale 1

KPIS = [
    # name, description, unit, direction, category, baseline, target
    ("Deployment frequency", "Production deploys per week", "COUNT", "HIGHER_IS_BETTER", "DELIVERY", 2, 14),
    ("Lead time for changes", "Commit to production, in seconds", "DURATION_SECONDS", "LOWER_IS_BETTER", "DELIVERY", 172800, 3600),
    ("Change failure rate", "Share of deploys that fail", "PERCENT", "LOWER_IS_BETTER", "RELIABILITY", 30, 5),
    ("Net promoter score", "Customer NPS", "SCORE", "HIGHER_IS_BETTER", "CUSTOMER", 10, 50),
]
DISCIPLINES = ["ENGINEERING", "PRODUCT", "DESIGN"]
FIRST_MEASUREMENT = dt.datetime(2026, 9, 1, tzinfo=dt.timezone.utc)


class Client:
    def __init__(self, url):
        self.url = url
        self.token = None
        self.login_at = None
        self.lock = threading.Lock()

    def fresh(self):
        """Signs in again when the access token (15 minutes) is over 10 minutes old,
        which a long phase at a large scale outlives."""
        with self.lock:
            if self.login_at is not None and time.monotonic() - self.login_at > 600:
                self.login()

    def call(self, query, variables=None, token=None):
        body = json.dumps({"query": query, "variables": variables or {}}).encode()
        req = urllib.request.Request(self.url, data=body, method="POST")
        req.add_header("Content-Type", "application/json")
        bearer = token or self.token
        if bearer:
            req.add_header("Authorization", f"Bearer {bearer}")
        for attempt in range(5):
            try:
                with urllib.request.urlopen(req, timeout=120) as resp:
                    answer = json.load(resp)
                break
            except OSError as e:  # connection refused/reset while the server is busy
                if attempt == 4:
                    raise
                print(f"retrying after {e}", file=sys.stderr)
                time.sleep(1)
        if answer.get("errors"):
            raise SystemExit(f"GraphQL errors: {json.dumps(answer['errors'])[:2000]}")
        return answer["data"]

    def login(self):
        data = self.call(
            "mutation($input: LoginInput!) { login(input: $input) { accessToken } }",
            {"input": {"email": ADMIN_EMAIL, "password": PASSWORD}},
        )
        self.token = data["login"]["accessToken"]
        self.login_at = time.monotonic()


def batched_mutation(client, field, input_type, inputs, selection):
    """Runs `field(input:)` once per input, BATCH aliases per request, in order;
    returns the selections in input order."""
    chunks = [inputs[i : i + BATCH] for i in range(0, len(inputs), BATCH)]

    def run(chunk):
        client.fresh()
        params = ", ".join(f"$i{n}: {input_type}!" for n in range(len(chunk)))
        fields = " ".join(
            f"m{n}: {field}(input: $i{n}) {selection}" for n in range(len(chunk))
        )
        data = client.call(
            f"mutation({params}) {{ {fields} }}",
            {f"i{n}": inp for n, inp in enumerate(chunk)},
        )
        return [data[f"m{n}"] for n in range(len(chunk))]

    with ThreadPoolExecutor(THREADS) as pool:
        return [item for chunk in pool.map(run, chunks) for item in chunk]


def bulk_measurements(client, measurements):
    """The measurements through bulkUpsertKpiMeasurements, BULK per request, with an
    API token of the admin's (see the module's doc)."""
    data = client.call(
        """mutation { createApiToken(input: {name: "bench seed", scopes: [READ, KPIS_WRITE]}) {
             secret } }"""
    )
    token = data["createApiToken"]["secret"]
    # One external source per request ("bench-seed-<request>"), not one for all: the
    # upsert looks its references up by (organisation, source) and filters the ids,
    # so with a single source every request would scan all the earlier ones (while
    # the table has no statistics), and the seeding would slow down quadratically.
    items = [
        {**m, "externalRef": {"source": f"bench-seed-{n // BULK}", "id": f"{n // 10}:{n % 10 + 1}"}}
        for n, m in enumerate(measurements)
    ]
    chunks = [items[i : i + BULK] for i in range(0, len(items), BULK)]

    def run(chunk):
        payload = client.call(
            """mutation($items: [UpsertKpiMeasurementInput!]!) {
                 bulkUpsertKpiMeasurements(input: {items: $items}) {
                   results { result } errors { index code message } } }""",
            {"items": chunk},
            token=token,
        )["bulkUpsertKpiMeasurements"]
        if payload["errors"] or len(payload["results"]) != len(chunk):
            raise SystemExit(f"bulkUpsertKpiMeasurements: {json.dumps(payload['errors'][:3])}")

    # Two at a time: each bulk is one transaction of 1,000 rows.
    with ThreadPoolExecutor(2) as pool:
        list(pool.map(run, chunks))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--url", default="http://127.0.0.1:8088/graphql")
    ap.add_argument("--out", required=True)
    ap.add_argument("--scale", type=int, default=1, help="teams = 200 x SCALE (default 1)")
    ap.add_argument("--measurements", choices=["auto", "single", "bulk"], default="auto")
    args = ap.parse_args()
    teams_n = TEAMS * args.scale
    route = args.measurements if args.measurements != "auto" else ("single" if args.scale == 1 else "bulk")
    client = Client(args.url)
    started = time.monotonic()
    phase = [started]

    def lap(what):
        now = time.monotonic()
        print(f"  {what}: {now - phase[0]:.1f} s", file=sys.stderr)
        phase[0] = now

    data = client.call(
        """mutation($input: RegisterOrganizationInput!) {
             registerOrganization(input: $input) { accessToken }
           }""",
        {
            "input": {
                "organizationName": "Bench Org",
                "email": ADMIN_EMAIL,
                "password": PASSWORD,
                "displayName": "Bench Admin",
                "discipline": "ENGINEERING",
            }
        },
    )
    client.token = data["registerOrganization"]["accessToken"]

    # Users 2..50: invited, then each accepts the invite (sets a password).
    invites = batched_mutation(
        client,
        "inviteUser",
        "InviteUserInput",
        [
            {
                "email": f"user-{nn:02}@bench.example",
                "displayName": f"User {nn:02}",
                "discipline": DISCIPLINES[nn % 3],
                "orgRole": "MEMBER",
            }
            for nn in range(2, 51)
        ],
        "{ inviteToken }",
    )
    batched_mutation(
        client,
        "acceptInvite",
        "AcceptInviteInput",
        [{"inviteToken": i["inviteToken"], "password": PASSWORD} for i in invites],
        "{ user { id } }",
    )
    lap("organisation and 50 users")

    teams = batched_mutation(
        client,
        "createTeam",
        "CreateTeamInput",
        [{"name": f"Team {t:03}", "description": f"Bench team {t:03}"} for t in range(1, teams_n + 1)],
        "{ team { id name } }",
    )
    team_ids = [t["team"]["id"] for t in teams]

    squads = batched_mutation(
        client,
        "createSquad",
        "CreateSquadInput",
        [
            {
                "teamId": team_ids[t - 1],
                "name": f"Team {t:03} Squad {s}",
                "mission": f"Mission of team {t:03} squad {s}",
            }
            for t in range(1, teams_n + 1)
            for s in range(1, 6)
        ],
        "{ squad { id } }",
    )
    squad_ids = [s["squad"]["id"] for s in squads]
    lap(f"{len(team_ids)} teams, {len(squad_ids)} squads")

    client.login()  # a fresh access token for the long part
    kpis = batched_mutation(
        client,
        "createKpi",
        "CreateKpiInput",
        [
            {
                "squadId": squad_id,
                "name": name,
                "description": description,
                "unit": unit,
                "direction": direction,
                "category": category,
                "baseline": baseline,
                "target": target,
            }
            for squad_id in squad_ids
            for (name, description, unit, direction, category, baseline, target) in KPIS
        ],
        "{ kpi { id } }",
    )
    kpi_ids = [k["kpi"]["id"] for k in kpis]
    lap(f"{len(kpi_ids)} KPIs")

    client.login()
    measurements = []
    for n, kpi_id in enumerate(kpi_ids):
        _, _, _, _, _, baseline, target = KPIS[n % 4]
        for i in range(1, 11):
            measurements.append(
                {
                    "kpiId": kpi_id,
                    "value": baseline + (target - baseline) * i / 12,
                    "recordedAt": (FIRST_MEASUREMENT + dt.timedelta(days=7 * (i - 1)))
                    .isoformat()
                    .replace("+00:00", "Z"),
                }
            )
    if route == "single":
        batched_mutation(
            client,
            "recordKpiMeasurement",
            "RecordKpiMeasurementInput",
            measurements,
            "{ measurement { id } }",
        )
    else:
        bulk_measurements(client, measurements)
    lap(f"{len(measurements)} measurements ({route})")

    ids = {
        # Shape (b): Team 001.
        "team_id": team_ids[0],
        # Shape (d): Team 200 Squad 1's "Deployment frequency" — outside the teams
        # that (b) and (c) read, so writes do not change their answers.
        "kpi_id": kpi_ids[(199 * 5 + 0) * 4 + 0],
        # Shape (dn): the first KPI of squads 1–4 of teams 193–200, 32 in all, also
        # outside what (b) and (c) read.
        "kpi_ids_32": [kpi_ids[(t * 5 + s) * 4 + 0] for t in range(192, 200) for s in range(4)]
        if len(team_ids) >= 200 else [],
    }
    with open(args.out, "w") as f:
        json.dump(ids, f)
    print(
        f"seeded 1 organisation, 50 users, {len(team_ids)} teams, {len(squad_ids)} squads, "
        f"{len(kpi_ids)} KPIs, {len(measurements)} measurements in "
        f"{time.monotonic() - started:.0f} s",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
