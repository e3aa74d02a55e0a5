-- Data generator, session only: memory for the hash joins that validate each foreign
-- key after the load (millions of keys a side; the default 4MB spills them to disk).
SET work_mem = '256MB'
