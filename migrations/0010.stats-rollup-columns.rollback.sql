ALTER TABLE workflow_execution_stats DROP COLUMN duration_ms_max, DROP COLUMN rolled_at;
ALTER TABLE agent_execution_stats DROP COLUMN latency_ms_max, DROP COLUMN rolled_at;
COMMENT ON TABLE agent_execution_stats IS NULL;
COMMENT ON TABLE workflow_execution_stats IS NULL;
COMMENT ON COLUMN workflow_execution_stats.duration_ms_sum IS NULL;
DROP FUNCTION agentdb_bucket_date(timestamptz);
