-- Data generator: the DDL that drops, and the DDL that rebuilds, every key, foreign key
-- and index of the generated tables (and the foreign keys pointing at them), so the
-- bulk insert writes bare heaps (measured at S: 5.7 us a row into agent_executions
-- bare, 35 with its two keys, 114 with every index) and each index is then built by
-- one sort. Rows: (drop_rank, drop_ddl, create_rank, table_name, create_ddl): drop foreign keys,
-- then keys and indexes; build keys (and their comments), then indexes, then foreign
-- keys (validated by one join each). CHECK constraints stay (they cost little per row).
WITH loaded AS (
    SELECT c.oid FROM pg_class AS c
    WHERE c.relnamespace = 'public'::regnamespace AND c.relname = ANY(%(tables)s::text[])
)

SELECT 1 AS drop_rank, format('ALTER TABLE %%s DROP CONSTRAINT %%I', k.conrelid::regclass, k.conname) AS drop_ddl,
    3 AS create_rank, k.conrelid::regclass::text AS table_name,
    format('ALTER TABLE %%s ADD CONSTRAINT %%I %%s', k.conrelid::regclass, k.conname, pg_get_constraintdef(k.oid))
        || coalesce(format('; COMMENT ON CONSTRAINT %%I ON %%s IS %%L', k.conname, k.conrelid::regclass,
            obj_description(k.oid, 'pg_constraint')), '') AS create_ddl
FROM pg_constraint AS k
WHERE k.contype = 'f' AND (k.conrelid IN (SELECT l.oid FROM loaded AS l) OR k.confrelid IN (SELECT l.oid FROM loaded AS l))
UNION ALL
SELECT 2, format('ALTER TABLE %%s DROP CONSTRAINT %%I', k.conrelid::regclass, k.conname), 1, k.conrelid::regclass::text,
    format('ALTER TABLE %%s ADD CONSTRAINT %%I %%s', k.conrelid::regclass, k.conname, pg_get_constraintdef(k.oid))
        || coalesce(format('; COMMENT ON CONSTRAINT %%I ON %%s IS %%L', k.conname, k.conrelid::regclass,
            obj_description(k.oid, 'pg_constraint')), '')
FROM pg_constraint AS k
WHERE k.contype IN ('p', 'u') AND k.conrelid IN (SELECT l.oid FROM loaded AS l)
UNION ALL
SELECT 2, format('DROP INDEX %%s', i.indexrelid::regclass), 2, i.indrelid::regclass::text,
    pg_get_indexdef(i.indexrelid)
        || coalesce(format('; COMMENT ON INDEX %%s IS %%L', i.indexrelid::regclass,
            obj_description(i.indexrelid, 'pg_class')), '')
FROM pg_index AS i
WHERE i.indrelid IN (SELECT l.oid FROM loaded AS l)
    AND NOT EXISTS (SELECT FROM pg_constraint AS k WHERE k.conindid = i.indexrelid AND k.contype IN ('p', 'u', 'x'))
ORDER BY 1, 2
