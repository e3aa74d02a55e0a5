-- Tests only (tests/test_faults.py): every workflow of a user with its node and edge
-- counts, by name, to see that no write was half-saved. Run as the schema's owner.
SELECT
    w.name,
    (SELECT count(*) FROM workflow_nodes AS n WHERE n.user_id = w.user_id AND n.workflow_id = w.id) AS nodes,
    (SELECT count(*) FROM workflow_edges AS e WHERE e.user_id = w.user_id AND e.workflow_id = w.id) AS edges
FROM workflows AS w
WHERE w.user_id = %(user_id)s
ORDER BY w.name
