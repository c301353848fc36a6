"""``status`` in the reader's Teams language, over real HTTP: the sponsor asks from a Polish Teams
(``pl-PL``) and gets the Polish card with the English card's figures; the lead's drill-downs and
refusals follow their language too."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from switchover import i18n
from switchover.plan.model import Impact, Urgency
from tests.cards.schema import schema_errors
from tests.support.app import person

from .conftest import LEAD, PACIFIC, SPONSOR, StatusWorld
from .test_status import ORDINARY, acknowledge, announce, file, install, status_card


async def card_in(world: StatusWorld, who: str, text: str, locale: str) -> dict[str, Any]:
    replies = await world.teams.say(person(who), text, locale=locale)
    cards = [r.card for r in replies if r.card]
    assert len(cards) == 1, [r.body for r in replies]
    assert schema_errors(cards[0]) == []
    return cards[0]


async def press(world: StatusWorld, who: str, verb: str, data: dict[str, Any], locale: str) -> tuple[int, Any]:
    """Press a card's ``Action.Execute`` button from a Teams client in ``locale``."""
    teams = world.teams
    activity = teams.activity(
        person(who),
        type="invoke",
        name="adaptiveCard/action",
        value={"action": {"type": "Action.Execute", "verb": verb, "data": data}, "trigger": "manual"},
        locale=locale,
    )
    headers = {"Content-Type": "application/json", **teams.auth_headers()}
    async with world.session.post(f"{world.app.url}/api/messages", json=activity, headers=headers) as resp:
        return resp.status, await resp.json() if resp.content_length != 0 else None


def texts(card: dict[str, Any]) -> list[str]:
    """Every visible string of the card, in order."""
    out: list[str] = []
    for e in card["body"]:
        if e["type"] == "TextBlock":
            out.append(e["text"])
        elif e["type"] == "FactSet":
            out += [t for f in e["facts"] for t in (f["title"], f["value"])]
        elif e["type"] == "ActionSet":
            out += [a["title"] for a in e["actions"]]
    return out + [a["title"] for a in card.get("actions", [])]


def facts(card: dict[str, Any]) -> list[list[tuple[str, str]]]:
    return [[(f["title"], f["value"]) for f in e["facts"]] for e in card["body"] if e["type"] == "FactSet"]


def numbers(text: str) -> list[str]:
    """The figures in ``text``, decimals read whichever way the language writes them (``73.7``, ``73,7``)."""
    return [n.replace(",", ".") for n in re.findall(r"\d+(?:[.,]\d+)?", text)]


async def story(world: StatusWorld) -> None:
    """Two thirds of each wave reachable, an announcement half acknowledged, reports (one overdue)."""
    members = world.members()
    for people in members.values():
        await install(world, [u for i, u in enumerate(people) if i % 3])
    corporate = [u for i, u in enumerate(members["wave-1"]) if i % 3]
    ann = await announce(world, "wave-1", "Parking during the move")
    await acknowledge(world, ann, corporate[:5])
    await file(world, members["wave-0"][0], "wave-0", "email", Impact.ME, Urgency.CANT_WORK)
    await file(world, corporate[2], "wave-1", "printing-apps", Impact.ME, Urgency.QUESTION)
    world.clock.set(dt.datetime(2027, 1, 21, 9, 0, tzinfo=PACIFIC))  # the next morning: acknowledgements overdue


async def test_a_polish_sponsor_gets_the_polish_card_with_the_same_figures(world: StatusWorld) -> None:
    await story(world)
    english = await card_in(world, SPONSOR, "status", "en-US")
    polish = await card_in(world, SPONSOR, "status", "pl-PL")

    assert english["body"][0]["text"] == f"Migration status: {world.plan.organisation.name}"
    assert polish["body"][0]["text"] == f"Stan migracji: {world.plan.organisation.name}"
    assert polish["body"][1]["text"].startswith("Stan na ")
    shown = "\n".join(texts(polish))
    for english_words in ("Reach", "Readiness", "Cutover", "can be messaged", "Open problem reports", "registered"):
        assert english_words in "\n".join(texts(english))
        assert english_words not in shown, english_words
    for polish_words in ("Zasięg", "Gotowość", "Przełączenie", "można napisać do", "Otwarte zgłoszenia problemów"):
        assert polish_words in shown
    for wave in world.plan.waves:  # each wave's title in Polish, with the plan's Polish name for it
        with i18n.use("pl-PL"):
            title = wave.title
        assert title.startswith(f"Fala {wave.number} - ") and title != wave.plan_title
        assert any(t.startswith(f"{title}: ") for t in texts(polish))
    assert "actions" not in polish  # still the sponsor's read-only card
    # Areas by the plan's Polish names where it has them (reports were filed about email and printing).
    for key in ("email", "printing-apps"):
        area = world.plan.area(key)
        assert area.translations["pl"].name in shown and area.name not in shown
        assert area.name in "\n".join(texts(english))

    # The same figures, fact by fact (the dates aside, which Polish writes its own way), and in
    # every heading and line.
    english_facts, polish_facts = facts(english), facts(polish)
    assert len(english_facts) == len(polish_facts) > 1
    for en_set, pl_set in zip(english_facts, polish_facts, strict=True):
        assert len(en_set) == len(pl_set)
        for (en_title, en_value), (_, pl_value) in zip(en_set, pl_set, strict=True):
            if en_title not in ("Cutover", "Hypercare until"):
                assert numbers(en_value) == numbers(pl_value), (en_title, en_value, pl_value)
    headings = [e["text"] for e in english["body"] if e.get("weight") == "Bolder"]
    polish_headings = [e["text"] for e in polish["body"] if e.get("weight") == "Bolder"]
    assert [numbers(h) for h in headings] == [numbers(h) for h in polish_headings]
    assert any("Overdue acknowledgements: " in h and numbers(h) != ["0"] for h in headings)

    # The English reader's card is the one English Teams always got.
    assert english == await status_card(world, SPONSOR)


async def test_a_spanish_lead_pages_the_drill_downs_in_spanish_and_refusals_follow_the_reader(
    world: StatusWorld,
) -> None:
    await story(world)
    lead = await card_in(world, LEAD, "status", "es-MX")
    assert lead["body"][0]["text"].startswith("Estado de la migración: ")
    assert [a["title"] for a in lead["actions"]][-1] == "Actualizar"
    buttons = [
        a
        for e in lead["body"]
        if e["type"] == "ActionSet"
        for a in e["actions"]
        if a["verb"] == "status_people" and a["data"]["kind"] == "unreachable"
    ]
    assert buttons and buttons[0]["title"].startswith("Sin alcance (")
    unreachable = int(numbers(buttons[0]["title"])[0])
    status, body = await press(world, LEAD, "status_people", buttons[0]["data"], "es-MX")
    assert status == 200, body
    page = body["value"]
    subtitle = page["body"][1]["text"]
    assert subtitle.startswith(f"{unreachable} personas · página 1 de "), subtitle
    assert [a["title"] for a in page["actions"]][-1] == "Volver al estado"

    # Someone else: the refusal in their language (and English for English Teams, as before).
    replies = await world.teams.say(person(ORDINARY), "status", locale="pl-PL")
    assert [r.text for r in replies if r.text][0].startswith("Ogólny stan migracji jest dostępny")
    status, body = await press(world, ORDINARY, "status_refresh", {}, "es-US")
    refusal = "El estado de la migración es para los responsables del proyecto."
    assert refusal in str(body) or any(refusal in r.text for r in world.teams.connector.received[-3:]), body
