-- depends: 0011.stats-dirty-buckets
--
-- Marks every bucket that has raw rows or a roll-up row when this runs, so that
-- the roll-ups of executions written before 0011's triggers existed are computed
-- by the next `agentdb jobs rollup`, and the dashboard is exact meanwhile (it
-- reads marked buckets from the raw tables). A separate step from 0011 so that
-- this long read (one pass over each raw table) does not hold the lock 0011's
-- CREATE TRIGGER takes: writes go on meanwhile and mark their own buckets.
-- The same statements as sql/stats/mark_user_buckets.sql (`--rebuild`), for every user.
INSERT INTO agent_execution_stats_dirty (user_id, agent_id, bucket_date)
SELECT x.user_id, x.agent_id, agentdb_bucket_date(x.started_at) FROM agent_executions AS x
UNION
SELECT s.user_id, s.agent_id, s.bucket_date FROM agent_execution_stats AS s;

INSERT INTO workflow_execution_stats_dirty (user_id, workflow_id, bucket_date)
SELECT e.user_id, e.workflow_id, agentdb_bucket_date(e.started_at) FROM workflow_executions AS e
UNION
SELECT s.user_id, s.workflow_id, s.bucket_date FROM workflow_execution_stats AS s;
