-- transactional: false
-- depends: 0003.contract-indexes
--
-- Indexes the read plans need beside the five contract ones (EXPLAIN-checked in
-- tests/test_plans.py). Each serves one statement, named in its comment.
-- CONCURRENTLY, one statement a step: see 0003 for the reasoning.

-- executions.recent_agent_activity: a user's latest agent executions, newest
-- first. None of the five returns these in order; without it the plan sorts all
-- of a user's agent executions (measured at 1M rows: ~24 ms sorting, ~1.6 ms here).
CREATE INDEX CONCURRENTLY IF NOT EXISTS ix_agent_exec_user_started
    ON agent_executions (user_id, started_at, id);

-- executions.history_by_status: a user's executions of one status, newest first.
CREATE INDEX CONCURRENTLY IF NOT EXISTS ix_workflow_exec_user_status_started
    ON workflow_executions (user_id, status, started_at, id);

-- executions.history_by_workflow: one workflow's executions, newest first.
CREATE INDEX CONCURRENTLY IF NOT EXISTS ix_workflow_exec_user_workflow_started
    ON workflow_executions (user_id, workflow_id, started_at, id);
