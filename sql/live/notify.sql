-- Wakes the live streams of an execution (api/live.py): sent in the same pipeline
-- as executions.append_events and executions.transition, so PostgreSQL delivers
-- "<execution id> <user id>" on channel agentdb_events at that transaction's
-- commit, and never if it rolls back (a refused append or move aborts the
-- pipeline). A statement of its own rather than a CTE of the write: on Citus the
-- write runs on the worker holding the user's shard, where no API process
-- listens; this statement reads no table, so it runs on the coordinator the
-- listeners are connected to. Ids only: a stream reads the rows itself
-- (executions.events_after), so the 8000-byte payload limit never matters.
SELECT pg_notify('agentdb_events', %(execution_id)s::text || ' ' || %(user_id)s::text) AS notified
