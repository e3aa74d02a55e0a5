REVOKE SELECT ON _yoyo_migration FROM agentdb_app;
DROP TABLE agentdb_secrets;
