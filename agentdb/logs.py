"""Process-wide logging: one JSON object per line on stdout (or plain text), by configuration.

Every record carries the request id of the request it happened in (a contextvar
set by the API's access log), so an error and its access line can be joined.
Records may carry structured fields in `extra={"fields": {...}}`.
"""

from __future__ import annotations

import logging
import logging.config
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

import msgspec

request_id: ContextVar[str | None] = ContextVar("agentdb_request_id", default=None)
LEVELS = ("debug", "info", "warning", "error")
FORMATS = ("json", "text")


def _skip_unused_record_fields() -> None:
    """Neither format shows a record's source line, thread or process: logging need not look them
    up (the logging HOWTO's "Optimization": finding the caller walks the stack on every record),
    which was most of an access line's cost. Done where a formatter is made, so in every worker."""
    logging._srcfile = None  # type: ignore[attr-defined]
    logging.logThreads = False
    logging.logProcesses = False
    logging.logMultiprocessing = False


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time, level, logger, message, request id, fields, exception."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _skip_unused_record_fields()

    def format(self, record: logging.LogRecord) -> str:
        doc: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        rid = getattr(record, "request_id", None) or request_id.get()
        if rid:
            doc["request_id"] = rid
        doc.update(getattr(record, "fields", None) or {})
        if record.exc_info:
            doc["exception"] = self.formatException(record.exc_info)
        return msgspec.json.encode(doc).decode()


class TextFormatter(logging.Formatter):
    """`time level logger [request id] message key=value ...`, for a terminal."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _skip_unused_record_fields()

    def format(self, record: logging.LogRecord) -> str:
        rid = getattr(record, "request_id", None) or request_id.get()
        fields = " ".join(f"{k}={v}" for k, v in (getattr(record, "fields", None) or {}).items())
        line = " ".join(part for part in (
            datetime.fromtimestamp(record.created, UTC).strftime("%H:%M:%S.%f")[:-3], record.levelname.lower(),
            record.name, f"[{rid}]" if rid else "", record.getMessage(), fields) if part)
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


def dict_config(level: str = "info", fmt: str = "json") -> dict[str, Any]:
    """A logging.config dictConfig: every logger (uvicorn's and psycopg's too) to stdout, in `fmt`,
    at `level`. uvicorn applies it in each worker process (`log_config=`)."""
    formatter = "agentdb.logs.JsonFormatter" if fmt == "json" else "agentdb.logs.TextFormatter"
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"agentdb": {"()": formatter}},
        "handlers": {"stdout": {"class": "logging.StreamHandler", "formatter": "agentdb", "stream": "ext://sys.stdout"}},
        "root": {"handlers": ["stdout"], "level": level.upper()},
        "loggers": {name: {"handlers": [], "propagate": True} for name in ("uvicorn", "uvicorn.error", "uvicorn.access")},
    }


def configure(level: str = "info", fmt: str = "json") -> None:
    """Configure this process's logging (see dict_config)."""
    logging.config.dictConfig(dict_config(level, fmt))
