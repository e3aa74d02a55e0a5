-- Tests only: every roll-up row and every dirty mark, as JSON, to compare with
-- what the raw rows say.
SELECT json_build_object(
    'agents', (SELECT coalesce(json_agg(s ORDER BY s.user_id, s.agent_id, s.bucket_date), '[]')
               FROM agent_execution_stats AS s),
    'workflows', (SELECT coalesce(json_agg(s ORDER BY s.user_id, s.workflow_id, s.bucket_date), '[]')
                  FROM workflow_execution_stats AS s),
    'agent_marks', (SELECT count(*) FROM agent_execution_stats_dirty),
    'workflow_marks', (SELECT count(*) FROM workflow_execution_stats_dirty)
) AS stats
