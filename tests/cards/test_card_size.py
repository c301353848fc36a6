"""Every card stays valid for Teams however long its lists grow: under the size limit as Teams
measures it (UTF-16), valid against the Adaptive Cards 1.5 schema, long lists cut to "and N more"."""

from __future__ import annotations

import datetime as dt
import json

import pytest

import cards.render
from cards.render import MAX_CARD_BYTES, CardRenderError, card_bytes, render_card
from switchover.plan.model import Impact, Priority, Urgency
from switchover.problems import views
from switchover.problems.model import EventKind, ProblemReport, Reporter, ReportStatus, TimelineEntry
from tests.cards.schema import schema_errors
from tests.cards.views import VIEWS, template_names
from tests.switchover.problems.plan_fixture import TENANT, fabrikam_plan

NOW = dt.datetime(2027, 2, 17, 18, 0, tzinfo=dt.UTC)
# Templates whose lists end in a line saying what was left out, and the words of that line.
MORE_LINES = {
    "announcement": "more points",
    "announcement-list": "more announcements",
    "announcement-report": "more lines",
    "chaser-list": "more people",
    "group-schedule": "more groups",
    "incident-alert": "more reports",
    "my-problems": "more reports",
    "problem-owner": "more linked reports",
    "readiness": "more waves",
    "report-list": "more reports",
    "status": "more waves",
}
# Texts that grow a card the most per character: escaped in JSON, two UTF-16 units, line starts.
LONG_TEXTS = ['"\\' * 1500, "\U0001f4a5" * 3000, "[a](https://evil.example) " * 200, "\n# heading" * 400]


def _texts(card: object) -> list[str]:
    if isinstance(card, dict):
        return [s for v in card.values() for s in _texts(v)]
    if isinstance(card, list):
        return [s for v in card for s in _texts(v)]
    return [card] if isinstance(card, str) else []


def _report(report_id: int, text: str, *, timeline: tuple[TimelineEntry, ...] = ()) -> ProblemReport:
    return ProblemReport(
        id=report_id,
        tenant_id=TENANT,
        reporter=Reporter(TENANT, f"id-{report_id}", name=f"Reporter {report_id}", upn="x@y", wave="wave-2"),
        text=text,
        area="files",
        area_confidence=0.9,
        impact=Impact.SITE,
        urgency=Urgency.CANT_WORK,
        priority=Priority.P1,
        status=ReportStatus.OPEN,
        created_at=NOW,
        ack_due_at=NOW + dt.timedelta(minutes=30),
        next_due_at=None,
        escalation_level=0,
        cycle=0,
        timeline=timeline,
    )


def test_every_template_has_a_view() -> None:
    assert sorted(VIEWS) == template_names()


def test_owner_card_in_a_mass_outage_stays_under_the_teams_limit() -> None:
    # The finding: 106 linked reports and a long trail of comments made a 46 KB owner card, which
    # Teams refuses; the owner stopped getting updates exactly when it mattered.
    comments = tuple(
        TimelineEntry(NOW + dt.timedelta(minutes=i), EventKind.COMMENTED, f"Commenter {i}", "still down " * 180)
        for i in range(60)
    )
    main = _report(1, "The shared drive is gone for the whole floor " * 80, timeline=comments)
    linked = [_report(i, f"Cannot open the shared drive from floor {i} " * 20) for i in range(2, 108)]
    card = views.owner_card(fabrikam_plan(), main, linked=linked)
    assert card_bytes(card) <= MAX_CARD_BYTES
    assert schema_errors(card) == []
    texts = _texts(card)
    assert "and 96 more linked reports" in texts
    assert [t for t in texts if t.startswith("PR-00") and ": Reporter" in t][:2] == [
        "PR-00002: Reporter 2: Cannot open the shared drive from floor 2 Cannot open the s…",
        "PR-00003: Reporter 3: Cannot open the shared drive from floor 3 Cannot open the s…",
    ]
    assert any(t.endswith("earlier entries not shown") for t in texts)
    # The whole list is a button away, as a new message (the card stays as it is).
    [show_all] = [
        a for b in card["body"] if b["type"] == "ActionSet" for a in b["actions"] if a["title"] == "Show them all"
    ]
    assert show_all["data"] == {"msteams": {"type": "imBack", "value": "linked PR-00001"}}
    # The newest comment is the one shown last; the owner still has every button.
    assert "Commenter 59" in [t for t in texts if "commented" in t][-1]
    assert [a["title"] for a in card["actions"]] == ["Acknowledge", "Assign to...", "Resolve", "Not mine"]


@pytest.mark.parametrize("template", template_names())
def test_every_list_in_every_template_is_capped_and_the_card_stays_valid(template: str) -> None:
    sizes = []
    for n in (0, 1, 5, 20, 100, 1000):
        card = render_card(template, **VIEWS[template]("Reporter text", n))
        assert schema_errors(card) == [], (template, n)
        sizes.append(card_bytes(card))
        assert sizes[-1] <= MAX_CARD_BYTES, (template, n)
        if template in MORE_LINES and n == 1000:
            more = [t for t in _texts(card) if MORE_LINES[template] in t]
            assert more and more[0].startswith("and "), (template, more)
    # The cap shows: from some length on, a longer list no longer makes a bigger card.
    assert abs(sizes[-1] - sizes[-2]) <= 8, (template, sizes)  # "and 995 more" vs "and 95 more"


@pytest.mark.parametrize("text", LONG_TEXTS, ids=["escaped", "astral", "links", "headings"])
@pytest.mark.parametrize("template", template_names())
def test_long_text_in_every_field_and_long_lists_still_fit(template: str, text: str) -> None:
    card = render_card(template, **VIEWS[template](text, 300))
    assert card_bytes(card) <= MAX_CARD_BYTES
    assert schema_errors(card) == [], template


def test_card_size_is_measured_as_teams_measures_it_in_utf16() -> None:
    # Teams counts the payload in UTF-16: ASCII takes two bytes, Chinese two (three in UTF-8),
    # an emoji four.
    for text, per_char in (("a", 2), ("漢", 2), ("\U0001f4a5", 4)):
        base = card_bytes(render_card("problem-notice", heading="h", text=""))
        card = render_card("problem-notice", heading="h", text=text * 1000)
        assert card_bytes(card) == base + per_char * 1000
        assert card_bytes(card) == len(json.dumps(card, ensure_ascii=False, separators=(",", ":")).encode("utf-16-le"))


def test_a_card_that_cannot_be_made_to_fit_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cards.render, "MAX_CARD_BYTES", 600)
    with pytest.raises(CardRenderError, match=r"UTF-16.*under 600"):
        render_card("help", **VIEWS["help"]("text", 3))


def test_an_oversized_card_shrinks_instead_of_failing() -> None:
    # One text near the report form's limit per field: at full size the card would be well over
    # the limit, so it is rendered again with shorter text rather than refused.
    card = render_card("announcement-confirm", **VIEWS["announcement-confirm"]("word " * 3000, 0))
    assert card_bytes(card) <= MAX_CARD_BYTES
    assert card["body"][0]["text"].endswith("…")


def test_the_list_behind_and_96_more_comes_a_page_at_a_time() -> None:
    lines = [f"PR-{i:05d}: Reporter {i}: Cannot open the shared drive" for i in range(2, 108)]
    first = views.report_list_card("Reports linked to PR-00001", lines, page=1, say="linked PR-00001")
    texts = _texts(first)
    assert texts.count("PR-00002: Reporter 2: Cannot open the shared drive") == 1
    assert "and 81 more reports" in texts and "Reports linked to PR-00001 (106; page 1 of 5)" in texts
    assert "linked PR-00001 page 2" in texts
    last = views.report_list_card("Reports linked to PR-00001", lines, page=5, say="linked PR-00001")
    shown = [t for t in _texts(last) if t.startswith("PR-")]
    assert shown[0].startswith("PR-00102") and shown[-1].startswith("PR-00107") and len(shown) == 6
    assert not any(t.startswith("and ") for t in _texts(last)) and "linked PR-00001 page 6" not in _texts(last)
    for card in (first, last):
        assert schema_errors(card) == [] and card_bytes(card) <= MAX_CARD_BYTES
