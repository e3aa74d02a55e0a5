-- First statement of an idempotent start (POST .../executions with an
-- Idempotency-Key): a key is kept 24 hours; an older execution holding the
-- caller's key lets go of it, so executions.start_idempotent, next in the same
-- pipeline, starts a new one. Index: ux_workflow_exec_user_idempotency_key.
UPDATE workflow_executions AS e
SET idempotency_key = NULL
WHERE
    e.user_id = %(user_id)s AND e.idempotency_key = %(idempotency_key)s
    AND e.started_at < now() - interval '24 hours'
