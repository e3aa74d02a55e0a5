-- Every Citus table of the database: its type (distributed, reference),
-- distribution column and co-location group, what tests/test_citus.py checks
-- after `agentdb migrate`.
SELECT
    t.table_name::text AS table_name,
    t.citus_table_type,
    t.distribution_column,
    t.colocation_id
FROM citus_tables AS t
ORDER BY t.table_name::text
