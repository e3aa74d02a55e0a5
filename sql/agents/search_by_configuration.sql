-- agents.list_page filtered by configuration @> %(contains)s (jsonb_path_ops GIN index ix_agents_configuration_gin).
SELECT
    json_build_object(
        'id', a.id, 'name', a.name, 'description', a.description, 'configuration', a.configuration,
        'tool_count', (SELECT count(*) FROM agent_tools AS t WHERE t.agent_id = a.id AND t.user_id = %(user_id)s),
        'created_at', a.created_at, 'updated_at', a.updated_at
    ) AS item, a.created_at AS at, a.id
FROM agents AS a
WHERE a.user_id = %(user_id)s AND a.configuration @> %(contains)s
    AND (a.created_at, a.id) < (%(before_at)s, %(before_id)s)
ORDER BY a.created_at DESC, a.id DESC
LIMIT %(limit)s + 1
