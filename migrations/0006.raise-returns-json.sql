-- depends: 0005.jsonb-search-indexes
--
-- agentdb_raise(sqlstate, message[, detail]) now returns json, so that a guard
-- fits where a statement returns its document:
--   SELECT coalesce((SELECT json_build_object(...) ...), agentdb_raise('AB404', 'workflow not found'))
-- This is the one "not found" convention of sql/: a statement that names a row
-- the user does not have raises AB404 itself, never returns an empty result for
-- Python to interpret, and in a pipeline the raise aborts everything after it.
-- `detail` carries data for the error mapping (AB422: the field; AB409: the
-- current status). VOLATILE so the planner never folds a call with constants.
DROP FUNCTION agentdb_raise(text, text);

CREATE FUNCTION agentdb_raise(sqlstate text, message text, detail text DEFAULT NULL) RETURNS json
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    IF detail IS NULL THEN
        RAISE EXCEPTION USING ERRCODE = sqlstate, MESSAGE = message;
    END IF;
    RAISE EXCEPTION USING ERRCODE = sqlstate, MESSAGE = message, DETAIL = detail;
END
$$;

COMMENT ON FUNCTION agentdb_raise(text, text, text) IS
    'Raise an error with a chosen SQLSTATE: AB401 bad token, AB404 not found, AB409 illegal transition '
    '(detail: current status), AB412 stale version, AB422 invalid input (detail: field).';
