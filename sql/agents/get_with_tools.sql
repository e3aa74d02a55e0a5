-- One agent with its tools in position order, as one JSON document: one round
-- trip whatever the number of tools (a scalar subquery over the
-- (agent_id, position) unique index). An agent the user does not have raises
-- AB404 (the LEFT JOIN idiom of workflows.get_with_graph).
SELECT CASE WHEN a.id IS NULL THEN agentdb_raise('AB404', 'agent not found') ELSE json_build_object(
    'id', a.id,
    'name', a.name,
    'description', a.description,
    'configuration', a.configuration,
    'created_at', a.created_at,
    'updated_at', a.updated_at,
    'tools', coalesce((
        SELECT json_agg(json_build_object(
                   'id', t.id, 'name', t.name, 'position', t.position, 'config', t.config
               ) ORDER BY t.position)
        FROM agent_tools AS t
        WHERE t.agent_id = a.id AND t.user_id = %(user_id)s
    ), '[]')
) END AS document
FROM (SELECT) AS one
LEFT JOIN agents AS a ON a.id = %(agent_id)s AND a.user_id = %(user_id)s
