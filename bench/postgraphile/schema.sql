-- Benchmark schema and data for the PostGraphile (and raw SQL / pgbench) side.
--
-- Load (idempotent: drops and recreates schema "bench"):
--   psql -v ON_ERROR_STOP=1 -d northstar_bench_pg -f schema.sql
--   psql -v ON_ERROR_STOP=1 -v scale=10 -d northstar_bench_pg -f schema.sql   # 10x
--
-- The data set is the one defined in bench/DATASET.md: 1 organisation, 50 users,
-- 200 teams x 5 squads, 4 KPIs per squad, 10 measurements per KPI. With
-- -v scale=N there are 200 N teams (the same 5 squads, 20 KPIs and 200
-- measurements each); TTT below is then 001..999 and 1000.. (no fourth digit
-- before 1000, so scale 1 is unchanged and the first 50 teams by name are still
-- Team 001..Team 050).
--
-- Ids: uuid primary keys, like Northstar's, so PostGraphile's global node ids
-- (base64 of ["Team","<uuid>"]) are about as long as Northstar's (base64url of
-- "Team:<uuid>") and response sizes stay comparable. New rows get
-- gen_random_uuid(); the seeded rows get deterministic uuids,
-- md5('bench:<path>')::uuid, so that every load yields the same ids and the
-- request bodies can carry literal ids:
--   team TTT                   md5('bench:team:TTT')::uuid
--   its squad S                md5('bench:team:TTT:squad:S')::uuid
--   that squad's KPI k         md5('bench:team:TTT:squad:S:kpi:k')::uuid
--   that KPI's measurement i   md5('bench:team:TTT:squad:S:kpi:k:m:i')::uuid
--   organisation / user NN     md5('bench:org')::uuid / md5('bench:user:NN')::uuid
-- e.g. Team 001 = 4cf54065-399d-96c4-3a9f-b767ba09e527 (query shape b),
-- Team 200 Squad 1 "Deployment frequency" = a7fb9508-6515-2c29-3d17-12fcf27f8bee
-- (the KPI the mutation of shape d writes to, outside the teams b and c read).
-- Timestamps of the seeded rows are deterministic too: created_at/updated_at
-- are 2026-08-31T00:00:00Z plus one millisecond per row in creation order
-- (measurements: created_at = recorded_at).

\set ON_ERROR_STOP on
\if :{?scale}
\else
\set scale 1
\endif

BEGIN;

-- TTT of team t: at least three digits.
CREATE FUNCTION pg_temp.ttt(t int) RETURNS text
LANGUAGE sql IMMUTABLE
AS $$ SELECT lpad(t::text, greatest(3, length(t::text)), '0') $$;

DROP SCHEMA IF EXISTS bench CASCADE;
CREATE SCHEMA bench;

CREATE TABLE bench.organizations (
  id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name       text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE bench.users (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organization_id uuid NOT NULL REFERENCES bench.organizations (id) ON DELETE CASCADE,
  email           text NOT NULL UNIQUE,
  display_name    text NOT NULL,
  discipline      text NOT NULL CHECK (discipline IN ('ENGINEERING', 'PRODUCT', 'DESIGN')),
  org_role        text NOT NULL CHECK (org_role IN ('ADMIN', 'MEMBER')),
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX users_organization_id_idx ON bench.users (organization_id);

CREATE TABLE bench.teams (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organization_id uuid NOT NULL REFERENCES bench.organizations (id) ON DELETE CASCADE,
  name            text NOT NULL,
  description     text NOT NULL DEFAULT '',
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX teams_organization_id_idx ON bench.teams (organization_id);
CREATE INDEX teams_name_idx ON bench.teams (name);

CREATE TABLE bench.squads (
  id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  team_id    uuid NOT NULL REFERENCES bench.teams (id) ON DELETE CASCADE,
  name       text NOT NULL,
  mission    text NOT NULL DEFAULT '',
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
-- Serves the foreign key and "a team's squads by name".
CREATE INDEX squads_team_id_name_idx ON bench.squads (team_id, name);

CREATE TABLE bench.kpis (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  squad_id    uuid NOT NULL REFERENCES bench.squads (id) ON DELETE CASCADE,
  name        text NOT NULL,
  description text NOT NULL DEFAULT '',
  unit        text,
  direction   text NOT NULL,
  category    text NOT NULL,
  baseline    float8,
  target      float8,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);
-- Serves the foreign key and "a squad's KPIs by name" (Northstar's order).
CREATE INDEX kpis_squad_id_name_idx ON bench.kpis (squad_id, name);

CREATE TABLE bench.kpi_measurements (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  kpi_id      uuid NOT NULL REFERENCES bench.kpis (id) ON DELETE CASCADE,
  value       float8 NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT now(),
  note        text NOT NULL DEFAULT '',
  created_at  timestamptz NOT NULL DEFAULT now()
);
-- Serves the foreign key and "a KPI's latest measurement".
CREATE INDEX kpi_measurements_kpi_id_recorded_at_idx
  ON bench.kpi_measurements (kpi_id, recorded_at DESC);

-- Computed column: PostGraphile exposes it as Kpi.latestMeasurement.
CREATE FUNCTION bench.kpis_latest_measurement(k bench.kpis)
RETURNS bench.kpi_measurements
LANGUAGE sql STABLE
AS $$
  SELECT m.*
  FROM bench.kpi_measurements m
  WHERE m.kpi_id = k.id
  ORDER BY m.recorded_at DESC
  LIMIT 1
$$;

-- ---------------------------------------------------------------------------
-- Seed (bench/DATASET.md)
-- ---------------------------------------------------------------------------

INSERT INTO bench.organizations (id, name, created_at, updated_at)
VALUES (md5('bench:org')::uuid, 'Bench Org',
        timestamptz '2026-08-31T00:00:00Z', timestamptz '2026-08-31T00:00:00Z');

-- User 1 is the admin; users 2..50 are members, discipline by NN mod 3.
INSERT INTO bench.users (id, organization_id, email, display_name, discipline, org_role,
                         created_at, updated_at)
SELECT md5('bench:user:' || lpad(n::text, 2, '0'))::uuid,
       md5('bench:org')::uuid,
       CASE WHEN n = 1 THEN 'admin@bench.example'
            ELSE 'user-' || lpad(n::text, 2, '0') || '@bench.example' END,
       CASE WHEN n = 1 THEN 'Bench Admin'
            ELSE 'User ' || lpad(n::text, 2, '0') END,
       CASE WHEN n = 1 THEN 'ENGINEERING'
            ELSE (ARRAY['ENGINEERING', 'PRODUCT', 'DESIGN'])[n % 3 + 1] END,
       CASE WHEN n = 1 THEN 'ADMIN' ELSE 'MEMBER' END,
       timestamptz '2026-08-31T00:00:00Z' + n * interval '1 millisecond',
       timestamptz '2026-08-31T00:00:00Z' + n * interval '1 millisecond'
FROM generate_series(1, 50) AS n;

INSERT INTO bench.teams (id, organization_id, name, description, created_at, updated_at)
SELECT md5('bench:team:' || pg_temp.ttt(t))::uuid,
       md5('bench:org')::uuid,
       'Team ' || pg_temp.ttt(t),
       'Bench team ' || pg_temp.ttt(t),
       timestamptz '2026-08-31T00:00:00Z' + t * interval '1 millisecond',
       timestamptz '2026-08-31T00:00:00Z' + t * interval '1 millisecond'
FROM generate_series(1, 200 * :scale) AS t;

INSERT INTO bench.squads (id, team_id, name, mission, created_at, updated_at)
SELECT md5('bench:team:' || pg_temp.ttt(t) || ':squad:' || s)::uuid,
       md5('bench:team:' || pg_temp.ttt(t))::uuid,
       'Team ' || pg_temp.ttt(t) || ' Squad ' || s,
       'Mission of team ' || pg_temp.ttt(t) || ' squad ' || s,
       timestamptz '2026-08-31T00:00:00Z' + ((t - 1) * 5 + s) * interval '1 millisecond',
       timestamptz '2026-08-31T00:00:00Z' + ((t - 1) * 5 + s) * interval '1 millisecond'
FROM generate_series(1, 200 * :scale) AS t, generate_series(1, 5) AS s
ORDER BY t, s;

CREATE TEMPORARY TABLE bench_kpi_defs (
  k int PRIMARY KEY, name text, description text, unit text, direction text,
  category text, baseline float8, target float8
) ON COMMIT DROP;
INSERT INTO bench_kpi_defs VALUES
  (1, 'Deployment frequency',  'Production deploys per week',       'COUNT',            'HIGHER_IS_BETTER', 'DELIVERY',    2,      14),
  (2, 'Lead time for changes', 'Commit to production, in seconds',  'DURATION_SECONDS', 'LOWER_IS_BETTER',  'DELIVERY',    172800, 3600),
  (3, 'Change failure rate',   'Share of deploys that fail',        'PERCENT',          'LOWER_IS_BETTER',  'RELIABILITY', 30,     5),
  (4, 'Net promoter score',    'Customer NPS',                      'SCORE',            'HIGHER_IS_BETTER', 'CUSTOMER',    10,     50);

INSERT INTO bench.kpis (id, squad_id, name, description, unit, direction, category,
                        baseline, target, created_at, updated_at)
SELECT md5('bench:team:' || pg_temp.ttt(t) || ':squad:' || s || ':kpi:' || d.k)::uuid,
       md5('bench:team:' || pg_temp.ttt(t) || ':squad:' || s)::uuid,
       d.name, d.description, d.unit, d.direction, d.category, d.baseline, d.target,
       timestamptz '2026-08-31T00:00:00Z' + (((t - 1) * 5 + (s - 1)) * 4 + d.k) * interval '1 millisecond',
       timestamptz '2026-08-31T00:00:00Z' + (((t - 1) * 5 + (s - 1)) * 4 + d.k) * interval '1 millisecond'
FROM generate_series(1, 200 * :scale) AS t, generate_series(1, 5) AS s, bench_kpi_defs AS d
ORDER BY t, s, d.k;

-- Measurement i = 1..10: recorded at 2026-09-01T00:00:00Z + 7*(i-1) days,
-- value baseline + (target - baseline) * i / 12.
INSERT INTO bench.kpi_measurements (id, kpi_id, value, recorded_at, note, created_at)
SELECT md5('bench:team:' || pg_temp.ttt(t) || ':squad:' || s || ':kpi:' || d.k
           || ':m:' || i)::uuid,
       md5('bench:team:' || pg_temp.ttt(t) || ':squad:' || s || ':kpi:' || d.k)::uuid,
       d.baseline + (d.target - d.baseline) * i / 12,
       timestamptz '2026-09-01T00:00:00Z' + (7 * (i - 1)) * interval '1 day',
       '',
       timestamptz '2026-09-01T00:00:00Z' + (7 * (i - 1)) * interval '1 day'
FROM generate_series(1, 200 * :scale) AS t, generate_series(1, 5) AS s, bench_kpi_defs AS d,
     generate_series(1, 10) AS i
ORDER BY t, s, d.k, i;

COMMIT;

-- Fresh statistics and visibility map, so plans are stable from the first request.
VACUUM ANALYZE bench.organizations, bench.users, bench.teams, bench.squads,
               bench.kpis, bench.kpi_measurements;
