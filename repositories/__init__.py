"""Repositories: thin async classes that run the statements of sql/ and return structs."""

from repositories.agents import AgentRepository
from repositories.database import Database
from repositories.errors import (
    IllegalTransition,
    NotFound,
    RepositoryError,
    StaleVersion,
    Unauthenticated,
    Unavailable,
    ValidationFailed,
)
from repositories.executions import ExecutionRepository
from repositories.users import UserRepository
from repositories.workflows import WorkflowRepository

__all__ = [
    "AgentRepository",
    "Database",
    "ExecutionRepository",
    "IllegalTransition",
    "NotFound",
    "RepositoryError",
    "StaleVersion",
    "Unauthenticated",
    "Unavailable",
    "UserRepository",
    "ValidationFailed",
    "WorkflowRepository",
]
