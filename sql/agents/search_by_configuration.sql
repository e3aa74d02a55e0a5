-- A user's agents whose configuration contains the given JSON (`@>`), newest
-- first, as a JSON array (tool counts left out: 0 here means "not counted" is
-- worse than absent, so the field is omitted). `@>` is answered by the GIN index
-- ix_agents_configuration_gin (jsonb_path_ops); keyset paging as agents.list_page.
SELECT coalesce(json_agg(json_build_object(
    'id', p.id,
    'name', p.name,
    'description', p.description,
    'configuration', p.configuration,
    'created_at', p.created_at,
    'updated_at', p.updated_at
) ORDER BY p.created_at DESC, p.id DESC), '[]')
FROM (
    SELECT a.id, a.name, a.description, a.configuration, a.created_at, a.updated_at
    FROM agents AS a
    WHERE
        a.user_id = %(user_id)s
        AND a.configuration @> %(contains)s
        AND (a.created_at, a.id) < (%(before_created_at)s, %(before_id)s)
    ORDER BY a.created_at DESC, a.id DESC
    LIMIT %(limit)s
) AS p
