-- Data generator: the events of workflow executions first..last, as the live stream
-- replays them: seq 1 'created' at the start, seq 2 the final status when finished.
INSERT INTO execution_events (id, workflow_execution_id, user_id, seq, event_type, payload, created_at)
SELECT pg_temp.datagen_id(7, %(seed)s, e.i * 2 + s.seq), pg_temp.datagen_id(6, %(seed)s, e.i), u.id, s.seq,
    CASE WHEN s.seq = 1 THEN 'created' ELSE e.status END, '{}',
    %(base)s::timestamptz - (e.before_s - (s.seq - 1) * e.duration_s) * interval '1 second'
FROM pg_temp.datagen_executions(%(seed)s, %(users)s, %(first)s::bigint, %(last)s::bigint) AS e
INNER JOIN datagen_users AS u ON u.u = e.owner
CROSS JOIN generate_series(1, 2) AS s (seq)
WHERE s.seq = 1 OR e.status IN ('completed', 'failed', 'cancelled')
