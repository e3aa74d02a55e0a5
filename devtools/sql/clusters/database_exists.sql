-- CitusCluster.create_database: whether the node already has a database of that name.
SELECT count(*) > 0 AS present FROM pg_database WHERE datname = %(datname)s
