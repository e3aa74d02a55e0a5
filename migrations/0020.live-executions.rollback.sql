ALTER TABLE execution_events DROP COLUMN node_id;
ALTER TABLE workflow_executions DROP COLUMN idempotency_key;
ALTER TABLE workflow_executions DROP COLUMN event_seq;
ALTER TABLE workflow_executions DROP COLUMN workflow_version;
