"""User text reaches a card as plain text: no link whose label differs from where it goes, no
heading or list made from a reporter's words, no bidi override or zero-width character."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from cards.render import render_card
from cards.text import neutralise
from switchover.plan.model import Impact, Priority, Urgency
from switchover.problems import views
from switchover.problems.model import EventKind, ProblemReport, Reporter, ReportStatus, TimelineEntry
from tests.cards.schema import schema_errors
from tests.cards.views import VIEWS, template_names
from tests.switchover.problems.plan_fixture import TENANT, fabrikam_plan

# Bidi embeddings, overrides, isolates and marks; zero-width spaces, joiners and the BOM.
BIDI = set("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
ZERO_WIDTH = set("\u180e\u200b\u200c\u200d\u2060\u2061\u2062\u2063\u2064\ufeff")
INVISIBLE = BIDI | ZERO_WIDTH
MARKDOWN = MarkdownIt("commonmark")
PLAIN_BLOCKS = {"paragraph_open", "paragraph_close", "inline"}
NOW = dt.datetime(2027, 2, 17, 18, 0, tzinfo=dt.UTC)

TRICKS = [
    "[https://microsoft.com](https://evil.example)",
    "[[nested](https://a.example)](https://b.example)",
    "[label](https://evil.example/a_(b)) and ![img](https://evil.example/x.png)",
    "[ref]: https://evil.example\n[Microsoft][ref]",
    "# URGENT: reset your password\n## now",
    "Please read\n===\n- step one\n1. step two\n> quoted\n```\ncode\n```\n    indented\n---",
    "invoice\u202eexe.txt and pay\u200bpal and \u2066isolated\u2069 \ufeffbom",
    "tab\there\r\nold mac\rline\u2028separator\u0085next \x00\x07\x1b[31m",
]
hostile = st.text(max_size=120) | st.sampled_from(TRICKS) | st.lists(st.sampled_from(TRICKS), max_size=4).map(" ".join)


def shown_texts(node: Any, key: str | None = None) -> list[str]:
    """Every string a person sees on the card (action data and input values are not shown as Markdown)."""
    if isinstance(node, dict):
        out: list[str] = []
        is_input = str(node.get("type", "")).startswith("Input.")
        for k, v in node.items():
            if k in ("data", "url", "verb", "id", "type", "$schema", "version", "userIds", "color", "style"):
                continue
            if k == "value" and (is_input or key == "choices"):
                continue
            out += shown_texts(v, k)
        return out
    if isinstance(node, list):
        return [s for v in node for s in shown_texts(v, key)]
    return [node] if isinstance(node, str) else []


def lying_links(text: str) -> list[tuple[str, str]]:
    """Links in ``text`` read as Markdown whose label is not where they go."""
    found = []
    for block in MARKDOWN.parse(text):
        children = block.children or []
        for i, token in enumerate(children):
            if token.type == "link_open":
                label = ""
                for t in children[i + 1 :]:
                    if t.type == "link_close":
                        break
                    label += t.content
                href = str(token.attrs.get("href", ""))
                if MARKDOWN.normalizeLink(label) != href:
                    found.append((label, href))
            if token.type == "image":
                found.append((token.content, str(token.attrs.get("src", ""))))
    return found


def markup_blocks(text: str) -> list[str]:
    """Markdown blocks other than plain paragraphs (headings, lists, quotes, code, rules)."""
    return [t.type for t in MARKDOWN.parse(text) if t.type not in PLAIN_BLOCKS]


def assert_plain(card: dict[str, Any]) -> None:
    raw = json.dumps(card, ensure_ascii=False)
    assert not INVISIBLE & set(raw), [hex(ord(c)) for c in INVISIBLE & set(raw)]
    assert not [c for c in raw if ord(c) < 0x20]  # control characters only ever as JSON escapes
    for text in shown_texts(card):
        assert lying_links(text) == [], text
        assert markup_blocks(text) == [], text
    assert schema_errors(card) == []


def test_markdown_link_with_a_lying_label_reaches_the_owner_as_its_real_target() -> None:
    # The finding: "[https://microsoft.com](https://evil.example)" in a report became a link that
    # read microsoft.com and went to evil.example.
    assert neutralise("[https://microsoft.com](https://evil.example)") == "https://microsoft.com (https://evil.example)"
    assert neutralise("see [the fix](https://fix.example)") == "see the fix (https://fix.example)"
    assert neutralise("[https://a.example](https://a.example)") == "https://a.example"
    assert lying_links(neutralise("[[x](https://a.example)](https://b.example)")) == []


def test_headings_and_list_markup_at_line_start_stay_text() -> None:
    for text in ("# URGENT", "1. do this", "- item", "> quote", "    code", "---", "[r]: https://e.example"):
        shown = neutralise(text)
        assert shown.lstrip("\u00a0") == text  # the words are kept
        assert markup_blocks(shown) == [], text


def test_bidi_overrides_and_zero_width_characters_are_removed() -> None:
    assert neutralise("invoice\u202eexe.txt") == "invoiceexe.txt"
    assert neutralise("pay\u200bpal\u200d\ufeff") == "paypal"
    assert neutralise("a\u2066b\u2069c\u200e") == "abc"
    assert neutralise("bell\x07 esc\x1b nul\x00") == "bell esc nul"
    assert neutralise("one\r\ntwo\rthree\u2028four\tfive") == "one\ntwo\nthree\nfour five"
    assert neutralise("Zoë 漢字 🙂 مرحبا") == "Zoë 漢字 🙂 مرحبا"  # text in any script is kept


def test_report_text_and_from_name_reach_the_owner_card_as_plain_text() -> None:
    # The finding: the reporter's text and their Teams display name (from.name) went to the
    # owner's card as they were.
    trick = "[https://microsoft.com](https://evil.example)\n# CALL +1 555 0100\u202e\u200b"
    report = ProblemReport(
        id=42,
        tenant_id=TENANT,
        reporter=Reporter(TENANT, "id-1", name=f"IT Support {trick}", upn="x@y", wave="wave-2", site=trick),
        text=trick,
        area="files",
        area_confidence=0.9,
        impact=Impact.ME,
        urgency=Urgency.CANT_WORK,
        priority=Priority.P2,
        status=ReportStatus.OPEN,
        created_at=NOW,
        ack_due_at=NOW,
        next_due_at=None,
        escalation_level=0,
        cycle=0,
        timeline=(TimelineEntry(NOW, EventKind.COMMENTED, trick, trick),),
    )
    linked = [report]
    for card in (
        views.owner_card(fabrikam_plan(), report, linked=linked),
        views.status_card(fabrikam_plan(), report, trick),
        views.my_problems_card(fabrikam_plan(), [report]),
        views.incident_card(fabrikam_plan(), 7, "files", "wave-2", [report]),
    ):
        assert_plain(card)
        shown = " ".join(shown_texts(card))
        assert "https://microsoft.com (https://evil.example)" in shown


@pytest.mark.parametrize("template", template_names())
def test_every_template_shows_tricks_as_plain_text(template: str) -> None:
    for trick in TRICKS:
        assert_plain(render_card(template, **VIEWS[template](trick, 2)))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(template=st.sampled_from(template_names()), text=hostile, n=st.integers(0, 3))
def test_any_text_in_any_user_field_of_any_template_is_plain_and_valid(template: str, text: str, n: int) -> None:
    card = render_card(template, **VIEWS[template](text, n))
    assert json.loads(json.dumps(card)) == card
    assert_plain(card)
