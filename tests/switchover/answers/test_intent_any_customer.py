"""Which kind of answer a question gets, the same for every customer's plan: the asker's own
move said without a move word, "my account" beside a department called "accounts", and a
question about what to do on the cutover weekend."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

import pytest
import yaml

from switchover.answers.engine import AnswerEngine
from switchover.answers.model import AnswerKind, Who
from switchover.clock import ManualClock
from switchover.directory.roster import RosterDirectory
from switchover.membership import resolve_wave
from switchover.plan.loader import load_plan

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
CUSTOMERS = ("fabrikam", "trey", "wideworld")


class _Customer:
    def __init__(self, name: str) -> None:
        folder = EXAMPLES / name
        defaults = yaml.safe_load((folder / "questions.yaml").read_text(encoding="utf-8"))["defaults"]
        self.plan = load_plan(folder / "plan.yaml")
        self.roster = RosterDirectory.from_csv(folder / "roster.csv")
        now = dt.datetime.fromisoformat(str(defaults["now"]))
        self.engine = AnswerEngine(self.plan, self.roster, ManualClock(now))
        self.asker = defaults["as"] if "@" in defaults["as"] else None
        self.zone = defaults.get("tz")

    async def wave_of_asker(self) -> str:
        user = await self.roster.get(self.asker)
        assert user is not None
        wave = resolve_wave(self.plan, user).wave
        assert wave is not None
        return wave.key

    async def ask(self, text: str):  # type: ignore[no-untyped-def]
        return await self.engine.answer(text, Who(upn=self.asker, time_zone=self.zone))


@pytest.fixture(scope="module", params=CUSTOMERS)
def customer(request: pytest.FixtureRequest) -> _Customer:
    c = _Customer(request.param)
    if c.asker is None:  # a short default asker: take the first roster member in a wave
        users = asyncio.run(c.roster.all_users())
        c.asker = next(u.upn for u in users if resolve_wave(c.plan, u).wave is not None)
    return c


@pytest.mark.parametrize(
    "question",
    [
        "when's it happening for me",
        "when is it happening for us",
        "what weekend is mine",
        "which day is ours",
        "which saturday is ours",
        "is mine this weekend",
        "have I been migrated yet",
        "have we already been moved",
        "when does my account get moved",
        "when do my accounts move",
        "when am I due",
        "when's my big day",
        "any idea when I'm going",
        "what weekend am I",
        "what group am I in",
        "which batch are we in",
        "am I in the first wave",
    ],
)
async def test_the_askers_own_move_gets_their_schedule(customer: _Customer, question: str) -> None:
    answer = await customer.ask(question)
    assert answer.kind is AnswerKind.PERSONAL, (question, answer.kind, answer.headline)
    assert answer.wave_key == await customer.wave_of_asker()


async def test_a_people_word_after_my_keeps_the_department(customer: _Customer) -> None:
    aliases = customer.plan.aliases.departments
    department, alias = next((d, a) for d, said in aliases.items() for a in said if " " not in a)
    answer = await customer.ask(f"when do my {alias} colleagues move")
    assert answer.kind is AnswerKind.GROUP
    assert [g.label for g in answer.groups] == [department]


@pytest.mark.parametrize(
    "question",
    [
        "night shift on the cutover weekend, what do I do?",
        "I work nights during the cutover weekend, what should I do",
        "we have a weekend shift, how do we work during the migration weekend?",
        "can people still email us on the cutover weekend",
        "will customers still be able to send us mail during the cutover weekend",
    ],
)
async def test_what_to_do_on_the_cutover_weekend_is_not_a_date(customer: _Customer, question: str) -> None:
    answer = await customer.ask(question)
    assert answer.kind in (AnswerKind.FAQ, AnswerKind.SUGGESTIONS, AnswerKind.NOTHING), (question, answer.headline)


@pytest.mark.parametrize(
    "question",
    [
        "when am I off",
        "when can I call you",
        "when do we get paid",
        "when am I free",
        "are we in the same group chat now",
    ],
)
async def test_a_when_question_about_something_else_is_not_my_schedule(customer: _Customer, question: str) -> None:
    answer = await customer.ask(question)
    assert answer.kind is not AnswerKind.PERSONAL, (question, answer.headline)


@pytest.mark.parametrize("question", ["is my move this weekend", "am I moving this weekend", "will I move next week"])
async def test_whether_my_move_is_on_a_day_is_still_my_schedule(customer: _Customer, question: str) -> None:
    answer = await customer.ask(question)
    assert answer.kind is AnswerKind.PERSONAL and answer.headline.startswith(("Yes", "No"))


async def test_someone_at_work_on_the_cutover_weekend_is_never_answered_with_the_entry_for_people_away(
    customer: _Customer,
) -> None:
    away = {"vacation", "leave", "holiday", "holidays", "away", "off", "pto", "sick"}
    for question in ("I work nights during the cutover weekend, what should I do", "I'm on shift during my cutover"):
        answer = await customer.ask(question)
        if answer.kind is AnswerKind.FAQ:
            assert answer.faq is not None
            said = {
                w.strip("?,.'").casefold()
                for w in (answer.faq.question + " " + " ".join(answer.faq.alternates)).split()
            }
            assert not said & away, (question, answer.faq.key)


async def test_a_shift_question_reaches_the_shift_work_entry() -> None:
    c = _Customer("wideworld")
    if c.asker is None:
        users = await c.roster.all_users()
        c.asker = next(u.upn for u in users if resolve_wave(c.plan, u).wave is not None)
    answer = await c.ask("I work nights during the cutover weekend, what should I do")
    assert answer.kind is AnswerKind.FAQ and answer.faq is not None and answer.faq.key == "shift-work"
