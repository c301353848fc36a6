"""Every email template, rendered with hostile text: still one well-formed document with its language
and one heading, the text shown as text (never markup), no external resources, and no link but the
ones the view gives."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cards.email import email_templates, render_email

from .html_check import check_html

HOSTILE = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "</p></main><a href='https://evil.example'>click</a>",
    "[Microsoft](https://evil.example) \u202etxt.exe",
    "Caf\u00e9 \u2014 \u65e5\u672c\u8a9e & <b>bold</b> {{ 7*7 }}",
]
ACK = "https://switchover.example.org/email/ack/TOKEN"
PLAN_LINK = "https://aka.ms/mfasetup"


def view(template: str, text: str) -> dict[str, Any]:
    links = [{"title": text, "url": ACK, "primary": True}, {"title": text, "url": PLAN_LINK, "primary": False}]
    common = {"lang": "en", "why": text, "organisation": text, "links": links}
    return {
        "announcement": {
            **common,
            "announcement_id": text,
            "wave_title": text,
            "title": text,
            "when_text": text,
            "summary": text,
            "points": [text, text],
            "acknowledged_text": text,
            "correction": text,
            "readiness_title": text,
            "readiness_text": text,
            "notice": text,
            "notice_color": "Good",
        },
        "freeform": {
            **common,
            "announcement_id": text,
            "title": text,
            "body": f"{text}\n\n{text}",
            "urgency": "urgent",
            "image_url": PLAN_LINK,
            "acknowledged_text": text,
            "correction": text,
        },
        "reschedule": {
            **common,
            "announcement_id": text,
            "wave_title": text,
            "title": text,
            "old_when": text,
            "new_when": text,
            "note": text,
        },
        "ack-confirm": {"lang": "en", "title": text, "question": text, "button": text, "action": "/email/ack/TOKEN"},
        "ack-done": {"lang": "en", "title": text, "message": text, "good": False},
    }[template]


def test_every_email_template_has_a_view() -> None:
    assert email_templates() == ["ack-confirm", "ack-done", "announcement", "freeform", "reschedule"]


@pytest.mark.parametrize("template", email_templates())
@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_stays_text(template: str, text: str) -> None:
    html = render_email(template, **view(template, text))
    checked = check_html(html)
    assert checked.errors == []
    assert checked.lang == "en"
    assert set(checked.links) <= {ACK, PLAN_LINK}
    assert 'evil.example"' not in html and "<script" not in html and "<img" not in html and "<b>" not in html
    assert "\u202e" not in html
    shown = text.replace("\u202e", "")
    assert " ".join(shown.split()) in checked.text  # shown as written (as text)


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=200))
def test_any_text_keeps_every_template_well_formed(text: str) -> None:
    for template in email_templates():
        checked = check_html(render_email(template, **view(template, text)))
        assert checked.errors == [], (template, text)
        assert set(checked.links) <= {ACK, PLAN_LINK}
