"""The OpenAPI document: short ids, clean names, every error a problem, and the checker that holds
every test's responses to it (tests/conformance.py) really refuses what the document does not say."""

from __future__ import annotations

import re

import httpx
import pytest

from tests import conformance


def test_operation_ids_are_short_and_unique() -> None:
    ids = [op["operationId"] for item in conformance.document()["paths"].values() for op in item.values()]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[a-z]+(?:[A-Z][a-z]+)*", i) for i in ids), ids
    assert {"getWorkflow", "replaceWorkflow", "listExecutions", "transitionExecution"} <= set(ids)


def test_schema_names_are_clean() -> None:
    names = list(conformance.document()["components"]["schemas"])
    assert all(re.fullmatch(r"[A-Z][A-Za-z]+", name) for name in names), names


def test_every_error_is_a_documented_problem() -> None:
    for path, item in conformance.document()["paths"].items():
        for method, op in item.items():
            errors = {int(s): spec for s, spec in op["responses"].items() if int(s) >= 400}
            if path.startswith("/api/"):
                assert {400, 401, 429, 500, 503} <= set(errors), (method, path, sorted(errors))
                assert op["security"] == [{"BearerToken": []}]
            for status, spec in errors.items():
                assert spec["content"] == {"application/problem+json": {"schema": {
                    "$ref": "#/components/schemas/Problem"}}}, (method, path, status)


def test_required_headers_are_required() -> None:
    put = conformance.document()["paths"]["/api/agent-builder/workflows/{workflow_id}"]["put"]
    if_match = next(p for p in put["parameters"] if p["name"] == "If-Match")
    assert if_match["in"] == "header" and if_match["required"] is True
    assert {"412", "428"} <= set(put["responses"]) and "ETag" in put["responses"]["200"]["headers"]


def _response(method: str, path: str, status: int, body: bytes, content_type: str) -> httpx.Response:
    return httpx.Response(status, content=body, headers={"content-type": content_type},
                          request=httpx.Request(method, f"http://test{path}"))


@pytest.mark.parametrize(("response", "complaint"), [
    (_response("GET", "/api/agent-builder/workflows", 418, b"{}", "application/json"), "status not documented"),
    (_response("GET", "/api/agent-builder/workflows", 200, b'{"items": 3}', "application/json"), "does not match"),
    (_response("GET", "/api/agent-builder/workflows", 404, b'{"error": "x"}', "application/json"), "content-type"),
    (_response("PUT", "/api/agent-builder/workflows/1", 412, b'{"error": "x"}', "application/problem+json"),
     "does not match"),
    (_response("GET", "/api/agent-builder/nowhere", 200, b"{}", "application/json"), "no operation"),
])
def test_the_checker_refuses_what_the_document_does_not_say(response: httpx.Response, complaint: str) -> None:
    with pytest.raises(AssertionError, match=complaint):
        conformance.check(response)
