-- Shape (b2): shape (b) as a Relay client writes it: the same team, squads, KPIs and
-- latest measurements, plus the team's description, each squad's mission, each KPI's
-- description and created_at, and each connection's totalCount (hasNextPage is
-- totalCount > the page size; cursors are the sort keys the rows carry, encoded by
-- the server). One statement, one row per KPI: LATERAL joins served by the indexes
-- of shape (b), and the counts as LATERAL aggregates on the same indexes.
--
--   pgbench -n -M prepared -f b2.sql -c 32 -j 2 -T 10 -h 127.0.0.1 -U postgres \
--     -D team_id=4cf54065-399d-96c4-3a9f-b767ba09e527 northstar_bench_pg
-- (-M prepared: see b.sql.)
SELECT t.id AS team_id, t.name AS team_name, t.description AS team_description,
       sc.n AS squad_total,
       s.id AS squad_id, s.name AS squad_name, s.mission,
       kc.n AS kpi_total,
       k.id AS kpi_id, k.name AS kpi_name, k.description AS kpi_description,
       k.unit, k.direction, k.category, k.baseline, k.target, k.created_at,
       m.id AS measurement_id, m.value, m.recorded_at
FROM bench.teams t
CROSS JOIN LATERAL (
  SELECT count(*) AS n FROM bench.squads sq WHERE sq.team_id = t.id
) sc
LEFT JOIN LATERAL (
  SELECT sq.id, sq.name, sq.mission FROM bench.squads sq
  WHERE sq.team_id = t.id ORDER BY sq.name, sq.id LIMIT 5
) s ON true
LEFT JOIN LATERAL (
  SELECT count(*) AS n FROM bench.kpis kp WHERE kp.squad_id = s.id
) kc ON true
LEFT JOIN LATERAL (
  SELECT kp.id, kp.name, kp.description, kp.unit, kp.direction, kp.category,
         kp.baseline, kp.target, kp.created_at
  FROM bench.kpis kp
  WHERE kp.squad_id = s.id ORDER BY kp.name, kp.id LIMIT 10
) k ON true
LEFT JOIN LATERAL (
  SELECT me.id, me.value, me.recorded_at FROM bench.kpi_measurements me
  WHERE me.kpi_id = k.id ORDER BY me.recorded_at DESC LIMIT 1
) m ON true
WHERE t.id = :team_id
ORDER BY s.name, s.id, k.name, k.id;
