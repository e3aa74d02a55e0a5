-- Tests only: how many workflow and agent executions the generated dataset holds
-- (the plan checks need at least 100k of each to mean anything).
SELECT
    (SELECT count(*) FROM workflow_executions) AS workflow_executions,
    (SELECT count(*) FROM agent_executions) AS agent_executions
