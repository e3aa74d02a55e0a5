-- One keyset page of a user's agents, newest first, each with its tool count, as
-- executions.history pages: (item, at, id) rows, limit + 1 at most. Reads
-- ix_agents_user_created in order and stops; each row's tool count is an
-- index-only count on the (agent_id, position) unique index, for the page's rows
-- only (a list never aggregates children over all of a user's rows).
SELECT
    json_build_object(
        'id', a.id, 'name', a.name, 'description', a.description, 'configuration', a.configuration,
        'tool_count', (SELECT count(*) FROM agent_tools AS t WHERE t.agent_id = a.id AND t.user_id = %(user_id)s),
        'created_at', a.created_at, 'updated_at', a.updated_at
    ) AS item, a.created_at AS at, a.id
FROM agents AS a
WHERE a.user_id = %(user_id)s
    AND (a.created_at, a.id) < (%(before_at)s, %(before_id)s)
ORDER BY a.created_at DESC, a.id DESC
LIMIT %(limit)s + 1
