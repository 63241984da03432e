# Shell functions shared by bench/run and bench/sweep (sourced, not run). See
# bench/README.md. The caller sets `set -euo pipefail` and, before calling
# anything, DURATION, CONNECTIONS, WARMUP (seconds) and SHAPES.
#
# Environment (all optional):
#   BENCH_PG          PostgreSQL server, default postgres://postgres@127.0.0.1:5432
#   BENCH_NS_DB       Northstar's database               (default northstar_bench)
#   BENCH_PG_DB       open PostGraphile's and pgbench's  (default northstar_bench_pg)
#   BENCH_PGS_DB      secured PostGraphile's             (default northstar_bench_pgs)
#   BENCH_NS_PORT     Northstar's HTTP port              (default 8088)
#   BENCH_PGL_PORT    open PostGraphile's                (default 5678)
#   BENCH_PGLS_PORT   secured PostGraphile's             (default 5680)
#   BENCH_SEA_DB      seaography's                       (default northstar_bench_sea)
#   BENCH_SEA_PORT    seaography's HTTP port             (default 5679)
#   BENCH_SEA_TARGET  where cargo builds seaography      (default bench/seaography/target)
#   BENCH_PGS_URL     what the secured peer connects as (default: BENCH_PG with the
#                     user bench_authenticator and BENCH_PGS_DB)
#   BENCH_OUT         results directory                  (default bench/out)
#   CARGO_TARGET_DIR  where cargo builds Northstar       (default target)
# Two runs can share the machine when they differ in all the databases, ports and
# BENCH_OUT.

BENCH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$BENCH")"
PG="${BENCH_PG:-postgres://postgres@127.0.0.1:5432}"
NS_DB="${BENCH_NS_DB:-northstar_bench}"
PG_DB="${BENCH_PG_DB:-northstar_bench_pg}"
PGS_DB="${BENCH_PGS_DB:-northstar_bench_pgs}"
NS_PORT="${BENCH_NS_PORT:-8088}"
PGL_PORT="${BENCH_PGL_PORT:-5678}"
PGLS_PORT="${BENCH_PGLS_PORT:-5680}"
SEA_DB="${BENCH_SEA_DB:-northstar_bench_sea}"
SEA_PORT="${BENCH_SEA_PORT:-5679}"
# seaography is its own cargo project (its async-graphql is 7.0): its own target.
SEA_TARGET="${BENCH_SEA_TARGET:-$BENCH/seaography/target}"
OUT="${BENCH_OUT:-$BENCH/out}"
case "${CARGO_TARGET_DIR:-}" in
  "") NS_BIN="$ROOT/target/release/northstar" ;;
  /*) NS_BIN="$CARGO_TARGET_DIR/release/northstar" ;;
  *) NS_BIN="$ROOT/$CARGO_TARGET_DIR/release/northstar" ;;
esac
NS_JWT_SECRET=bench-secret-bench-secret-bench-secret
PGS_JWT_SECRET=bench-pgs-secret-bench-pgs-secret-bench
if [ -n "${BENCH_PGS_URL:-}" ]; then
  PGS_URL="$BENCH_PGS_URL"
elif [[ "$PG" == *@* ]]; then
  PGS_URL="$(sed -E 's#^([a-z]+://)[^@/]*@#\1bench_authenticator@#' <<<"$PG")/$PGS_DB"
else
  PGS_URL="$(sed -E 's#^([a-z]+://)#\1bench_authenticator@#' <<<"$PG")/$PGS_DB"
fi
THREADS=2
# File name suffixes: TAG for a server's files (logs, RSS at rest, bodies), LOAD_TAG
# for one measurement's results. bench/run leaves both empty; bench/sweep sets them.
TAG=
LOAD_TAG=

log() { printf '\033[1m== %s\033[0m\n' "$*" >&2; }

# --- tools -------------------------------------------------------------------------
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
apt_updated=
need_apt() { # command package
  command -v "$1" >/dev/null && return
  log "installing $2 (apt)"
  [ -n "$apt_updated" ] || { as_root apt-get update -qq; apt_updated=1; }
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null
}

# bench_setup SERVERS...: installs the tools, builds Northstar and installs PostGraphile
# when the servers need them.
bench_setup() {
  need_apt wrk wrk
  need_apt psql postgresql-client
  need_apt pgbench postgresql-client
  need_apt python3 python3
  need_apt curl curl
  case " $* " in
    *" northstar "*)
      command -v cargo >/dev/null || { echo "cargo is needed: https://rustup.rs" >&2; exit 1; }
      log "building Northstar (release)"
      (cd "$ROOT" && cargo build --release --quiet --bin northstar) ;;
  esac
  case " $* " in
    *" seaography "*)
      log "building seaography (release; a first build takes about 12 minutes on 2 cores)"
      CARGO_TARGET_DIR="$SEA_TARGET" "$BENCH/seaography/serve" --build ;;
  esac
  case " $* " in
    *" postgraphile"*)
      need_apt npm npm
      log "installing PostGraphile (npm ci)"
      (cd "$BENCH/postgraphile" && npm ci --silent --no-audit --no-fund >/dev/null) ;;
  esac
}

SERVER_PID=
SAMPLER_PID=
cleanup() {
  [ -z "$SAMPLER_PID" ] || kill "$SAMPLER_PID" 2>/dev/null || true
  [ -z "$SERVER_PID" ] || { kill "$SERVER_PID" 2>/dev/null; wait "$SERVER_PID" 2>/dev/null; } || true
}
trap cleanup EXIT

# --- helpers -----------------------------------------------------------------------
fresh_db() {
  psql "$PG/postgres" -qX -v ON_ERROR_STOP=1 -c "DROP DATABASE IF EXISTS $1 WITH (FORCE)" -c "CREATE DATABASE $1" >/dev/null
}
# pg_dataset DB SCALE: a fresh DB with postgraphile/schema.sql's data set at SCALE.
pg_dataset() {
  fresh_db "$1"
  psql "$PG/$1" -qX -v ON_ERROR_STOP=1 -v scale="$2" -f "$BENCH/postgraphile/schema.sql" >/dev/null
}
# free_port PORT VARIABLE: stops when something already listens on 127.0.0.1:PORT
# (it would answer in place of the server about to start).
free_port() {
  if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then
    echo "port $1 is already in use on 127.0.0.1: choose another with $2" >&2; exit 1
  fi
}
rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
wait_http() { # url [curl arguments]: until it answers 2xx
  for _ in $(seq 1 300); do
    curl -sf -o /dev/null "$@" && return 0
    kill -0 "$SERVER_PID" 2>/dev/null || { echo "the server died; see $OUT/*.log" >&2; exit 1; }
    sleep 0.2
  done
  echo "timed out waiting for $1" >&2; exit 1
}
start_sampler() { # pid file: VmRSS every 100 ms while it runs
  ( while kill -0 "$1" 2>/dev/null; do rss_kb "$1" 2>/dev/null || true; sleep 0.1; done ) >"$2" &
  SAMPLER_PID=$!
}
stop_sampler() { kill "$SAMPLER_PID" 2>/dev/null || true; wait "$SAMPLER_PID" 2>/dev/null || true; SAMPLER_PID=; }
stop_server() {
  [ -z "$SERVER_PID" ] || { kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; }
  SERVER_PID=
}
metric() { # url name: a counter's value, summed over its labels (0 when absent)
  curl -sf "$1" | awk -v n="$2" '{ k = $1; sub(/\{.*/, "", k) } k == n { s += $2 } END { printf "%d\n", s }'
}
threads() { echo $(( CONNECTIONS < THREADS ? CONNECTIONS : THREADS )); }

# check_body server url body token: one request; fails on GraphQL errors; prints the size.
check_body() {
  local resp
  # A body file of several lines (shape dn) is checked by its first.
  resp=$(head -n1 "$3" | curl -sS -X POST "$2" -H 'Content-Type: application/json' \
    ${4:+-H "Authorization: Bearer $4"} --data-binary @-)
  if python3 -c 'import json,sys; d=json.loads(sys.stdin.read()); sys.exit(0 if d.get("data") and not d.get("errors") else 1)' <<<"$resp" 2>/dev/null; then
    printf '%s' "$resp" | wc -c
  else
    echo "$1 answered $3 with errors: ${resp:0:600}" >&2; exit 1
  fi
}

# load_http server shape url body token metrics: warm up, then measure with wrk; RSS
# sampled; with a Northstar /metrics url, statements per request and errors under load.
load_http() {
  local server=$1 shape=$2 url=$3 body=$4 token=$5 metrics=$6
  local name="$server-$shape$LOAD_TAG" bytes before_req before_stmt before_err
  bytes=$(check_body "$server" "$url" "$body" "$token")
  BODY_FILE=$body TOKEN=$token WRK_OUT=/dev/null \
    wrk -t"$(threads)" -c"$CONNECTIONS" -d"${WARMUP}s" -s "$BENCH/wrk/graphql.lua" "$url" >/dev/null
  if [ -n "$metrics" ]; then
    before_req=$(metric "$metrics" northstar_graphql_requests_total)
    before_stmt=$(metric "$metrics" northstar_db_statements_total)
    before_err=$(metric "$metrics" northstar_graphql_errors_total)
  fi
  start_sampler "$SERVER_PID" "$OUT/$name.rss"
  BODY_FILE=$body TOKEN=$token WRK_OUT="$OUT/$name.json" \
    wrk -t"$(threads)" -c"$CONNECTIONS" -d"${DURATION}s" --timeout 10s -s "$BENCH/wrk/graphql.lua" "$url" \
    >"$OUT/$name.wrk.txt"
  stop_sampler
  python3 - "$OUT/$name.json" "$OUT/$name.rss" "$bytes" <<'PY'
import json, sys
path, rss, size = sys.argv[1], sys.argv[2], int(sys.argv[3])
r = json.load(open(path))
samples = [int(x) for x in open(rss).read().split() if x.isdigit()]
r["rss_peak_kb"] = max(samples) if samples else None
r["response_bytes"] = size
json.dump(r, open(path, "w"))
PY
  if [ -n "$metrics" ]; then
    # Statements per request, over the measured window (sign-in lookup included).
    python3 - "$OUT/$name.json" "$before_req" "$(metric "$metrics" northstar_graphql_requests_total)" \
      "$before_stmt" "$(metric "$metrics" northstar_db_statements_total)" <<'PY'
import json, sys
path = sys.argv[1]
r0, r1, s0, s1 = map(float, sys.argv[2:6])
r = json.load(open(path))
r["statements_per_request"] = round((s1 - s0) / (r1 - r0), 2) if r1 > r0 else None
json.dump(r, open(path, "w"))
PY
    local errs
    errs=$(( $(metric "$metrics" northstar_graphql_errors_total) - before_err ))
    [ "$errs" = 0 ] || { echo "$server returned $errs GraphQL errors under load on $shape" >&2; exit 1; }
  fi
  log "$server $shape$LOAD_TAG: $(cat "$OUT/$name.json")"
}

# load_pgbench shape: the hand-written SQL of a shape with pgbench -M prepared on
# PG_DB (the plain schema), warm-up first.
load_pgbench() {
  local shape=$1 name="sql-$1$LOAD_TAG" team kpi
  team=$(psql "$PG/$PG_DB" -qAtX -c "SELECT id FROM bench.teams WHERE name = 'Team 001'")
  kpi=$(psql "$PG/$PG_DB" -qAtX -c "SELECT md5('bench:team:200:squad:1:kpi:1')::uuid")
  pgbench "$PG/$PG_DB" -n -M prepared -f "$BENCH/sql/$shape.sql" -c "$CONNECTIONS" -j "$(threads)" -T "$WARMUP" \
    -D team_id="$team" -D kpi_id="$kpi" >/dev/null 2>&1
  (cd "$OUT" && rm -f pgbench_log.* &&
    pgbench "$PG/$PG_DB" -n -M prepared -f "$BENCH/sql/$shape.sql" -c "$CONNECTIONS" -j "$(threads)" -T "$DURATION" \
      -D team_id="$team" -D kpi_id="$kpi" -l >"$OUT/$name.txt" 2>&1)
  python3 "$BENCH/pgbench_summary.py" "$OUT/$name.txt" "$OUT"/pgbench_log.* >"$OUT/$name.json"
  rm -f "$OUT"/pgbench_log.*
  log "sql $shape$LOAD_TAG: $(cat "$OUT/$name.json")"
}

# --- servers -----------------------------------------------------------------------
# A server NAME is three things:
#   SERVER_LABEL[NAME]   its name in the report;
#   start_NAME SCALE     a fresh database with the data set at SCALE (1 = DATASET.md,
#                        10 = ten times the teams), the server started on it and
#                        seeded, and then these set for `measure`:
#                          SERVER_PID      the process (RSS; empty when none)
#                          SERVER_KIND     http (wrk) or pgbench
#                          SERVER_URL      the GraphQL endpoint
#                          SERVER_TOKEN    the bearer token to send (or empty)
#                          SERVER_METRICS  Northstar's /metrics (or empty)
#                          SERVER_BODY     printf pattern of a shape's request body
#                        and its RSS at rest written to $OUT/NAME-rss-rest$TAG.kb;
#   stop_server          (shared) stops it.
# run_server NAME (below) starts it, measures every shape and stops it; bench/sweep
# calls start_NAME once per scale and `measure` per connection count.
#
# To add a server (e.g. seaography), copy one section below: a label, a start_NAME,
# its request bodies in bench/NAME/*.json, and add NAME to the servers of bench/run.
declare -A SERVER_LABEL
SERVER_KIND=http SERVER_URL= SERVER_TOKEN= SERVER_METRICS= SERVER_BODY=

# measure NAME SHAPE: one measurement of a started server.
measure() {
  local body
  if [ "$SERVER_KIND" = pgbench ]; then
    load_pgbench "$2"
  else
    # shellcheck disable=SC2059
    body=$(printf "$SERVER_BODY" "$2")
    load_http "$1" "$2" "$SERVER_URL" "$body" "$SERVER_TOKEN" "$SERVER_METRICS"
  fi
}

# run_server NAME [SCALE]: the whole run of one server (bench/run).
run_server() {
  local name=$1 s
  declare -F "start_$name" >/dev/null || { echo "unknown server: $name" >&2; exit 2; }
  printf '%s\t%s\n' "$name" "${SERVER_LABEL[$name]}" >>"$OUT/servers.tsv"
  "start_$name" "${2:-1}"
  for s in $SHAPES; do measure "$name" "$s"; done
  stop_server
}

# northstar_body SHAPE IDS: the request body of a Northstar shape, with the ids that
# bench/seed.py wrote to IDS; for dn, (d) once per KPI of `kpi_ids_32`, one per line.
northstar_body() {
  local ids=$2
  if [ "$1" = dn ]; then
    python3 - "$BENCH/northstar/d.json" "$ids" <<'PY'
import json, sys
body, ids = open(sys.argv[1]).read().strip(), json.load(open(sys.argv[2]))
print("\n".join(body.replace("__KPI_ID__", k) for k in ids["kpi_ids_32"]))
PY
  else
    python3 - "$BENCH/northstar/$1.json" "$ids" <<'PY'
import json, sys
body, ids = open(sys.argv[1]).read().strip(), json.load(open(sys.argv[2]))
print(body.replace("__TEAM_ID__", ids["team_id"]).replace("__KPI_ID__", ids["kpi_id"]))
PY
  fi
}

# --- server: Northstar -------------------------------------------------------------
SERVER_LABEL[northstar]="Northstar"
start_northstar() {
  local scale=$1 s ids="$OUT/northstar-ids$TAG.json"
  log "Northstar: fresh database $NS_DB"
  free_port "$NS_PORT" BENCH_NS_PORT
  fresh_db "$NS_DB"
  # No TLS to the database on loopback, like PostGraphile's pg client by default.
  DATABASE_URL="$PG/$NS_DB?sslmode=disable" NORTHSTAR_LISTEN="127.0.0.1:$NS_PORT" \
    NORTHSTAR_JWT_SECRET="$NS_JWT_SECRET" RUST_LOG=warn \
    "$NS_BIN" serve >"$OUT/northstar$TAG.log" 2>&1 &
  SERVER_PID=$!
  wait_http "http://127.0.0.1:$NS_PORT/readyz"
  rss_kb "$SERVER_PID" >"$OUT/northstar-rss-start$TAG.kb"
  log "seeding Northstar (scale $scale)"
  python3 "$BENCH/seed.py" --url "http://127.0.0.1:$NS_PORT/graphql" --out "$ids" --scale "$scale" \
    2> >(tee "$OUT/northstar-seed$TAG.log" >&2)
  for s in "$BENCH"/northstar/*.json; do
    s=$(basename "$s" .json)
    northstar_body "$s" "$ids" >"$OUT/northstar$TAG-$s.body.json"
  done
  psql "$PG/$NS_DB" -qX -c "VACUUM ANALYZE" >/dev/null
  sleep 2
  rss_kb "$SERVER_PID" >"$OUT/northstar-rss-rest$TAG.kb"
  SERVER_KIND=http
  SERVER_URL="http://127.0.0.1:$NS_PORT/graphql"
  SERVER_METRICS="http://127.0.0.1:$NS_PORT/metrics"
  SERVER_BODY="$OUT/northstar$TAG-%s.body.json"
  SERVER_TOKEN=$(curl -sf -X POST "$SERVER_URL" -H 'Content-Type: application/json' \
    --data '{"query":"mutation { login(input: {email: \"admin@bench.example\", password: \"bench password 1\"}) { accessToken } }"}' |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["login"]["accessToken"])')
}

# --- server: PostGraphile (open) ----------------------------------------------------
SERVER_LABEL[postgraphile]="PostGraphile 5"
# start_postgraphile_on CONFIG URL PORT NAME PORT_VARIABLE: starts PostGraphile,
# waits, RSS at rest.
start_postgraphile_on() {
  free_port "$3" "$5"
  (
    cd "$BENCH/postgraphile"
    NODE_ENV=production BENCH_PG_URL="$2" BENCH_PG_PORT="$3" BENCH_PGS_JWT_SECRET="$PGS_JWT_SECRET" \
      exec node_modules/.bin/node node_modules/.bin/postgraphile -C "$1"
  ) >"$OUT/$4$TAG.log" 2>&1 &
  SERVER_PID=$!
  wait_http "http://127.0.0.1:$3/graphql" -H 'Content-Type: application/json' --data '{"query":"{__typename}"}'
  sleep 2
  rss_kb "$SERVER_PID" >"$OUT/$4-rss-rest$TAG.kb"
  SERVER_KIND=http SERVER_URL="http://127.0.0.1:$3/graphql" SERVER_METRICS=
  SERVER_BODY="$BENCH/postgraphile/%s.json"
}
PG_DATASET=  # "DB:SCALE" of PG_DB's data, for the raw SQL to reuse
start_postgraphile() {
  log "PostGraphile: fresh database $PG_DB (scale $1)"
  pg_dataset "$PG_DB" "$1"
  PG_DATASET="$PG_DB:$1"
  start_postgraphile_on graphile.config.mjs "$PG/$PG_DB" "$PGL_PORT" postgraphile BENCH_PGL_PORT
  SERVER_TOKEN=
}

# --- server: PostGraphile secured (JWT + RLS) ---------------------------------------
SERVER_LABEL[postgraphile-secured]="PostGraphile 5 secured (JWT + RLS)"
start_postgraphile-secured() {
  local org other
  log "PostGraphile secured: fresh database $PGS_DB (scale $1), roles and policies"
  pg_dataset "$PGS_DB" "$1"
  psql "$PG/$PGS_DB" -qX -v ON_ERROR_STOP=1 -f "$BENCH/postgraphile/secured.sql" >/dev/null
  start_postgraphile_on secured.config.mjs "$PGS_URL" "$PGLS_PORT" postgraphile-secured BENCH_PGLS_PORT
  org=$(psql "$PG/$PGS_DB" -qAtX -c "SELECT id FROM bench.organizations")
  SERVER_TOKEN=$(python3 "$BENCH/jwt.py" --secret "$PGS_JWT_SECRET" --org "$org" --ttl 86400)
  # The policies are in force: no token, or another organisation's, reads no team.
  other=$(python3 "$BENCH/jwt.py" --secret "$PGS_JWT_SECRET" --org 00000000-0000-4000-8000-000000000000)
  for t in "" "$other"; do
    curl -sS -X POST "$SERVER_URL" -H 'Content-Type: application/json' ${t:+-H "Authorization: Bearer $t"} \
      --data-binary "@$BENCH/postgraphile/b.json" |
      python3 -c 'import json,sys; d=json.load(sys.stdin); sys.exit(0 if d == {"data": {"teamByRowId": None}} else 1)' ||
      { echo "the secured PostGraphile shows Team 001 without the organisation's token" >&2; exit 1; }
  done
}

# --- server: raw SQL (pgbench) ----------------------------------------------------
SERVER_LABEL[sql]="raw SQL (pgbench)"
start_sql() {
  if [ "$PG_DATASET" != "$PG_DB:$1" ]; then
    log "raw SQL: fresh database $PG_DB (scale $1)"
    pg_dataset "$PG_DB" "$1"
    PG_DATASET="$PG_DB:$1"
  fi
  SERVER_KIND=pgbench SERVER_PID= SERVER_URL= SERVER_TOKEN= SERVER_METRICS= SERVER_BODY=
}

# --- server: seaography (generated over sea-orm) -------------------------------------
SERVER_LABEL[seaography]="seaography 2.0 (over sea-orm)"
start_seaography() {
  log "seaography: fresh database $SEA_DB (scale $1)"
  pg_dataset "$SEA_DB" "$1"
  free_port "$SEA_PORT" BENCH_SEA_PORT
  CARGO_TARGET_DIR="$SEA_TARGET" "$BENCH/seaography/serve" "$PG/$SEA_DB?sslmode=disable" \
    "127.0.0.1:$SEA_PORT" >"$OUT/seaography$TAG.log" 2>&1 &
  SERVER_PID=$!
  wait_http "http://127.0.0.1:$SEA_PORT/readyz"
  sleep 2
  rss_kb "$SERVER_PID" >"$OUT/seaography-rss-rest$TAG.kb"
  SERVER_KIND=http SERVER_URL="http://127.0.0.1:$SEA_PORT/graphql" SERVER_TOKEN= SERVER_METRICS=
  SERVER_BODY="$BENCH/seaography/%s.json"
}

# --- server: next one here ----------------------------------------------------------
# A new server: SERVER_LABEL[name]="…"; start_name() { a fresh database with the data
# set at scale $1, free_port, start it, wait_http, rss_kb >"$OUT/name-rss-rest$TAG.kb",
# then set SERVER_PID, SERVER_KIND=http, SERVER_URL, SERVER_TOKEN, SERVER_METRICS,
# SERVER_BODY; }. Then add its name to SERVERS in bench/run.
