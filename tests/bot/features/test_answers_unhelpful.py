"""After "Not helpful", the card offers the next closest answers instead of a dead end, over /api/messages
on customers other than the demo: the other entries of the engine's ranking for the question asked (the one
just rejected left out) as buttons that pick them, a problem report and the asker's own Service Desk; the
vote is stored, and a pick from it is recorded for ``switchover faq learn`` like any pick."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
import yaml

from switchover.answers.store import AnswerStore, GapKind
from tests.bot.features.test_answers_learn import _faq_learn
from tests.cards.schema import schema_errors
from tests.support.app import TeamsClient, customer_app, person

OLIVER = person("oliver.bramwell@treyresearch.net", "trey")  # London: the UK wave, Trey's one desk
LONDON = "Europe/London"
YOLANDA = person("yolanda.rodriguez@wideworldimporters.com", "wideworld")  # Monterrey DC: the Monterrey desk
MONTERREY = "America/Monterrey"


@pytest.fixture
def clock_start() -> dt.datetime:
    return dt.datetime(2027, 2, 1, 8, 30, tzinfo=dt.UTC)  # before every wave


@pytest.fixture
async def trey(tmp_path, clock, identity, connector) -> AsyncIterator[TeamsClient]:  # type: ignore[no-untyped-def]
    async with customer_app("trey", tmp_path, clock, identity, connector) as client:
        yield client


@pytest.fixture
async def wideworld(tmp_path, clock, identity, connector) -> AsyncIterator[TeamsClient]:  # type: ignore[no-untyped-def]
    async with customer_app("wideworld", tmp_path, clock, identity, connector) as client:
        yield client


def _card(replies: list) -> dict[str, Any]:  # type: ignore[type-arg]
    (card,) = [r.card for r in replies if r.card]
    return card


def _said(card: dict[str, Any]) -> str:
    return " ".join(str(b.get("text", "")) for b in card["body"])


def _verbs(card: dict[str, Any]) -> list[str]:
    return [a.get("verb") or a["type"] for a in card["actions"]]


def _picks(card: dict[str, Any]) -> list[dict[str, Any]]:
    return [a for a in card["actions"] if a.get("verb") == "faq_pick"]


async def _not_helpful(teams: TeamsClient, who: Any, question: str, time_zone: str, key: str) -> dict[str, Any]:
    """Ask ``question``, check it is answered with entry ``key``, press "Not helpful": the card that replaces it."""
    answered = _card(await teams.say(who, question, time_zone=time_zone))
    vote = next(a for a in answered["actions"] if a.get("verb") == "faq_unhelpful")
    assert vote["data"] == {"faq_key": key, "question": question}
    status, body = await teams.invoke_action(who, "faq_unhelpful", vote["data"])
    assert status == 200 and body["type"] == "application/vnd.microsoft.card.adaptive"
    card: dict[str, Any] = body["value"]
    assert schema_errors(card) == []
    return card


async def test_not_helpful_offers_the_next_closest_answers_and_a_pick_is_answered_and_recorded(
    trey: TeamsClient, capsys: pytest.CaptureFixture[str]
) -> None:
    question = "where will my google docs go"
    await trey.install(OLIVER)
    card = await _not_helpful(trey, OLIVER, question, LONDON, "google-docs")

    # Thanked, no second vote, and the other close entries for the question, the rejected one left out.
    assert "Thanks for telling us" in _said(card) and "These answers may be closer to what you asked:" in _said(card)
    assert "faq_helpful" not in _verbs(card) and "faq_unhelpful" not in _verbs(card)
    picks = _picks(card)
    assert 2 <= len(picks) <= 3
    questions = {e.key: e.question for e in trey.app.services.plan.faq}
    assert picks[0]["data"]["faq_key"] == "my-drive"  # the next in the engine's ranking for the question
    assert [p["title"] for p in picks] == [questions[p["data"]["faq_key"]] for p in picks]
    assert all(p["data"]["question"] == question for p in picks)
    assert "google-docs" not in {p["data"]["faq_key"] for p in picks}
    # ... then a problem report about the question, and the Service Desk.
    report = next(a for a in card["actions"] if a.get("verb") == "report_problem")
    assert report["data"] == {"text": question}
    assert "Service Desk: +44 20 7946 0321" in _said(card)
    assert _verbs(card)[-2:] == ["report_problem", "Action.OpenUrl"]
    assert card["actions"][-1]["url"] == "tel:+442079460321"

    # The vote is stored as before.
    store: AnswerStore = trey.app.services.answer_store
    (gap,) = await store.gaps(tenant_id=trey.tenant_id)
    assert (gap.kind, gap.faq_key, gap.question) == (GapKind.UNHELPFUL, "google-docs", question)

    # Picking one shows its answer (with its own vote buttons), and the pick is kept ...
    status, body = await trey.invoke_action(OLIVER, "faq_pick", picks[0]["data"])
    assert status == 200 and "Migrated from Google Drive" in _said(body["value"])
    assert {"faq_helpful", "faq_unhelpful"} <= set(_verbs(body["value"]))
    await store.drain()
    (pick,) = await store.picks(tenant_id=trey.tenant_id)
    assert (pick.question, pick.faq_key, pick.language, pick.count) == (question, "my-drive", "en", 1)
    # ... for the lead: `switchover faq learn` offers the phrasing for the entry picked.
    (entry,) = yaml.safe_load(await _faq_learn(trey, capsys))["faq"]
    assert entry == {"key": "my-drive", "alternates": [question]}


async def test_with_no_other_entry_close_enough_only_the_report_and_the_service_desk(trey: TeamsClient) -> None:
    await trey.install(OLIVER)
    card = await _not_helpful(trey, OLIVER, "there is no signal on site", LONDON, "no-signal")
    assert _picks(card) == []
    assert "These answers may be closer" not in _said(card)
    assert _verbs(card) == ["report_problem", "Action.OpenUrl"]
    assert "Thanks for telling us" in _said(card) and "Service Desk: +44 20 7946 0321" in _said(card)


async def test_a_spanish_question_gets_its_other_answers_in_spanish_and_the_askers_own_desk(
    wideworld: TeamsClient,
) -> None:
    # Yolanda's Teams is in English; she asks in Spanish, so the answer, and what replaces it, is Spanish.
    question = "¿voy a perder mis correos viejos?"
    await wideworld.install(YOLANDA)
    card = await _not_helpful(wideworld, YOLANDA, question, MONTERREY, "keep-mail")
    said = json.dumps(card, ensure_ascii=False)
    assert "Gracias por decírnoslo" in said and "Estas respuestas pueden acercarse más a lo que preguntó:" in said
    assert "Thanks for telling us" not in said and "closer to what you asked" not in said
    picks = _picks(card)
    assert 2 <= len(picks) <= 3 and "keep-mail" not in {p["data"]["faq_key"] for p in picks}
    plan = wideworld.app.services.plan
    spanish = {e.key: e.translations["es"].question for e in plan.faq if "es" in e.translations}
    assert [p["title"] for p in picks] == [spanish[p["data"]["faq_key"]] for p in picks]
    # The Monterrey Service Desk, the asker's own, not the head office's.
    assert "Mesa de Servicio: +52 81 5555 0140" in said
    assert card["actions"][-1] == {
        "type": "Action.OpenUrl",
        "title": "Llamar a la Mesa de Servicio",
        "url": "tel:+528155550140",
    }

    status, body = await wideworld.invoke_action(YOLANDA, "faq_pick", picks[0]["data"])
    key = picks[0]["data"]["faq_key"]
    entry = next(e for e in plan.faq if e.key == key)
    assert status == 200 and entry.translations["es"].answer in _said(body["value"])
    store: AnswerStore = wideworld.app.services.answer_store
    await store.drain()
    (pick,) = await store.picks(tenant_id=wideworld.tenant_id)
    assert (pick.question, pick.faq_key, pick.language) == (question, key, "es")


async def test_a_vote_from_a_card_without_the_question_gets_the_report_and_the_service_desk(trey: TeamsClient) -> None:
    await trey.install(OLIVER)
    status, body = await trey.invoke_action(OLIVER, "faq_unhelpful", {"faq_key": "no-signal", "question": ""})
    assert status == 200 and schema_errors(body["value"]) == []
    assert _verbs(body["value"]) == ["report_problem", "Action.OpenUrl"]
    assert "Service Desk: +44 20 7946 0321" in _said(body["value"])
