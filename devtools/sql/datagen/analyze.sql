-- Refreshes planner statistics after a bulk load, so plans are those of
-- production-like data (the tables' autovacuum would get there later).
ANALYZE
