-- One keyset page of a user's workflow executions, newest first: a row per
-- execution, (item: its JSON document with its workflow's name, at, id: its
-- keyset), limit + 1 rows at most: the extra one only says that another page
-- follows (repositories.paging cuts it off). Read in order off
-- ix_workflow_exec_user_started (user_id leading, then (started_at, id)): the plan
-- stops after those rows, with no Sort over the user's rows, on the first page
-- and 1,000 pages deep alike; the first page passes a keyset after every row
-- (9999-12-31, max uuid). The workflow name is a primary-key lookup per row of
-- the page (a scalar subquery: a hash join would read every workflow).
SELECT
    json_build_object(
        'id', e.id, 'workflow_id', e.workflow_id,
        'workflow_name', (SELECT w.name FROM workflows AS w WHERE w.id = e.workflow_id AND w.user_id = %(user_id)s),
        'status', e.status, 'started_at', e.started_at, 'completed_at', e.completed_at, 'error', e.error
    ) AS item, e.started_at AS at, e.id
FROM workflow_executions AS e
WHERE e.user_id = %(user_id)s
    AND (e.started_at, e.id) < (%(before_at)s, %(before_id)s)
ORDER BY e.started_at DESC, e.id DESC
LIMIT %(limit)s + 1
