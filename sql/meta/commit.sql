-- Closes the transaction block of a pipeline on a Citus coordinator (see
-- meta.begin); a failed pipeline is rolled back instead (one more round trip,
-- on errors only).
COMMIT
