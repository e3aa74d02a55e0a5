-- Writes a workflow's nodes and edges from two JSON arrays in one statement, so
-- 1 or 500 nodes cost the same single statement: jsonb_to_recordset turns each
-- array into rows. Edges name their nodes by key; joining the nodes this
-- statement inserted (the CTE's RETURNING) turns keys into ids. Foreign keys are
-- checked at the end of the statement, when the new nodes exist. If an edge
-- names an unknown key (the repository checks first; this is the second wall),
-- AB422 aborts the whole pipeline.
WITH new_nodes AS (
    INSERT INTO workflow_nodes AS wn (workflow_id, user_id, node_key, node_type, name, agent_id, block_id, config, position)
    SELECT %(workflow_id)s, %(user_id)s, n.key, n.node_type, n.name, n.agent_id, n.block_id, n.config, n.position
    FROM jsonb_to_recordset(%(nodes)s) AS n (
        key text, node_type text, name text, agent_id uuid, block_id uuid, config jsonb, position integer
    )
    RETURNING wn.id, wn.node_key
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
        THEN json_build_object('nodes', (SELECT count(*) FROM new_nodes), 'edges', (SELECT count(*) FROM new_edges))
    ELSE agentdb_raise('AB422', 'an edge names a node key that is not in the graph', 'edges')
END AS written
