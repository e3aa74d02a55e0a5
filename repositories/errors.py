"""Repository errors: the one vocabulary the API maps to HTTP statuses."""

from __future__ import annotations


class RepositoryError(Exception):
    """Base of everything a repository raises on purpose."""


class Unauthenticated(RepositoryError):
    """The bearer token is unknown, expired or revoked (or its user is gone)."""


class NotFound(RepositoryError):
    """No such row for this user (another user's row is reported the same way)."""


class StaleVersion(RepositoryError):
    """An optimistic-concurrency write named a version that is no longer current."""

    def __init__(self, message: str, *, current_version: int | None = None) -> None:
        super().__init__(message)
        self.current_version = current_version


class IllegalTransition(RepositoryError):
    """A status change the state machine does not allow from the current status."""

    def __init__(self, message: str, *, current_status: str | None = None, field: str | None = "to_status") -> None:
        super().__init__(message)
        self.current_status = current_status
        self.field = field  # the input at fault: the move asked for, or none (events for a finished execution)


class ValidationFailed(RepositoryError):
    """Input refused (by a check before sending, or by a database constraint); names the field."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class Unavailable(RepositoryError):
    """The database cannot be reached in time (down, pool exhausted, timed out)."""
