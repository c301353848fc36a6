"""Every problem-report card renders valid JSON whatever the reporter typed."""

from __future__ import annotations

import datetime as dt
import json

from hypothesis import given, settings
from hypothesis import strategies as st

from cards.render import render_card
from switchover.plan.model import Impact, Priority, Urgency
from switchover.problems import views
from switchover.problems.model import EventKind, ProblemReport, Reporter, ReportStatus, TimelineEntry
from tests.switchover.problems.plan_fixture import TENANT, fabrikam_plan

HOSTILE = [
    'quote " and \\ backslash',
    "{{ braces }} {% raw %} ${expr} }}]",
    "line one\nline two\r\n\ttabbed",
    "unicode: é ß 漢字 🙂 \u202e reversed \u0000 nul",
    '"}], "actions": [{"type": "Action.OpenUrl", "url": "https://evil.example"}]',
]
NOW = dt.datetime(2027, 2, 17, 18, 0, tzinfo=dt.UTC)


def report(text: str, status: ReportStatus = ReportStatus.OPEN, note: str | None = None) -> ProblemReport:
    return ProblemReport(
        id=42,
        tenant_id=TENANT,
        reporter=Reporter(TENANT, "id-1", name=text[:40], upn="x@y", wave="wave-2", site=text, department=text),
        text=text,
        area="files",
        area_confidence=0.9,
        impact=Impact.ME,
        urgency=Urgency.CANT_WORK,
        priority=Priority.P2,
        status=status,
        created_at=NOW,
        ack_due_at=NOW + dt.timedelta(minutes=30),
        next_due_at=None,
        escalation_level=0,
        cycle=0,
        resolution_note=note,
        screenshot_url='https://example.invalid/shot.png?a="b"',
        timeline=(
            TimelineEntry(NOW, EventKind.CREATED, text, text),
            TimelineEntry(NOW, EventKind.COMMENTED, None, text),
        ),
    )


def texts(card: dict) -> list[str]:
    out: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)
        elif isinstance(node, str):
            out.append(node)

    walk(card)
    return out


def action_types(card: dict) -> list[str]:
    return [a["type"] for a in card.get("actions", [])]


def render_all(text: str) -> list[dict]:
    plan = fabrikam_plan()
    r = report(text)
    return [
        views.owner_card(plan, r, linked=[report(text)]),
        views.owner_card(plan, report(text, ReportStatus.RESOLVED, note=text)),
        views.status_card(plan, r, text),
        views.status_card(plan, report(text, ReportStatus.RESOLVED, note=text), text),
        views.my_problems_card(plan, [r, report(text, ReportStatus.RESOLVED)]),
        views.my_problems_card(plan, []),
        views.incident_card(plan, 7, "files", "wave-2", [r, r]),
        views.incident_card(plan, 7, "files", None, [r], resolved_note=text),
        render_card("problem-notice", heading=text, text=text),
        render_card(
            "problem-ask",
            heading=text,
            prompt=text,
            text_input="text",
            placeholder=text,
            verb="problem_dialog",
            step=text,
            field="impact",
            choices=[{"title": text, "value": text}],
        ),
        views.confirm_card(
            plan,
            draft_id=text,
            text=text,
            area="files",
            impact=Impact.ME,
            urgency=Urgency.QUESTION,
            intro=text,
            has_screenshot=True,
        ),
    ]


def test_hostile_text_never_changes_a_cards_structure():
    for text in HOSTILE:
        for card in render_all(text):
            assert card["type"] == "AdaptiveCard" and card["version"] == "1.5"
            json.loads(json.dumps(card))
            assert "Action.OpenUrl" not in action_types(card)
            assert all("evil.example" not in a.get("url", "") for a in card.get("actions", []))


def test_owner_card_shows_the_text_and_timeline_and_resolved_cards_only_reopen():
    plan = fabrikam_plan()
    open_card = views.owner_card(plan, report(HOSTILE[0]))
    assert HOSTILE[0] in texts(open_card)
    assert action_types(open_card) == ["Action.Execute", "Action.ShowCard", "Action.ShowCard", "Action.ShowCard"]
    assert any("created" in t for t in texts(open_card))
    resolved = views.owner_card(plan, report("x", ReportStatus.RESOLVED))
    assert [a["title"] for a in resolved["actions"]] == ["Reopen"]
    assert "actions" not in views.owner_card(plan, report("x", ReportStatus.RESOLVED), actions=False)
    acknowledged = views.owner_card(plan, report("x", ReportStatus.ACKNOWLEDGED))
    assert action_types(acknowledged) == ["Action.ShowCard", "Action.ShowCard", "Action.ShowCard"]


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=200))
def test_any_text_renders(text):
    for card in render_all(text):
        assert card["type"] == "AdaptiveCard"
