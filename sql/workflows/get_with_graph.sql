-- One workflow with all its nodes (each with its bound agent and block) and all
-- its edges, built by PostgreSQL as one JSON document, and its version (the
-- ETag, read from a column, not from the document): one round trip for 1 or 500
-- nodes. Nodes and edges are aggregated in scalar subqueries that read the
-- (workflow_id, ...) unique indexes; the agent and block come from LEFT JOINs on
-- primary keys, never one query per node.
-- Not found: the LEFT JOIN from a one-row FROM always yields one row, so a
-- workflow the user does not have shows as NULLs and raises AB404 (the one
-- not-found convention of sql/; see migration 0006).
-- Conditional reads (If-None-Match): when the workflow is still at
-- `unless_version`, the document is NULL and never built (NULL: always build).
SELECT
    CASE
        WHEN w.id IS NULL THEN agentdb_raise('AB404', 'workflow not found')
        WHEN w.version = %(unless_version)s THEN NULL
        ELSE json_build_object(
        'id', w.id,
        'name', w.name,
        'description', w.description,
        'graph_definition', w.graph_definition,
        'version', w.version,
        'created_at', w.created_at,
        'updated_at', w.updated_at,
        'nodes', coalesce((
            SELECT json_agg(json_build_object(
                       'id', n.id,
                       'key', n.node_key,
                       'node_type', n.node_type,
                       'name', n.name,
                       'agent_id', n.agent_id,
                       'block_id', n.block_id,
                       'config', n.config,
                       'position', n.position,
                       'agent', CASE WHEN a.id IS NOT NULL THEN json_build_object('id', a.id, 'name', a.name) END,
                       'block', CASE WHEN b.id IS NOT NULL
                                     THEN json_build_object('id', b.id, 'name', b.name, 'block_type', b.block_type) END
                   ) ORDER BY n.position, n.node_key)
            FROM workflow_nodes AS n
            LEFT JOIN agents AS a ON a.id = n.agent_id AND a.user_id = %(user_id)s
            LEFT JOIN agent_blocks AS b ON b.id = n.block_id AND b.user_id = %(user_id)s
            WHERE n.workflow_id = w.id AND n.user_id = %(user_id)s
        ), '[]'),
        'edges', coalesce((
            SELECT json_agg(json_build_object(
                       'id', e.id,
                       'source_node_id', e.source_node_id,
                       'target_node_id', e.target_node_id,
                       'source', s.node_key,
                       'target', t.node_key,
                       'label', e.label
                   ) ORDER BY s.position, s.node_key, t.position, t.node_key)
            FROM workflow_edges AS e
            INNER JOIN workflow_nodes AS s ON s.id = e.source_node_id AND s.user_id = %(user_id)s
            INNER JOIN workflow_nodes AS t ON t.id = e.target_node_id AND t.user_id = %(user_id)s
            WHERE e.workflow_id = w.id AND e.user_id = %(user_id)s
        ), '[]')
    ) END AS document,
    w.version
FROM (SELECT) AS one
LEFT JOIN workflows AS w ON w.id = %(workflow_id)s AND w.user_id = %(user_id)s
