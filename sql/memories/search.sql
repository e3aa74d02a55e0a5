-- A keyset page of the user's memories matching `query` (websearch syntax:
-- words, "a phrase", -not, or), of one agent when `agent_id` is given, newest
-- first: (item, at, id) rows, limit + 1 at most. One plan for both: the GIN index
-- ix_agent_memories_search is probed with the words AND the scope lexemes
-- (agentdb_memory_scope, migration 0014), so the index intersects "this user's
-- (agent's) memories" with "these words" itself; the Bitmap Heap Scan then visits
-- only the user's matches, and a top-N sort keeps the page. The user_id and
-- agent_id filters are repeated as plain predicates: they, not the lexemes,
-- decide what a caller sees. A query with no searchable word (only stop words,
-- punctuation) matches nothing. Expired memories are not shown.
-- Plan at TEST scale (10k memories, heavy user, one word; tests/test_memories.py):
--   Limit -> Sort (top-N) -> Bitmap Heap Scan on agent_memories
--     -> Bitmap Index Scan on ix_agent_memories_search
SELECT
    json_build_object(
        'id', m.id, 'agent_id', m.agent_id, 'session_id', m.session_id, 'content', m.content,
        'created_at', m.created_at, 'last_accessed_at', m.last_accessed_at, 'expires_at', m.expires_at
    ) AS item, m.created_at AS at, m.id
FROM agent_memories AS m
WHERE m.user_id = %(user_id)s
    AND agentdb_memory_document(m.user_id, m.agent_id, m.content)
    @@ (websearch_to_tsquery('english', %(query)s) && agentdb_memory_scope(%(user_id)s, %(agent_id)s::uuid))
    AND numnode(websearch_to_tsquery('english', %(query)s)) > 0
    AND (%(agent_id)s::uuid IS NULL OR m.agent_id = %(agent_id)s)
    AND (m.expires_at IS NULL OR m.expires_at > now())
    AND (m.created_at, m.id) < (%(before_at)s, %(before_id)s)
ORDER BY m.created_at DESC, m.id DESC
LIMIT %(limit)s + 1
