-- Shape (b): one team by primary key (Team 001) with its first 5 squads by name,
-- each squad's first 10 KPIs by name, and each KPI's latest measurement: one
-- statement, one row per KPI (LATERAL joins, each served by an index:
-- squads(team_id, name), kpis(squad_id, name), kpi_measurements(kpi_id, recorded_at desc)).
--
-- Run (uuid passed with -D, no quotes, no cast needed):
--   pgbench -n -M prepared -f b.sql -c 32 -j 2 -T 10 -h 127.0.0.1 -U postgres \
--     -D team_id=4cf54065-399d-96c4-3a9f-b767ba09e527 northstar_bench_pg
-- Team 001's id is deterministic: SELECT md5('bench:team:001')::uuid;
-- (or SELECT id FROM bench.teams WHERE name = 'Team 001';).
-- With -M prepared (or extended) pgbench sends :team_id as a bind parameter
-- ($1, typed uuid by the comparison), so the bare uuid works. With -M simple it
-- would be pasted into the SQL text unquoted and fail to parse: use prepared.
SELECT t.id AS team_id, t.name AS team_name,
       s.id AS squad_id, s.name AS squad_name,
       k.id AS kpi_id, k.name AS kpi_name, k.unit, k.direction, k.category,
       k.baseline, k.target,
       m.id AS measurement_id, m.value, m.recorded_at
FROM bench.teams t
LEFT JOIN LATERAL (
  SELECT sq.id, sq.name FROM bench.squads sq
  WHERE sq.team_id = t.id ORDER BY sq.name, sq.id LIMIT 5
) s ON true
LEFT JOIN LATERAL (
  SELECT kp.id, kp.name, kp.unit, kp.direction, kp.category, kp.baseline, kp.target
  FROM bench.kpis kp
  WHERE kp.squad_id = s.id ORDER BY kp.name, kp.id LIMIT 10
) k ON true
LEFT JOIN LATERAL (
  SELECT me.id, me.value, me.recorded_at FROM bench.kpi_measurements me
  WHERE me.kpi_id = k.id ORDER BY me.recorded_at DESC LIMIT 1
) m ON true
WHERE t.id = :team_id
ORDER BY s.name, s.id, k.name, k.id;
