-- transactional: false
DROP INDEX CONCURRENTLY IF EXISTS ix_agent_exec_session_status;
DROP INDEX CONCURRENTLY IF EXISTS ix_agent_exec_user_agent_started;
DROP INDEX CONCURRENTLY IF EXISTS ix_workflow_exec_user_started;
DROP INDEX CONCURRENTLY IF EXISTS ix_workflow_exec_status_started;
DROP INDEX CONCURRENTLY IF EXISTS ix_workflow_exec_user_workflow_status;
