-- Benchmarks only (schema owner): switches the statistics triggers of migration
-- 0011 off, to measure what they cost a write (bench/jobs_bench.py turns them on again).
DO $$
BEGIN
    ALTER TABLE workflow_executions DISABLE TRIGGER USER;
    ALTER TABLE agent_executions DISABLE TRIGGER USER;
    ALTER TABLE agent_execution_metrics DISABLE TRIGGER USER;
END
$$
