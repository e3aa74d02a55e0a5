-- Standby.promote: promote this standby to a primary, waiting up to `wait_s` seconds;
-- true once it is one.
SELECT pg_promote(true, %(wait_s)s) AS promoted
