-- Tests only (the cross-user matrix, tests/test_security_matrix.py): a row count and
-- an MD5 of the sorted rows of every table of the public schema (yoyo's own left out).
-- Tables are named one by one (query_to_xml could find them in the catalog, but not every
-- server is built with libxml); the test checks this list against the catalog, so a table
-- added later fails it until it is added here. Run as the schema's owner (row-level
-- security would hide rows from the app role).
SELECT 'agent_blocks' AS table_name, count(*) AS row_count, md5(coalesce(string_agg(t::text, ',' ORDER BY t::text), '')) AS digest
FROM agent_blocks AS t
UNION ALL
SELECT 'agent_execution_metrics' AS table_name, count(*) AS row_count, md5(coalesce(string_agg(t::text, ',' ORDER BY t::text), '')) AS digest
FROM agent_execution_metrics AS t
UNION ALL
SELECT 'agent_execution_stats' AS table_name, count(*) AS row_count, md5(coalesce(string_agg(t::text, ',' ORDER BY t::text), '')) AS digest
FROM agent_execution_stats AS t
UNION ALL
SELECT 'agent_execution_stats_dirty' AS table_name, count(*) AS row_count, md5(coalesce(string_agg(t::text, ',' ORDER BY t::text), '')) AS digest
FROM agent_execution_stats_dirty AS t
UNION ALL
SELECT 'agent_executions' AS table_name, count(*) AS row_count, md5(coalesce(string_agg(t::text, ',' ORDER BY t::text), '')) AS digest
FROM agent_executions AS t
UNION ALL
SELECT 'agent_memories' AS table_name, count(*) AS row_count, md5(coalesce(string_agg(t::text, ',' ORDER BY t::text), '')) AS digest
FROM agent_memories AS t
UNION ALL
SELECT 'agent_tools' AS table_name, count(*) AS row_count, md5(coalesce(string_agg(t::text, ',' ORDER BY t::text), '')) AS digest
FROM agent_tools AS t
UNION ALL
SELECT 'agentdb_secrets' AS table_name, count(*) AS row_count, md5(coalesce(string_agg(t::text, ',' ORDER BY t::text), '')) AS digest
FROM agentdb_secrets AS t
UNION ALL
SELECT 'agents' AS table_name, count(*) AS row_count, md5(coalesce(string_agg(t::text, ',' ORDER BY t::text), '')) AS digest
FROM agents AS t
UNION ALL
SELECT 'api_tokens' AS table_name, count(*) AS row_count, md5(coalesce(string_agg(t::text, ',' ORDER BY t::text), '')) AS digest
FROM api_tokens AS t
UNION ALL
SELECT 'execution_events' AS table_name, count(*) AS row_count, md5(coalesce(string_agg(t::text, ',' ORDER BY t::text), '')) AS digest
FROM execution_events AS t
UNION ALL
SELECT 'job_runs' AS table_name, count(*) AS row_count, md5(coalesce(string_agg(t::text, ',' ORDER BY t::text), '')) AS digest
FROM job_runs AS t
UNION ALL
SELECT 'users' AS table_name, count(*) AS row_count, md5(coalesce(string_agg(t::text, ',' ORDER BY t::text), '')) AS digest
FROM users AS t
UNION ALL
SELECT 'workflow_edges' AS table_name, count(*) AS row_count, md5(coalesce(string_agg(t::text, ',' ORDER BY t::text), '')) AS digest
FROM workflow_edges AS t
UNION ALL
SELECT 'workflow_execution_stats' AS table_name, count(*) AS row_count, md5(coalesce(string_agg(t::text, ',' ORDER BY t::text), '')) AS digest
FROM workflow_execution_stats AS t
UNION ALL
SELECT 'workflow_execution_stats_dirty' AS table_name, count(*) AS row_count, md5(coalesce(string_agg(t::text, ',' ORDER BY t::text), '')) AS digest
FROM workflow_execution_stats_dirty AS t
UNION ALL
SELECT 'workflow_executions' AS table_name, count(*) AS row_count, md5(coalesce(string_agg(t::text, ',' ORDER BY t::text), '')) AS digest
FROM workflow_executions AS t
UNION ALL
SELECT 'workflow_nodes' AS table_name, count(*) AS row_count, md5(coalesce(string_agg(t::text, ',' ORDER BY t::text), '')) AS digest
FROM workflow_nodes AS t
UNION ALL
SELECT 'workflows' AS table_name, count(*) AS row_count, md5(coalesce(string_agg(t::text, ',' ORDER BY t::text), '')) AS digest
FROM workflows AS t
