"""The lead's readiness card renders any department and person name safely."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from cards.render import render_card
from cards.text import neutralise

HOSTILE = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60) | st.sampled_from(
    ['"}, {"type": "Action.OpenUrl"', "{{ 7*7 }}", "line\nbreak", "Zoë \u202e ☃", "\\", "{%raw%}"]
)


@given(title=HOSTILE, department=HOSTILE, figures=HOSTILE, missing=HOSTILE)
@settings(max_examples=60, deadline=None)
def test_readiness_card_with_hostile_text(title: str, department: str, figures: str, missing: str) -> None:
    card = render_card(
        "readiness",
        title=title,
        subtitle=figures,
        total=missing,
        waves=[{"title": title, "rows": [{"department": department, "figures": figures}], "missing": missing}],
    )
    assert json.loads(json.dumps(card)) == card
    assert card["version"] == "1.5"
    texts = [b.get("text") for b in card["body"] if b["type"] == "TextBlock"]
    assert texts[0] == neutralise(title)
    facts = next(b for b in card["body"] if b["type"] == "FactSet")["facts"]
    assert facts == [{"title": neutralise(department), "value": neutralise(figures)}]
    assert "actions" not in card  # nothing a name could smuggle in


def test_readiness_card_without_waves() -> None:
    card = render_card("readiness", title="t", subtitle="s", total="none", waves=[])
    assert [b["text"] for b in card["body"]] == ["t", "s", "none"]
