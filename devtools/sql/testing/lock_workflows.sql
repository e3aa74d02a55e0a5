-- Tests only (tests/test_faults.py): inside the caller's transaction, lock the workflows
-- table against readers and writers (ACCESS EXCLUSIVE), to show that requests on
-- workflows fail fast (lock_timeout) while the other endpoints keep answering.
LOCK TABLE workflows IN ACCESS EXCLUSIVE MODE
