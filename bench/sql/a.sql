-- Shape (a): the cheapest round trip, the raw-SQL counterpart of `{ __typename }`.
--
--   pgbench -n -M prepared -f a.sql -c 32 -j 2 -T 10 -h 127.0.0.1 -U postgres northstar_bench_pg
SELECT 1;
