-- Deletes an agent; its tools, executions and memories go by cascade, and
-- workflow nodes bound to it are unbound (SET NULL). Raises AB404 when the
-- agent is missing or another user's.
WITH deleted AS (
    DELETE FROM agents
    WHERE id = %(agent_id)s AND user_id = %(user_id)s
    RETURNING id
)

SELECT coalesce((SELECT json_build_object('id', d.id) FROM deleted AS d), agentdb_raise('AB404', 'agent not found'))
