"""Walking every keyset page of a repository list, one round trip a page."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from devtools.wire import round_trips
from repositories.paging import Keyset, Page


async def every_page(fetch: Callable[[Keyset | None], Awaitable[Page[Any]]]) -> list[Any]:
    """The items of every page `fetch(after)` returns, in order; asserts 1 round trip a page."""
    items: list[Any] = []
    after = None
    while True:
        with round_trips() as rt:
            page = await fetch(after)
        assert rt.round_trips == 1, rt
        items += page.items
        if (after := page.next) is None:
            return items
