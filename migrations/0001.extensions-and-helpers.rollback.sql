DROP FUNCTION agentdb_raise(text, text);
