-- Cluster.terminate_backends: terminate client backends (every one, or those of
-- application `app`) but this one, waiting up to 5 s for each; how many.
SELECT count(*) FILTER (WHERE pg_terminate_backend(a.pid, 5000)) AS terminated
FROM pg_stat_activity AS a
WHERE
    a.backend_type = 'client backend' AND a.pid <> pg_backend_pid()
    AND (%(app)s::text IS NULL OR a.application_name = %(app)s)
