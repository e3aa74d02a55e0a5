-- Starts (queues) an execution of a workflow the user owns, with the id the
-- caller chose (executions.get follows in the same pipeline and returns it). The
-- INSERT ... SELECT from workflows is the ownership check: another user's or a
-- missing workflow inserts nothing, and the statement raises AB404. The
-- execution records the workflow's version (the graph it runs: node ids are
-- stable across replaces, so its events' node ids join workflow_nodes).
WITH started AS (
    INSERT INTO workflow_executions AS x (id, user_id, workflow_id, status, input, workflow_version)
    SELECT %(execution_id)s, w.user_id, w.id, 'pending', %(input)s, w.version
    FROM workflows AS w
    WHERE w.id = %(workflow_id)s AND w.user_id = %(user_id)s
    RETURNING x.id
)

SELECT coalesce((SELECT json_build_object('id', s.id) FROM started AS s), agentdb_raise('AB404', 'workflow not found'))
