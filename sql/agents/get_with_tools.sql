-- One agent with its tools in position order, as one JSON document: one round
-- trip whatever the number of tools (a scalar subquery over the
-- (agent_id, position) unique index). Another user's agent gives no row.
SELECT json_build_object(
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
        WHERE t.agent_id = a.id AND t.user_id = a.user_id
    ), '[]')
)
FROM agents AS a
WHERE a.id = %(agent_id)s AND a.user_id = %(user_id)s
