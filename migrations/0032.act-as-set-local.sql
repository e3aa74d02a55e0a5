-- depends: 0031.citus-distribute
--
-- A request's user (app.user_id, read by every row-level security policy) is
-- set with SET LOCAL, run by a function, instead of set_config(..., true).
-- Same effect on one server (a transaction-local setting; the pipeline's implicit
-- transaction ends it). Under Citus the policies run on the workers, in sessions
-- the coordinator opened: Citus forwards a SET LOCAL to them (with
-- citus.propagate_set_commands = 'local', which agentdb_distribute() sets for the
-- database), never a set_config() call. SET takes no parameters, so the function
-- composes it with format(%L) from a uuid (a cast value, nothing else fits).
CREATE FUNCTION agentdb_act_as(user_id uuid) RETURNS text
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    EXECUTE format('SET LOCAL app.user_id = %L', user_id);
    RETURN user_id::text;
END
$$;
COMMENT ON FUNCTION agentdb_act_as(uuid) IS
    'SET LOCAL app.user_id: the row-level security user of this transaction, forwarded to Citus workers (0032).';
GRANT EXECUTE ON FUNCTION agentdb_act_as(uuid) TO agentdb_app, agentdb_jobs;

CREATE OR REPLACE FUNCTION agentdb_authenticate(token_hash bytea, user_id uuid) RETURNS json
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    PERFORM agentdb_act_as(user_id);
    IF NOT EXISTS (
        SELECT 1
        FROM api_tokens AS t
        WHERE
            t.token_hash = agentdb_authenticate.token_hash
            AND t.user_id = agentdb_authenticate.user_id
            AND t.revoked_at IS NULL
            AND (t.expires_at IS NULL OR t.expires_at > now())
    ) THEN
        RAISE EXCEPTION USING ERRCODE = 'AB401', MESSAGE = 'invalid, expired or revoked token';
    END IF;
    RETURN json_build_object('user_id', user_id);
END
$$;
