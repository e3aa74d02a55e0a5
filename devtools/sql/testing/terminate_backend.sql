-- Tests only: kill one backend (a fault: the live listener's connection dies).
SELECT pg_terminate_backend(%(pid)s::integer) AS terminated
