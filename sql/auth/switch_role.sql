-- Run once on every new pooled connection: the session switches to the role its
-- pool works as (agentdb_app for the API, agentdb_jobs for jobs; migration 0007),
-- so row-level security applies even when DATABASE_URL names a superuser.
-- set_config('role', ...) is SET ROLE with the role name as a bound parameter.
-- `citus`: the database is a Citus coordinator, where each pipeline of several
-- statements is sent inside BEGIN ... COMMIT (Citus forwards a request's
-- SET LOCAL app.user_id to its workers only inside a transaction block; see
-- repositories/database.py and migration 0032).
SELECT
    set_config('role', %(role)s, FALSE) AS role,
    (SELECT count(*) > 0 FROM pg_extension AS e WHERE e.extname = 'citus') AS citus
