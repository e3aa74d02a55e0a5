-- The primary's WAL insert position, sent in a write's pipeline after its Sync
-- (so after its commit): a standby that has replayed up to it shows the write.
-- Read before the Sync (inside the write's implicit transaction) it can precede
-- the commit record, and a standby could pass the check without the write
-- (issue 15). The insert position, not pg_current_wal_lsn() (the write
-- position): with synchronous_commit off the commit record may not be written yet.
-- No table.
SELECT pg_current_wal_insert_lsn()::text AS lsn
