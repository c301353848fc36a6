"""A view for every card template, with every text field set to one text and every list grown to n.

Shared by the size and the user-text tests, so both cover every template: a template added
without a view here fails ``test_every_template_has_a_view``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

TEMPLATES = Path(__file__).resolve().parents[2] / "cards" / "templates"

View = Callable[[str, int], dict[str, Any]]


def _many(n: int, make: Callable[[int], Any]) -> list[Any]:
    return [make(i) for i in range(n)]


def _facts(t: str, n: int) -> list[dict[str, str]]:
    return _many(n, lambda i: {"title": f"{t} {i}", "value": t})


def _choices(t: str, n: int) -> list[dict[str, str]]:
    return _many(n, lambda i: {"title": f"{t} {i}", "value": f"{t}-{i}"})


def _buttons(t: str, n: int) -> list[dict[str, Any]]:
    return _many(
        n,
        lambda i: (
            {"title": t, "url": "https://aka.ms/mfasetup"}
            if i % 2
            else {"title": t, "url": None, "verb": "acknowledge"}
        ),
    )


def _user_ids(n: int) -> list[str]:
    return _many(n, lambda i: f"29:1{i:04d}" + "x" * 80)


VIEWS: dict[str, View] = {
    "announcement-confirm": lambda t, n: {"text": t, "announcement_id": t, "done": False},
    "announcement-list": lambda t, n: {"items": _many(n, lambda i: {"headline": f"{i} {t}", "detail": t})},
    "announcement-report": lambda t, n: {
        "title": t,
        "status_text": t,
        "totals": [(t, 3), ("Sent", 2)],
        "breakdown": _many(n, lambda i: f"{t} {i}"),
    },
    "announcement": lambda t, n: {
        "refresh_user_ids": _user_ids(n),
        "announcement_id": t,
        "wave_title": t,
        "title": t,
        "when_text": t,
        "correction": t,
        "readiness_title": t,
        "readiness_text": t,
        "summary": t,
        "points": _many(n, lambda i: f"{t} {i}"),
        "notice": t,
        "notice_color": "Attention",
        "acknowledged_text": t,
        "language_note": t,
        "buttons": _buttons(t, n),
    },
    "faq-answer": lambda t, n: {
        "faq_question": t,
        "answer": t,
        "notes": _many(n, lambda i: f"{t} {i}"),
        "thanks": None,
        "language_note": t,
        "faq_key": t,
        "question": t,
        "others_title": t,
        "others": _many(n, lambda i: {"title": f"{t} {i}", "key": f"k{i}"}),
        "phone": t,
        "phone_url": "tel:+15550100",
    },
    "faq-best-match": lambda t, n: {
        "faq_question": t,
        "answer": t,
        "notes": _many(n, lambda i: f"{t} {i}"),
        "faq_key": t,
        "question": t,
    },
    "faq-suggestions": lambda t, n: {
        "headline": t,
        "footer": t,
        "suggestions": _many(n, lambda i: {"title": f"{t} {i}", "key": f"k{i}"}),
        "question": t,
    },
    "freeform": lambda t, n: {
        "refresh_user_ids": _user_ids(n),
        "announcement_id": t,
        "urgency": "urgent",
        "title": t,
        "correction": t,
        "image_url": "https://example.invalid/banner.png",
        "body": t,
        "acknowledged_text": t,
        "notice": t,
        "buttons": _buttons(t, n),
    },
    "group-schedule": lambda t, n: {
        "title": t,
        "headline": t,
        "groups": _many(n, lambda i: {"label": f"{t} {i}", "rows": _facts(t, min(n, 40)), "note": t}),
        "notes": _many(n, lambda i: f"{t} {i}"),
    },
    "help": lambda t, n: {
        "title": t,
        "intro": t,
        "items": _many(n, lambda i: {"say": f"{t} {i}", "does": t}),
        "lead_items": _many(n, lambda i: {"say": f"{t} {i}", "does": t}),
        "footer": t,
        "buttons": _many(n, lambda i: {"title": f"{t} {i}", "say": t}),
    },
    "incident-alert": lambda t, n: {
        "heading": t,
        "summary": t,
        "status_line": t,
        "reports": _many(n, lambda i: f"PR-{i:05d} {t}"),
        "actions": True,
        "incident_id": 7,
        "reports_say": "linked INC-7",
    },
    "my-problems": lambda t, n: {
        "heading": t,
        "empty": t,
        "items": _many(n, lambda i: {"title": f"{i} {t}", "detail": t, "open": True, "report_id": i}),
    },
    "not-found": lambda t, n: {
        "title": t,
        "message": t,
        "phone": t,
        "question": t,
        "phone_url": "tel:+15550100",
    },
    "problem-ask": lambda t, n: {
        "heading": t,
        "prompt": t,
        "text_input": "text",
        "placeholder": t,
        "choices": _choices(t, n),
        "verb": "problem_step",
        "step": "area",
        "field": "area",
    },
    "problem-confirm": lambda t, n: {
        "intro": t,
        "text": t,
        "area": t,
        "area_choices": _choices(t, n),
        "impact": "me",
        "impact_choices": _choices(t, n),
        "urgency": "cant_work",
        "urgency_choices": _choices(t, n),
        "has_screenshot": True,
        "draft_id": t,
    },
    "problem-notice": lambda t, n: {"heading": t, "text": t},
    "problem-owner": lambda t, n: {
        "heading": t,
        "status_line": t,
        "status_color": "Attention",
        "text": t,
        "facts": _facts(t, n),
        "screenshot_url": "https://example.invalid/shot.png",
        "linked": _many(n, lambda i: f"PR-{i:05d}: {t}"),
        "linked_say": "linked PR-00042",
        "timeline": _many(n, lambda i: f"Mon 1 Feb 09:{i % 60:02d} PST: commented by {t}: {t}"),
        "actions": True,
        "can_acknowledge": True,
        "can_reopen": True,
        "report_id": 42,
        "incident_id": 7,
        "assign_choices": _choices(t, n),
        "resolve_verb": "problem_resolve",
        "area_choices": _choices(t, n),
        "catch_all_area": t,
    },
    "problem-status": lambda t, n: {
        "heading": t,
        "message": t,
        "note": t,
        "facts": _facts(t, n),
        "open": True,
        "report_id": 42,
    },
    "readiness": lambda t, n: {
        "title": t,
        "subtitle": t,
        "total": t,
        "waves": _many(
            n,
            lambda i: {
                "title": f"{t} {i}",
                "rows": _many(min(n, 40), lambda j: {"department": t, "figures": t}),
                "missing": t,
            },
        ),
    },
    "report-list": lambda t, n: {
        "heading": t,
        "lines": _many(n, lambda i: f"PR-{i:05d}: {t}"),
        "next_say": "linked PR-00042 page 2",
    },
    "reschedule": lambda t, n: {"wave_title": t, "old_when": t, "new_when": t, "note": t, "announcement_id": t},
    "schedule": lambda t, n: {
        "title": t,
        "headline": t,
        "readiness_title": t,
        "readiness_text": t,
        "wave_title": t,
        "facts": _facts(t, n),
        "notes": _many(n, lambda i: f"{t} {i}"),
        "before_title": t,
        "before": _many(n, lambda i: f"{t} {i}"),
        "on_the_day_title": t,
        "on_the_day": _many(n, lambda i: f"{t} {i}"),
        "language_note": t,
        "wave_key": t,
    },
    "status": lambda t, n: {
        "title": t,
        "subtitle": t,
        "note": t,
        "waves": _many(
            n,
            lambda i: {
                "heading": f"{t} {i}",
                "facts": _facts(t, n),
                "buttons": _many(n, lambda j: {"title": t, "verb": "status_people", "data": {"wave": t, "page": j}}),
            },
        ),
        "problems_heading": t,
        "priorities": _facts(t, n),
        "areas": _facts(t, n),
        "overdue_heading": t,
        "overdue": _many(n, lambda i: f"{t} {i}"),
        "incidents_heading": t,
        "incidents": _many(n, lambda i: f"{t} {i}"),
        "actions": _many(n, lambda i: {"title": t, "verb": "status_reports", "data": {"area": t, "page": i}}),
    },
    "digest": lambda t, n: {
        "title": t,
        "subtitle": t,
        "change": t,
        "chart_url": "https://example.invalid/charts/token.png",
        "chart_alt": t,
        "note": t,
        "waves": _many(n, lambda i: {"heading": f"{t} {i}", "facts": _facts(t, n)}),
        "problems_heading": t,
        "priorities": _facts(t, n),
        "overdue_heading": t,
        "overdue": _many(n, lambda i: f"{t} {i}"),
        "incidents_heading": t,
        "incidents": _many(n, lambda i: f"{t} {i}"),
    },
    "reach": lambda t, n: {
        "title": t,
        "subtitle": t,
        "note": t,
        "counts": _facts(t, n),
        "states": _many(
            n,
            lambda i: {
                "heading": t,
                "names": t,
                "button": {"title": t, "verb": "reach_people", "data": {"wave": t, "state": "blocked", "page": i}},
            },
        ),
        "actions": _many(n, lambda i: {"title": t, "verb": "reach_refresh", "data": {"wave": t}}),
    },
    "status-list": lambda t, n: {
        "title": t,
        "subtitle": t,
        "rows": _facts(t, n),
        "empty": t,
        "actions": _many(n, lambda i: {"title": t, "verb": "status_reports", "data": {"area": t, "page": i}}),
    },
    "wave-state-confirm": lambda t, n: {"text": t, "wave": t, "state": t, "done": False},
    "chaser-list": lambda t, n: {"title": t, "intro": t, "page": t, "people": _many(n, lambda i: f"{t} {i}")},
    "welcome": lambda t, n: {"greeting": t, "intro": t, "wave_title": t, "cutover_text": t, "closing": t},
}


def template_names() -> list[str]:
    """Every card template (partials, whose names start with ``_``, are not cards)."""
    return sorted(p.name.removesuffix(".json.j2") for p in TEMPLATES.glob("*.json.j2"))
