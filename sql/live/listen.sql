-- The one LISTEN of an API process (api/live.py), on its own connection:
-- live.notify, sent with executions.append_events and executions.transition,
-- NOTIFYs this channel with "<execution id> <user id>" at commit; the listener wakes the streams of that
-- execution, which read the rows themselves (executions.events_after).
LISTEN agentdb_events
