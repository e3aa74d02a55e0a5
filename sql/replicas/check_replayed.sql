-- The first statement of every read sent to the read pool (hot standbys): passes
-- when this server has replayed the primary's WAL up to %(lsn)s, else raises AB503
-- and the rest of the pipeline never runs, so the Database sends the read to the
-- primary instead (repositories/database.py, ReadReplicas). %(lsn)s is the
-- primary's position after the user's last write (read-your-writes), or '0/0'.
-- On a primary (a prefer-standby pool that found no standby) it always passes.
-- No table: two function calls, in the read's own round trip.
SELECT CASE
    WHEN NOT pg_is_in_recovery() OR pg_last_wal_replay_lsn() >= %(lsn)s::pg_lsn THEN 'true'::json
    ELSE agentdb_raise('AB503', 'standby has not replayed the last write yet', %(lsn)s::text)
END AS replayed
