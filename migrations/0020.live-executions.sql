-- depends: 0017.jobs-lock-memories
--
-- Live executions (issue 14): an execution records the workflow version it ran
-- (a graph replace keeps the id of every node whose key survives, so its events'
-- node ids join the nodes they name), reserves its events' gap-free sequence
-- numbers from a counter on its own row, and may carry the client's idempotency key.
ALTER TABLE workflow_executions ADD COLUMN workflow_version bigint;
ALTER TABLE workflow_executions ADD COLUMN event_seq bigint NOT NULL DEFAULT 0;
ALTER TABLE workflow_executions ADD COLUMN idempotency_key text;
COMMENT ON COLUMN workflow_executions.workflow_version IS
    'workflows.version when the execution started: the graph it ran (null for executions older than 0020).';
COMMENT ON COLUMN workflow_executions.event_seq IS
    'seq of its latest event: appending n events moves it by n under the row lock (executions.append_events), '
    'so concurrent writers reserve disjoint, gap-free ranges.';
COMMENT ON COLUMN workflow_executions.idempotency_key IS
    'Idempotency-Key of the POST that started it; a retry with the same key within 24 hours answers this '
    'execution (executions.start_idempotent), after that the key is released (executions.release_idempotency_key).';

ALTER TABLE execution_events ADD COLUMN node_id uuid;
COMMENT ON COLUMN execution_events.node_id IS
    'The workflow node the event is about (workflow_nodes.id; ids survive graph replaces by key). '
    'No foreign key: a node deleted by a later replace leaves its past events.';
