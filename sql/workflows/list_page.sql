-- One keyset page of a user's workflows, newest first, as a JSON array of
-- summaries (no nodes: a list never aggregates children per row). The cursor is
-- the last row's (created_at, id); the first page passes a keyset after every row,
-- so one statement serves every page. Reads ix_workflows_user_created in order
-- and stops after `limit` rows, however deep the page.
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
    WHERE w.user_id = %(user_id)s AND (w.created_at, w.id) < (%(before_created_at)s, %(before_id)s)
    ORDER BY w.created_at DESC, w.id DESC
    LIMIT %(limit)s
) AS p
