-- Deletes a workflow and, by cascade, its nodes, edges and executions; agent
-- executions that ran inside those executions are detached from them here, in
-- the same statement (the foreign key is NO ACTION, checked at the statement's
-- end: Citus refuses SET NULL on a key holding the distribution column;
-- migration 0030). The detaching reads ix_workflow_exec_user_workflow_status
-- and ix_agent_exec_workflow_execution. Raises AB404 when the workflow is
-- missing or another user's.
WITH detached AS (
    UPDATE agent_executions AS ae
    SET workflow_execution_id = NULL
    WHERE
        ae.user_id = %(user_id)s
        AND ae.workflow_execution_id IN (
            SELECT x.id
            FROM workflow_executions AS x
            WHERE x.user_id = %(user_id)s AND x.workflow_id = %(workflow_id)s
        )
),

deleted AS (
    DELETE FROM workflows AS w
    WHERE w.id = %(workflow_id)s AND w.user_id = %(user_id)s
    RETURNING w.id
)

SELECT coalesce((SELECT json_build_object('id', d.id) FROM deleted AS d), agentdb_raise('AB404', 'workflow not found'))
