-- Data generator, session only: memory for building the keys and indexes again after
-- the load (a sort of up to 10M rows per index) and for the hash joins that validate
-- the foreign keys (with too little, both spill to disk).
SET maintenance_work_mem = '512MB'
