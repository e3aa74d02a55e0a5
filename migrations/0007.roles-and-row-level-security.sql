-- depends: 0006.raise-returns-json
--
-- Row-level security: the second wall behind every `WHERE user_id = ...`.
--
-- Roles (cluster-wide, so created only if absent; a rollback leaves them, since
-- other databases on the server may use them):
--   agentdb_app   what the API's pooled connections switch to (SET ROLE) when they
--                 connect: neither superuser nor BYPASSRLS; sees a user's rows only
--                 while `app.user_id` names that user.
--   agentdb_jobs  what background jobs and the operator commands switch to: rows of
--                 every user, on the tables and for the commands granted below.
-- Operators still give one DATABASE_URL (often the superuser that owns the
-- schema): the migrating role is made a member of both, so its connections can
-- switch. Each request sets `app.user_id` for its own transaction only, in the
-- first statement of its pipeline (sql/auth/), through set_config(..., true).
--
-- Every policy reads the setting in a scalar subquery, (SELECT ...): an InitPlan
-- evaluated once per statement, not once per row. An unset or reset setting reads
-- as '' or NULL and matches no row.
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'agentdb_app') THEN
        CREATE ROLE agentdb_app NOLOGIN NOSUPERUSER NOBYPASSRLS;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'agentdb_jobs') THEN
        CREATE ROLE agentdb_jobs NOLOGIN NOSUPERUSER NOBYPASSRLS;
    END IF;
END
$$;

GRANT agentdb_app, agentdb_jobs TO CURRENT_USER;
GRANT USAGE ON SCHEMA public TO agentdb_app, agentdb_jobs;

GRANT SELECT, INSERT, UPDATE, DELETE ON
    users, api_tokens, agents, agent_tools, agent_blocks, workflows, workflow_nodes, workflow_edges,
    workflow_executions, execution_events, agent_executions, agent_execution_metrics, agent_memories,
    agent_execution_stats, workflow_execution_stats
TO agentdb_app;

GRANT SELECT ON
    users, api_tokens, agents, agent_tools, agent_blocks, workflows, workflow_nodes, workflow_edges,
    workflow_executions, execution_events, agent_executions, agent_execution_metrics, agent_memories,
    agent_execution_stats, workflow_execution_stats
TO agentdb_jobs;
GRANT INSERT, UPDATE ON users, api_tokens TO agentdb_jobs;
GRANT DELETE ON agent_memories TO agentdb_jobs;
GRANT INSERT, UPDATE, DELETE ON agent_execution_stats, workflow_execution_stats TO agentdb_jobs;

-- Every table of user data: ENABLE and FORCE (the owner too is policed), one
-- policy for the app (its own rows, read and write) and one for jobs (every row;
-- the grants above say what jobs may do with them). `users` is keyed by `id`.
DO $$
DECLARE
    tab text;
    owner_column text;
BEGIN
    FOREACH tab IN ARRAY ARRAY[
        'users', 'api_tokens', 'agents', 'agent_tools', 'agent_blocks', 'workflows', 'workflow_nodes',
        'workflow_edges', 'workflow_executions', 'execution_events', 'agent_executions',
        'agent_execution_metrics', 'agent_memories', 'agent_execution_stats', 'workflow_execution_stats'
    ] LOOP
        owner_column := CASE tab WHEN 'users' THEN 'id' ELSE 'user_id' END;
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', tab);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', tab);
        EXECUTE format(
            'CREATE POLICY app_own_rows ON %1$I TO agentdb_app '
            'USING (%2$I = (SELECT nullif(current_setting(''app.user_id'', true), '''')::uuid)) '
            'WITH CHECK (%2$I = (SELECT nullif(current_setting(''app.user_id'', true), '''')::uuid))',
            tab, owner_column);
        EXECUTE format('CREATE POLICY jobs_every_row ON %I TO agentdb_jobs USING (TRUE) WITH CHECK (TRUE)', tab);
    END LOOP;
END
$$;

-- The first statement of every request pipeline that comes with a bearer token
-- (sql/auth/authenticate.sql): acts as the user the token claims (its id is part
-- of the token), then checks, under that user's row-level security, that the
-- token is theirs, unrevoked and unexpired; else raises AB401 (-> 401), which
-- aborts the pipeline and with it the transaction-local setting. One unique-index
-- lookup, in the same round trip as the request's own statements.
CREATE FUNCTION agentdb_authenticate(token_hash bytea, user_id uuid) RETURNS json
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
