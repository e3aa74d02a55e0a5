-- Helpers every later migration and statement may use.
--
-- agentdb_raise(sqlstate, message) raises an error with a chosen SQLSTATE. A
-- statement calls it inside CASE to abort the rest of a pipeline (one implicit
-- transaction) when a guard fails, e.g. a stale optimistic-concurrency version.
-- The repositories map these SQLSTATEs to their error classes:
--   AB404  row not found (or owned by another user)
--   AB412  stale version
--   AB422  input the database refused (the detail names the field)
-- (0006 replaces it with a version returning json and taking a detail.)
-- VOLATILE so the planner never folds a call with constant arguments.
CREATE FUNCTION agentdb_raise(sqlstate text, message text) RETURNS integer
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    RAISE EXCEPTION USING ERRCODE = sqlstate, MESSAGE = message;
END
$$;

COMMENT ON FUNCTION agentdb_raise(text, text) IS
    'Raise an error with a chosen SQLSTATE (AB404 not found, AB412 stale version); used inside CASE guards.';
