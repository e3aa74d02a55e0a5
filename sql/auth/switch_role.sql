-- Run once on every new pooled connection: the session switches to the role its
-- pool works as (agentdb_app for the API, agentdb_jobs for jobs; migration 0007),
-- so row-level security applies even when DATABASE_URL names a superuser.
-- set_config('role', ...) is SET ROLE with the role name as a bound parameter.
SELECT set_config('role', %(role)s, FALSE) AS role
