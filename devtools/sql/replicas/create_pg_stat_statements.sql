-- Tests of read replicas: pg_stat_statements in the primary's database (replicated
-- to its standbys), to count which server ran which statement.
CREATE EXTENSION IF NOT EXISTS pg_stat_statements
