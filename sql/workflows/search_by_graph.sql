-- workflows.list_page filtered by graph_definition @> %(contains)s (GIN index ix_workflows_graph_definition_gin).
SELECT
    json_build_object(
        'id', w.id, 'name', w.name, 'description', w.description, 'version', w.version,
        'created_at', w.created_at, 'updated_at', w.updated_at
    ) AS item, w.created_at AS at, w.id
FROM workflows AS w
WHERE w.user_id = %(user_id)s AND w.graph_definition @> %(contains)s
    AND (w.created_at, w.id) < (%(before_at)s, %(before_id)s)
ORDER BY w.created_at DESC, w.id DESC
LIMIT %(limit)s + 1
