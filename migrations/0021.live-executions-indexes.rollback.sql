-- transactional: false
DROP INDEX CONCURRENTLY IF EXISTS ux_workflow_exec_user_idempotency_key;
