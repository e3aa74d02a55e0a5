-- Tests only: empties the executions, their roll-ups and marks (users, agents and
-- workflows stay), so one example of a property test starts from no executions.
TRUNCATE workflow_executions, agent_executions, agent_execution_metrics, execution_events,
agent_execution_stats, workflow_execution_stats, agent_execution_stats_dirty, workflow_execution_stats_dirty
