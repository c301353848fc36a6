"""``remind`` and ``important`` on calendar entries: durations normalised as everywhere in the plan,
calendar time only, in order; a plan without them loads as before."""

from __future__ import annotations

import pytest

from switchover.announcements.calendar import calendar_content
from switchover.announcements.model import Urgency
from switchover.plan.loader import PlanError, parse_plan
from tests.switchover.plan.conftest import EXAMPLE

TEXT = (EXAMPLE / "plan.yaml").read_text()
ANCHOR = "      - {title: Got it, action: acknowledge}\n\n  - key: one-week"


def with_lines(*lines: str) -> str:
    assert TEXT.count(ANCHOR) == 1
    extra = "".join(f"    {line}\n" for line in lines)
    return TEXT.replace(ANCHOR, "      - {title: Got it, action: acknowledge}\n" + extra + "\n  - key: one-week")


def test_a_plan_without_reminders_loads_as_before() -> None:
    plan = parse_plan(TEXT, source="plan.yaml")
    assert all(m.remind == () and not m.important for m in plan.calendar)
    assert calendar_content(plan.calendar[0]).remind_minutes == ()


def test_reminders_and_important_are_read_and_reach_the_announcement() -> None:
    plan = parse_plan(with_lines('remind: ["2 days", "4 days 12 hours"]', "important: true"), source="plan.yaml")
    message = plan.calendar[0]
    assert [str(d) for d in message.remind] == ["48 hours", "108 hours"]
    content = calendar_content(message)
    assert content.remind_minutes == (2 * 24 * 60, 4 * 24 * 60 + 12 * 60)
    assert content.nudge and content.urgency is Urgency.IMPORTANT
    single = parse_plan(with_lines('remind: "36 hours"'), source="plan.yaml")
    assert calendar_content(single.calendar[0]).remind_minutes == (36 * 60,)


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ('["2 business days"]', "calendar time"),
        ('["4 days", "2 days"]', "in order"),
        ('["soon"]', "'soon' is not a duration"),
        ('["0 minutes"]', "some time after"),
        ('["100 days"]', "at most 90 days"),
        ('["1 day", "2 days", "3 days", "4 days", "5 days", "6 days"]', "at most 5"),
    ],
)
def test_bad_reminders_name_the_line_and_say_what_is_wrong(value: str, says: str) -> None:
    with pytest.raises(PlanError) as info:
        parse_plan(with_lines(f"remind: {value}"), source="plan.yaml")
    [error] = info.value.errors
    assert "calendar[0].remind" in str(error) and says in str(error)
    assert str(error).startswith("plan.yaml:")
