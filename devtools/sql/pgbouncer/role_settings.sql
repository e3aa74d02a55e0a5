-- PgBouncer test: what AGENTDB_TRANSACTION_POOLER=1 leaves to the server, made on the
-- login role for its every new session: the settings agentdb otherwise sends as
-- startup options (agentdb/pool.py, session_options). An operator does the same on
-- the app's login role with agentdb's values (5 s, 500 ms); here the tests' tools
-- share the role and bulk-load through it (datagen), so the statement ceiling is
-- generous.
DO $$
BEGIN
    ALTER ROLE CURRENT_USER SET statement_timeout = 60000;
    ALTER ROLE CURRENT_USER SET lock_timeout = 500;
    ALTER ROLE CURRENT_USER SET client_connection_check_interval = 1000;
    ALTER ROLE CURRENT_USER SET timezone = 'UTC';
END
$$
