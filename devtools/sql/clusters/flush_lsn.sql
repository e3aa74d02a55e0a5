-- Cluster.lsn, step 2 (after clusters.flush_wal committed): the flushed WAL
-- position, which covers every earlier commit.
SELECT pg_current_wal_flush_lsn()::text AS lsn
