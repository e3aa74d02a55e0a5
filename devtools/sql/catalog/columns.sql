-- The columns of the public schema's tables with their types and nullability,
-- read from the catalog: the contract test compares them with SCHEMA.md.
SELECT c.table_name, c.column_name, c.data_type, c.is_nullable
FROM information_schema.columns AS c
WHERE c.table_schema = 'public'
ORDER BY c.table_name, c.ordinal_position
