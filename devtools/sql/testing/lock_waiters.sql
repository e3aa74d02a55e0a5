-- Tests only (tests/test_faults.py): backends of the application `app` waiting on a
-- lock (a request held by a test's LOCK TABLE), and whether each has already written
-- to workflows in its transaction (holds ROW EXCLUSIVE on it): a write held mid-pipeline.
SELECT
    a.pid,
    EXISTS(
        SELECT 1
        FROM pg_locks AS l
        WHERE l.pid = a.pid AND l.relation = 'workflows'::regclass AND l.mode = 'RowExclusiveLock' AND l.granted
    ) AS wrote_workflows
FROM pg_stat_activity AS a
WHERE a.application_name = %(app)s AND a.wait_event_type = 'Lock'
ORDER BY a.pid
