-- Writes a workflow's nodes and edges from two JSON arrays in one statement, so
-- 1 or 500 nodes cost the same single statement: jsonb_to_recordset turns each
-- array into rows. Nodes are upserted by key (UNIQUE (workflow_id, node_key, user_id)): a
-- node whose key was already in the workflow keeps its id (events of past runs
-- name it), a new key gets a new id, and the workflow's nodes whose key is not in
-- the array are deleted (`gone`: disjoint from the upserted rows, so the two
-- CTEs never touch the same row). On create nothing exists yet: a plain insert.
-- Edges (the old ones were deleted by workflows.delete_edges earlier in the
-- pipeline) name their nodes by key; joining the upsert's RETURNING turns keys
-- into ids. Foreign keys are checked at the end of the statement. If an edge
-- names an unknown key (the repository checks first; this is the second wall),
-- AB422 aborts the whole pipeline.
WITH new_nodes AS (
    INSERT INTO workflow_nodes AS wn (workflow_id, user_id, node_key, node_type, name, agent_id, block_id, config, position)
    SELECT %(workflow_id)s, %(user_id)s, n.key, n.node_type, n.name, n.agent_id, n.block_id, n.config, n.position
    FROM jsonb_to_recordset(%(nodes)s) AS n (
        key text, node_type text, name text, agent_id uuid, block_id uuid, config jsonb, position integer
    )
    ON CONFLICT (workflow_id, node_key, user_id) DO UPDATE SET
        node_type = excluded.node_type,
        name = excluded.name,
        agent_id = excluded.agent_id,
        block_id = excluded.block_id,
        config = excluded.config,
        position = excluded.position
    WHERE wn.user_id = %(user_id)s
    RETURNING wn.id, wn.node_key
),

gone AS (
    DELETE FROM workflow_nodes AS o
    WHERE
        o.workflow_id = %(workflow_id)s AND o.user_id = %(user_id)s
        AND NOT EXISTS (SELECT 1 FROM jsonb_to_recordset(%(nodes)s) AS k (key text) WHERE k.key = o.node_key)
    RETURNING o.id
),

new_edges AS (
    INSERT INTO workflow_edges AS we (workflow_id, user_id, source_node_id, target_node_id, label)
    SELECT %(workflow_id)s, %(user_id)s, s.id, t.id, e.label
    FROM jsonb_to_recordset(%(edges)s) AS e (source text, target text, label text)
    INNER JOIN new_nodes AS s ON s.node_key = e.source
    INNER JOIN new_nodes AS t ON t.node_key = e.target
    RETURNING we.id
)

SELECT CASE
    WHEN (SELECT count(*) FROM new_edges) = jsonb_array_length(%(edges)s)
        THEN json_build_object(
            'nodes', (SELECT count(*) FROM new_nodes),
            'edges', (SELECT count(*) FROM new_edges),
            'deleted_nodes', (SELECT count(*) FROM gone)
        )
    ELSE agentdb_raise('AB422', 'an edge names a node key that is not in the graph', 'edges')
END AS written
