-- One keyset page of a user's workflow executions of one status, newest first, each with
-- its workflow's name, as a JSON array. Read in order off ix_workflow_exec_user_status_started
-- (user_id leading, then (started_at, id)): the plan stops after `limit` rows,
-- with no Sort over the user's rows, on the first page and 1,000 pages deep alike.
-- The cursor is the last row's (started_at, id); the first page passes
-- a keyset after every row (9999-12-31, max uuid). The workflow name is a primary-key lookup per row of the page
-- (a scalar subquery: a hash join would read every workflow).
SELECT coalesce(json_agg(json_build_object(
    'id', p.id,
    'workflow_id', p.workflow_id,
    'workflow_name', (SELECT w.name FROM workflows AS w WHERE w.id = p.workflow_id),
    'status', p.status,
    'started_at', p.started_at,
    'completed_at', p.completed_at,
    'error', p.error
) ORDER BY p.started_at DESC, p.id DESC), '[]')
FROM (
    SELECT e.id, e.workflow_id, e.status, e.started_at, e.completed_at, e.error
    FROM workflow_executions AS e
    WHERE
        e.user_id = %(user_id)s
        AND e.status = %(status)s
        AND (e.started_at, e.id) < (%(before_started_at)s, %(before_id)s)
    ORDER BY e.started_at DESC, e.id DESC
    LIMIT %(limit)s
) AS p
