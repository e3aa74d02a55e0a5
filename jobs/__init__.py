"""Jobs over the repositories: plain async functions taking a `Database`, one module per job.

A scheduler (`jobs.schedule`), a script or a worker calls them the same way; the
`agentdb jobs NAME` command (agentdb/cli.py) opens a pool of the jobs role and calls
them with a terminal progress bar. Each job holds its own advisory lock while it runs
(repositories.jobs), so it never runs twice at once, across processes too.

  memory_cleanup  the memories' retention policy, in bounded batches (issue 13)
  stats_rollup    the daily statistics roll-ups, incremental and idempotent
  schedule        cleanup daily at a local time, roll-ups every few minutes

This package imports the repositories only (tests/test_layout.py).
"""
