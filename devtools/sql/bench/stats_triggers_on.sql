-- Benchmarks only (schema owner): switches the statistics triggers of migration 0011 back on.
DO $$
BEGIN
    ALTER TABLE workflow_executions ENABLE TRIGGER USER;
    ALTER TABLE agent_executions ENABLE TRIGGER USER;
    ALTER TABLE agent_execution_metrics ENABLE TRIGGER USER;
END
$$
