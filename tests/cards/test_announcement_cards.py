"""Announcement card templates: hostile text never changes a card's structure."""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from cards.render import render_card
from cards.text import invisible_removed, neutralise
from switchover.announcements.calendar import WaveDates
from switchover.announcements.model import Announcement, AnnouncementStatus, Audience, Button, Content, Urgency
from switchover.announcements.service import AnnouncementService
from switchover.plan.loader import load_plan
from tests.switchover.announcements.conftest import FABRIKAM

HOSTILE = '"}]},{"type":"Action.OpenUrl","url":"https://evil"} {{ x }} {% raw %}\n\t\\ \u202e \U0001f4a5 ' + "'"
text = st.text(min_size=1, max_size=200) | st.just(HOSTILE)
PLAN = load_plan(FABRIKAM / "plan.yaml")
ZONE = ZoneInfo("America/Los_Angeles")
DATES = WaveDates(dt.datetime(2027, 2, 27, 15, tzinfo=dt.UTC), dt.datetime(2027, 2, 28, 0, tzinfo=dt.UTC))


class _NoDelivery:
    """Cards only: the service registers its outcome callbacks and never sends."""

    def on_outcome(self, purpose: str, callback: object) -> None:
        pass


def service() -> AnnouncementService:
    return AnnouncementService(None, PLAN, None, None, _NoDelivery(), None, tenant_id="t")  # type: ignore[arg-type]


def announcement(kind: str, title: str, words: str, **content: object) -> Announcement:
    return Announcement(
        id=f"id-{words[:20]}",
        tenant_id="t",
        kind=kind,  # type: ignore[arg-type]
        wave_key="wave-3" if kind != "freeform" else None,
        calendar_key=None,
        title=title,
        content=Content(
            summary=words,
            body=words,
            points=(words, "second"),
            buttons=(Button(title=words[:80], verb="acknowledge"), Button(title="Link", url="https://aka.ms/mfasetup")),
            **content,  # type: ignore[arg-type]
        ),
        audience=Audience(kind="wave", values=("wave-3",)),
        send_at=None,
        status=AnnouncementStatus.SCHEDULED,
        created_by=None,
        created_at=dt.datetime(2027, 1, 1, tzinfo=dt.UTC),
        started_at=None,
    )


def all_strings(node: object) -> list[str]:
    if isinstance(node, dict):
        return [s for v in node.values() for s in all_strings(v)]
    if isinstance(node, list):
        return [s for v in node for s in all_strings(v)]
    return [node] if isinstance(node, str) else []


@settings(max_examples=60, deadline=None)
@given(title=text, words=text)
def test_calendar_and_freeform_cards_keep_their_shape(title, words):
    s = service()
    for kind in ("calendar", "freeform"):
        ann = announcement(kind, title, words, urgency=Urgency.URGENT, correction=words)
        card = s.render(ann, zone=ZONE, dates=DATES, refresh_user_ids=["29:a"], acknowledged_at=None)
        assert card["type"] == "AdaptiveCard" and card["version"] == "1.5"
        assert [a["type"] for a in card["actions"]] == ["Action.Execute", "Action.OpenUrl"]
        assert card["actions"][1]["url"] == "https://aka.ms/mfasetup"
        assert card["refresh"]["userIds"] == ["29:a"]
        strings = all_strings(card)
        assert neutralise(title) in strings
        json.dumps(card)


@settings(max_examples=40, deadline=None)
@given(words=text)
def test_reschedule_card_keeps_its_shape(words):
    card = render_card(
        "reschedule", announcement_id=words, wave_title=words, old_when=words, new_when=words, note=words
    )
    assert [b["type"] for b in card["body"]] == ["TextBlock", "TextBlock", "FactSet", "TextBlock"]
    assert card["actions"][0]["data"]["announcement_id"] == invisible_removed(words)


@settings(max_examples=40, deadline=None)
@given(words=text)
def test_report_and_list_cards_keep_their_shape(words):
    card = render_card(
        "announcement-report", title=words, status_text=words, totals=[(words, 3), ("Sent", 2)], breakdown=[words]
    )
    assert card["body"][2]["facts"][0] == {"title": neutralise(words), "value": "3"}
    listing = render_card("announcement-list", items=[{"headline": words, "detail": words}])
    assert len(listing["body"]) == 3


def test_acknowledged_card_drops_the_acknowledge_buttons():
    ann = announcement("calendar", "T", "words")
    card = service().render(ann, zone=ZONE, dates=DATES, acknowledged_at=dt.datetime(2027, 2, 1, 18, tzinfo=dt.UTC))
    assert [a["type"] for a in card["actions"]] == ["Action.OpenUrl"]
    assert "Acknowledged Mon 1 Feb 10:00 PST" in " ".join(all_strings(card))
    assert "refresh" not in card


@settings(max_examples=30, deadline=None)
@given(words=text)
def test_confirm_card_keeps_its_shape(words):
    card = render_card("announcement-confirm", announcement_id=words, text=words)
    assert [a["verb"] for a in card["actions"]] == ["announce_confirm", "announce_discard"]
    assert card["actions"][0]["data"] == {"announcement_id": invisible_removed(words)}
    done = render_card("announcement-confirm", announcement_id=words, text=words, done=True)
    assert done["actions"] == [] and done["body"][0]["text"] == neutralise(words)


@settings(max_examples=40, deadline=None)
@given(words=text)
def test_readiness_and_notice_lines_keep_the_card_shape(words):
    s = service()
    ann = announcement("calendar", "One week to go", "words")
    plain = s.render(ann, zone=ZONE, dates=DATES)
    card = s.render(ann, zone=ZONE, dates=DATES, to_do=(words,), notice=words)
    assert card["actions"] == plain["actions"]
    [block] = [b for b in card["body"] if b["type"] == "Container"]
    assert block["style"] == "warning"
    assert [i["text"] for i in block["items"]] == [
        "You are not ready for your cutover yet",
        neutralise(f"Before your cutover on Saturday 27 February 2027: {words}."),
    ]
    assert {
        "type": "TextBlock",
        "text": neutralise(words),
        "color": "Attention",
        "wrap": True,
        "spacing": "Medium",
    } in card["body"]
    assert len(card["body"]) == len(plain["body"]) + 2
    assert not [b for b in plain["body"] if b["type"] == "Container"]


def test_readiness_day_is_the_recipients():
    # 06:00 UTC on Saturday is still Friday evening in Seattle and already Saturday afternoon in Sydney.
    ann = announcement("calendar", "Tomorrow is cutover", "words")
    dates = WaveDates(dt.datetime(2027, 2, 27, 6, tzinfo=dt.UTC), dt.datetime(2027, 2, 27, 14, tzinfo=dt.UTC))
    for zone, day in ((ZONE, "Friday 26 February 2027"), (ZoneInfo("Australia/Sydney"), "Saturday 27 February 2027")):
        card = service().render(ann, zone=zone, dates=dates, to_do=("set up Authenticator",))
        assert f"Before your cutover on {day}: set up Authenticator." in all_strings(card)


def test_freeform_and_reschedule_cards_carry_no_readiness():
    for kind in ("freeform", "reschedule"):
        ann = announcement(kind, "T", "words", previous_cutover=(DATES.start, DATES.end))
        card = service().render(ann, zone=ZONE, dates=DATES, to_do=("set up Authenticator",))
        assert not any("Before your cutover" in s for s in all_strings(card)), kind
