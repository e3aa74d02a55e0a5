-- depends: 0013.stats-read-indexes
--
-- Full-text search of a user's agent memories, scoped inside the index.
--
-- agentdb_memory_document(user_id, agent_id, content) is the indexed document:
-- the content's English lexemes plus two lexemes no text produces, 'user:<uuid>'
-- and 'agent:<uuid>'. agentdb_memory_scope(user_id, agent_id) is the tsquery of
-- those lexemes. A search ANDs its words with the scope, so the GIN index itself
-- intersects "this user's (and agent's) memories" with "has these words", with
-- GIN's fast scan skipping through the posting list of a frequent word, instead of
-- collecting every user's matches and filtering them by user_id afterwards. That
-- is what btree_gin's (user_id, tsvector) index would give, but btree_gin and
-- pg_trgm are contrib extensions the embedded PostgreSQL 18 does not ship. The
-- user_id filter of every statement (and row-level security) still decide what a
-- caller sees: the scope lexemes only make the index read less.
--
-- An expression index, not a stored generated column: adding a stored column
-- would rewrite agent_memories under an exclusive lock; an expression index is
-- built CONCURRENTLY (0015). Statements must call the function exactly as the
-- index does (agentdb_memory_document(m.user_id, m.agent_id, m.content)).
-- Changing either function needs a REINDEX of ix_agent_memories_search.
--
-- fillfactor 90: reading a session's memories updates their last_accessed_at;
-- with room left on each page, and no index on last_accessed_at (deliberately:
-- the cleanup's idle rule scans a user's rows instead), those updates are HOT and
-- write no index entries, the GIN index's included. Takes effect on new pages.
CREATE FUNCTION agentdb_memory_document(user_id uuid, agent_id uuid, content text) RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN to_tsvector('english'::regconfig, content)
    || array_to_tsvector(ARRAY['user:' || user_id::text, 'agent:' || agent_id::text]);

CREATE FUNCTION agentdb_memory_scope(user_id uuid, agent_id uuid) RETURNS tsquery
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE
    WHEN agent_id IS NULL THEN quote_literal('user:' || user_id::text)::tsquery
    ELSE (quote_literal('user:' || user_id::text) || ' & ' || quote_literal('agent:' || agent_id::text))::tsquery
END;

COMMENT ON FUNCTION agentdb_memory_document(uuid, uuid, text) IS
    'The full-text document of a memory: English lexemes of its content + user:/agent: scope lexemes (0014).';
COMMENT ON FUNCTION agentdb_memory_scope(uuid, uuid) IS
    'The tsquery matching one user''s (and agent''s) memories by their scope lexemes (0014).';

ALTER TABLE agent_memories SET (fillfactor = 90);
