-- The first statement of a call made in-process for a user (a job, a script, the
-- CLI): sets app.user_id for this transaction only (SET LOCAL through
-- agentdb_act_as, which Citus forwards to its workers; migration 0032), so
-- row-level security shows that user's rows and no one else's. Trusted callers
-- only: the HTTP API always uses auth.authenticate instead.
SELECT agentdb_act_as(%(user_id)s::uuid) AS scope
