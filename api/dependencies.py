"""Dependencies resolved inline when they are plain functions (a fix of Litestar's, applied once).

Litestar resolves the dependencies of one level of a handler's graph in an anyio
task group, so that slow async ones overlap (litestar/_kwargs/kwargs_model.py,
`KwargsModel.resolve_dependencies`). The API's dependencies are all plain
synchronous functions (`Provide(..., sync_to_thread=False)`: the user id, the
request's Database, the cursor codec, a repository), which cannot overlap anyway;
for them the task group and one task per dependency were most of what dependency
injection cost a request: about 0.4 ms of the 2.4 ms of CPU a history page took (the
app called in one process, 5 rounds of 800 requests with and without this,
interleaved; bench/README.md, round three). Reported upstream as
litestar-org/litestar#4563, open.

`resolve_inline()` replaces that method with one that resolves such a level in
order, on the request's own task, as Litestar already does for a level of one;
a level with an async, generator or threaded dependency keeps Litestar's task
group. Pinned to the Litestar version range in pyproject.toml;
tests/test_api_dependencies.py holds the behaviour (values, order, errors).
"""

from __future__ import annotations

from typing import Any

from anyio import create_task_group
from litestar._kwargs.cleanup import DependencyCleanupGroup
from litestar._kwargs.dependencies import DependencyContainer, resolve_dependency
from litestar._kwargs.kwargs_model import KwargsModel, _ExceptionGroup
from litestar.connection import ASGIConnection


def _plain(dependency: DependencyContainer) -> bool:
    """A synchronous function run on the event loop: nothing in it can overlap with anything."""
    provide = dependency.provide
    return bool(provide.has_sync_callable and not provide.sync_to_thread
                and not provide.has_sync_generator_dependency and not provide.has_async_generator_dependency)


async def _resolve_dependencies(
    self: KwargsModel, connection: ASGIConnection[Any, Any, Any, Any], kwargs: dict[str, Any]
) -> DependencyCleanupGroup:
    cleanup_group = DependencyCleanupGroup()
    for batch in self.dependency_batches:
        if len(batch) == 1 or all(_plain(dependency) for dependency in batch):
            for dependency in batch:
                await resolve_dependency(dependency, connection, kwargs, cleanup_group)
            continue
        try:  # Litestar's own way, for a level with something to overlap
            async with create_task_group() as task_group:
                for dependency in batch:
                    task_group.start_soon(resolve_dependency, dependency, connection, kwargs, cleanup_group)
        except _ExceptionGroup as excgroup:
            raise excgroup.exceptions[0] from excgroup
    return cleanup_group


def resolve_inline() -> None:
    """Install the inline resolution (idempotent; api.app calls it when it builds the app)."""
    KwargsModel.resolve_dependencies = _resolve_dependencies  # type: ignore[method-assign]
