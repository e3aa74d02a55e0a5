-- Opens the transaction block of a pipeline on a Citus coordinator (see
-- auth.switch_role): sent in the same pipeline as the calls, before the one Sync,
-- so it costs no round trip.
BEGIN
