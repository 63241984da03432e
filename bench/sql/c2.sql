-- Shape (c2): shape (c) as a Relay client writes it: the first 50 teams by name with
-- b2's selection each, plus the teams connection's totalCount. One statement, one row
-- per KPI (1,000 rows); see b2.sql for the columns.
--
--   pgbench -n -M prepared -f c2.sql -c 32 -j 2 -T 10 -h 127.0.0.1 -U postgres northstar_bench_pg
-- (No variables: the page is fixed.)
SELECT tc.n AS team_total,
       t.id AS team_id, t.name AS team_name, t.description AS team_description,
       sc.n AS squad_total,
       s.id AS squad_id, s.name AS squad_name, s.mission,
       kc.n AS kpi_total,
       k.id AS kpi_id, k.name AS kpi_name, k.description AS kpi_description,
       k.unit, k.direction, k.category, k.baseline, k.target, k.created_at,
       m.id AS measurement_id, m.value, m.recorded_at
FROM (SELECT count(*) AS n FROM bench.teams) tc
CROSS JOIN LATERAL (
  SELECT te.id, te.name, te.description FROM bench.teams te ORDER BY te.name, te.id LIMIT 50
) t
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
ORDER BY t.name, t.id, s.name, s.id, k.name, k.id;
