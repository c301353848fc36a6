"""The card renderer: user text can never change a card's structure; Teams' limits are enforced."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cards.render import MAX_CARD_BYTES, render_card
from cards.text import neutralise

HOSTILE = [
    '"}, {"type": "Action.OpenUrl", "url": "https://evil.example"}, {"x": "',
    "line\nbreak\ttab \\ backslash",
    "{{ 7*7 }} {% raw %}",
    "<script>alert(1)</script> & 'quotes'",
    "emoji \U0001f680 and RTL \u202e and nul-ish \u0000",
]


def help_view(text: str) -> dict:
    return {
        "title": text,
        "intro": text,
        "items": [{"say": text, "does": text}],
        "lead_items": [{"say": text, "does": text}],
        "footer": text,
        "buttons": [{"title": text, "say": text}],
    }


def welcome_view(text: str) -> dict:
    return {"greeting": text, "intro": text, "wave_title": text, "cutover_text": text, "closing": text}


def _strings(node) -> list[str]:
    if isinstance(node, dict):
        return [s for v in node.values() for s in _strings(v)]
    if isinstance(node, list):
        return [s for v in node for s in _strings(v)]
    return [node] if isinstance(node, str) else []


@pytest.mark.parametrize("text", HOSTILE)
@pytest.mark.parametrize(("template", "view"), [("help", help_view), ("welcome", welcome_view)])
def test_hostile_text_stays_text(template: str, view, text: str) -> None:
    card = render_card(template, **view(text))
    assert card["type"] == "AdaptiveCard" and card["version"] == "1.5"
    assert neutralise(text) in _strings(card)  # arrives as plain text, as a value
    # No action was injected: every action is one the template defines.
    assert all(a["type"] in ("Action.Submit", "Action.Execute") for a in card.get("actions", []))


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_any_text_arrives_as_its_plain_text(text: str) -> None:
    card = render_card("help", **help_view(text))
    assert card["body"][0]["text"] == neutralise(text)
    assert len(card["actions"]) == 1


def test_rendered_json_is_compact_enough_to_measure_from_text() -> None:
    card = render_card("help", **help_view("hello"))
    assert len(json.dumps(card)) < MAX_CARD_BYTES
