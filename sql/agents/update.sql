-- Partial update: a NULL parameter keeps the column as it is (typed nulls, so a
-- prepared statement has one plan). Raises AB404 when the agent is missing or
-- another user's, which aborts the rest of the pipeline (the tool rewrite).
WITH updated AS (
    UPDATE agents
    SET
        name = coalesce(%(name)s::text, name),
        description = coalesce(%(description)s::text, description),
        configuration = coalesce(%(configuration)s::jsonb, configuration),
        updated_at = now()
    WHERE id = %(agent_id)s AND user_id = %(user_id)s
    RETURNING id
)

SELECT coalesce((SELECT json_build_object('id', u.id) FROM updated AS u), agentdb_raise('AB404', 'agent not found'))
