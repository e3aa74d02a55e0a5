-- Jobs only (agentdb_jobs): up to `limit` user ids after `after`, in id order,
-- off the users primary key: how a job that visits every user (the roll-up's
-- --rebuild) walks them in bounded steps.
SELECT u.id
FROM users AS u
WHERE u.id > %(after)s
ORDER BY u.id
LIMIT %(limit)s
