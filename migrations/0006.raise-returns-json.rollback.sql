DROP FUNCTION agentdb_raise(text, text, text);

CREATE FUNCTION agentdb_raise(sqlstate text, message text) RETURNS integer
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    RAISE EXCEPTION USING ERRCODE = sqlstate, MESSAGE = message;
END
$$;
