-- Data generator, session only: the uuid of row `i` of a kind (1 agents, 2 tools, 3
-- workflows, 4 nodes, 5 edges, 6 workflow executions, 7 events, 8 agent executions, 9
-- sessions, 10 metrics, 11 memories, 12 memory sessions) under a seed: two 64-bit
-- hashes of the number, in hex. Users' ids are md5('u:<seed>:<i>') instead
-- (datagen.fill_users), so Python can name the heaviest user without a query.
CREATE FUNCTION pg_temp.datagen_id(kind integer, seed bigint, i bigint) RETURNS uuid
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN encode(int8send(hashint8extended(i, seed * 64 + kind)) || int8send(hashint8extended(i, seed * 64 + 32 + kind)),
    'hex')::uuid
