-- Whether a role could read past row-level security (superuser or BYPASSRLS).
SELECT r.rolsuper, r.rolbypassrls, r.rolcanlogin
FROM pg_roles AS r
WHERE r.rolname = %(role)s
