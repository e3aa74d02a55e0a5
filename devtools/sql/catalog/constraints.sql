-- The names of the public schema's constraints: a test checks that every
-- constraint the error mapping (repositories.database.FIELD_OF_CONSTRAINT) names exists.
SELECT con.conname::text AS name
FROM pg_constraint AS con
WHERE con.connamespace = 'public'::regnamespace
