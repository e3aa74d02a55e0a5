-- Registers the coordinator of a fresh scratch database (its workers reach it
-- there for metadata syncing).
SELECT citus_set_coordinator_host(%(host)s, %(port)s)
