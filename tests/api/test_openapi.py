"""The OpenAPI document covers the API as the app serves it: every route, every status it may answer."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from aiohttp import web

from api.auth import PUBLIC
from api.openapi import document
from tests.support.app import make_settings

METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture
def app(tmp_path: Path) -> web.Application:
    from app import create_app

    return create_app(make_settings(tmp_path, api_token="openapi-token"))


def served(app: web.Application) -> set[tuple[str, str]]:
    """(method, path as the document writes it) for every API route the app serves."""
    found = set()
    for resource in app.router.resources():
        path = re.sub(r"\{(\w+)(:[^}]*)?\}", r"{\1}", resource.canonical)  # {id:.+} -> {id}
        if not path.startswith("/api/") or path in PUBLIC:
            continue
        found |= {(route.method.lower(), path) for route in resource if route.method != "HEAD"}
    return found


def documented(doc: dict) -> set[tuple[str, str]]:
    return {(method, path) for path, ops in doc["paths"].items() for method in ops if method in METHODS}


def test_the_document_has_every_api_route_and_no_other(app: web.Application) -> None:
    routes, doc = served(app), document(app)
    assert routes, "the app serves no API routes"
    assert routes - documented(doc) == set(), "routes the OpenAPI document leaves out"
    assert documented(doc) - routes == set(), "documented operations the app does not serve"


def test_every_operation_documents_the_refusals_every_request_may_get(app: web.Application) -> None:
    for path, ops in document(app)["paths"].items():
        for method, op in ops.items():
            statuses = set(op["responses"])
            where = f"{method.upper()} {path}"
            assert {"401", "408", "413"} <= statuses, where  # token; the body reader's time and size limits
            assert any(s.startswith("2") for s in statuses), where
            if "requestBody" in op:
                assert "400" in statuses, f"{where} reads a body but documents no 400"
            if "{" in path:
                assert "404" in statuses, f"{where} names a thing but documents no 404"
            if any(
                p["in"] == "query" and p["name"] in ("status", "since", "until", "limit")
                for p in op.get("parameters", [])
            ):
                assert "400" in statuses, f"{where} checks its query but documents no 400"
            for status, answer in op["responses"].items():
                if not status.startswith("2"):
                    assert answer["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}


def test_every_schema_the_document_refers_to_is_in_it(app: web.Application) -> None:
    doc = document(app)
    refs = set(re.findall(r'"#/components/schemas/([^"]+)"', str(doc).replace("'", '"')))
    assert refs and refs <= set(doc["components"]["schemas"])
