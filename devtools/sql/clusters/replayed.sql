-- Standby.wait_for_replay: whether this standby has replayed WAL up to `lsn`.
SELECT pg_last_wal_replay_lsn() >= %(lsn)s::pg_lsn AS replayed
