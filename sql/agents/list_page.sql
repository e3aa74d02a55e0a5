-- One keyset page of a user's agents, newest first, each with its tool count,
-- as a JSON array. The count is one grouped pass over the page's tools joined
-- by agent id (not a subquery per row). First page: a keyset after every row.
-- seq-scan-ok: counting tools of a 50-agent page may hash the (small) agent_tools table; to revisit with an index-driven count.
WITH page AS (
    SELECT a.id, a.name, a.description, a.configuration, a.created_at, a.updated_at
    FROM agents AS a
    WHERE a.user_id = %(user_id)s AND (a.created_at, a.id) < (%(before_created_at)s, %(before_id)s)
    ORDER BY a.created_at DESC, a.id DESC
    LIMIT %(limit)s
),

tool_counts AS (
    SELECT t.agent_id, count(*) AS tool_count
    FROM agent_tools AS t
    WHERE t.user_id = %(user_id)s AND t.agent_id = ANY(SELECT page.id FROM page)
    GROUP BY t.agent_id
)

SELECT coalesce(json_agg(json_build_object(
    'id', p.id,
    'name', p.name,
    'description', p.description,
    'configuration', p.configuration,
    'tool_count', coalesce(c.tool_count, 0),
    'created_at', p.created_at,
    'updated_at', p.updated_at
) ORDER BY p.created_at DESC, p.id DESC), '[]')
FROM page AS p
LEFT JOIN tool_counts AS c ON c.agent_id = p.id
