-- Adds a worker to a fresh scratch database on a Citus coordinator.
SELECT citus_add_node(%(host)s, %(port)s)
