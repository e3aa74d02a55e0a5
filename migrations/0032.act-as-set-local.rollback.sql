CREATE OR REPLACE FUNCTION agentdb_authenticate(token_hash bytea, user_id uuid) RETURNS json
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    PERFORM set_config('app.user_id', user_id::text, true);
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
DROP FUNCTION agentdb_act_as(uuid);
