"""What a trial by a customer other than the demo's found, proven end to end over /api/messages.

One test per finding, named after it. Every question goes through the real app over HTTP
as Teams sends it, on the plan and roster of Wide World Importers (Hamburg, Kraków,
Monterrey, Memphis; drives P:, Q:, X:) or Trey Research (UK, Ireland, Australia, New
Zealand; drives T: and J:), never the demo's. The demo's words ("head office", "H: and S:",
its sites and departments) must not leak into these customers' answers: each test names
what the demo would have said so that the leak fails it.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import yaml

from scheduler.jobs import announcements_due
from switchover.clock import ManualClock
from tests.support.app import EXAMPLES, Person, TeamsClient, customer_app, make_settings, person, start_app
from tests.support.connector import LoopbackConnector, Received
from tests.support.identity import LoopbackIdentity

BERLIN = "Europe/Berlin"
LONDON = "Europe/London"
MONTERREY = "America/Monterrey"
KATRIN = "katrin.classen@wideworldimporters.com"  # Hamburg Head Office, Finance: Wave 1 - Hamburg
ITZEL = "itzel.montemayor@wideworldimporters.com"  # Monterrey DC: Wave 3 - Monterrey
AYSE = "ayse.yilmaz@wideworldimporters.com"  # Hamburg DC, warehouse shifts
OLIVER = "oliver.bramwell@treyresearch.net"  # London: Wave 1 - UK

# What the demo's plan calls its places, departments and drives: none of it may reach another customer.
DEMO_WORDS = ("Seattle", "Tacoma", "Spokane", "Portland", "Revenue Cycle", "Front Desk", "H: and S:", "H drive")

# Whatever answers "when do I move" for the asker: a confident statement of their own schedule.
OWN_SCHEDULE = ("Your move", "your move", "Your files move", "Your email moves", "You are in")


@pytest.fixture
def clock_start() -> dt.datetime:
    # Monday 1 February 2027: before every wave of both customers.
    return dt.datetime(2027, 2, 1, 8, 30, tzinfo=dt.UTC)


@pytest.fixture
async def wideworld(
    tmp_path: Path, clock: ManualClock, identity: LoopbackIdentity | None, connector: LoopbackConnector
) -> AsyncIterator[TeamsClient]:
    home = tmp_path / "wideworld"  # each customer's own database, when a test talks to two apps
    home.mkdir()
    async with customer_app("wideworld", home, clock, identity, connector) as client:
        yield client


@pytest.fixture
async def trey(
    tmp_path: Path, clock: ManualClock, identity: LoopbackIdentity | None, connector: LoopbackConnector
) -> AsyncIterator[TeamsClient]:
    home = tmp_path / "trey"  # each customer's own database, when a test talks to two apps
    home.mkdir()
    async with customer_app("trey", home, clock, identity, connector) as client:
        yield client


def _faq_answer(customer: str, key: str) -> str:
    """The answer the customer's plan gives for its FAQ entry ``key`` (what the user should read)."""
    plan = yaml.safe_load((EXAMPLES / customer / "plan.yaml").read_text(encoding="utf-8"))
    return next(entry["answer"] for entry in plan["faq"] if entry["key"] == key).strip()


def _faq_question(customer: str, key: str) -> str:
    plan = yaml.safe_load((EXAMPLES / customer / "plan.yaml").read_text(encoding="utf-8"))
    return next(entry["question"] for entry in plan["faq"] if entry["key"] == key).strip()


def _verbs(node: Any) -> set[str]:
    if isinstance(node, dict):
        found = {node["verb"]} if isinstance(node.get("verb"), str) else set()
        return found.union(*(_verbs(v) for v in node.values()))
    if isinstance(node, list):
        return set().union(*(_verbs(v) for v in node))
    return set()


async def _cards(teams: TeamsClient, who: str, question: str, time_zone: str) -> list[Received]:
    return [r for r in await teams.say(who, question, time_zone=time_zone) if r.card]


async def _text(teams: TeamsClient, who: str, question: str, time_zone: str) -> str:
    """The text of the one card the bot answers ``question`` with (a problem report would be a second card)."""
    cards = await _cards(teams, who, question, time_zone)
    assert len(cards) == 1, [c.card_text() for c in cards]
    return cards[0].card_text()


def _no_demo_words(text: str) -> None:
    leaked = [w for w in DEMO_WORDS if w in text]
    assert not leaked, f"the demo's {leaked} in another customer's answer: {text}"


def _the_entry_or_suggestions(text: str, customer: str, key: str) -> None:
    """The right FAQ entry's answer, or suggestions that offer it; never another entry stated as the answer.

    Another entry's answer card shows that entry's question and answer, not this one's; a card of
    suggestions shows the questions it offers.
    """
    answer, question = _faq_answer(customer, key), _faq_question(customer, key)
    assert answer in text or question in text, text


# -- demo vocabulary in the engine -------------------------------------------------------------------


async def test_a_head_office_hq_billing_reception_mean_this_plans_aliases_or_nothing(
    wideworld: TeamsClient, trey: TeamsClient
) -> None:
    # Wide World's aliases: "HQ" and "head office" are Hamburg Head Office, "accounting" is Finance.
    for typed in ("when does HQ move", "when does head office move"):
        text = await _text(wideworld, ITZEL, typed, MONTERREY)  # asked from Monterrey: not the asker's own wave
        assert "Hamburg Head Office moves with Wave 1 - Hamburg" in text, text
        assert "Wave 3 - Monterrey" not in text
        _no_demo_words(text)
    accounting = await _text(wideworld, ITZEL, "when does accounting move", MONTERREY)
    assert "Finance moves with" in accounting
    # Neither plan has a group called HQ, head office, main office, billing or reception (Trey's FAQ speaks of
    # mobile reception, nothing more): no group of the demo's, and no confident statement of the asker's own move.
    for teams, who, zone, typed in (
        (trey, OLIVER, LONDON, "when does HQ move"),
        (trey, OLIVER, LONDON, "when does headquarters move"),
        (trey, OLIVER, LONDON, "when does the main office move"),
        (trey, OLIVER, LONDON, "when does billing move"),
        (wideworld, KATRIN, BERLIN, "when does billing move"),
        (wideworld, KATRIN, BERLIN, "when does reception move"),
        # Trey's FAQ speaks of mobile reception: a word of the FAQ is still no group that moves.
        (trey, OLIVER, LONDON, "when does reception move"),
    ):
        text = await _text(teams, who, typed, zone)
        _no_demo_words(text)
        assert "don't know" in text and not any(s in text for s in OWN_SCHEDULE), (typed, text)


async def test_schedule_answers_and_cards_name_this_plans_legacy_drives_not_h_and_s(
    wideworld: TeamsClient, trey: TeamsClient
) -> None:
    files = await _text(trey, OLIVER, "when do my files move", LONDON)
    assert "T: and J: become read-only on Friday 5 March 2027 at 17:30" in files
    _no_demo_words(files)
    # The whole schedule card: its facts name the plan's drives.
    card = await _text(trey, OLIVER, "when is my migration", LONDON)
    assert "T: and J: read-only" in card and "Saturday 6 March 2027" in card
    _no_demo_words(card)
    # What's on the Friday before the UK cutover: the plan's drives going read-only.
    friday = await _text(trey, OLIVER, "what's happening on 5/3", LONDON)
    assert "T: and J: read-only for Wave 1 - UK" in friday
    _no_demo_words(friday)
    # Wide World: only P: has a read-only moment (12:00 on cutover day); Q: and X: say nothing of one.
    hamburg = await _text(wideworld, KATRIN, "when do my files move", BERLIN)
    assert "P: becomes read-only on Saturday 20 March 2027 at 12:00" in hamburg
    _no_demo_words(hamburg)


async def test_another_drive_letter_the_plan_names_gets_a_files_answer_not_a_problem_report(
    wideworld: TeamsClient, trey: TeamsClient
) -> None:
    for teams, who, zone, typed, customer, key in (
        (wideworld, KATRIN, BERLIN, "where did my Q: drive go?", "wideworld", "q-drive"),
        (wideworld, KATRIN, BERLIN, "what happens to the X drive?", "wideworld", "x-drive"),
        (trey, OLIVER, LONDON, "where did my J: drive go?", "trey", "j-drive"),
        (trey, OLIVER, LONDON, "what happens to the T drive", "trey", "t-drive"),
    ):
        cards = await _cards(teams, who, typed, zone)
        assert len(cards) == 1, (typed, [c.card_text() for c in cards])
        assert not _verbs(cards[0].card) & {"problem_dialog", "problem_submit"}, typed
        _the_entry_or_suggestions(cards[0].card_text(), customer, key)


U_DRIVE_ANSWER = "Your U: drive is in OneDrive now, in the folder Migrated from U."


@pytest.fixture
async def trey_with_a_u_drive(
    tmp_path: Path, clock: ManualClock, identity: LoopbackIdentity | None, connector: LoopbackConnector
) -> AsyncIterator[TeamsClient]:
    """Trey Research, had its people a U: drive too (the plan's legacy section and an FAQ entry for it)."""
    plan = yaml.safe_load((EXAMPLES / "trey" / "plan.yaml").read_text(encoding="utf-8"))
    plan["legacy"].append({"name": "U: drive", "becomes": "OneDrive", "read_only": {"days": -1, "at": "17:30"}})
    plan["faq"].append(
        {
            "key": "u-drive",
            "question": "What happens to the U: drive?",
            "answer": U_DRIVE_ANSWER,
            "alternates": ["Where is my U drive after the move?", "Can I still save to the U drive?"],
            "topics": ["files"],
        }
    )
    home = tmp_path / "trey-u"
    home.mkdir()
    (home / "plan.yaml").write_text(yaml.safe_dump(plan, allow_unicode=True, sort_keys=False), encoding="utf-8")
    settings = make_settings(
        home,
        identity=identity,
        customer="trey",
        plan_path=home / "plan.yaml",
        roster_path=EXAMPLES / "trey" / "roster.csv",
    )
    runner, running = await start_app(settings, clock, identity=identity)
    try:
        async with aiohttp.ClientSession() as session:
            yield TeamsClient(
                running, connector, session, identity=identity, bot_id=f"28:{uuid.uuid4()}", customer="trey"
            )
    finally:
        await runner.cleanup()


async def test_u_drive_is_a_drive_not_you_drive(trey_with_a_u_drive: TeamsClient) -> None:
    teams = trey_with_a_u_drive
    # Read as "you drive", the U: drive's entry loses its letter and the question matches every drive alike.
    for typed in ("what happens to my U drive?", "can I still save to the U drive", "where is my u drive"):
        assert U_DRIVE_ANSWER in await _text(teams, OLIVER, typed, LONDON), typed
    text = await _text(teams, OLIVER, "when does my U drive go read only", LONDON)
    assert "T:, J: and U: become read-only" in text or "U: becomes read-only" in text, text
    # "u" alone is still chat for "you".
    chat = await _text(teams, OLIVER, "when do u move me", LONDON)
    assert "Your move to Microsoft 365 is on Saturday 6 March 2027" in chat


async def _report_area(teams: TeamsClient, who: Person, text: str) -> str:
    """Report ``text`` in one message, answer what the bot asks, and read the area on the confirmation card."""
    sent = await teams.say(who, f"report a problem {text}")
    for _ in range(3):
        card = next((r.card for r in reversed(sent) if r.card), None)
        assert card is not None, [r.body for r in sent]
        area = next((e for e in card.get("body", []) if e.get("id") == "area"), None)
        if area is not None:
            return str(area["value"])
        choice = next(a["data"] for a in card.get("actions", []) if a.get("verb") == "problem_dialog")
        before = len(teams.connector.received)
        status, _ = await teams.invoke_action(who, "problem_dialog", dict(choice))
        assert status == 200
        sent = [r for r in teams.connector.received[before:] if r.conversation_id == who.personal_conversation]
    raise AssertionError(f"no confirmation card for {text!r}")


async def test_a_report_about_this_customers_own_systems_routes_to_its_area(
    wideworld: TeamsClient, trey: TeamsClient
) -> None:
    # Each customer's own products and words are its areas' keywords; triage knows no demo product.
    for teams, customer, who, text, area in (
        (trey, "trey", OLIVER, "Tempora won't let me book my hours", "timesheets"),
        (trey, "trey", OLIVER, "Civil 3D crashes every time I open the model", "eng-software"),
        (trey, "trey", OLIVER, "the plotter won't print the A1 drawings", "eng-software"),
        (trey, "trey", OLIVER, "my field tablet has stopped syncing", "devices"),
        (wideworld, "wideworld", KATRIN, "the Zebra printer prints no pallet labels", "erp-labels"),
        (wideworld, "wideworld", KATRIN, "the ERP client won't start on the kiosk", "erp-labels"),
        (wideworld, "wideworld", KATRIN, "WWInet shows an error on the canteen menu", "intranet"),
    ):
        assert await _report_area(teams, person(who, customer), text) == area, text


async def test_a_team_named_like_a_shared_mailbox_is_not_the_mailbox(wideworld: TeamsClient, trey: TeamsClient) -> None:
    # The plans list "dispatch@" and "bids@" among the mail area's keywords: the mailbox's
    # address, not every mention of the team; and a longer phrase of one area ("canteen menu",
    # the intranet's) claims its word from another ("canteen", the catch-all's).
    for teams, customer, who, text, area in (
        (wideworld, "wideworld", KATRIN, "the dispatch channel is empty since this morning", "teams"),
        (wideworld, "wideworld", KATRIN, "nothing sent to dispatch@ arrives", "mail"),
        (wideworld, "wideworld", KATRIN, "the canteen menu is not on the intranet any more", "intranet"),
        (trey, "trey", OLIVER, "the Bids channel has no messages since Friday", "teams"),
    ):
        assert await _report_area(teams, person(who, customer), text) == area, text


# -- places the engine cannot find --------------------------------------------------------------------


async def test_a_site_typed_without_its_accent_finds_the_site(wideworld: TeamsClient) -> None:
    for typed in ("when does Krakow move", "when does krakow warehouse migrate", "when does KRAKÓW move"):
        text = await _text(wideworld, KATRIN, typed, BERLIN)
        assert "Wave 2 - Kraków" in text and "Wave 1 - Hamburg" not in text, (typed, text)
    # Home-office cities written in plain letters; "Koln" is too short for typo repair to find "Köln".
    for typed in ("when does Koln move", "when does Munchen move"):
        text = await _text(wideworld, ITZEL, typed, MONTERREY)
        assert "Wave 1 - Hamburg" in text and "Wave 3 - Monterrey" not in text, (typed, text)
        assert "don't know" not in text


async def test_a_country_gets_its_waves_not_the_askers_own_schedule(wideworld: TeamsClient, trey: TeamsClient) -> None:
    mexico = await _text(wideworld, KATRIN, "when does Mexico move?", BERLIN)
    assert "Mexico moves with Wave 3 - Monterrey" in mexico and "Wave 1 - Hamburg" not in mexico
    poland = await _text(wideworld, KATRIN, "when is poland migrating", BERLIN)
    assert "Poland moves with Wave 2 - Kraków" in poland
    ireland = await _text(trey, OLIVER, "when does ireland move", LONDON)
    assert "Wave 2 - Ireland" in ireland and "Wave 1 - UK" not in ireland
    new_zealand = await _text(trey, OLIVER, "when does new zealand migrate", LONDON)
    assert "Wave 3 - Australia & New Zealand" in new_zealand and "Wave 1 - UK" not in new_zealand
    # A country nobody is in: said so, not the asker's own move.
    canada = await _text(trey, OLIVER, "when does Canada move?", LONDON)
    assert "No one in Canada" in canada
    assert not any(s in canada for s in OWN_SCHEDULE) and "Wave 1 - UK" not in canada


@pytest.mark.parametrize(
    "typed",
    [
        "when does Scotland move?",
        "when does the Leeds office move",
        "when is EMEA migrating",
        "when does Belfast switch over",
        "when is Tasmania's cutover",
    ],
)
async def test_a_place_the_plan_does_not_know_is_said_so_not_answered_with_my_schedule(
    trey: TeamsClient, typed: str
) -> None:
    text = await _text(trey, OLIVER, typed, LONDON)
    assert not any(s in text for s in OWN_SCHEDULE), text
    assert "Saturday 6 March 2027" not in text  # the asker's own cutover
    assert "don't know" in text, text
    # It says what it does know: the plan's waves.
    assert "Wave 2 - Ireland" in text and "Wave 3 - Australia & New Zealand" in text
    _no_demo_words(text)


# -- reading mistakes not specific to any plan ---------------------------------------------------------


async def test_a_faq_question_containing_when_gets_the_faq_not_a_cutover_date(
    wideworld: TeamsClient, trey: TeamsClient
) -> None:
    for teams, customer, who, zone, typed, key in (
        (wideworld, "wideworld", KATRIN, BERLIN, "do my calendar invites survive when we switch?", "keep-mail"),
        (wideworld, "wideworld", KATRIN, BERLIN, "do my old mails come over when we move?", "keep-mail"),
        (trey, "trey", OLIVER, LONDON, "do my meetings stay in my calendar when we move?", "diary"),
        (trey, "trey", OLIVER, LONDON, "do google meet links still work when we move", "meet-links"),
        (trey, "trey", OLIVER, LONDON, "what happens to my gmail labels when we switch over", "gmail-labels"),
    ):
        text = await _text(teams, who, typed, zone)
        assert not any(s in text for s in OWN_SCHEDULE), (typed, text)
        _the_entry_or_suggestions(text, customer, key)


async def test_a_faq_question_containing_when_gets_the_faq_calendar_invites_at_trey(trey: TeamsClient) -> None:
    # "switch" is the move to FAQ retrieval (not a word no entry knows), so the diary entry is offered.
    text = await _text(trey, OLIVER, "do my calendar invites survive when we switch?", LONDON)
    assert not any(s in text for s in OWN_SCHEDULE), text
    _the_entry_or_suggestions(text, "trey", "diary")


async def test_a_weekday_that_is_not_about_the_cutover_gets_no_yes_or_no(
    wideworld: TeamsClient, trey: TeamsClient
) -> None:
    for teams, who, zone, typed in (
        (wideworld, AYSE, BERLIN, "I work the Sunday early shift, what do I do?"),
        (wideworld, AYSE, BERLIN, "I work Saturdays, is my move affected?"),
        (trey, OLIVER, LONDON, "I'm on site every Saturday, what do I do?"),
    ):
        text = await _text(teams, who, typed, zone)
        assert not text.startswith(("Yes", "No,")), (typed, text)
        assert "Yes: your move" not in text and "No, not" not in text, (typed, text)
    # Wide World's FAQ has the answer for shift workers: the entry itself, or offered first.
    shift = await _text(wideworld, AYSE, "I work the Sunday early shift, what do I do?", BERLIN)
    _the_entry_or_suggestions(shift, "wideworld", "shift-work")


async def test_a_typo_gets_the_right_faq_entry_or_suggestions_not_a_wrong_entry(
    wideworld: TeamsClient, trey: TeamsClient
) -> None:
    for teams, customer, who, zone, typed, key in (
        (trey, "trey", OLIVER, LONDON, "wil my calender survive the move", "diary"),
        (trey, "trey", OLIVER, LONDON, "wil my gmial lables be kept", "gmail-labels"),
        (wideworld, "wideworld", KATRIN, BERLIN, "wil my calender come over", "keep-mail"),
        (wideworld, "wideworld", KATRIN, BERLIN, "wil the zebra lable printers still print", "label-printers"),
    ):
        text = await _text(teams, who, typed, zone)
        _the_entry_or_suggestions(text, customer, key)
    # Asked as "when", the same typo is about the asker's own mail and diary moving, never another entry.
    moving = await _text(trey, OLIVER, "wil my calender move", LONDON)
    assert "Your email moves" in moving or _faq_answer("trey", "diary") in moving, moving


async def test_the_plans_aliases_for_waves_departments_and_countries_work_over_the_wire(
    wideworld: TeamsClient, trey: TeamsClient
) -> None:
    # Waves.
    last = await _text(wideworld, KATRIN, "when does the last wave go", BERLIN)
    assert "Wave 4 - Memphis" in last and "Wave 1 - Hamburg" not in last
    anz = await _text(trey, OLIVER, "when does ANZ move", LONDON)
    assert "Wave 3 - Australia & New Zealand" in anz and "Wave 1 - UK" not in anz
    pilot = await _text(trey, OLIVER, "when's the pilot", LONDON)
    assert "Wave 0 - IT pilot" in pilot
    # Departments.
    buyers = await _text(wideworld, ITZEL, "when does Einkauf move", MONTERREY)
    assert buyers.startswith("Purchasing moves with") or "Purchasing moves with" in buyers
    bids = await _text(trey, OLIVER, "when do the bids team move", LONDON)
    assert "Bids & Proposals moves with" in bids
    enviro = await _text(trey, OLIVER, "when do the enviro lot migrate", LONDON)
    assert "Environmental Science moves with" in enviro
    # Countries.
    germany = await _text(wideworld, ITZEL, "when does Deutschland move", MONTERREY)
    assert "Germany moves with Wave 1 - Hamburg" in germany and "Wave 3 - Monterrey" not in germany
    oz = await _text(trey, OLIVER, "when's Oz moving", LONDON)
    assert "Australia moves with Wave 3 - Australia & New Zealand" in oz
    irish = await _text(trey, OLIVER, "when does Éire move", LONDON)
    assert "Ireland moves with Wave 2 - Ireland" in irish
    for text in (last, anz, pilot, buyers, bids, enviro, germany, oz, irish):
        _no_demo_words(text)


# -- reading mistakes found after the first trial ---------------------------------------------------------


async def test_when_does_a_thing_of_the_faq_move_gets_that_entry_not_my_date(
    wideworld: TeamsClient, trey: TeamsClient
) -> None:
    # "when does X move" where X is what an FAQ entry's question is about: that entry, never the asker's date.
    for teams, customer, who, zone, typed, key in (
        (wideworld, "wideworld", KATRIN, BERLIN, "when does the ERP move", "erp"),
        (wideworld, "wideworld", KATRIN, BERLIN, "when does wwinet move", "intranet"),
        (trey, "trey", OLIVER, LONDON, "when does tempora move", "timesheets"),
    ):
        text = await _text(teams, who, typed, zone)
        assert _faq_answer(customer, key) in text, (typed, text)
        assert not any(s in text for s in OWN_SCHEDULE), (typed, text)


async def test_the_askers_own_move_in_everyday_words_gets_their_schedule(
    wideworld: TeamsClient, trey: TeamsClient
) -> None:
    for teams, who, zone, typed, wave in (
        (wideworld, KATRIN, BERLIN, "when am I up", "Wave 1 - Hamburg"),
        (trey, OLIVER, LONDON, "when am I up", "Wave 1 - UK"),
        (wideworld, KATRIN, BERLIN, "when is my change to microsoft", "Wave 1 - Hamburg"),
        (trey, OLIVER, LONDON, "is it this saturday or next for me", "Wave 1 - UK"),
        (trey, OLIVER, LONDON, "when do I get teams", "Wave 1 - UK"),
        (trey, OLIVER, LONDON, "do I move before or after easter", "Wave 1 - UK"),
        (wideworld, ITZEL, MONTERREY, "when do we in Monterrey change to outlook", "Wave 3 - Monterrey"),
    ):
        text = await _text(teams, who, typed, zone)
        assert any(s in text for s in OWN_SCHEDULE) and wave in text, (typed, text)
        _no_demo_words(text)


async def test_the_plans_old_mail_system_is_an_email_word(trey: TeamsClient) -> None:
    # Trey's plan: "Gmail" becomes Exchange Online (Outlook). Asked when, it is the asker's email moving.
    text = await _text(trey, OLIVER, "what day do I lose gmail", LONDON)
    assert "Your email moves" in text, text


async def test_who_to_ring_when_something_breaks_reaches_the_desk(trey: TeamsClient) -> None:
    # "ring", "wrong" and "breaks" are not the words of Trey's contact entry ("Who do I contact about the move?").
    for typed in ("who do i ring if it goes wrong", "who do I phone if something breaks"):
        text = await _text(trey, OLIVER, typed, LONDON)
        assert _faq_answer("trey", "contact").split(".")[0] in text, (typed, text)


async def test_someone_at_work_on_the_cutover_is_not_told_what_to_do_while_away(trey: TeamsClient) -> None:
    # Trey's only entry for the cutover weekend off is for people away: offered at most, never stated.
    text = await _text(trey, OLIVER, "I'm on shift during my cutover", LONDON)
    assert _faq_answer("trey", "annual-leave") not in text, text
    assert not any(s in text for s in OWN_SCHEDULE), text


# -- paraphrases further from the FAQ's wording than the demo's labelled questions ---------------------


@pytest.mark.parametrize(
    ("customer", "who", "zone", "typed", "key"),
    [
        pytest.param(
            "wideworld",
            KATRIN,
            BERLIN,
            "I only have an old Nokia without apps, how do I approve logins?",
            "no-smartphone",
            # Open: answered "I don't know that one" (no wrong entry, but not the entry either).
            marks=pytest.mark.xfail(strict=True, reason="below the FAQ threshold: no words in common"),
        ),
        ("wideworld", KATRIN, BERLIN, "is our team's orders inbox still there on Monday?", "shared-mailboxes"),
        ("wideworld", KATRIN, BERLIN, "can I get Teams in Polish", "language"),
        ("trey", OLIVER, LONDON, "will my folders of labels from gmail survive", "gmail-labels"),
        # A statement of where the asker will be on the cutover weekend, asking nothing of the date.
        ("trey", OLIVER, LONDON, "I'll be up a hill with no phone coverage on cutover weekend", "no-signal"),
        ("trey", OLIVER, LONDON, "how do I log my hours after the switch", "timesheets"),
    ],
)
async def test_a_paraphrase_far_from_the_faqs_wording_finds_its_entry_or_offers_it(
    wideworld: TeamsClient, trey: TeamsClient, customer: str, who: str, zone: str, typed: str, key: str
) -> None:
    teams = {"wideworld": wideworld, "trey": trey}[customer]
    text = await _text(teams, who, typed, zone)
    _the_entry_or_suggestions(text, customer, key)
    assert not any(s in text for s in OWN_SCHEDULE), text
    _no_demo_words(text)


# -- one of everything else: the same announcement text for every wave ------------------------------------


GEORGIA = "georgia.mckenzie@treyresearch.net"  # Sydney: Wave 3 - Australia & New Zealand, Sydney time


async def _deliver(teams: TeamsClient, clock: ManualClock) -> None:
    """Start what is due now and let the delivery worker send it all, on the test's clock."""
    services = teams.app.services
    await announcements_due(services)
    for _ in range(200):
        await services.delivery.drain(until_idle=False)
        wait = await services.delivery._seconds_until_more_work()
        if wait is None:
            return
        clock.advance(dt.timedelta(seconds=max(wait, 1)))
    raise AssertionError("deliveries still pending")


def _first_morning_cards(teams: TeamsClient, who: Person) -> list[str]:
    cards = [r for r in teams.connector.received if r.conversation_id == who.personal_conversation and r.card]
    return [r.card_text() for r in cards if "First morning on Microsoft 365" in r.card_text()]


async def test_each_wave_reads_its_own_wording_of_a_calendar_entry(trey: TeamsClient, clock: ManualClock) -> None:
    # Trey's Wave 3 (Sydney) rewrites the plan's "first-morning" entry: London's desk opens in its late afternoon.
    oliver, georgia = person(OLIVER, "trey"), person(GEORGIA, "trey")
    await trey.say(oliver, "hello", time_zone=LONDON)
    await trey.say(georgia, "hello", time_zone="Australia/Sydney")
    services = trey.app.services
    assert await announcements_due(services) == []  # the scheduler's wake-up: nothing due on 1 February
    uk = await services.announcements.get("wave-1/first-morning")
    anz = await services.announcements.get("wave-3/first-morning")
    assert uk.send_at is not None and anz.send_at is not None and uk.send_at < anz.send_at

    clock.set(uk.send_at)
    await _deliver(trey, clock)
    (to_oliver,) = _first_morning_cards(trey, oliver)
    assert "If something isn't right, tell us here." in to_oliver
    assert "late afternoon" not in to_oliver
    assert _first_morning_cards(trey, georgia) == []  # not her wave

    clock.set(anz.send_at)
    await _deliver(trey, clock)
    (to_georgia,) = _first_morning_cards(trey, georgia)
    assert "The Service Desk in London opens in your late afternoon" in to_georgia
    assert "If something isn't right, tell us here." not in to_georgia
    assert len(_first_morning_cards(trey, oliver)) == 1  # the UK wave's entry, once
    # Monday 12 April 2027, 08:00 in Sydney: the wave's own zone, not the organisation's.
    assert anz.send_at == dt.datetime(2027, 4, 11, 22, 0, tzinfo=dt.UTC)
