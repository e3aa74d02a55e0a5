"""Settings read from the environment, once."""

from __future__ import annotations

import os

import msgspec

from jobs.settings import JobSettings, parse_time_of_day
from repositories.memories import RetentionPolicy


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    """What the process needs to reach its database and serve."""

    database_url: str | None
    # Server-side prepared statements; switch off behind a transaction-mode pooler.
    prepare: bool = True
    pool_min_size: int = 2
    pool_max_size: int = 10
    # How long a request waits for a pooled connection before answering 503.
    pool_timeout_s: float = 1.0
    # Per-statement ceiling, so a runaway query answers 5xx instead of hanging.
    statement_timeout_ms: int = 5000
    # Ceiling on waiting for a lock, well under statement_timeout: a locked table
    # answers its own requests 503 quickly instead of holding the pool.
    lock_timeout_ms: int = 500
    # Client-side ceiling on a whole database call (waiting for a connection included).
    deadline_s: float = 6.0
    # How long a request body may take to arrive (a client that announces more than it sends).
    body_timeout_s: float = 10.0
    # Logs: level (debug, info, warning, error) and format (json, text).
    log_level: str = "info"
    log_format: str = "json"
    # Browser origins allowed to call the API (CORS); empty: CORS off.
    cors_origins: tuple[str, ...] = ()
    # Failed authentications a client (its address) may make per minute before 429s.
    auth_failures_per_minute: int = 30
    # Signs page cursors; when empty, a key generated in the database (migration 0008).
    secret_key: str = ""
    # Switch every pooled connection to the pool's role (agentdb_app, agentdb_jobs).
    # Off only where the login role already is that role (a pooler's user, say).
    switch_role: bool = True
    # The jobs (jobs/): retention policy, batches, their own timeouts, the schedule.
    jobs: JobSettings = JobSettings()


def _flag(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return raw.strip().lower() not in ("0", "false", "no", "off", "")


def from_env() -> Settings:
    """Read AGENTDB_* and DATABASE_URL."""
    env = os.environ
    return Settings(
        database_url=env.get("DATABASE_URL") or None,
        prepare=_flag("AGENTDB_PREPARE", True),
        pool_min_size=int(env.get("AGENTDB_POOL_MIN", "2")),
        pool_max_size=int(env.get("AGENTDB_POOL_MAX", "10")),
        pool_timeout_s=float(env.get("AGENTDB_POOL_TIMEOUT", "1.0")),
        statement_timeout_ms=int(env.get("AGENTDB_STATEMENT_TIMEOUT_MS", "5000")),
        lock_timeout_ms=int(env.get("AGENTDB_LOCK_TIMEOUT_MS", "500")),
        deadline_s=float(env.get("AGENTDB_DEADLINE_S", "6.0")),
        switch_role=_flag("AGENTDB_SWITCH_ROLE", True),
        secret_key=env.get("AGENTDB_SECRET_KEY", ""),
        body_timeout_s=float(env.get("AGENTDB_BODY_TIMEOUT_S", "10")),
        log_level=env.get("AGENTDB_LOG_LEVEL", "info"),
        log_format=env.get("AGENTDB_LOG_FORMAT", "json"),
        cors_origins=tuple(o.strip() for o in env.get("AGENTDB_CORS_ORIGINS", "").split(",") if o.strip()),
        auth_failures_per_minute=int(env.get("AGENTDB_AUTH_FAILURES_PER_MINUTE", "30")),
        jobs=jobs_from_env(),
    )


def jobs_from_env() -> JobSettings:
    """The jobs' AGENTDB_* settings (defaults in jobs.settings.JobSettings)."""
    env, d = os.environ, JobSettings()
    return JobSettings(
        retention=RetentionPolicy(
            idle_days=float(env.get("AGENTDB_MEMORY_IDLE_DAYS", d.retention.idle_days)),
            max_per_session=int(env.get("AGENTDB_MEMORY_MAX_PER_SESSION", d.retention.max_per_session)),
        ),
        cleanup_batch=int(env.get("AGENTDB_CLEANUP_BATCH", d.cleanup_batch)),
        rollup_batch=int(env.get("AGENTDB_ROLLUP_BATCH", d.rollup_batch)),
        lock_timeout_ms=int(env.get("AGENTDB_JOBS_LOCK_TIMEOUT_MS", d.lock_timeout_ms)),
        statement_timeout_ms=int(env.get("AGENTDB_JOBS_STATEMENT_TIMEOUT_MS", d.statement_timeout_ms)),
        cleanup_at=parse_time_of_day(env["AGENTDB_CLEANUP_AT"]) if env.get("AGENTDB_CLEANUP_AT") else d.cleanup_at,
        rollup_every_s=int(env.get("AGENTDB_ROLLUP_EVERY_S", d.rollup_every_s)),
        timezone=env.get("AGENTDB_JOBS_TZ") or None,
    )


def resolve_dsn(settings: Settings) -> str:
    """DATABASE_URL when set, else the embedded server's DSN (starting it)."""
    if settings.database_url:
        return settings.database_url
    from agentdb import embedded

    return embedded.start()
