-- Under Citus, distributes the tables not distributed yet (tenant tables by
-- user_id, co-located; users and api_tokens as reference tables) and returns
-- their names; without the citus extension returns an empty array (migration
-- 0031). Run by `agentdb migrate` after the migrations, under yoyo's lock.
SELECT agentdb_distribute() AS distributed
