"""Render Adaptive Cards from Jinja2 templates.

Every value in a template goes through ``|tojson``, so user text can never change a card's
structure, and ``|tojson`` shows text only as ``cards.text.neutralise`` makes it (no link whose
label lies, no heading, no invisible characters), clipped to a size. Values that are sent back
to us rather than shown (action data, ids, verbs, URLs) go through ``|data`` instead.

A card always fits Teams: lists go through ``|cap`` (the first few, then "and 96 more"), and
``render_card`` measures the card as Teams does; when a card is too big it renders it again
with tighter caps and shorter text, and refuses only a card that cannot be made to fit.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import jinja2
import orjson

from cards import i18n
from cards.text import clip, invisible_removed, neutralise, utf16_units

# Teams measures a bot message as UTF-16 (learn.microsoft.com, "Format your bot messages": the
# whole payload, encoded as UTF-16, at most 100 KB; Microsoft advises staying under 80 KB). A
# card is held to 28 KB, the limit Teams sets for a card posted through a connector or an
# incoming webhook: the same card can be forwarded anywhere, and a card that size is already
# more than a person reads. The activity around a card adds a few hundred bytes.
MAX_CARD_BYTES = 28 * 1024
# The longest text one value shows at full size (UTF-16 code units): the report form's limit.
TEXT_UNITS = 4000
# Renders tried, each with caps and text shortened by this factor, before a card is refused.
_SCALES = (1.0, 0.5, 0.25, 0.125, 0.0625, 0.03125)
ADAPTIVE_CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"

_scale: contextvars.ContextVar[float] = contextvars.ContextVar("card_scale", default=1.0)


class CardRenderError(ValueError):
    """A template produced something that is not a valid card."""


@dataclass(frozen=True, slots=True)
class Capped:
    """A list as a card shows it: the first ``shown`` and how many were left out."""

    shown: Sequence[Any]
    more: int

    def __iter__(self):  # noqa: ANN204 - a template iterates over what is shown
        return iter(self.shown)

    def __bool__(self) -> bool:
        return bool(self.shown)

    def __len__(self) -> int:
        return len(self.shown)


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
        extensions=["jinja2.ext.i18n"],
    )
    # Words in templates go through the catalogs in the language of the turn (switchover.i18n):
    # {{ _("Before your move") }}, {{ ngettext("%(num)d person", "%(num)d people", n) }}.
    env.install_gettext_callables(i18n.gettext, i18n.ngettext, newstyle=True, pgettext=i18n.pgettext)
    # Jinja's own tojson also HTML-escapes (<, >, &, ') for embedding in pages; a card is
    # JSON, not HTML. Ours shows text as plain text, clipped: see cards/text.py.
    env.filters["tojson"] = _tojson
    env.filters["data"] = _data
    env.filters["cap"] = cap
    env.filters["clip"] = _clip
    return env


# Cards show the same words again and again (labels, the plan's text, dates): what a short text
# looks like on a card is remembered rather than worked out for every card (a long one, usually a
# person's own words, is worked out each time and not kept).
_REMEMBERED_TEXT = 1024


@lru_cache(maxsize=4096)
def _shown_text(value: str, units: int) -> str:
    # Cut first (neutralise looks at every character), then again: neutralise may add a little.
    return clip(neutralise(clip(value, 2 * units)), units)


@lru_cache(maxsize=4096)
def _exact_text(value: str, units: int) -> str:
    return clip(invisible_removed(clip(value, 4 * TEXT_UNITS)), units)


def _shown(value: Any, units: int) -> Any:
    if isinstance(value, str):
        if len(value) <= _REMEMBERED_TEXT:
            return _shown_text(value, units)
        return _shown_text.__wrapped__(value, units)
    if isinstance(value, dict):
        return {k: _shown(v, units) for k, v in value.items()}
    if isinstance(value, list | tuple | Capped):
        return [_shown(v, units) for v in value]
    return value


def _tojson(value: Any) -> str:
    # orjson: non-ASCII text written as it is, and a few times faster than json.dumps.
    return orjson.dumps(_shown(value, max(int(TEXT_UNITS * _scale.get()), 100))).decode()


def _data(value: Any) -> str:
    """A value sent back to the bot, not shown: exact, except for characters no text needs."""
    return orjson.dumps(_exact(value)).decode()


def _exact(value: Any) -> Any:
    if isinstance(value, str):
        units = max(int(2 * TEXT_UNITS * _scale.get()), 200)
        if len(value) <= _REMEMBERED_TEXT:
            return _exact_text(value, units)
        return _exact_text.__wrapped__(value, units)
    if isinstance(value, dict):
        return {k: _exact(v) for k, v in value.items()}
    if isinstance(value, list | tuple | Capped):
        return [_exact(v) for v in value]
    return value


def cap(items: Iterable[Any] | None, limit: int, *, last: bool = False) -> Capped:
    """The first ``limit`` items (the last with ``last``; fewer when the card must shrink) and
    how many more there are."""
    items = list(items or ())
    keep = max(1, int(limit * _scale.get()))
    if len(items) <= keep:
        return Capped(items, 0)
    return Capped(items[-keep:] if last else items[:keep], len(items) - keep)


def _clip(text: str | None, units: int) -> str | None:
    if text is None:
        return None
    return clip(text, max(int(units * _scale.get()), 40))


def card_bytes(card: dict[str, Any]) -> int:
    """A card's size as Teams counts it: its JSON, encoded as UTF-16."""
    return 2 * utf16_units(orjson.dumps(card).decode())


def render_card(template: str, **view: Any) -> dict[str, Any]:
    """Render ``templates/<template>.json.j2`` with ``view`` and return the card dict.

    Raises:
        CardRenderError: the template produced invalid JSON, a version Teams cannot show, or
            a card that stays over ``MAX_CARD_BYTES`` even with its lists and text cut short.
    """
    compiled = _environment().get_template(f"{template}.json.j2")
    size = 0
    for scale in _SCALES:
        token = _scale.set(scale)
        try:
            text = compiled.render(**view)
        finally:
            _scale.reset(token)
        try:
            card = orjson.loads(text)
        except orjson.JSONDecodeError as exc:
            raise CardRenderError(f"card template {template!r} rendered invalid JSON: {exc}") from exc
        if card.get("type") == "AdaptiveCard" and str(card.get("version", "1.5")) > "1.5":
            raise CardRenderError(
                f"card {template!r} uses Adaptive Card {card['version']}; Teams bots support 1.5 at most"
            )
        # The rendered text has template whitespace, so it is an upper bound of the card's size:
        # most cards are measured without a second serialisation.
        size = 2 * utf16_units(text)
        if size <= MAX_CARD_BYTES or (size := card_bytes(card)) <= MAX_CARD_BYTES:
            return card
    raise CardRenderError(
        f"card {template!r} is {size} bytes (UTF-16) even with its lists and text cut short; "
        f"Teams cards must stay under {MAX_CARD_BYTES}"
    )


def card_attachment(card: dict[str, Any]) -> dict[str, Any]:
    """Wrap a card as a Bot Framework attachment dict."""
    return {"contentType": ADAPTIVE_CARD_CONTENT_TYPE, "content": card}
