-- Row-level security of the public schema's tables: enabled, forced (the owner
-- too), and the policies on each; and whether the app's role could bypass them.
SELECT
    c.relname::text AS table_name,
    c.relrowsecurity AS enabled,
    c.relforcerowsecurity AS forced,
    coalesce((SELECT array_agg(p.polname::text ORDER BY p.polname) FROM pg_policy AS p WHERE p.polrelid = c.oid), '{}')
        AS policies
FROM pg_class AS c
WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r' AND c.relname NOT LIKE '%%yoyo%%'
