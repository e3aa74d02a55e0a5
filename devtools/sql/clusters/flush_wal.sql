-- Cluster.lsn, step 1: one tiny transaction that writes WAL and an xid, committed
-- with synchronous_commit on for this transaction (the scratch clusters run with it
-- off, which would leave the commit unflushed and so unsent to standbys).
SELECT
    set_config('synchronous_commit', 'on', TRUE) AS synchronous_commit,
    pg_logical_emit_message(TRUE, 'devtools', 'flush') AS lsn
