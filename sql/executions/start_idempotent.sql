-- executions.start with the client's idempotency key: the first request with a
-- key inserts the execution; a retry (or a racing twin) meets the unique index
-- ux_workflow_exec_user_idempotency_key and inserts nothing. ON CONFLICT DO
-- UPDATE rather than DO NOTHING: it waits for a racing insert of the same key to
-- commit and then locks that row, so exactly one execution exists whatever the
-- interleaving (DO NOTHING would leave the loser nothing to answer with).
-- executions.get_started follows in the same pipeline and answers the execution
-- the key names. A key already used to start another workflow is refused
-- (AB422, field Idempotency-Key); a missing workflow raises AB404.
WITH started AS (
    INSERT INTO workflow_executions AS e (id, user_id, workflow_id, status, input, workflow_version, idempotency_key)
    SELECT %(execution_id)s, w.user_id, w.id, 'pending', %(input)s, w.version, %(idempotency_key)s
    FROM workflows AS w
    WHERE w.id = %(workflow_id)s AND w.user_id = %(user_id)s
    ON CONFLICT (user_id, idempotency_key) WHERE idempotency_key IS NOT NULL
    DO UPDATE SET idempotency_key = excluded.idempotency_key
    WHERE e.user_id = %(user_id)s AND e.workflow_id = excluded.workflow_id
    RETURNING e.id
)

SELECT CASE
    WHEN EXISTS (SELECT 1 FROM started) THEN json_build_object('id', (SELECT s.id FROM started AS s))
    WHEN EXISTS (
        SELECT 1 FROM workflows AS w WHERE w.id = %(workflow_id)s AND w.user_id = %(user_id)s
    ) THEN agentdb_raise('AB422', 'Idempotency-Key: already used to start another workflow', 'Idempotency-Key')
    ELSE agentdb_raise('AB404', 'workflow not found')
END AS started
