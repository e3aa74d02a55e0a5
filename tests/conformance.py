"""Every response the test suite sees is checked against the app's own OpenAPI document.

tests/api_fixtures.py hooks `check` into every test client: the request must
match an operation of the document (or be one the app answers before routing:
an unknown path, a wrong method, a request line too long), the status must be
one that operation documents, and the body must be of the documented media type
and validate against its schema.
"""

from __future__ import annotations

import json
import re
from functools import cache
from typing import Any

import httpx
from jsonschema import Draft202012Validator

from api.app import create_app

# Answered before an operation is chosen: documented for no operation, always a problem.
UNROUTED = {404, 405, 414, 429}


@cache
def document() -> dict[str, Any]:
    return create_app().openapi_schema.to_schema()


@cache
def _operations() -> list[tuple[re.Pattern[str], str, dict[str, Any]]]:
    found = []
    for path, item in document()["paths"].items():
        pattern = re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", path) + "/?$")
        for method, operation in item.items():
            found.append((pattern, method.upper(), operation))
    return found


def _schema_of(ref_holder: dict[str, Any]) -> Draft202012Validator:
    return Draft202012Validator({**ref_holder, "components": document()["components"]})


def check(response: httpx.Response) -> None:
    """Raise AssertionError when `response` is not what the document says."""
    request = response.request
    path, method, status = request.url.path, request.method, response.status_code
    if path.startswith("/schema") or path == "/metrics":
        return
    operation = next((op for pattern, m, op in _operations() if m == method and pattern.match(path)), None)
    where = f"{method} {path} -> {status}"
    if operation is None or (status in UNROUTED and str(status) not in operation["responses"]):
        assert status in UNROUTED or method == "OPTIONS", f"{where}: no operation documents it"
        if method != "OPTIONS" and status >= 400:
            _validate(response, {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}},
                      where)
        return
    spec = operation["responses"].get(str(status))
    assert spec is not None, f"{where}: status not documented (documented: {sorted(operation['responses'])})"
    _validate(response, spec.get("content") or {}, where)


def _validate(response: httpx.Response, content: dict[str, Any], where: str) -> None:
    body = response.content
    if body == b"" and response.headers.get("preference-applied") == "return=minimal":
        return  # the client asked for no body (documented on Preference-Applied)
    if not content:
        assert body == b"", f"{where}: documented without a body, got {body[:100]!r}"
        return
    media_type = response.headers.get("content-type", "").split(";")[0].strip()
    assert media_type in content, f"{where}: content-type {media_type!r}, documented {sorted(content)}"
    schema = content[media_type].get("schema")
    if schema is None or not media_type.endswith("json"):
        return  # text/event-stream: a stream of messages, not one JSON document
    errors = sorted(_schema_of(schema).iter_errors(json.loads(body)), key=lambda e: e.path)
    assert not errors, f"{where}: body does not match the document: {errors[0].message} at {list(errors[0].path)}"
