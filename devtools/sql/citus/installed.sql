-- Whether the citus extension is installed in this database (a coordinator
-- whose workers are listed in pg_dist_node): devtools.testdb then creates each
-- scratch database on every node.
SELECT count(*) > 0 AS installed
FROM pg_extension AS e
WHERE e.extname = 'citus'
