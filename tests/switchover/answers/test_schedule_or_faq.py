"""Schedule, FAQ or nothing: the decision for questions worded as no tuning set words them, on every
customer's plan. The asker's own move said in more ways ("is my cutover finished yet", "am I with
them"), what the move does to a thing ("is outlook going to be offline the whole weekend", "where do I
find the team share once we move") and dates that are not the move's ("when does daylight saving end")."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from switchover.answers.engine import AnswerEngine
from switchover.answers.model import AnswerKind, Who
from switchover.answers.understanding import Facet
from switchover.clock import ManualClock
from switchover.directory.roster import RosterDirectory
from switchover.membership import resolve_wave
from switchover.plan.loader import load_plan

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
# A best match (one FAQ entry offered as a guess) is not a schedule either.
NOT_A_SCHEDULE = (AnswerKind.FAQ, AnswerKind.BEST_MATCH, AnswerKind.SUGGESTIONS, AnswerKind.NOTHING)


class _Customer:
    def __init__(self, name: str) -> None:
        folder = EXAMPLES / name
        defaults = yaml.safe_load((folder / "questions.yaml").read_text(encoding="utf-8"))["defaults"]
        self.plan = load_plan(folder / "plan.yaml")
        self.roster = RosterDirectory.from_csv(folder / "roster.csv")
        self.engine = AnswerEngine(self.plan, self.roster, ManualClock(dt.datetime.fromisoformat(str(defaults["now"]))))
        users = self.roster.users
        self.asker = next(u for u in users if resolve_wave(self.plan, u).wave is not None and u.office)
        self.wave = resolve_wave(self.plan, self.asker).wave
        # A site of the plan other than the asker's wave's, and a department of the directory.
        self.site = next(s for w in self.plan.waves for s in w.sites)
        self.department = next(u.department for u in users if u.department)

    async def ask(self, text: str):  # type: ignore[no-untyped-def]
        return await self.engine.answer(text, Who(upn=self.asker.upn))


@pytest.fixture(scope="module", params=("fabrikam", "trey", "wideworld"))
def customer(request: pytest.FixtureRequest) -> _Customer:
    return _Customer(request.param)


@pytest.mark.parametrize(
    "question",
    [
        "please tell me my go-live",
        "pls tell me my cutover",
        "is my migration finished yet",
        "is our cutover done",
        "so when do I actually move",
        "ok but when do i really go",
        "when does my stuff move over",
        "when do my files go across",
        "will I have missed the migration by then",
        "last day I can still save my files before we switch?",
    ],
)
async def test_the_askers_own_move_said_more_ways_gets_their_schedule(customer: _Customer, question: str) -> None:
    answer = await customer.ask(question)
    assert answer.kind is AnswerKind.PERSONAL, (question, answer.kind, answer.headline)
    assert answer.wave_key == customer.wave.key


async def test_whether_a_groups_date_is_mine_gets_my_wave(customer: _Customer) -> None:
    # The group is what the asker already knows; the question is whether the asker moves with it.
    for question in (
        f"the rest of {customer.site} goes on the 30th, am I with them",
        f"{customer.site} is on the 6th, is that for me too",
        f"i sit with {customer.site} until may, which date counts for me",
        f"is the {customer.site} weekend the one that applies to me",
    ):
        answer = await customer.ask(question)
        assert answer.kind is AnswerKind.PERSONAL, (question, answer.kind, answer.headline)
        assert answer.wave_key == customer.wave.key
        assert answer.facet is Facet.WAVE, question


async def test_mine_the_one_on_a_date_gets_my_schedule(customer: _Customer) -> None:
    day = customer.wave.cutover.start
    answer = await customer.ask(f"is mine the {day:%b} {day.day} one?")
    assert answer.kind is AnswerKind.PERSONAL and answer.headline.startswith("Yes"), answer.headline


@pytest.mark.parametrize(
    "question",
    [
        # something not working, or whether it will
        "is outlook going to be offline the whole weekend",
        "email is really slow today, it's our cutover day",
        "nothing in my inbox since this morning, we are migrating today",
        # where a thing is, or what becomes of it
        "where do I find the team share once we move",
        "the project drive, where does that live after the migration",
        "is my windows password the same after the move",
        "reports and timesheets after cutover, anything change?",
        "will my orders next week be affected by the migration",
        # what to do then
        "do the weekend crew have to do anything when the switch happens this weekend",
        "my password runs out on the saturday of the cutover, can i change it then",
    ],
)
async def test_what_the_move_does_to_a_thing_is_not_a_schedule(customer: _Customer, question: str) -> None:
    answer = await customer.ask(question)
    assert answer.kind in NOT_A_SCHEDULE, (question, answer.kind, answer.headline)


async def test_a_question_about_a_group_but_not_its_date_is_not_its_schedule(customer: _Customer) -> None:
    for question in (
        f"can customers still email the {customer.site} office while the migration is happening",
        f"who is the go-to person in the {customer.site} office for all this",
        f"who's moving into the empty office next to {customer.department}",
        f"what time does the {customer.site} office shut on friday",
    ):
        answer = await customer.ask(question)
        assert answer.kind in NOT_A_SCHEDULE, (question, answer.kind, answer.headline)


@pytest.mark.parametrize(
    "question",
    [
        "when does daylight saving end",
        "when do we get paid this month",
        "what's on the canteen menu today",
        "when does the canteen open tomorrow",
    ],
)
async def test_a_date_of_everyday_life_is_not_the_moves(customer: _Customer, question: str) -> None:
    answer = await customer.ask(question)
    assert answer.kind in NOT_A_SCHEDULE, (question, answer.kind, answer.headline)
    assert answer.kind is not AnswerKind.FAQ or answer.confidence < 1.0


async def test_the_move_said_around_a_date_still_gets_a_schedule(customer: _Customer) -> None:
    # The same words beside the move stay schedule questions: the rules above must not take them.
    for question, kind in (
        ("when do I move", AnswerKind.PERSONAL),
        ("is my move this weekend", AnswerKind.PERSONAL),
        ("which wave am i in", AnswerKind.PERSONAL),
        (f"when does {customer.site} move", AnswerKind.GROUP),
        ("what's happening next week", AnswerKind.WHATS_ON),
        ("who moves between feb 1 and feb 28", AnswerKind.WHATS_ON),
    ):
        answer = await customer.ask(question)
        assert answer.kind is kind, (question, answer.kind, answer.headline)


async def test_which_waves_move_in_a_range_names_the_moves_only(customer: _Customer) -> None:
    # "Which waves go live in <month>": the waves whose cutover is then; "what's on in <month>" also
    # names a wave whose read-only time or hypercare end falls then.
    wave = customer.wave
    month = wave.cutover.start.strftime("%B").lower()
    moves = await customer.ask(f"which waves go live in {month}")
    on = await customer.ask(f"what's on in {month}")
    assert moves.kind is AnswerKind.WHATS_ON and on.kind is AnswerKind.WHATS_ON
    assert moves.events and all(e.until is not None for e in moves.events), [e.title for e in moves.events]
    assert wave.key in {e.wave_key for e in moves.events}
    assert {(e.wave_key, e.title) for e in moves.events} <= {(e.wave_key, e.title) for e in on.events}
    assert len(on.events) > len(moves.events), [e.title for e in on.events]


async def test_the_phone_app_before_my_move_is_the_mfa_deadline(customer: _Customer) -> None:
    answer = await customer.ask("must i have the phone app registered before my wave or after it")
    assert answer.kind is AnswerKind.PERSONAL and answer.facet is Facet.MFA, (answer.kind, answer.headline)
    assert answer.headline.startswith("Set up Microsoft Authenticator before your cutover")
