"""A button that posts a message as if the reader typed it (Teams ``imBack``) posts it in their language.

The value of an ``imBack`` shows in the chat as the reader's own message and comes back to the bot as
text, so a Spanish or Polish reader must not find an English line they never wrote. Every card template
(found by listing the folder) is rendered in English, Spanish and Polish from the shared sample views
(every data value marked ``«data»``); each posted value the template writes itself (no data in it) must
differ from the English one in the same place. Values that are data (a command another part wrote, such
as the help card's examples or a "Show them all" look-up) are that part's to translate and are tested
there (tests/bot/features/test_buttons_language.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from cards.render import render_card
from switchover import i18n

from .test_pseudo_locale import sample
from .views import template_names

_SIZES = (0, 1, 45)


def posted(node: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """Every (where, text) a button posts as the reader's own message (imBack, messageBack)."""
    if isinstance(node, list):
        for i, item in enumerate(node):
            yield from posted(item, f"{path}[{i}]")
    elif isinstance(node, dict):
        if node.get("type") == "imBack" and isinstance(node.get("value"), str):
            yield path, node["value"]
        if node.get("type") == "messageBack":
            for key in ("text", "displayText"):
                if isinstance(node.get(key), str):
                    yield f"{path}.{key}", node[key]
        for key, value in node.items():
            yield from posted(value, f"{path}.{key}")


def _render(template: str, n: int, lang: str) -> dict[str, Any]:
    with i18n.use(lang):
        return render_card(template, **sample(template, n))


def _own(card: dict[str, Any]) -> dict[str, str]:
    """The posted values the template wrote itself (no marked data in them), by where they are."""
    return {where: text for where, text in posted(card) if "«" not in text}


@pytest.mark.parametrize("lang", ["es", "pl"])
@pytest.mark.parametrize("template", template_names())
@pytest.mark.parametrize("n", _SIZES)
def test_no_button_posts_english_for_a_spanish_or_polish_reader(template: str, n: int, lang: str) -> None:
    english = _own(_render(template, n, "en"))
    theirs = _own(_render(template, n, lang))
    assert theirs.keys() == english.keys(), f"{template}: the buttons are not the same in {lang}"
    same = {where: text for where, text in theirs.items() if text.casefold() == english[where].casefold()}
    assert same == {}, f"{template} posts English for a {lang} reader"


def test_the_check_sees_the_buttons_it_is_about() -> None:
    # Not a check of nothing: the templates' own posted lines are found, and they are the reader's.
    found = {t: _own(_render(t, 1, "es")) for t in ("schedule", "welcome", "group-schedule")}
    assert sorted(found["schedule"].values()) == ["¿qué tengo que hacer antes de mi migración?"]
    assert sorted(found["welcome"].values()) == ["ayuda", "¿cuándo es mi migración?"]
    assert sorted(found["group-schedule"].values()) == ["¿cuándo es mi migración?"]
    polish = sorted(_own(_render("welcome", 1, "pl")).values())
    assert polish == ["kiedy jest moja migracja?", "pomoc"]
