"""Settings read from the environment, once, and checked: a bad value is refused by name.

`VARIABLES` is the one list of the environment variables agentdb reads (the
README's configuration table is checked against it by tests/test_cli.py): each
Settings field is read from one of them, parsed and range-checked by `from_env`,
which raises `ConfigError` naming the variable and the value it refused.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import msgspec

from jobs.settings import JobSettings, parse_time_of_day
from repositories.memories import RetentionPolicy


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    """What the process needs to reach its database and serve (meanings: VARIABLES)."""

    database_url: str | None
    read_database_url: str | None = None
    listen_database_url: str | None = None
    prepare: bool = True
    transaction_pooler: bool = False
    pool_min_size: int = 2
    pool_max_size: int = 10
    pool_timeout_s: float = 3.0
    statement_timeout_ms: int = 5000
    lock_timeout_ms: int = 500
    deadline_s: float = 6.0
    body_timeout_s: float = 10.0
    log_level: str = "info"
    log_format: str = "json"
    cors_origins: tuple[str, ...] = ()
    auth_failures_per_minute: int = 30
    secret_key: str = ""
    switch_role: bool = True
    stream_heartbeat_s: float = 15.0
    streams_per_user: int = 20
    # The jobs (jobs/): retention policy, batches, their own timeouts, the schedule.
    jobs: JobSettings = JobSettings()


class ConfigError(Exception):
    """A setting that cannot be used as given (the message names the variable)."""


class MissingExtra(ConfigError):
    """An optional part of agentdb that is not installed; the message says what to install."""


@dataclass(frozen=True)
class Variable:
    """One environment variable: its Settings field (dotted into a nested struct, e.g.
    `jobs.cleanup_batch`; None: read elsewhere), its default as shown, its meaning."""

    name: str
    field: str | None
    default: str
    meaning: str
    parse: Callable[[str, str], Any] | None = None


def _numeric(convert: Callable[[str], Any], what: str, ok: Callable[[Any], bool], bound: str) -> Callable[[str, str], Any]:
    """A parser: `convert` the text (else "not <what>"), then `ok` it (else "must be <bound>")."""

    def parse(name: str, raw: str) -> Any:
        try:
            value = convert(raw.strip())
        except ValueError:
            raise ConfigError(f"{name}={raw!r}: not {what}") from None
        if not ok(value):
            raise ConfigError(f"{name}={raw!r}: must be {bound}")
        return value

    return parse


def _integer(minimum: int) -> Callable[[str, str], int]:
    return _numeric(int, "a whole number", lambda v: v >= minimum, f"at least {minimum}")


def _number(minimum: float) -> Callable[[str, str], float]:
    return _numeric(float, "a number", lambda v: minimum <= v < float("inf"), f"at least {minimum:g}")


_seconds = _numeric(float, "a number of seconds", lambda v: 0 < v < float("inf"), "a positive number of seconds")


_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off")


def _flag(name: str, raw: str) -> bool:
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ConfigError(f"{name}={raw!r}: not one of {'/'.join(_TRUE)} or {'/'.join(_FALSE)}")


def _time_of_day(name: str, raw: str) -> Any:
    try:
        return parse_time_of_day(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r}: not a time of day HH:MM[:SS]") from None


def _zone(name: str, raw: str) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(raw.strip())
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"{name}={raw!r}: not an IANA time zone such as Europe/Paris") from None
    return raw.strip()


def _choice(*choices: str) -> Callable[[str, str], str]:
    def parse(name: str, raw: str) -> str:
        value = raw.strip().lower()
        if value not in choices:
            raise ConfigError(f"{name}={raw!r}: not one of {', '.join(choices)}")
        return value

    return parse


def _origins(name: str, raw: str) -> tuple[str, ...]:
    origins = tuple(o.strip() for o in raw.split(",") if o.strip())
    for origin in origins:
        if origin != "*" and not re.fullmatch(r"https?://[^/\s]+", origin):
            raise ConfigError(f"{name}: {origin!r} is not an origin such as https://app.example.com")
    return origins


def _text(name: str, raw: str) -> str:
    return raw


def _dsn(name: str, raw: str) -> str:
    """A libpq connection string (URL or key=value), checked for shape only: nothing is contacted."""
    import psycopg
    from psycopg import conninfo

    try:
        scheme = urlsplit(raw).scheme if "://" in raw else ""
    except ValueError as exc:  # urllib's words: "Invalid IPv6 URL", a port that is not a number
        raise ConfigError(f"{name}: not a PostgreSQL connection string ({exc}); "
                          "expected postgresql://user@host:port/dbname") from None
    if scheme and scheme not in ("postgres", "postgresql"):
        raise ConfigError(f"{name}: scheme {scheme!r} is not postgresql://")
    try:
        conninfo.conninfo_to_dict(raw)
        if scheme:
            urlsplit(raw).port  # noqa: B018 - raises ValueError for a port that is not a number
    except (psycopg.ProgrammingError, ValueError) as exc:  # libpq's (or urllib's) own words on the syntax
        reason = str(exc).strip().splitlines()[0]
        raise ConfigError(f"{name}: not a PostgreSQL connection string ({reason}); "
                          "expected postgresql://user@host:port/dbname") from None
    return raw


def _port(name: str, raw: str) -> int:
    value = _integer(1)(name, raw)
    if value > 65535:
        raise ConfigError(f"{name}={raw!r}: not a TCP port (1-65535)")
    return value


VARIABLES: tuple[Variable, ...] = (
    Variable("DATABASE_URL", "database_url", "unset: the embedded PostgreSQL",
             "the PostgreSQL (15 or newer) to use, as a libpq URL or key=value string; unset, agentdb "
             "starts an embedded PostgreSQL 18 (needs `pip install 'agentdb[embedded]'`); several hosts with "
             "`target_session_attrs=read-write` follow a failover", _dsn),
    Variable("AGENTDB_READ_DATABASE_URL", "read_database_url", "unset: reads go to DATABASE_URL",
             "hot standbys for the API's reads, e.g. `host=standby1,standby2,primary "
             "target_session_attrs=prefer-standby`; a read falls back to DATABASE_URL when its standby is "
             "behind the user's last write, down or slow (read-your-writes: the AgentDB-LSN header)", _dsn),
    Variable("AGENTDB_LISTEN_DATABASE_URL", "listen_database_url", "unset: DATABASE_URL",
             "the live executions' listening connection (LISTEN needs a session of its own): the server "
             "itself when DATABASE_URL goes through a transaction-mode pooler", _dsn),
    Variable("AGENTDB_PREPARE", "prepare", "1",
             "server-side prepared statements; 0 behind a transaction-mode pooler (PgBouncer)", _flag),
    Variable("AGENTDB_TRANSACTION_POOLER", "transaction_pooler", "0",
             "1 behind a transaction-mode pooler (PgBouncer), with AGENTDB_PREPARE=0: no session state, so no "
             "startup options (set the timeouts and time zone on the role or database) and the role switched "
             "in every transaction", _flag),
    Variable("AGENTDB_POOL_MIN", "pool_min_size", "2", "connections each pool keeps open", _integer(0)),
    Variable("AGENTDB_POOL_MAX", "pool_max_size", "10", "most connections each pool opens (per process)",
             _integer(1)),
    Variable("AGENTDB_POOL_TIMEOUT", "pool_timeout_s", "3.0",
             "seconds a request waits for a pooled connection while all are busy before answering 503 (at most "
             "1 s while the database cannot be reached)", _seconds),
    Variable("AGENTDB_STATEMENT_TIMEOUT_MS", "statement_timeout_ms", "5000",
             "per-statement ceiling (ms) set on every pooled connection; 0 means none", _integer(0)),
    Variable("AGENTDB_LOCK_TIMEOUT_MS", "lock_timeout_ms", "500",
             "ceiling (ms) on waiting for a lock, so a locked table answers 503 quickly; 0 means none",
             _integer(0)),
    Variable("AGENTDB_DEADLINE_S", "deadline_s", "6.0",
             "client-side ceiling (s) on a whole database call, waiting for a connection included", _seconds),
    Variable("AGENTDB_BODY_TIMEOUT_S", "body_timeout_s", "10.0",
             "seconds a request body may take to arrive (a client that announces more than it sends)", _seconds),
    Variable("AGENTDB_LOG_LEVEL", "log_level", "info", "log level: debug, info, warning or error",
             _choice("debug", "info", "warning", "error")),
    Variable("AGENTDB_LOG_FORMAT", "log_format", "json",
             "log format on stdout: json (one object per line) or text", _choice("json", "text")),
    Variable("AGENTDB_CORS_ORIGINS", "cors_origins", "empty: CORS off",
             "browser origins allowed to call the API, comma-separated (https://app.example.com)", _origins),
    Variable("AGENTDB_AUTH_FAILURES_PER_MINUTE", "auth_failures_per_minute", "30",
             "failed authentications a client address may make per minute before 429s", _integer(1)),
    Variable("AGENTDB_SECRET_KEY", "secret_key", "empty: a key generated in the database",
             "signs the API's page cursors; unset, a key generated by migration 0008 is used", _text),
    Variable("AGENTDB_SWITCH_ROLE", "switch_role", "1",
             "switch pooled connections to agentdb_app / agentdb_jobs (row-level security); 0 only when "
             "the login role already is that role", _flag),
    Variable("AGENTDB_STREAM_HEARTBEAT_S", "stream_heartbeat_s", "15",
             "seconds of silence after which an execution's event stream sends a heartbeat comment (keeps "
             "proxies from closing it)", _seconds),
    Variable("AGENTDB_STREAMS_PER_USER", "streams_per_user", "20",
             "open event streams a user may hold per API process; one more answers 429", _integer(1)),
    Variable("AGENTDB_MEMORY_IDLE_DAYS", "jobs.retention.idle_days", "90",
             "memory cleanup: delete memories not accessed for this many days (an agent's configuration "
             "overrides it); 0: rule off", _number(0)),
    Variable("AGENTDB_MEMORY_MAX_PER_SESSION", "jobs.retention.max_per_session", "1000",
             "memory cleanup: keep at most this many memories per agent session, newest; 0: rule off", _integer(0)),
    Variable("AGENTDB_CLEANUP_BATCH", "jobs.cleanup_batch", "1000",
             "memory cleanup: rows per rule per transaction", _integer(1)),
    Variable("AGENTDB_ROLLUP_BATCH", "jobs.rollup_batch", "2000",
             "statistics roll-up: dirty buckets per transaction", _integer(1)),
    Variable("AGENTDB_JOBS_LOCK_TIMEOUT_MS", "jobs.lock_timeout_ms", "200",
             "jobs: ceiling (ms) on a job transaction's wait for a lock", _integer(1)),
    Variable("AGENTDB_JOBS_STATEMENT_TIMEOUT_MS", "jobs.statement_timeout_ms", "60000",
             "jobs: per-statement ceiling (ms) of the jobs' connections", _integer(1)),
    Variable("AGENTDB_CLEANUP_AT", "jobs.cleanup_at", "03:00",
             "`agentdb jobs schedule`: local time of day (HH:MM[:SS]) of the daily memory cleanup", _time_of_day),
    Variable("AGENTDB_ROLLUP_EVERY_S", "jobs.rollup_every_s", "300",
             "`agentdb jobs schedule`: seconds between statistics roll-ups", _integer(1)),
    Variable("AGENTDB_JOBS_TZ", "jobs.timezone", "unset: the system's",
             "`agentdb jobs schedule`: IANA time zone of AGENTDB_CLEANUP_AT", _zone),
    Variable("AGENTDB_PGDATA", None, "~/.local/share/agentdb/pgdata",
             "data directory of the embedded PostgreSQL (`$XDG_DATA_HOME/agentdb/pgdata` when that is set)"),
    Variable("PORT", None, "8000", "default `--port` of `agentdb serve` and `agentdb demo` (`make run PORT=...`)",
             _port),
)


def from_env(env: Mapping[str, str] | None = None) -> Settings:
    """Settings from DATABASE_URL and AGENTDB_* (ConfigError naming the first bad one)."""
    env = os.environ if env is None else env
    values: dict[str, Any] = {"database_url": None}
    for variable in VARIABLES:
        raw = env.get(variable.name)
        if variable.field is None or not raw:  # unset or empty: the default
            continue
        assert variable.parse is not None, variable.name
        values[variable.field] = variable.parse(variable.name, raw)
    nested = {name: values.pop(name) for name in list(values) if "." in name}
    retention = {name.removeprefix("jobs.retention."): value for name, value in nested.items()
                 if name.startswith("jobs.retention.")}
    jobs = {name.removeprefix("jobs."): value for name, value in nested.items() if name.count(".") == 1}
    values["jobs"] = JobSettings(**jobs, **({"retention": RetentionPolicy(**retention)} if retention else {}))
    settings = Settings(**values)
    if settings.pool_min_size > settings.pool_max_size:
        raise ConfigError(f"AGENTDB_POOL_MIN={settings.pool_min_size} is more than "
                          f"AGENTDB_POOL_MAX={settings.pool_max_size}")
    return settings


def jobs_from_env() -> JobSettings:
    """The jobs' AGENTDB_* settings (defaults in jobs.settings.JobSettings)."""
    return from_env().jobs


def port_from_env(env: Mapping[str, str] | None = None) -> int:
    """The default port of `serve` and `demo`: PORT, else 8000."""
    raw = (os.environ if env is None else env).get("PORT")
    return _port("PORT", raw) if raw else 8000



def redacted(dsn: str) -> str:
    """`dsn` with its password hidden, for printing."""
    if "://" in dsn:
        parts = urlsplit(dsn)
        if parts.password:
            host = parts.netloc.rpartition("@")[2]
            parts = parts._replace(netloc=f"{parts.username or ''}:***@{host}")
        elif parts.netloc.endswith(":@") or ":@" in parts.netloc:  # empty password (the embedded server's URI)
            parts = parts._replace(netloc=parts.netloc.replace(":@", "@"))
        return urlunsplit(parts)
    from psycopg import conninfo

    params = conninfo.conninfo_to_dict(dsn)
    if "password" in params:
        params["password"] = "***"
    return conninfo.make_conninfo(**{k: str(v) for k, v in params.items()})


def resolve_dsn(settings: Settings) -> str:
    """DATABASE_URL when set, else the embedded server's DSN (starting it)."""
    if settings.database_url:
        return settings.database_url
    from agentdb import embedded

    return embedded.start()
