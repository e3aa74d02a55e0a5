-- The active primary workers of a Citus coordinator (group 0 is the
-- coordinator itself), for devtools.testdb's scratch databases.
SELECT
    n.nodename,
    n.nodeport
FROM pg_dist_node AS n
WHERE n.groupid <> 0 AND n.noderole = 'primary' AND n.isactive
ORDER BY n.nodeid
