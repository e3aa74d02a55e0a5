"""api.dependencies: a level of plain synchronous dependencies is resolved inline, anything that can
overlap keeps Litestar's task group, and the values and errors are Litestar's either way."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from litestar import Litestar, Request, Response, get
from litestar._kwargs.kwargs_model import KwargsModel
from litestar.di import NamedDependency, Provide
from litestar.testing import AsyncTestClient

from api import dependencies
from api.app import create_app


def _a() -> str:
    return "a"


def _b() -> str:
    return "b"


def _ab(a: NamedDependency[str], b: NamedDependency[str]) -> str:
    return a + b


async def _c() -> str:
    return "c"


async def _d() -> AsyncIterator[str]:
    yield "d"


def _broken() -> str:
    raise ValueError("the dependency failed")


@get("/plain", sync_to_thread=False)
def plain(a: NamedDependency[str], b: NamedDependency[str], ab: NamedDependency[str]) -> str:
    return f"{a}{b}{ab}"


@get("/mixed", sync_to_thread=False)
def mixed(a: NamedDependency[str], c: NamedDependency[str], d: NamedDependency[str]) -> str:
    return f"{a}{c}{d}"


@get("/broken", sync_to_thread=False)
def broken(a: NamedDependency[str], oops: NamedDependency[str]) -> str:
    return "unreachable"


def _app() -> Litestar:
    dependencies.resolve_inline()
    sync = {"sync_to_thread": False}
    return Litestar(
        route_handlers=[plain, mixed, broken],
        dependencies={"a": Provide(_a, **sync), "b": Provide(_b, **sync), "ab": Provide(_ab, **sync),
                      "c": Provide(_c), "d": Provide(_d), "oops": Provide(_broken, **sync)},
        exception_handlers={ValueError: _value_error},
        logging_config=None,
    )


def _value_error(_: Request[Any, Any, Any], exc: ValueError) -> Response[str]:
    return Response(str(exc), status_code=418)


def test_the_app_installs_it() -> None:
    create_app()
    assert KwargsModel.resolve_dependencies is dependencies._resolve_dependencies


async def test_plain_levels_use_no_task_group_and_others_do(monkeypatch: pytest.MonkeyPatch) -> None:
    groups: list[int] = []
    real = dependencies.create_task_group

    def counted() -> Any:
        groups.append(1)
        return real()

    monkeypatch.setattr(dependencies, "create_task_group", counted)
    async with AsyncTestClient(_app()) as client:
        r = await client.get("/plain")
        assert (r.status_code, r.text, len(groups)) == (200, "abab", 0)
        r = await client.get("/mixed")  # a sync, an async and a generator dependency on one level
        assert (r.status_code, r.text, len(groups)) == (200, "acd", 1)


async def test_an_error_in_a_plain_dependency_is_itself() -> None:
    async with AsyncTestClient(_app()) as client:
        r = await client.get("/broken")
    # The ValueError itself reaches its handler (an exception group would be a 500).
    assert (r.status_code, r.text) == (418, "the dependency failed")
