-- The keys of 0002 again: PRIMARY KEY (id), UNIQUE (id, user_id) as the target
-- of the composite foreign keys, uniques without user_id, SET NULL foreign keys.
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

ALTER TABLE agents DROP CONSTRAINT agents_pkey,
    ADD CONSTRAINT agents_pkey PRIMARY KEY (id), ADD CONSTRAINT agents_id_user_id_key UNIQUE (id, user_id);
ALTER TABLE agent_blocks DROP CONSTRAINT agent_blocks_pkey,
    ADD CONSTRAINT agent_blocks_pkey PRIMARY KEY (id), ADD CONSTRAINT agent_blocks_id_user_id_key UNIQUE (id, user_id);
ALTER TABLE workflows DROP CONSTRAINT workflows_pkey,
    ADD CONSTRAINT workflows_pkey PRIMARY KEY (id), ADD CONSTRAINT workflows_id_user_id_key UNIQUE (id, user_id);
ALTER TABLE workflow_executions DROP CONSTRAINT workflow_executions_pkey,
    ADD CONSTRAINT workflow_executions_pkey PRIMARY KEY (id),
    ADD CONSTRAINT workflow_executions_id_user_id_key UNIQUE (id, user_id);
ALTER TABLE agent_executions DROP CONSTRAINT agent_executions_pkey,
    ADD CONSTRAINT agent_executions_pkey PRIMARY KEY (id),
    ADD CONSTRAINT agent_executions_id_user_id_key UNIQUE (id, user_id);
ALTER TABLE agent_tools DROP CONSTRAINT agent_tools_pkey, DROP CONSTRAINT agent_tools_agent_id_position_key,
    ADD CONSTRAINT agent_tools_pkey PRIMARY KEY (id),
    ADD CONSTRAINT agent_tools_agent_id_position_key UNIQUE (agent_id, position);
ALTER TABLE workflow_nodes DROP CONSTRAINT workflow_nodes_pkey,
    DROP CONSTRAINT workflow_nodes_workflow_id_node_key_key, DROP CONSTRAINT workflow_nodes_id_workflow_id_key,
    ADD CONSTRAINT workflow_nodes_pkey PRIMARY KEY (id),
    ADD CONSTRAINT workflow_nodes_workflow_id_node_key_key UNIQUE (workflow_id, node_key),
    ADD CONSTRAINT workflow_nodes_id_workflow_id_key UNIQUE (id, workflow_id);
ALTER TABLE workflow_edges DROP CONSTRAINT workflow_edges_pkey,
    DROP CONSTRAINT workflow_edges_workflow_id_source_node_id_target_node_id_key,
    ADD CONSTRAINT workflow_edges_pkey PRIMARY KEY (id),
    ADD CONSTRAINT workflow_edges_workflow_id_source_node_id_target_node_id_key
        UNIQUE (workflow_id, source_node_id, target_node_id);
ALTER TABLE execution_events DROP CONSTRAINT execution_events_pkey,
    DROP CONSTRAINT execution_events_workflow_execution_id_seq_key,
    ADD CONSTRAINT execution_events_pkey PRIMARY KEY (id),
    ADD CONSTRAINT execution_events_workflow_execution_id_seq_key UNIQUE (workflow_execution_id, seq);
ALTER TABLE agent_execution_metrics DROP CONSTRAINT agent_execution_metrics_pkey,
    DROP CONSTRAINT agent_execution_metrics_agent_execution_id_key,
    ADD CONSTRAINT agent_execution_metrics_pkey PRIMARY KEY (id),
    ADD CONSTRAINT agent_execution_metrics_agent_execution_id_key UNIQUE (agent_execution_id);
ALTER TABLE agent_memories DROP CONSTRAINT agent_memories_pkey, ADD CONSTRAINT agent_memories_pkey PRIMARY KEY (id);
ALTER TABLE agent_execution_stats DROP CONSTRAINT agent_execution_stats_pkey,
    ADD CONSTRAINT agent_execution_stats_pkey PRIMARY KEY (id);
ALTER TABLE workflow_execution_stats DROP CONSTRAINT workflow_execution_stats_pkey,
    ADD CONSTRAINT workflow_execution_stats_pkey PRIMARY KEY (id);

ALTER TABLE agent_tools ADD CONSTRAINT agent_tools_agent_id_user_id_fkey
    FOREIGN KEY (agent_id, user_id) REFERENCES agents (id, user_id) ON DELETE CASCADE;
ALTER TABLE workflow_nodes
    ADD CONSTRAINT workflow_nodes_workflow_id_user_id_fkey
        FOREIGN KEY (workflow_id, user_id) REFERENCES workflows (id, user_id) ON DELETE CASCADE,
    ADD CONSTRAINT workflow_nodes_agent_id_user_id_fkey
        FOREIGN KEY (agent_id, user_id) REFERENCES agents (id, user_id) ON DELETE SET NULL (agent_id),
    ADD CONSTRAINT workflow_nodes_block_id_user_id_fkey
        FOREIGN KEY (block_id, user_id) REFERENCES agent_blocks (id, user_id) ON DELETE SET NULL (block_id);
ALTER TABLE workflow_edges
    ADD CONSTRAINT workflow_edges_workflow_id_user_id_fkey
        FOREIGN KEY (workflow_id, user_id) REFERENCES workflows (id, user_id) ON DELETE CASCADE,
    ADD CONSTRAINT workflow_edges_source_node_id_workflow_id_fkey
        FOREIGN KEY (source_node_id, workflow_id) REFERENCES workflow_nodes (id, workflow_id) ON DELETE CASCADE,
    ADD CONSTRAINT workflow_edges_target_node_id_workflow_id_fkey
        FOREIGN KEY (target_node_id, workflow_id) REFERENCES workflow_nodes (id, workflow_id) ON DELETE CASCADE;
ALTER TABLE workflow_executions ADD CONSTRAINT workflow_executions_workflow_id_user_id_fkey
    FOREIGN KEY (workflow_id, user_id) REFERENCES workflows (id, user_id) ON DELETE CASCADE;
ALTER TABLE execution_events ADD CONSTRAINT execution_events_workflow_execution_id_user_id_fkey
    FOREIGN KEY (workflow_execution_id, user_id) REFERENCES workflow_executions (id, user_id) ON DELETE CASCADE;
ALTER TABLE agent_executions
    ADD CONSTRAINT agent_executions_agent_id_user_id_fkey
        FOREIGN KEY (agent_id, user_id) REFERENCES agents (id, user_id) ON DELETE CASCADE,
    ADD CONSTRAINT agent_executions_workflow_execution_id_user_id_fkey
        FOREIGN KEY (workflow_execution_id, user_id) REFERENCES workflow_executions (id, user_id)
        ON DELETE SET NULL (workflow_execution_id);
ALTER TABLE agent_execution_metrics ADD CONSTRAINT agent_execution_metrics_agent_execution_id_user_id_fkey
    FOREIGN KEY (agent_execution_id, user_id) REFERENCES agent_executions (id, user_id) ON DELETE CASCADE;
ALTER TABLE agent_memories ADD CONSTRAINT agent_memories_agent_id_user_id_fkey
    FOREIGN KEY (agent_id, user_id) REFERENCES agents (id, user_id) ON DELETE CASCADE;
ALTER TABLE agent_execution_stats ADD CONSTRAINT agent_execution_stats_agent_id_user_id_fkey
    FOREIGN KEY (agent_id, user_id) REFERENCES agents (id, user_id) ON DELETE CASCADE;
ALTER TABLE workflow_execution_stats ADD CONSTRAINT workflow_execution_stats_workflow_id_user_id_fkey
    FOREIGN KEY (workflow_id, user_id) REFERENCES workflows (id, user_id) ON DELETE CASCADE;
