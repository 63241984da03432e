-- PostGraphile "as its users secure it": roles, grants and row level security on top
-- of schema.sql, for the secured peer (secured.config.mjs) in its own database.
--
-- Load after schema.sql (idempotent: roles are created when missing, policies
-- replaced):
--   psql -v ON_ERROR_STOP=1 -d northstar_bench_pgs -f schema.sql
--   psql -v ON_ERROR_STOP=1 -d northstar_bench_pgs -f secured.sql
--
-- Roles (cluster-wide, so shared by every database that loads this file):
--   bench_authenticator  LOGIN NOINHERIT: what the server connects as. It owns
--                        nothing and holds no privilege of its own; it may only
--                        switch to the two roles below, which the server does per
--                        request (set_config('role', ...) from pgSettings).
--   bench_user           NOLOGIN NOBYPASSRLS: a signed-in member (a valid JWT with
--                        role "bench_user"). Reads and writes, every row filtered
--                        by the policies below.
--   bench_anonymous      NOLOGIN NOBYPASSRLS: a request without a token. Reads only;
--                        without an organisation claim the policies let no row
--                        through, so it sees nothing.
--
-- The policies scope every row to the organisation of the verified JWT claim
-- `organization_id`, which the server passes on as the setting
-- jwt.claims.organization_id. current_setting(..., true) is NULL when the setting
-- was never set in the session and '' once a previous transaction on the pooled
-- connection set it locally, hence nullif(..., ''): both give NULL, which matches no
-- row (rather than an error for a request without a token).
--
-- organizations, users and teams carry organization_id and are compared with the
-- claim directly. squads, kpis and kpi_measurements do not (schema.sql keeps
-- Northstar's shape: squad -> team, kpi -> squad, measurement -> kpi), so each is
-- scoped through its parent with an EXISTS policy; the parent's own policy applies
-- inside that EXISTS (it runs as the same role), so a measurement is visible when
-- its KPI is, a KPI when its squad is, a squad when its team is, a team when it is
-- the claim's organisation's.

\set ON_ERROR_STOP on
SET client_min_messages = warning;

DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'bench_user') THEN
    CREATE ROLE bench_user NOLOGIN NOSUPERUSER NOBYPASSRLS;
  END IF;
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'bench_anonymous') THEN
    CREATE ROLE bench_anonymous NOLOGIN NOSUPERUSER NOBYPASSRLS;
  END IF;
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'bench_authenticator') THEN
    CREATE ROLE bench_authenticator LOGIN NOINHERIT NOSUPERUSER NOBYPASSRLS;
  END IF;
END
$$;
GRANT bench_user, bench_anonymous TO bench_authenticator;

BEGIN;

GRANT USAGE ON SCHEMA bench TO bench_user, bench_anonymous;
GRANT SELECT ON ALL TABLES IN SCHEMA bench TO bench_user, bench_anonymous;
GRANT INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA bench TO bench_user;
-- bench.kpis_latest_measurement (Kpi.latestMeasurement) is executable by PUBLIC
-- (the default) and runs as the caller, so the policies apply inside it too.

ALTER TABLE bench.organizations    ENABLE ROW LEVEL SECURITY;
ALTER TABLE bench.users            ENABLE ROW LEVEL SECURITY;
ALTER TABLE bench.teams            ENABLE ROW LEVEL SECURITY;
ALTER TABLE bench.squads           ENABLE ROW LEVEL SECURITY;
ALTER TABLE bench.kpis             ENABLE ROW LEVEL SECURITY;
ALTER TABLE bench.kpi_measurements ENABLE ROW LEVEL SECURITY;

DROP POLICY IF EXISTS organization_scope ON bench.organizations;
CREATE POLICY organization_scope ON bench.organizations
  USING (id = nullif(current_setting('jwt.claims.organization_id', true), '')::uuid)
  WITH CHECK (id = nullif(current_setting('jwt.claims.organization_id', true), '')::uuid);

DROP POLICY IF EXISTS organization_scope ON bench.users;
CREATE POLICY organization_scope ON bench.users
  USING (organization_id = nullif(current_setting('jwt.claims.organization_id', true), '')::uuid)
  WITH CHECK (organization_id = nullif(current_setting('jwt.claims.organization_id', true), '')::uuid);

DROP POLICY IF EXISTS organization_scope ON bench.teams;
CREATE POLICY organization_scope ON bench.teams
  USING (organization_id = nullif(current_setting('jwt.claims.organization_id', true), '')::uuid)
  WITH CHECK (organization_id = nullif(current_setting('jwt.claims.organization_id', true), '')::uuid);

-- Through the parent (see the top): the team must be visible, i.e. the claim's.
DROP POLICY IF EXISTS organization_scope ON bench.squads;
CREATE POLICY organization_scope ON bench.squads
  USING (EXISTS (SELECT 1 FROM bench.teams t WHERE t.id = squads.team_id))
  WITH CHECK (EXISTS (SELECT 1 FROM bench.teams t WHERE t.id = squads.team_id));

DROP POLICY IF EXISTS organization_scope ON bench.kpis;
CREATE POLICY organization_scope ON bench.kpis
  USING (EXISTS (SELECT 1 FROM bench.squads s WHERE s.id = kpis.squad_id))
  WITH CHECK (EXISTS (SELECT 1 FROM bench.squads s WHERE s.id = kpis.squad_id));

-- Shape (d)'s insert passes this WITH CHECK: its KPI is in the claim's organisation.
DROP POLICY IF EXISTS organization_scope ON bench.kpi_measurements;
CREATE POLICY organization_scope ON bench.kpi_measurements
  USING (EXISTS (SELECT 1 FROM bench.kpis k WHERE k.id = kpi_measurements.kpi_id))
  WITH CHECK (EXISTS (SELECT 1 FROM bench.kpis k WHERE k.id = kpi_measurements.kpi_id));

COMMIT;
