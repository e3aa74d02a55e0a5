-- Bulk load only (agentdb.datagen, superuser): skips foreign-key triggers for the
-- session. The generator's rows are consistent by construction, and checking
-- millions of references one by one would triple the load time.
SET session_replication_role = replica
