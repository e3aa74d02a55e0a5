-- A page of an execution's events after a seq, oldest first, with the
-- execution's status and latest seq read in the same snapshot: the page of
-- GET .../events and what a live stream sends (api/live.py). Because appends
-- are refused once an execution is finished, a terminal status seen here means
-- every event is visible too: a stream that has sent up to `event_seq` of a
-- finished execution has sent everything. One row per event (document, seq), or
-- one row with null event columns when there is none after `after`. AB404 when
-- the user has no such execution. Index: UNIQUE (workflow_execution_id, seq),
-- read in order from `after` (keyset, never OFFSET).
WITH target AS (
    SELECT
        t.id,
        CASE WHEN t.id IS NULL THEN agentdb_raise('AB404', 'execution not found')::text ELSE t.status END AS status,
        t.event_seq
    FROM (VALUES (%(execution_id)s::uuid)) AS k (id)
    LEFT JOIN workflow_executions AS t ON t.id = k.id AND t.user_id = %(user_id)s
)

SELECT
    ev.document,
    ev.seq,
    g.status,
    g.event_seq
FROM target AS g
LEFT JOIN LATERAL (
    SELECT
        x.seq,
        json_build_object(
            'seq', x.seq,
            'type', x.event_type,
            'node_id', x.node_id,
            'payload', x.payload,
            'created_at', x.created_at
        ) AS document
    FROM execution_events AS x
    WHERE x.workflow_execution_id = g.id AND x.user_id = %(user_id)s AND x.seq > %(after)s
    ORDER BY x.seq
    LIMIT %(limit)s
) AS ev ON TRUE
ORDER BY ev.seq
