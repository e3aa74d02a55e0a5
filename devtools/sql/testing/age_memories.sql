-- Tests only (as the schema owner): makes the named memories last read `days`
-- days ago, as if nobody had read them since.
UPDATE agent_memories AS m
SET last_accessed_at = now() - %(days)s * interval '1 day'
WHERE m.id = ANY(%(ids)s::uuid[])
