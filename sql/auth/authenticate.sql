-- The first statement of every HTTP request's pipeline: sets app.user_id to the
-- user the bearer token claims and checks that the token (its SHA-256) is theirs,
-- unrevoked and unexpired, else raises AB401 (-> 401) and the rest of the
-- pipeline never runs (function agentdb_authenticate, migration 0007). So a
-- revoked token, or a deleted user's, is refused on the very next request, with
-- no extra round trip and no cache.
SELECT agentdb_authenticate(%(token_hash)s, %(user_id)s) AS scope
