"""Intent and slots, on phrasings the labelled set does not pin down one by one."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from switchover.answers.engine import AnswerEngine
from switchover.answers.understanding import Facet, Intent, Understander

TODAY = dt.date(2027, 1, 11)


@pytest.fixture
async def understander(engine: AnswerEngine) -> Understander:
    await engine.prepare()
    assert engine.understander is not None
    return engine.understander


async def test_it_the_department_only_in_capitals(understander: Understander) -> None:
    assert understander.read("when does IT move", today=TODAY).departments == ("Information Technology",)
    assert understander.read("when does it move", today=TODAY).departments == ()


@pytest.mark.parametrize(
    ("text", "sites", "departments", "waves"),
    [
        ("when does the tacoma clinic move", ("Tacoma Clinic",), (), ()),
        ("when does taccoma migrate", ("Tacoma",), (), ()),  # the city, from the directory
        ("when is hq moving", ("Seattle HQ",), (), ()),
        ("when does the boise office move", ("Boise",), (), ()),
        ("when does hr move", (), ("Human Resources",), ()),
        ("when is the billing team migrating", (), ("Revenue Cycle",), ()),
        ("wave 2 date", (), (), ("wave-2",)),
        ("when is wave three", (), (), ("wave-3",)),
        ("when is the pilot", (), (), ("wave-0",)),
        ("when is the corporate wave", (), (), ("wave-1",)),
    ],
)
async def test_slots(understander: Understander, text: str, sites: tuple, departments: tuple, waves: tuple) -> None:  # type: ignore[type-arg]
    u = understander.read(text, today=TODAY)
    assert (u.sites, u.departments, u.waves) == (sites, departments, waves)
    assert u.intent is Intent.GROUP_SCHEDULE


@pytest.mark.parametrize(
    ("text", "intent", "facet"),
    [
        ("when is my move", Intent.MY_SCHEDULE, Facet.CUTOVER),
        ("which wave am i in", Intent.MY_SCHEDULE, Facet.WAVE),
        ("by when do i need authenticator", Intent.MY_SCHEDULE, Facet.MFA),
        ("what is authenticator", Intent.FAQ, Facet.MFA),
        ("when does my email switch", Intent.MY_SCHEDULE, Facet.EMAIL),
        ("will i lose my email", Intent.FAQ, Facet.EMAIL),
        ("when do i move, im in tacoma", Intent.MY_SCHEDULE, Facet.CUTOVER),
        ("im on vacation during my cutover", Intent.FAQ, Facet.CUTOVER),
        ("whats happening this weekend", Intent.WHATS_ON, Facet.CUTOVER),
        ("is my move this weekend", Intent.MY_SCHEDULE, Facet.CUTOVER),
        ("when is my dentist appointment", Intent.FAQ, Facet.CUTOVER),
        ("hello", Intent.GREETING, Facet.CUTOVER),
    ],
)
async def test_intents(understander: Understander, text: str, intent: Intent, facet: Facet) -> None:
    u = understander.read(text, today=TODAY)
    assert (u.intent, u.facet) == (intent, facet)


async def test_typos_are_repaired_towards_the_plans_words(understander: Understander) -> None:
    assert understander.tokens("wil i loose my emials") == ["will", "i", "lose", "my", "email"]


@settings(max_examples=80, deadline=None)
@given(st.text(max_size=200))
def test_any_text_is_read_without_error(text: str) -> None:
    from tests.switchover.answers.conftest import EXAMPLE

    global _SHARED
    if _SHARED is None:
        import asyncio

        from switchover.clock import ManualClock
        from switchover.directory.roster import RosterDirectory
        from switchover.plan.loader import load_plan

        engine = AnswerEngine(
            load_plan(EXAMPLE / "plan.yaml"),
            RosterDirectory.from_csv(EXAMPLE / "roster.csv"),
            ManualClock(dt.datetime(2027, 1, 11, 17, tzinfo=dt.UTC)),
        )
        asyncio.run(engine.prepare())
        _SHARED = engine.understander
    assert _SHARED is not None
    u = _SHARED.read(text, today=TODAY)
    assert isinstance(u.intent, Intent)


_SHARED: Understander | None = None


@pytest.mark.parametrize(
    ("text", "unknown"),
    [
        ("when does Scotland move", "Scotland"),
        ("when does the Leeds office move", "Leeds office"),
        ("when is EMEA's cutover", "EMEA"),
        ("when does Belfast switch over", "Belfast"),
    ],
)
async def test_a_group_the_plan_does_not_know_is_read_as_unknown(
    understander: Understander, text: str, unknown: str
) -> None:
    u = understander.read(text, today=TODAY)
    assert (u.intent, u.unknown_group) == (Intent.GROUP_SCHEDULE, unknown)


@pytest.mark.parametrize(
    "text",
    [
        "when does everyone move",  # all of us
        "when does the whole company move",
        "when does the office move",  # the asker's own
        "when does my team move",
        "when does hypercare end",  # a service
        "when does the H drive go read only",
        "when is payday",  # no move
        "when does the clinic open on sundays",
        "when does Fabrikam move",  # the organisation itself
    ],
)
async def test_everyone_the_asker_and_things_the_plan_knows_are_not_unknown_groups(
    understander: Understander, text: str
) -> None:
    assert understander.read(text, today=TODAY).unknown_group == ""
