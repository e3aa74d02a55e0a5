-- transactional: false
-- depends: 0012.stats-dirty-backfill
--
-- The dashboard (sql/stats/dashboard.sql) reads a user's roll-up rows of a range
-- of days, all agents (or workflows) at once: (user_id, bucket_date). With an
-- agent or workflow named, the unique (user_id, agent_id, bucket_date) of 0002
-- serves. CONCURRENTLY, one statement a step: see 0003.
CREATE INDEX CONCURRENTLY IF NOT EXISTS ix_agent_execution_stats_user_date
    ON agent_execution_stats (user_id, bucket_date);

CREATE INDEX CONCURRENTLY IF NOT EXISTS ix_workflow_execution_stats_user_date
    ON workflow_execution_stats (user_id, bucket_date);
