-- Behind a transaction-mode pooler (AGENTDB_TRANSACTION_POOLER=1) only: the first
-- statement of every call, switching its transaction to the pool's role
-- (agentdb_app, agentdb_jobs: migration 0007) instead of auth.switch_role once per
-- connection, since the pooler hands each transaction to any server session.
-- Same round trip as the call; ends with the transaction.
SELECT set_config('role', %(role)s, TRUE) AS role
