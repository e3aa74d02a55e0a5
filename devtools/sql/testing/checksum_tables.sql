-- Tests only (the cross-user matrix, tests/test_security_matrix.py): a row count and
-- an MD5 of the sorted rows of every table of the public schema (yoyo's own left
-- out), found in the catalog so that a table added later is covered without a
-- change here. query_to_xml runs the per-table query inside this one statement.
-- Run as the schema's owner (row-level security would hide rows from the app role).
SELECT
    c.relname::text AS table_name,
    (xpath('/row/n/text()', x.doc))[1]::text::bigint AS row_count,
    (xpath('/row/digest/text()', x.doc))[1]::text AS digest
FROM pg_class AS c
CROSS JOIN LATERAL (
    SELECT query_to_xml(
        format('SELECT count(*) AS n, md5(coalesce(string_agg(t::text, '','' ORDER BY t::text), '''')) AS digest'
               ' FROM %%I.%%I AS t', 'public', c.relname),
        false, true, '') AS doc
) AS x
WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p') AND c.relname NOT LIKE '%%yoyo%%'
ORDER BY c.relname
