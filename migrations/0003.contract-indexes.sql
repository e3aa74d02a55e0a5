-- transactional: false
-- depends: 0002.core-tables
--
-- The five composite indexes that ../shared/SCHEMA.md names (outside tools rely
-- on the names and leading columns). CONCURRENTLY, one statement a step, outside
-- a transaction, so this runs against a live, large table without blocking writes.
-- IF NOT EXISTS makes a re-run after a failure safe; note that a failed
-- CONCURRENTLY build leaves an INVALID index behind, which must be dropped by hand
-- (SELECT indexrelid::regclass FROM pg_index WHERE NOT indisvalid) before re-running.
--
-- Trailing columns beyond the contract's leading ones are there for the plans:
-- (started_at, id) lets a keyset page be read straight off the index, newest
-- first (a backward index scan), with no Sort over a user's rows.

-- executions.history_by_workflow_status; the stats roll-up per workflow.
CREATE INDEX CONCURRENTLY IF NOT EXISTS ix_workflow_exec_user_workflow_status
    ON workflow_executions (user_id, workflow_id, status, started_at, id);

-- The scheduler's and sweeper's scans: "pending since", "running for too long".
CREATE INDEX CONCURRENTLY IF NOT EXISTS ix_workflow_exec_status_started
    ON workflow_executions (status, started_at);

-- executions.history: a user's workflow executions newest first.
CREATE INDEX CONCURRENTLY IF NOT EXISTS ix_workflow_exec_user_started
    ON workflow_executions (user_id, started_at, id);

-- An agent's executions newest first; also the RI lookup when an agent is deleted.
CREATE INDEX CONCURRENTLY IF NOT EXISTS ix_agent_exec_user_agent_started
    ON agent_executions (user_id, agent_id, started_at, id);

-- A session's executions by status (what is still running in this session).
CREATE INDEX CONCURRENTLY IF NOT EXISTS ix_agent_exec_session_status
    ON agent_executions (session_id, status);
