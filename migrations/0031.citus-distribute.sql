-- depends: 0030.keys-include-user-id
--
-- agentdb_distribute(): on a database where the `citus` extension is installed
-- (with workers added), distribute the tenant tables by user_id, co-located with
-- `agents`, so each user's rows of every table live on one shard group and each
-- statement (every tenant alias filtered by its own user_id) runs on one node;
-- `users` and `api_tokens` become reference tables (copied to every node: the
-- unique email and token hash cannot be checked per shard, and every tenant table
-- references users). agentdb_secrets, job_runs and yoyo's tables stay local to
-- the coordinator (only read alone).
--
-- Without citus it does nothing and returns an empty array, so `agentdb migrate`
-- calls it after every migration run (agentdb/migrate.py): the same command
-- distributes a database where citus was installed after its tables were made.
-- Idempotent: tables already in pg_dist_partition are skipped. Returns the
-- tables it distributed now.
--
-- Adaptations Citus needs, made only when distributing:
--   * Worker connections are opened as the current role, so agentdb_app and
--     agentdb_jobs get LOGIN (cluster-wide; give them credentials the workers
--     accept), and the database forwards SET LOCAL (app.user_id) to workers.
--   * Row-level security policies may not contain subqueries on distributed
--     tables: app_own_rows is re-created with the bare current_setting() instead
--     of 0007's (SELECT ...) InitPlan (same rows; per-row evaluation of a stable
--     function). The policies then travel with the shards.
--   * The statement-level stats triggers of 0011 are dropped: on a shard their
--     queries (transition tables feeding a write to another distributed table)
--     are refused. Until the writers mark buckets themselves, the dashboard's
--     roll-ups need `agentdb jobs rollup --rebuild` under Citus.
CREATE FUNCTION agentdb_distribute() RETURNS text[]
LANGUAGE plpgsql AS $$
DECLARE
    tab text;
    fk record;
    fk_tabs text[] := '{}';
    fk_names text[] := '{}';
    fk_defs text[] := '{}';
    i integer;
    done text[] := '{}';
    reference_tables text[] := ARRAY['users', 'api_tokens'];
    tenant_tables text[] := ARRAY[
        'agents', 'agent_blocks', 'workflows', 'agent_tools', 'workflow_nodes', 'workflow_edges',
        'workflow_executions', 'execution_events', 'agent_executions', 'agent_execution_metrics',
        'agent_memories', 'agent_execution_stats', 'workflow_execution_stats',
        'agent_execution_stats_dirty', 'workflow_execution_stats_dirty'
    ];
BEGIN
    IF NOT EXISTS (SELECT FROM pg_extension WHERE extname = 'citus') THEN
        RETURN done;
    END IF;
    PERFORM set_config('citus.multi_shard_modify_mode', 'sequential', true);
    -- The statement-level stats triggers of 0011 cannot run on shards (their queries read transition
    -- tables and write another distributed table): under Citus they are dropped, and the roll-up
    -- needs `agentdb jobs rollup --rebuild` to see new raw rows (issue 15: marks from the writers).
    FOR fk IN
        SELECT t.tgrelid::regclass::text AS tab, t.tgname AS conname, '' AS def
        FROM pg_trigger AS t
        WHERE
            t.tgname IN ('stats_dirty_insert', 'stats_dirty_update', 'stats_dirty_delete')
            AND NOT EXISTS (SELECT FROM pg_dist_partition AS p WHERE p.logicalrelid = t.tgrelid)
    LOOP
        EXECUTE format('DROP TRIGGER %I ON %I', fk.conname, fk.tab);
    END LOOP;
    -- Forward each request's SET LOCAL app.user_id (agentdb_act_as, migration 0032) to the workers.
    EXECUTE format('ALTER DATABASE %I SET citus.propagate_set_commands = local', current_database());
    -- Citus opens worker connections as the current role: the roles the app and jobs switch to
    -- must be able to log in there (authenticate them in the workers' pg_hba.conf or pg_dist_authinfo).
    ALTER ROLE agentdb_app LOGIN;
    ALTER ROLE agentdb_jobs LOGIN;
    -- Citus converts tables linked by foreign keys as a group, and refuses some orders (a local table
    -- referencing one being distributed): the foreign keys of the tables still to do are set aside,
    -- the tables distributed one by one, and the keys re-created, same names and definitions.
    FOR fk IN
        SELECT c.conrelid::regclass::text AS tab, c.conname, pg_get_constraintdef(c.oid) AS def
        FROM pg_constraint AS c
        WHERE
            c.contype = 'f'
            AND c.conrelid::regclass::text = ANY (reference_tables || tenant_tables)
            AND NOT EXISTS (SELECT FROM pg_dist_partition AS p WHERE p.logicalrelid = c.conrelid)
    LOOP
        fk_tabs := fk_tabs || fk.tab;
        fk_names := fk_names || fk.conname::text;
        fk_defs := fk_defs || fk.def;
        EXECUTE format('ALTER TABLE %I DROP CONSTRAINT %I', fk.tab, fk.conname);
    END LOOP;
    FOREACH tab IN ARRAY reference_tables || tenant_tables LOOP
        CONTINUE WHEN EXISTS (SELECT FROM pg_dist_partition AS p WHERE p.logicalrelid = tab::regclass);
        -- Policies of distributed tables may not hold subqueries: 0007's InitPlan becomes the bare call.
        IF EXISTS (SELECT FROM pg_policy AS p WHERE p.polrelid = tab::regclass AND p.polname = 'app_own_rows') THEN
            EXECUTE format('DROP POLICY app_own_rows ON %I', tab);
        END IF;
        EXECUTE format(
            'CREATE POLICY app_own_rows ON %1$I TO agentdb_app '
            'USING (%2$I = nullif(current_setting(''app.user_id'', true), '''')::uuid) '
            'WITH CHECK (%2$I = nullif(current_setting(''app.user_id'', true), '''')::uuid)',
            tab, CASE tab WHEN 'users' THEN 'id' ELSE 'user_id' END);
        IF tab = ANY (reference_tables) THEN
            PERFORM create_reference_table(tab::regclass);
        ELSIF tab = 'agents' THEN
            PERFORM create_distributed_table(tab::regclass, 'user_id');
        ELSE
            PERFORM create_distributed_table(tab::regclass, 'user_id', colocate_with => 'agents');
        END IF;
        done := done || tab;
    END LOOP;
    FOR i IN 1 .. coalesce(array_length(fk_tabs, 1), 0) LOOP
        EXECUTE format('ALTER TABLE %I ADD CONSTRAINT %I %s', fk_tabs[i], fk_names[i], fk_defs[i]);
    END LOOP;
    RETURN done;
END
$$;
COMMENT ON FUNCTION agentdb_distribute() IS
    'Under Citus: distribute the tenant tables by user_id (co-located), users and api_tokens as reference tables; '
    'no-op without citus; idempotent (migration 0031, called by agentdb migrate).';
