-- transactional: false
-- depends: 0020.live-executions
--
-- executions.start_idempotent: one execution per (user, idempotency key); the
-- arbiter of its INSERT ... ON CONFLICT. Partial: most executions carry no key.
CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS ux_workflow_exec_user_idempotency_key
    ON workflow_executions (user_id, idempotency_key) WHERE idempotency_key IS NOT NULL;
