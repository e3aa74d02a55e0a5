-- Data generator (devtools.datagen), session only: a uniform number in [0, 1) drawn
-- from (i, salt) by hashing, so every row's "random" choices are a pure function of
-- its number and the seed: the same on every run and every server (15 and 18), in
-- any order, and recomputable by a later statement (agent executions redraw their
-- workflow execution's user and times instead of reading them back).
CREATE FUNCTION pg_temp.datagen_uniform(i bigint, salt bigint) RETURNS float8
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN ((hashint8extended(i, salt) >> 11) & 9007199254740991)::float8 / 9007199254740992.0
