"""Field types shared by the repositories' input and output structs."""

from __future__ import annotations

from typing import Annotated, NamedTuple
from uuid import UUID

import msgspec
from msgspec import Meta

# PostgreSQL text cannot hold a NUL character: refused where the field is named.
_NO_NUL = r"^[^\x00]*$"


def text(*, min_length: int = 0, max_length: int) -> Meta:
    """A text field's constraints: its length, and no NUL character."""
    return Meta(min_length=min_length, max_length=max_length, pattern=_NO_NUL)


Name = Annotated[str, text(min_length=1, max_length=200)]
Description = Annotated[str, text(max_length=2000)]


class AgentRef(msgspec.Struct, frozen=True):
    """An agent named where it is used (a workflow node, an agent execution)."""

    id: UUID
    name: str


class Document(NamedTuple):
    """One resource as the JSON PostgreSQL built, not decoded (what the HTTP API sends as is).
    `json` is None when a conditional read found the resource still at the version named;
    `version` is the resource's ETag, where it has one."""

    id: UUID
    json: bytes | None
    version: int | None = None
