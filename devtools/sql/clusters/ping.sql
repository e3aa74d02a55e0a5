-- A scratch cluster accepts connections (devtools.clusters.Cluster.start waits on it).
SELECT 1 AS ready
