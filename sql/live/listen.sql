-- The one LISTEN of an API process (api/live.py), on its own connection:
-- executions.append_events and executions.transition NOTIFY this channel with
-- "<execution id> <seq>" at commit; the listener wakes the streams of that
-- execution, which read the rows themselves (executions.events_after).
LISTEN agentdb_events
