-- Whether a migration is applied (yoyo's own table): /readyz asks it of the newest
-- migration the running code ships, so a process whose schema lags is not ready.
SELECT count(*) > 0 AS applied
FROM _yoyo_migration AS m
WHERE m.migration_id = %(migration_id)s
