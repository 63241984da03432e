-- Shape (c): the first 50 teams by name (Team 001..Team 050), each with the same
-- nested selection as shape (b): first 5 squads by name, first 10 KPIs by name,
-- latest measurement. One statement, one row per KPI (1,000 rows).
--
--   pgbench -n -M prepared -f c.sql -c 32 -j 2 -T 10 -h 127.0.0.1 -U postgres northstar_bench_pg
-- (No variables: the page is fixed.)
SELECT t.id AS team_id, t.name AS team_name,
       s.id AS squad_id, s.name AS squad_name,
       k.id AS kpi_id, k.name AS kpi_name, k.unit, k.direction, k.category,
       k.baseline, k.target,
       m.id AS measurement_id, m.value, m.recorded_at
FROM (
  SELECT te.id, te.name FROM bench.teams te ORDER BY te.name, te.id LIMIT 50
) t
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
ORDER BY t.name, t.id, s.name, s.id, k.name, k.id;
