-- depends: 0010.stats-rollup-columns
--
-- Which daily buckets changed since they were last rolled up: an append-only log
-- of marks, one table per roll-up table, written by the database itself.
--
-- Design (issue 13): a bucket (user, agent or workflow, UTC day of started_at) is
-- recomputed WHOLE from the raw rows whenever it is dirty, never patched with
-- deltas. So a roll-up run twice, or re-run after a crash, writes the same
-- numbers; an execution that finishes days after it started just makes its own
-- (old) bucket dirty again, and nothing is lost.
--   * Every INSERT, DELETE, and UPDATE that changes a rolled-up column of
--     workflow_executions, agent_executions or agent_execution_metrics appends a
--     mark (user, subject, bucket_date) in the SAME transaction, through the
--     statement-level triggers below (one INSERT ... SELECT DISTINCT per
--     statement, whatever the number of rows).
--   * The roll-up (sql/stats/rollup_*_buckets.sql) deletes a batch of one user's
--     marks and recomputes their buckets from the raw rows in ONE statement: the
--     marks it deletes and the raw rows it reads come from the same snapshot, so a
--     write committed after that snapshot keeps its own mark (it was not visible,
--     so not deleted) and is rolled up by the next run.
--   * The dashboard (sql/stats/dashboard.sql) reads, in one statement and one
--     snapshot, the roll-up rows of clean buckets plus the raw rows of the buckets
--     that have a mark: exact at any moment, whether or not the job has run.
-- Marks are append-only (never upserted): a unique "bucket is dirty" row would let
-- a writer's ON CONFLICT DO NOTHING find a mark the roll-up is about to delete
-- (and lose the write), and an upserted counter would serialise every writer of a
-- bucket on one row lock. Duplicates cost a few bytes until the next roll-up.
--
-- Why triggers rather than a CTE in each writing statement: they mark for every
-- writer (the repositories, the live-execution statements of other branches,
-- cascades, an operator's UPDATE), at the price of one small INSERT per writing
-- statement (measured in bench/jobs_bench.py). Bulk loads that skip triggers
-- (session_replication_role = replica: devtools.datagen) and TRUNCATE of the raw
-- tables must be followed by `agentdb jobs rollup --rebuild`. Under Citus (issue
-- 15) the marks are distributed by user_id, co-located with the raw tables, and the
-- triggers need citus.enable_unsafe_triggers (or become CTEs of the writers).
--
-- No foreign keys: a mark may outlive its agent, workflow or user (a cascade
-- deleting executions marks their buckets while the parent row goes); the
-- roll-up consumes such marks and writes nothing for them.

CREATE TABLE agent_execution_stats_dirty (
    seq          bigint GENERATED ALWAYS AS IDENTITY,
    user_id      uuid NOT NULL,
    agent_id     uuid NOT NULL,
    bucket_date  date NOT NULL,
    marked_at    timestamptz NOT NULL DEFAULT now(),
    -- (user_id, seq): a user's marks oldest first, for the roll-up and the dashboard.
    PRIMARY KEY (user_id, seq)
);

CREATE TABLE workflow_execution_stats_dirty (
    seq          bigint GENERATED ALWAYS AS IDENTITY,
    user_id      uuid NOT NULL,
    workflow_id  uuid NOT NULL,
    bucket_date  date NOT NULL,
    marked_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, seq)
);

COMMENT ON TABLE agent_execution_stats_dirty IS
    'Append-only marks of agent_execution_stats buckets changed since their last roll-up (migration 0011).';
COMMENT ON TABLE workflow_execution_stats_dirty IS
    'Append-only marks of workflow_execution_stats buckets changed since their last roll-up (migration 0011).';

-- The app's writes mark (the triggers run as the writer) and its dashboard reads;
-- jobs consume marks and mark everything for a rebuild.
GRANT SELECT, INSERT ON agent_execution_stats_dirty, workflow_execution_stats_dirty TO agentdb_app;
GRANT SELECT, INSERT, DELETE ON agent_execution_stats_dirty, workflow_execution_stats_dirty TO agentdb_jobs;

-- Row-level security as in 0007.
DO $$
DECLARE
    tab text;
BEGIN
    FOREACH tab IN ARRAY ARRAY['agent_execution_stats_dirty', 'workflow_execution_stats_dirty'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', tab);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', tab);
        EXECUTE format(
            'CREATE POLICY app_own_rows ON %I TO agentdb_app '
            'USING (user_id = (SELECT nullif(current_setting(''app.user_id'', true), '''')::uuid)) '
            'WITH CHECK (user_id = (SELECT nullif(current_setting(''app.user_id'', true), '''')::uuid))', tab);
        EXECUTE format('CREATE POLICY jobs_every_row ON %I TO agentdb_jobs USING (TRUE) WITH CHECK (TRUE)', tab);
    END LOOP;
END
$$;

-- One function per raw table, serving its three statement-level triggers; each
-- trigger names its transition tables old_rows / new_rows. An UPDATE marks only
-- rows whose rolled-up columns changed (a write of `output` alone marks nothing),
-- both the old and the new bucket.
CREATE FUNCTION agentdb_mark_workflow_buckets() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO workflow_execution_stats_dirty (user_id, workflow_id, bucket_date)
        SELECT DISTINCT n.user_id, n.workflow_id, agentdb_bucket_date(n.started_at) FROM new_rows AS n;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO workflow_execution_stats_dirty (user_id, workflow_id, bucket_date)
        SELECT DISTINCT o.user_id, o.workflow_id, agentdb_bucket_date(o.started_at) FROM old_rows AS o;
    ELSE
        INSERT INTO workflow_execution_stats_dirty (user_id, workflow_id, bucket_date)
        SELECT DISTINCT c.user_id, c.workflow_id, agentdb_bucket_date(c.started_at)
        FROM old_rows AS o
        INNER JOIN new_rows AS n ON n.id = o.id
        CROSS JOIN LATERAL (VALUES (o.user_id, o.workflow_id, o.started_at), (n.user_id, n.workflow_id, n.started_at))
            AS c (user_id, workflow_id, started_at)
        WHERE (o.user_id, o.workflow_id, o.status, o.started_at, o.completed_at)
            IS DISTINCT FROM (n.user_id, n.workflow_id, n.status, n.started_at, n.completed_at);
    END IF;
    RETURN NULL;
END
$$;

CREATE FUNCTION agentdb_mark_agent_buckets() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO agent_execution_stats_dirty (user_id, agent_id, bucket_date)
        SELECT DISTINCT n.user_id, n.agent_id, agentdb_bucket_date(n.started_at) FROM new_rows AS n;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO agent_execution_stats_dirty (user_id, agent_id, bucket_date)
        SELECT DISTINCT o.user_id, o.agent_id, agentdb_bucket_date(o.started_at) FROM old_rows AS o;
    ELSE
        INSERT INTO agent_execution_stats_dirty (user_id, agent_id, bucket_date)
        SELECT DISTINCT c.user_id, c.agent_id, agentdb_bucket_date(c.started_at)
        FROM old_rows AS o
        INNER JOIN new_rows AS n ON n.id = o.id
        CROSS JOIN LATERAL (VALUES (o.user_id, o.agent_id, o.started_at), (n.user_id, n.agent_id, n.started_at))
            AS c (user_id, agent_id, started_at)
        WHERE (o.user_id, o.agent_id, o.status, o.started_at, o.completed_at)
            IS DISTINCT FROM (n.user_id, n.agent_id, n.status, n.started_at, n.completed_at);
    END IF;
    RETURN NULL;
END
$$;

-- Metrics carry no agent or day: their execution's bucket is marked. A metrics
-- row deleted with its execution finds no execution here; the execution's own
-- trigger marked the bucket.
CREATE FUNCTION agentdb_mark_metrics_buckets() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO agent_execution_stats_dirty (user_id, agent_id, bucket_date)
        SELECT DISTINCT x.user_id, x.agent_id, agentdb_bucket_date(x.started_at)
        FROM agent_executions AS x
        WHERE x.id IN (SELECT n.agent_execution_id FROM new_rows AS n);
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO agent_execution_stats_dirty (user_id, agent_id, bucket_date)
        SELECT DISTINCT x.user_id, x.agent_id, agentdb_bucket_date(x.started_at)
        FROM agent_executions AS x
        WHERE x.id IN (SELECT o.agent_execution_id FROM old_rows AS o);
    ELSE
        INSERT INTO agent_execution_stats_dirty (user_id, agent_id, bucket_date)
        SELECT DISTINCT x.user_id, x.agent_id, agentdb_bucket_date(x.started_at)
        FROM agent_executions AS x
        WHERE x.id IN (
            SELECT c.agent_execution_id
            FROM old_rows AS o
            INNER JOIN new_rows AS n ON n.id = o.id
            CROSS JOIN LATERAL (VALUES (o.agent_execution_id), (n.agent_execution_id)) AS c (agent_execution_id)
            WHERE (o.agent_execution_id, o.prompt_tokens, o.completion_tokens, o.latency_ms, o.cost_usd)
                IS DISTINCT FROM (n.agent_execution_id, n.prompt_tokens, n.completion_tokens, n.latency_ms, n.cost_usd)
        );
    END IF;
    RETURN NULL;
END
$$;

COMMENT ON FUNCTION agentdb_mark_workflow_buckets() IS 'Marks workflow_execution_stats buckets dirty (migration 0011).';
COMMENT ON FUNCTION agentdb_mark_agent_buckets() IS 'Marks agent_execution_stats buckets dirty (migration 0011).';
COMMENT ON FUNCTION agentdb_mark_metrics_buckets() IS 'Marks agent_execution_stats buckets dirty (migration 0011).';

CREATE TRIGGER stats_dirty_insert AFTER INSERT ON workflow_executions
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION agentdb_mark_workflow_buckets();
CREATE TRIGGER stats_dirty_update AFTER UPDATE ON workflow_executions
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION agentdb_mark_workflow_buckets();
CREATE TRIGGER stats_dirty_delete AFTER DELETE ON workflow_executions
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION agentdb_mark_workflow_buckets();

CREATE TRIGGER stats_dirty_insert AFTER INSERT ON agent_executions
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION agentdb_mark_agent_buckets();
CREATE TRIGGER stats_dirty_update AFTER UPDATE ON agent_executions
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION agentdb_mark_agent_buckets();
CREATE TRIGGER stats_dirty_delete AFTER DELETE ON agent_executions
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION agentdb_mark_agent_buckets();

CREATE TRIGGER stats_dirty_insert AFTER INSERT ON agent_execution_metrics
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION agentdb_mark_metrics_buckets();
CREATE TRIGGER stats_dirty_update AFTER UPDATE ON agent_execution_metrics
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION agentdb_mark_metrics_buckets();
CREATE TRIGGER stats_dirty_delete AFTER DELETE ON agent_execution_metrics
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION agentdb_mark_metrics_buckets();
