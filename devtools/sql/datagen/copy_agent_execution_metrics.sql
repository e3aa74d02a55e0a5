-- Bulk load of generated metrics, one per agent execution (agentdb.datagen).
COPY agent_execution_metrics (
    id, agent_execution_id, user_id, prompt_tokens, completion_tokens, latency_ms, cost_usd
) FROM STDIN
