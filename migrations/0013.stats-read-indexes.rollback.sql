-- transactional: false
DROP INDEX CONCURRENTLY IF EXISTS ix_workflow_execution_stats_user_date;
DROP INDEX CONCURRENTLY IF EXISTS ix_agent_execution_stats_user_date;
