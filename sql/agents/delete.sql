-- Deletes an agent; its tools, executions and memories go by cascade, and
-- workflow nodes bound to it are unbound (SET NULL). Returns the id, or no row
-- when the agent is missing or another user's.
DELETE FROM agents
WHERE id = %(agent_id)s AND user_id = %(user_id)s
RETURNING id
