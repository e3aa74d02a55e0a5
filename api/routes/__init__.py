"""Route handlers, one module per resource; below, what two of them share."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Response

from api import responses
from api.cursors import Cursors
from api.params import json_object
from repositories.paging import SearchableList


async def searchable_page(
    listing: SearchableList[Any], cursors: Cursors, scope: str, *, user_id: UUID, limit: int, cursor: str | None,
    query: str | None, field: str,
) -> Response[Any]:
    """One page of a list that can be searched by a JSON object (`query`, the query parameter
    `field`): the cursor checked against the list (`scope`) and that filter, the page as PostgreSQL
    wrote it, and the next page's cursor signed for both."""
    contains = None if query is None else json_object(query, field=field)
    after = cursors.decode(cursor, scope, query)
    page = await listing.list_json(user_id=user_id, limit=limit, after=after, contains=contains)
    return responses.page(page, cursors.encode(page.next, scope, query))
