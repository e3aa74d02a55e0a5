-- The roles stay: other databases on the server may use them.
DROP FUNCTION agentdb_authenticate(bytea, uuid);

DO $$
DECLARE
    tab text;
BEGIN
    FOREACH tab IN ARRAY ARRAY[
        'users', 'api_tokens', 'agents', 'agent_tools', 'agent_blocks', 'workflows', 'workflow_nodes',
        'workflow_edges', 'workflow_executions', 'execution_events', 'agent_executions',
        'agent_execution_metrics', 'agent_memories', 'agent_execution_stats', 'workflow_execution_stats'
    ] LOOP
        EXECUTE format('DROP POLICY app_own_rows ON %I', tab);
        EXECUTE format('DROP POLICY jobs_every_row ON %I', tab);
        EXECUTE format('ALTER TABLE %I NO FORCE ROW LEVEL SECURITY', tab);
        EXECUTE format('ALTER TABLE %I DISABLE ROW LEVEL SECURITY', tab);
        EXECUTE format('REVOKE ALL ON %I FROM agentdb_app, agentdb_jobs', tab);
    END LOOP;
END
$$;

REVOKE USAGE ON SCHEMA public FROM agentdb_app, agentdb_jobs;
