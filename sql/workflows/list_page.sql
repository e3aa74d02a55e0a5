-- One keyset page of a user's workflows, newest first, as summaries (no nodes: a
-- list never aggregates children per row), as executions.history pages: (item,
-- at, id) rows, limit + 1 at most. Reads ix_workflows_user_created in order and
-- stops, however deep the page.
SELECT
    json_build_object(
        'id', w.id, 'name', w.name, 'description', w.description, 'version', w.version,
        'created_at', w.created_at, 'updated_at', w.updated_at
    ) AS item, w.created_at AS at, w.id
FROM workflows AS w
WHERE w.user_id = %(user_id)s
    AND (w.created_at, w.id) < (%(before_at)s, %(before_id)s)
ORDER BY w.created_at DESC, w.id DESC
LIMIT %(limit)s + 1
