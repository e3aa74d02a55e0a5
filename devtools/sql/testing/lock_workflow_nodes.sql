-- Tests only (tests/test_faults.py): inside the caller's transaction, block inserts into
-- workflow_nodes (SHARE mode: reads still pass), so that a workflow's create pipeline
-- stops after inserting the workflow row, before its nodes: a write held mid-pipeline.
LOCK TABLE workflow_nodes IN SHARE MODE
