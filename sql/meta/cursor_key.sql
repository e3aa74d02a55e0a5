-- The key that signs page cursors (migration 0008), read once when the API starts.
SELECT s.value
FROM agentdb_secrets AS s
WHERE s.name = 'cursor_key'
