-- depends: 0007.roles-and-row-level-security
--
-- Server-side secrets the API needs to agree on across processes and restarts,
-- generated here so that no operator has to: `cursor_key` signs the API's page
-- cursors (api/cursors.py), so a cursor cannot be forged or altered, nor used on
-- another list than the one that made it. 244 random bits from
-- gen_random_uuid() (PostgreSQL's strong random source). AGENTDB_SECRET_KEY, when
-- set, is used instead. Not user data: no row-level security; the app's role reads it.
CREATE TABLE agentdb_secrets (
    name        text PRIMARY KEY,
    value       bytea NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);

INSERT INTO agentdb_secrets (name, value)
VALUES ('cursor_key', decode(replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', ''), 'hex'));

GRANT SELECT ON agentdb_secrets TO agentdb_app;

-- /readyz checks, as the app's role, that the newest migration on disk is applied.
GRANT SELECT ON _yoyo_migration TO agentdb_app;
