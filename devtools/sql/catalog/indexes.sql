-- Every valid index of the public schema with its table and key columns in
-- order: the contract test checks the five named ones' leading columns.
SELECT
    i.indexrelid::regclass::text AS index_name,
    i.indrelid::regclass::text AS table_name,
    array_agg(a.attname::text ORDER BY k.ordinality) AS columns
FROM pg_index AS i
CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k (attnum, ordinality)
INNER JOIN pg_attribute AS a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
INNER JOIN pg_class AS c ON c.oid = i.indexrelid
INNER JOIN pg_namespace AS n ON n.oid = c.relnamespace
WHERE n.nspname = 'public' AND i.indisvalid
GROUP BY i.indexrelid, i.indrelid
