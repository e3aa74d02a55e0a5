-- transactional: false
DROP INDEX CONCURRENTLY IF EXISTS ix_workflow_exec_user_workflow_started;
DROP INDEX CONCURRENTLY IF EXISTS ix_workflow_exec_user_status_started;
DROP INDEX CONCURRENTLY IF EXISTS ix_agent_exec_user_started;
