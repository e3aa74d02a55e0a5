-- Deletes an agent; its tools, executions and memories go by cascade, and
-- workflow nodes bound to it are unbound here, in the same statement (the
-- foreign key is NO ACTION, checked at the statement's end: Citus refuses
-- SET NULL on a key holding the distribution column; migration 0030). The
-- unbinding reads ix_workflow_nodes_agent. Raises AB404 when the agent is
-- missing or another user's.
WITH unbound AS (
    UPDATE workflow_nodes AS n
    SET agent_id = NULL
    WHERE n.user_id = %(user_id)s AND n.agent_id = %(agent_id)s
),

deleted AS (
    DELETE FROM agents AS a
    WHERE a.id = %(agent_id)s AND a.user_id = %(user_id)s
    RETURNING a.id
)

SELECT coalesce((SELECT json_build_object('id', d.id) FROM deleted AS d), agentdb_raise('AB404', 'agent not found'))
