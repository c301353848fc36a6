"""Every kind of question through /api/messages, answered to a loopback Bot Connector."""

from __future__ import annotations

import csv
import re
import uuid

from switchover.answers.store import AnswerStore, GapKind
from tests.support.app import FABRIKAM, Person, TeamsClient, person

LA = "America/Los_Angeles"


def _card(replies: list) -> dict:  # type: ignore[type-arg]
    cards = [r.card for r in replies if r.card]
    assert len(cards) == 1, replies
    return cards[0]


def _text(replies: list) -> str:  # type: ignore[type-arg]
    (reply,) = [r for r in replies if r.card]
    return reply.card_text()


async def test_personal_schedule_for_a_champion_in_pacific_time(teams: TeamsClient) -> None:
    text = _text(await teams.say("grace.okafor", "when is my migration", time_zone=LA))
    assert "Saturday 16 January 2027, 08:00-14:00 PST" in text
    assert "Wave 0 - Pilot" in text and "in 12 days" in text  # the test clock is Monday 4 January
    assert "Tacoma Clinic site champion" in text


async def test_with_the_csv_roster_readiness_comes_from_the_plans_export(teams: TeamsClient) -> None:
    # The roster cannot tell who has registered MFA; the Entra export the Fabrikam plan names can.
    # Only whoever it lists as not registered is told they are not ready.
    with (FABRIKAM / "exports" / "UserRegistrationDetails.csv").open(encoding="utf-8-sig", newline="") as f:
        registered = {r["User principal name"].casefold(): r["Is MFA Registered"] == "True" for r in csv.DictReader(f)}
    told = {}
    for who in ("grace.okafor", "nora.abbott", "wesley.grant", "omar.reyes"):
        replies = await teams.say(who, "when is my migration", time_zone=LA)
        (reply,) = [r for r in replies if r.card]
        assert "Your move to Microsoft 365" in reply.card_text()
        told[who] = "Before your cutover" in reply.card_text()
        assert told[who] == ("Before your cutover" in reply.body["summary"])
    assert told == {who: not registered[person(who).upn.casefold()] for who in told}
    assert set(told.values()) == {True, False}  # the example has both


async def test_boise_worker_gets_mountain_time_and_without_a_zone_the_plan_zone(teams: TeamsClient) -> None:
    mountain = _text(await teams.say("wesley.grant", "when is my cutover", time_zone="America/Boise"))
    assert "Saturday 30 January 2027, 08:00-16:00 MST" in mountain
    pacific = _text(await teams.say("wesley.grant", "when is my cutover"))
    assert "Saturday 30 January 2027, 07:00-15:00 PST" in pacific
    assert "Teams did not tell us yours" in pacific


async def test_exceptions(teams: TeamsClient) -> None:
    farah = _text(await teams.say("farah.ahmed", "which wave am i in", time_zone=LA))
    assert "Wave 3 - Spokane & Portland" in farah and "Saturday 27 February 2027, 07:00-16:00 PST" in farah
    omar = _text(await teams.say("omar.reyes", "wen do i move", time_zone=LA))
    assert "Wave 2" in omar and "Saturday 13 February 2027, 07:00-16:00 PST" in omar


async def test_unknown_and_guest_askers(teams: TeamsClient) -> None:
    stranger = Person("stranger@contoso.com", "Stranger", str(uuid.uuid4()))
    unknown = _card(await teams.say(stranger, "when is my migration", time_zone=LA))
    assert any(a.get("url") == "tel:+12065550100" for a in unknown["actions"])
    guest = person("priya.raman_northwindmsp.com#EXT#@fabrikamhealth.onmicrosoft.com")
    assert "guest accounts" in _text(await teams.say(guest, "when do i move", time_zone=LA))


async def test_other_groups_and_dates(teams: TeamsClient) -> None:
    tacoma = _text(await teams.say("vanessa.fox", "when does the tacoma clinic move", time_zone=LA))
    assert "Wave 2 - Seattle & Tacoma clinical" in tacoma and "Saturday 13 February 2027" in tacoma
    weekend = _text(await teams.say("vanessa.fox", "what's happening this weekend", time_zone=LA))
    assert "Nothing of the migration is planned this weekend" in weekend
    pilot = _text(await teams.say("vanessa.fox", "what is going on on jan 16", time_zone=LA))
    assert "Wave 0 - Pilot cutover" in pilot


async def test_channel_mention(teams: TeamsClient) -> None:
    who = person("hiro.tanaka")
    mention = {
        "type": "mention",
        "mentioned": {"id": teams.bot_id, "name": "Switchover"},
        "text": "<at>Switchover</at>",
    }
    replies = await teams.say(
        who,
        "<at>Switchover</at> when is my cutover",
        time_zone=LA,
        conversation_id="19:general@thread.tacv2",
        conversation_type="channel",
        entities=[mention],
    )
    assert "Saturday 16 January 2027, 08:00-14:00 PST" in _text(replies)


async def test_faq_answer_and_votes_are_stored(teams: TeamsClient) -> None:
    card = _card(await teams.say("nora.abbott", "wil i loose my emails", time_zone=LA))
    assert "All mail, calendar items and contacts are copied" in " ".join(b.get("text", "") for b in card["body"])
    unhelpful = next(a for a in card["actions"] if a.get("verb") == "faq_unhelpful")
    status, body = await teams.invoke_action("nora.abbott", "faq_unhelpful", unhelpful["data"])
    assert status == 200 and body["type"] == "application/vnd.microsoft.card.adaptive"
    verbs = [a.get("verb") for a in body["value"]["actions"]]
    assert "faq_helpful" not in verbs and "faq_unhelpful" not in verbs and "report_problem" in verbs
    others = [a["data"]["faq_key"] for a in body["value"]["actions"] if a.get("verb") == "faq_pick"]
    assert "lose-email" not in others and len(others) <= 3
    store = AnswerStore(teams.app.services.db)
    (gap,) = await store.gaps(tenant_id=teams.tenant_id)
    assert (gap.kind, gap.faq_key, gap.question) == (GapKind.UNHELPFUL, "lose-email", "wil i loose my emails")


async def test_suggestions_then_pick_and_nothing_close(teams: TeamsClient) -> None:
    unsure = "who do I talk to if something goes wrong"
    card = _card(await teams.say("nora.abbott", unsure, time_zone=LA))
    picks = [a for a in card["actions"] if a.get("verb") == "faq_pick"]
    assert picks and picks[0]["data"]["faq_key"] == "contact"
    status, body = await teams.invoke_action("nora.abbott", "faq_pick", picks[0]["data"])
    assert status == 200 and "Service Desk" in str(body["value"])
    lunch = _card(await teams.say("nora.abbott", "can you order lunch", time_zone=LA))
    assert any(a.get("verb") == "report_problem" for a in lunch["actions"])
    gaps = await AnswerStore(teams.app.services.db).gaps(tenant_id=teams.tenant_id)
    assert {(g.kind, g.question) for g in gaps} == {
        (GapKind.UNCLEAR, unsure),
        (GapKind.UNANSWERED, "can you order lunch"),
    }


_MONTHS_EN = "january february march april may june july august september october november december".split()
_MONTHS_ES = "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre".split()


def _moments(card: dict, months: list[str]) -> list[tuple[int, ...]]:  # type: ignore[type-arg]
    """The days (day, month, year) and clock times (hour, minute) of a card's facts, in order, any language."""
    found: list[tuple[int, ...]] = []
    for fact in (f for block in card["body"] for item in block.get("items", ()) for f in item.get("facts", ())):
        value = fact["value"].replace("\xa0", " ")
        for m in re.finditer(
            r"(\d{1,2}) (?:de )?([^\W\d]+)(?: de)? (\d{4})|(\d{1,2}):(\d{2})(?: ([ap])\. m\.)?", value
        ):
            if m.group(1):
                found.append((int(m.group(1)), months.index(m.group(2).casefold()) + 1, int(m.group(3))))
            else:
                hour = int(m.group(4)) % 12 + (12 if m.group(6) == "p" else 0) if m.group(6) else int(m.group(4))
                found.append((hour, int(m.group(5))))
    return found


async def test_the_same_question_in_spanish_gets_the_same_wave_and_dates(teams: TeamsClient) -> None:
    for who in ("grace.okafor", "wesley.grant", "farah.ahmed"):
        english = _card(await teams.say(who, "when is my migration", time_zone=LA))
        spanish = _card(await teams.say(who, "¿cuándo es mi migración?", time_zone=LA, locale="es-US"))
        waves = [
            [a["data"]["wave"] for a in card["actions"] if a.get("verb") == "report_problem"]
            for card in (english, spanish)
        ]
        assert waves[0] == waves[1] and len(waves[0]) == 1, who
        assert _moments(english, _MONTHS_EN) == _moments(spanish, _MONTHS_ES) != [], who
        assert "de 2027" in str(spanish) and "de 2027" not in str(english)  # the dates are said in Spanish


async def test_a_spanish_faq_question_gets_the_entrys_spanish_answer(teams: TeamsClient) -> None:
    card = _card(await teams.say("nora.abbott", "¿voy a perder mis correos viejos?", time_zone=LA, locale="es-US"))
    said = " ".join(b.get("text", "") for b in card["body"])
    assert "Todo el correo, los elementos del calendario y los contactos se copian" in said
    assert "All mail, calendar items and contacts" not in said
    votes = [a["data"].get("faq_key") for a in card["actions"] if a.get("verb", "").startswith("faq_")]
    assert votes and set(votes) == {"lose-email"}


async def test_the_same_question_in_spanish_teams_gets_the_same_facts_in_spanish(teams: TeamsClient) -> None:
    # The asker's Teams is in Spanish (activity.locale): the answer's words and dates are Spanish, the
    # wave the same one (its title in Spanish, with the plan's Spanish name) and the times the same moments.
    english = _text(await teams.say("vanessa.fox", "when is my migration", time_zone=LA, locale="en-US"))
    replies = await teams.say("vanessa.fox", "when is my migration", time_zone=LA, locale="es-US")
    spanish = _text(replies)
    assert "Wave 1 - Corporate" in english and "Ola 1 - Oficinas corporativas" in spanish
    assert "Wave" not in spanish and "Corporate" not in spanish
    assert "Saturday 30 January 2027, 07:00-15:00 PST" in english
    assert "sábado, 30 de enero de 2027" in spanish and "PST" in spanish and "Saturday" not in spanish
    assert "Su migración a Microsoft 365 es el sábado" in spanish
    (card_reply,) = [r for r in replies if r.card]
    assert card_reply.body["summary"].startswith("Su migración a Microsoft 365")
