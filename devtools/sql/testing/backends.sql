-- Tests only: this database's backends with an application_name, and how many
-- of them sit in LISTEN (the live streams' one listening connection per process).
SELECT
    count(*) AS backends,
    count(*) FILTER (WHERE a.query LIKE '%%LISTEN%%') AS listening
FROM pg_stat_activity AS a
WHERE a.datname = current_database() AND a.application_name = %(application_name)s
