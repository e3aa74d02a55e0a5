-- transactional: false
DROP INDEX CONCURRENTLY IF EXISTS ix_workflows_graph_definition_gin;
DROP INDEX CONCURRENTLY IF EXISTS ix_agents_configuration_gin;
