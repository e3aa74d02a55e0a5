DROP FUNCTION agentdb_distribute();
