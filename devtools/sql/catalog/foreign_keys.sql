-- Foreign keys of the public schema with their delete rule ('c' cascade,
-- 'n' set null, 'a' no action): the contract test checks the cascades SCHEMA.md names.
SELECT
    con.conrelid::regclass::text AS table_name,
    con.confrelid::regclass::text AS references_table,
    array_agg(a.attname::text ORDER BY k.ordinality) AS columns,
    con.confdeltype::text AS on_delete
FROM pg_constraint AS con
CROSS JOIN LATERAL unnest(con.conkey) WITH ORDINALITY AS k (attnum, ordinality)
INNER JOIN pg_attribute AS a ON a.attrelid = con.conrelid AND a.attnum = k.attnum
WHERE con.contype = 'f' AND con.connamespace = 'public'::regnamespace
GROUP BY con.oid, con.conrelid, con.confrelid, con.confdeltype
