-- depends: 0017.jobs-lock-memories
--
-- Every key of a tenant table includes user_id (issue 15), so the tables can be
-- distributed by user_id on Citus (a distributed table's primary, unique and
-- foreign keys must contain its distribution column) while plain PostgreSQL
-- keeps exactly the same guarantees.
--
-- * Primary keys become (id, user_id): every read and write names both (the
--   id it asks for and the caller's user_id), and (id, user_id) is also the
--   target of the child tables' composite foreign keys, so the five tables that
--   had PRIMARY KEY (id) plus UNIQUE (id, user_id) now have one index instead of
--   two (the foreign keys pointing at the unique one are re-created against the
--   new primary key, under their old names). Measured on PostgreSQL 15 at scale
--   TEST: the reads use <table>_pkey exactly as they used the old indexes.
-- * The other unique keys get user_id as their LAST column, under their old
--   names (repositories/database.py maps violations of them to input fields):
--   their leading columns serve the same lookups as before.
-- * The three ON DELETE SET NULL foreign keys (a node's agent and block, an
--   agent execution's workflow execution) become NO ACTION: Citus refuses
--   SET NULL on a key that includes the distribution column. The statements that
--   delete a parent clear the column themselves, in the same statement
--   (sql/agents/delete.sql, sql/workflows/delete.sql); NO ACTION is checked at
--   the end of the statement, after those clearing CTEs ran.
-- Ids stay unique on their own in practice (gen_random_uuid()); the keys say
-- "unique per user", which is what a shard can check.
--
-- Each FOREIGN KEY is re-validated and each key's index rebuilt here, under
-- ACCESS EXCLUSIVE locks, in one transaction: run it at a quiet moment on a large
-- database (devtools/migration_lint.py WAIVED takes these hazards on purpose: the
-- keys change together or not at all; constraint names are the error mapping's).

-- 1. Foreign keys that point at keys about to change.
ALTER TABLE agent_tools DROP CONSTRAINT agent_tools_agent_id_user_id_fkey;
ALTER TABLE workflow_nodes
    DROP CONSTRAINT workflow_nodes_agent_id_user_id_fkey,
    DROP CONSTRAINT workflow_nodes_block_id_user_id_fkey,
    DROP CONSTRAINT workflow_nodes_workflow_id_user_id_fkey;
ALTER TABLE workflow_edges
    DROP CONSTRAINT workflow_edges_workflow_id_user_id_fkey,
    DROP CONSTRAINT workflow_edges_source_node_id_workflow_id_fkey,
    DROP CONSTRAINT workflow_edges_target_node_id_workflow_id_fkey;
ALTER TABLE workflow_executions DROP CONSTRAINT workflow_executions_workflow_id_user_id_fkey;
ALTER TABLE execution_events DROP CONSTRAINT execution_events_workflow_execution_id_user_id_fkey;
ALTER TABLE agent_executions
    DROP CONSTRAINT agent_executions_agent_id_user_id_fkey,
    DROP CONSTRAINT agent_executions_workflow_execution_id_user_id_fkey;
ALTER TABLE agent_execution_metrics DROP CONSTRAINT agent_execution_metrics_agent_execution_id_user_id_fkey;
ALTER TABLE agent_memories DROP CONSTRAINT agent_memories_agent_id_user_id_fkey;
ALTER TABLE agent_execution_stats DROP CONSTRAINT agent_execution_stats_agent_id_user_id_fkey;
ALTER TABLE workflow_execution_stats DROP CONSTRAINT workflow_execution_stats_workflow_id_user_id_fkey;

-- 2. Primary keys (id, user_id); the (id, user_id) uniques they replace go.
ALTER TABLE agents DROP CONSTRAINT agents_pkey, DROP CONSTRAINT agents_id_user_id_key,
    ADD CONSTRAINT agents_pkey PRIMARY KEY (id, user_id);
ALTER TABLE agent_blocks DROP CONSTRAINT agent_blocks_pkey, DROP CONSTRAINT agent_blocks_id_user_id_key,
    ADD CONSTRAINT agent_blocks_pkey PRIMARY KEY (id, user_id);
ALTER TABLE workflows DROP CONSTRAINT workflows_pkey, DROP CONSTRAINT workflows_id_user_id_key,
    ADD CONSTRAINT workflows_pkey PRIMARY KEY (id, user_id);
ALTER TABLE workflow_executions DROP CONSTRAINT workflow_executions_pkey,
    DROP CONSTRAINT workflow_executions_id_user_id_key,
    ADD CONSTRAINT workflow_executions_pkey PRIMARY KEY (id, user_id);
ALTER TABLE agent_executions DROP CONSTRAINT agent_executions_pkey, DROP CONSTRAINT agent_executions_id_user_id_key,
    ADD CONSTRAINT agent_executions_pkey PRIMARY KEY (id, user_id);
ALTER TABLE agent_tools DROP CONSTRAINT agent_tools_pkey, DROP CONSTRAINT agent_tools_agent_id_position_key,
    ADD CONSTRAINT agent_tools_pkey PRIMARY KEY (id, user_id),
    ADD CONSTRAINT agent_tools_agent_id_position_key UNIQUE (agent_id, position, user_id);
ALTER TABLE workflow_nodes DROP CONSTRAINT workflow_nodes_pkey,
    DROP CONSTRAINT workflow_nodes_workflow_id_node_key_key, DROP CONSTRAINT workflow_nodes_id_workflow_id_key,
    ADD CONSTRAINT workflow_nodes_pkey PRIMARY KEY (id, user_id),
    ADD CONSTRAINT workflow_nodes_workflow_id_node_key_key UNIQUE (workflow_id, node_key, user_id),
    ADD CONSTRAINT workflow_nodes_id_workflow_id_key UNIQUE (id, workflow_id, user_id);
ALTER TABLE workflow_edges DROP CONSTRAINT workflow_edges_pkey,
    DROP CONSTRAINT workflow_edges_workflow_id_source_node_id_target_node_id_key,
    ADD CONSTRAINT workflow_edges_pkey PRIMARY KEY (id, user_id),
    ADD CONSTRAINT workflow_edges_workflow_id_source_node_id_target_node_id_key
        UNIQUE (workflow_id, source_node_id, target_node_id, user_id);
ALTER TABLE execution_events DROP CONSTRAINT execution_events_pkey,
    DROP CONSTRAINT execution_events_workflow_execution_id_seq_key,
    ADD CONSTRAINT execution_events_pkey PRIMARY KEY (id, user_id),
    ADD CONSTRAINT execution_events_workflow_execution_id_seq_key UNIQUE (workflow_execution_id, seq, user_id);
ALTER TABLE agent_execution_metrics DROP CONSTRAINT agent_execution_metrics_pkey,
    DROP CONSTRAINT agent_execution_metrics_agent_execution_id_key,
    ADD CONSTRAINT agent_execution_metrics_pkey PRIMARY KEY (id, user_id),
    ADD CONSTRAINT agent_execution_metrics_agent_execution_id_key UNIQUE (agent_execution_id, user_id);
ALTER TABLE agent_memories DROP CONSTRAINT agent_memories_pkey,
    ADD CONSTRAINT agent_memories_pkey PRIMARY KEY (id, user_id);
ALTER TABLE agent_execution_stats DROP CONSTRAINT agent_execution_stats_pkey,
    ADD CONSTRAINT agent_execution_stats_pkey PRIMARY KEY (id, user_id);
ALTER TABLE workflow_execution_stats DROP CONSTRAINT workflow_execution_stats_pkey,
    ADD CONSTRAINT workflow_execution_stats_pkey PRIMARY KEY (id, user_id);

-- 3. The foreign keys again, under their old names, all including user_id.
ALTER TABLE agent_tools ADD CONSTRAINT agent_tools_agent_id_user_id_fkey
    FOREIGN KEY (agent_id, user_id) REFERENCES agents (id, user_id) ON DELETE CASCADE;
ALTER TABLE workflow_nodes
    ADD CONSTRAINT workflow_nodes_workflow_id_user_id_fkey
        FOREIGN KEY (workflow_id, user_id) REFERENCES workflows (id, user_id) ON DELETE CASCADE,
    -- Cleared by sql/agents/delete.sql before the agent goes (was SET NULL).
    ADD CONSTRAINT workflow_nodes_agent_id_user_id_fkey
        FOREIGN KEY (agent_id, user_id) REFERENCES agents (id, user_id),
    -- Cleared by whatever deletes a block (no statement does yet; was SET NULL).
    ADD CONSTRAINT workflow_nodes_block_id_user_id_fkey
        FOREIGN KEY (block_id, user_id) REFERENCES agent_blocks (id, user_id);
ALTER TABLE workflow_edges
    ADD CONSTRAINT workflow_edges_workflow_id_user_id_fkey
        FOREIGN KEY (workflow_id, user_id) REFERENCES workflows (id, user_id) ON DELETE CASCADE,
    ADD CONSTRAINT workflow_edges_source_node_id_workflow_id_fkey
        FOREIGN KEY (source_node_id, workflow_id, user_id) REFERENCES workflow_nodes (id, workflow_id, user_id)
        ON DELETE CASCADE,
    ADD CONSTRAINT workflow_edges_target_node_id_workflow_id_fkey
        FOREIGN KEY (target_node_id, workflow_id, user_id) REFERENCES workflow_nodes (id, workflow_id, user_id)
        ON DELETE CASCADE;
ALTER TABLE workflow_executions ADD CONSTRAINT workflow_executions_workflow_id_user_id_fkey
    FOREIGN KEY (workflow_id, user_id) REFERENCES workflows (id, user_id) ON DELETE CASCADE;
ALTER TABLE execution_events ADD CONSTRAINT execution_events_workflow_execution_id_user_id_fkey
    FOREIGN KEY (workflow_execution_id, user_id) REFERENCES workflow_executions (id, user_id) ON DELETE CASCADE;
ALTER TABLE agent_executions
    ADD CONSTRAINT agent_executions_agent_id_user_id_fkey
        FOREIGN KEY (agent_id, user_id) REFERENCES agents (id, user_id) ON DELETE CASCADE,
    -- Cleared by sql/workflows/delete.sql before the workflow's executions go (was SET NULL).
    ADD CONSTRAINT agent_executions_workflow_execution_id_user_id_fkey
        FOREIGN KEY (workflow_execution_id, user_id) REFERENCES workflow_executions (id, user_id);
ALTER TABLE agent_execution_metrics ADD CONSTRAINT agent_execution_metrics_agent_execution_id_user_id_fkey
    FOREIGN KEY (agent_execution_id, user_id) REFERENCES agent_executions (id, user_id) ON DELETE CASCADE;
ALTER TABLE agent_memories ADD CONSTRAINT agent_memories_agent_id_user_id_fkey
    FOREIGN KEY (agent_id, user_id) REFERENCES agents (id, user_id) ON DELETE CASCADE;
ALTER TABLE agent_execution_stats ADD CONSTRAINT agent_execution_stats_agent_id_user_id_fkey
    FOREIGN KEY (agent_id, user_id) REFERENCES agents (id, user_id) ON DELETE CASCADE;
ALTER TABLE workflow_execution_stats ADD CONSTRAINT workflow_execution_stats_workflow_id_user_id_fkey
    FOREIGN KEY (workflow_id, user_id) REFERENCES workflows (id, user_id) ON DELETE CASCADE;
