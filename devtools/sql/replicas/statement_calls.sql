-- Tests of read replicas: how many times each named statement (its leading
-- /* area.name */ comment) ran on this server, from pg_stat_statements (loaded by
-- shared_preload_libraries on the scratch clusters): which server answered what.
SELECT substring(s.query FROM '^/\* ([\w.]+) \*/') AS name, sum(s.calls)::bigint AS calls
FROM pg_stat_statements AS s
WHERE s.query LIKE '/* %%'
GROUP BY 1
