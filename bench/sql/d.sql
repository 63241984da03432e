-- Shape (d): record one measurement (value 42.0, recorded now) for a fixed KPI and
-- return it. The KPI is Team 200 Squad 1 "Deployment frequency", outside the
-- teams shapes (b) and (c) read, so a write run does not change their answers.
--
-- Run (uuid passed with -D, no quotes, no cast needed):
--   pgbench -n -M prepared -f d.sql -c 32 -j 2 -T 10 -h 127.0.0.1 -U postgres \
--     -D kpi_id=a7fb9508-6515-2c29-3d17-12fcf27f8bee northstar_bench_pg
-- The KPI's id is deterministic: SELECT md5('bench:team:200:squad:1:kpi:1')::uuid;
-- (or SELECT k.id FROM bench.kpis k JOIN bench.squads s ON s.id = k.squad_id
--     WHERE s.name = 'Team 200 Squad 1' AND k.name = 'Deployment frequency';).
-- With -M prepared (or extended) :kpi_id is a bind parameter typed uuid by the
-- column; with -M simple the bare uuid would not parse: use prepared.
INSERT INTO bench.kpi_measurements (kpi_id, value)
VALUES (:kpi_id, 42.0)
RETURNING id, value, recorded_at;
