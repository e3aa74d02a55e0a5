-- A user's workflows whose graph_definition contains the given JSON (`@>`),
-- newest first, as a JSON array of summaries. `@>` is answered by the GIN index
-- ix_workflows_graph_definition_gin (jsonb_path_ops); the keyset condition and
-- limit as in workflows.list_page.
SELECT coalesce(json_agg(json_build_object(
    'id', p.id,
    'name', p.name,
    'description', p.description,
    'version', p.version,
    'created_at', p.created_at,
    'updated_at', p.updated_at
) ORDER BY p.created_at DESC, p.id DESC), '[]')
FROM (
    SELECT w.id, w.name, w.description, w.version, w.created_at, w.updated_at
    FROM workflows AS w
    WHERE
        w.user_id = %(user_id)s
        AND w.graph_definition @> %(contains)s
        AND (w.created_at, w.id) < (%(before_created_at)s, %(before_id)s)
    ORDER BY w.created_at DESC, w.id DESC
    LIMIT %(limit)s
) AS p
