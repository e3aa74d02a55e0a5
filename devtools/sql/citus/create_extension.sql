-- Citus in a fresh scratch database, on the coordinator and on every worker.
CREATE EXTENSION IF NOT EXISTS citus
