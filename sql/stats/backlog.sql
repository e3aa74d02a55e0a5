-- Jobs only (agentdb jobs status): how far behind the roll-up is: the dirty marks
-- waiting (migration 0011) and the age of the oldest. seq-scan-ok: the marks
-- tables hold minutes of writes between roll-ups; this runs on demand.
SELECT json_build_object(
    'agent_marks', (SELECT count(*) FROM agent_execution_stats_dirty),
    'workflow_marks', (SELECT count(*) FROM workflow_execution_stats_dirty),
    'oldest_mark_at', least(
        (SELECT min(a.marked_at) FROM agent_execution_stats_dirty AS a),
        (SELECT min(w.marked_at) FROM workflow_execution_stats_dirty AS w)
    )
) AS backlog
