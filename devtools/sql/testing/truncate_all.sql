-- Tests only: empties every table between tests (one statement, one round trip;
-- CASCADE follows the foreign keys). Much faster than a fresh database per test.
TRUNCATE users, api_tokens, agents, agent_tools, agent_blocks, workflows, workflow_nodes,
workflow_edges, workflow_executions, execution_events, agent_executions,
agent_execution_metrics, agent_memories, agent_execution_stats, workflow_execution_stats,
agent_execution_stats_dirty, workflow_execution_stats_dirty, job_runs CASCADE
