-- Appends a batch of events (a JSON array of {type, node_id, payload}) to an
-- execution that is still pending or running, numbering them with the next
-- gap-free seq values, in one statement. `target` locks the execution's row FOR
-- UPDATE (as executions.transition does), so appenders and transitions of one
-- execution take turns: `reserved` moves the row's event_seq counter by the
-- batch's length and returns its new value, a range no other writer can get, and
-- no event is appended once the execution is finished (AB409, detail: its
-- status). AB404 when the user has no such execution. node_id is not checked
-- against the graph: a node of the version the execution ran may have been
-- deleted by a later replace, and its events stay.
-- `notified` tells the listening connection of every API process (api/live.py)
-- "<execution id> <last seq>"; PostgreSQL delivers it at commit, only if this
-- commits. Ids only: a stream reads the rows (executions.events_after), so the
-- 8000-byte payload limit never matters. Index: the primary key of
-- workflow_executions; UNIQUE (workflow_execution_id, seq) holds the gap-free
-- numbering's second wall.
WITH target AS (
    SELECT e.id, e.status
    FROM workflow_executions AS e
    WHERE e.id = %(execution_id)s AND e.user_id = %(user_id)s
    FOR UPDATE
),

reserved AS (
    UPDATE workflow_executions AS e
    SET event_seq = e.event_seq + jsonb_array_length(%(events)s)
    FROM target AS t
    WHERE e.id = t.id AND e.user_id = %(user_id)s AND t.status IN ('pending', 'running')
    RETURNING e.event_seq AS last_seq
),

appended AS (
    INSERT INTO execution_events (workflow_execution_id, user_id, seq, event_type, node_id, payload)
    SELECT
        %(execution_id)s, %(user_id)s, r.last_seq - jsonb_array_length(%(events)s) + v.n,
        v.item ->> 'type', (v.item ->> 'node_id')::uuid, coalesce(v.item -> 'payload', '{}')
    FROM reserved AS r
    CROSS JOIN jsonb_array_elements(%(events)s) WITH ORDINALITY AS v (item, n)
    RETURNING seq
),

notified AS (
    SELECT pg_notify('agentdb_events', %(execution_id)s::text || ' ' || r.last_seq::text)
    FROM reserved AS r
)

SELECT CASE
    WHEN EXISTS (SELECT 1 FROM reserved)
        THEN json_build_object(
            'first_seq', (SELECT min(a.seq) FROM appended AS a),
            'last_seq', (SELECT r.last_seq FROM reserved AS r),
            'appended', (SELECT count(*) FROM appended),
            'notified', (SELECT count(*) FROM notified)
        )
    WHEN EXISTS (SELECT 1 FROM target)
        THEN agentdb_raise('AB409', 'the execution is finished: it takes no more events', (SELECT t.status FROM target AS t))
    ELSE agentdb_raise('AB404', 'execution not found')
END AS appended
