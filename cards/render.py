"""Render Adaptive Cards from Jinja2 templates.

Every value in a template goes through ``|tojson``, so user text can never
change a card's structure; the result is parsed back as JSON and
checked against the limits Teams enforces.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import jinja2
import orjson

MAX_CARD_BYTES = 80 * 1024  # Teams rejects messages over ~100 KB; keep a margin
ADAPTIVE_CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"


class CardRenderError(ValueError):
    """A template produced something that is not a valid card."""


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("cards", "templates"),
        autoescape=False,  # JSON, not HTML: values are escaped by |tojson
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        # Templates ship with the code: no file-system check on every render.
        auto_reload=False,
    )
    # Jinja's own tojson also HTML-escapes (<, >, &, ') for embedding in pages; a
    # card is JSON, not HTML, and plain JSON is both correct and faster.
    env.filters["tojson"] = _tojson
    return env


def _tojson(value: Any) -> str:
    # orjson: non-ASCII text written as it is, and a few times faster than json.dumps
    # on the few dozen values of a card.
    return orjson.dumps(value).decode()


def render_card(template: str, **view: Any) -> dict[str, Any]:
    """Render ``templates/<template>.json.j2`` with ``view`` and return the card dict."""
    text = _environment().get_template(f"{template}.json.j2").render(**view)
    try:
        card = orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        raise CardRenderError(f"card template {template!r} rendered invalid JSON: {exc}") from exc
    # The rendered text is the card's JSON with template whitespace: an upper bound
    # of what is sent, so no second serialisation is needed to check the limit.
    size = len(text.encode())
    if size > MAX_CARD_BYTES:
        raise CardRenderError(f"card {template!r} is {size} bytes; Teams messages must stay under {MAX_CARD_BYTES}")
    if card.get("type") == "AdaptiveCard" and str(card.get("version", "1.5")) > "1.5":
        raise CardRenderError(f"card {template!r} uses Adaptive Card {card['version']}; Teams bots support 1.5 at most")
    return card


def card_attachment(card: dict[str, Any]) -> dict[str, Any]:
    """Wrap a card as a Bot Framework attachment dict."""
    return {"contentType": ADAPTIVE_CARD_CONTENT_TYPE, "content": card}
