"""Reading a request's JSON body into its pydantic model, or the 400 that says what is wrong."""

from __future__ import annotations

from typing import TypeVar

from aiohttp import web
from pydantic import BaseModel, ValidationError

Model = TypeVar("Model", bound=BaseModel)


def field_errors(exc: ValidationError) -> list[dict[str, str]]:
    """Pydantic errors as ``[{"field": "audience.kind", "message": ...}]``."""
    return [
        {"field": ".".join(str(p) for p in e["loc"]) or "(body)", "message": e["msg"]}
        for e in exc.errors(include_url=False)
    ]


async def read_model(request: web.Request, model: type[Model]) -> Model | web.Response:
    """The body as ``model``, or a 400: "a JSON body is required", or "invalid request" naming each field."""
    try:
        raw = await request.json()
    except (ValueError, LookupError):  # not JSON, not in its charset, or an unknown charset
        return web.json_response({"error": "a JSON body is required"}, status=400)
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        return web.json_response({"error": "invalid request", "fields": field_errors(exc)}, status=400)
