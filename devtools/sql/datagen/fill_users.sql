-- Data generator: per user, their id (md5('u:<seed>:<i>'), as
-- devtools.datagen.heaviest_user_id computes it) and their agent and workflow counts.
INSERT INTO datagen_users (u, id, agents, workflows)
SELECT o.owner, md5('u:' || %(seed)s::bigint || ':' || o.owner)::uuid,
    count(*) FILTER (WHERE o.kind = 'a'), count(*) FILTER (WHERE o.kind = 'w')
FROM datagen_owned AS o
GROUP BY o.owner
