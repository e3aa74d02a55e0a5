-- Bulk load of generated users (agentdb.datagen): COPY, not INSERTs, for speed.
COPY users (id, email, created_at) FROM STDIN
