-- One keyset page of every user, newest first, each with its token counts (all,
-- and live: unrevoked and unexpired), as executions.history pages: (item, at, id)
-- rows, limit + 1 at most. An operator's command across users (`agentdb users
-- list`, role agentdb_jobs), not a hot path: users has no (created_at, id) index,
-- so the page is a top-N sort of the users table. The counts are per row of the
-- page only, each on ix_api_tokens_user.
SELECT
    json_build_object(
        'id', u.id, 'email', u.email, 'created_at', u.created_at,
        'tokens', (SELECT count(*) FROM api_tokens AS t WHERE t.user_id = u.id),
        'live_tokens', (
            SELECT count(*) FROM api_tokens AS l
            WHERE l.user_id = u.id AND l.revoked_at IS NULL AND (l.expires_at IS NULL OR l.expires_at > now())
        )
    ) AS item, u.created_at AS at, u.id
FROM users AS u
WHERE (u.created_at, u.id) < (%(before_at)s, %(before_id)s)
ORDER BY u.created_at DESC, u.id DESC
LIMIT %(limit)s + 1
