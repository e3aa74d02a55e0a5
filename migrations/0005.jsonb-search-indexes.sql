-- transactional: false
-- depends: 0004.read-path-indexes
--
-- GIN indexes for the JSON search of the API (?config_contains=, ?graph_contains=):
-- agents.search_by_configuration and workflows.search_by_graph answer `@>` with them.
-- jsonb_path_ops: smaller and faster than the default opclass, and `@>` is the
-- only operator those statements use.
CREATE INDEX CONCURRENTLY IF NOT EXISTS ix_agents_configuration_gin
    ON agents USING gin (configuration jsonb_path_ops);

CREATE INDEX CONCURRENTLY IF NOT EXISTS ix_workflows_graph_definition_gin
    ON workflows USING gin (graph_definition jsonb_path_ops);
