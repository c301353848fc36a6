"""When the plan's legacy resources go read-only: from each wave's cutover as it stands, in the reader's zone."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from switchover.answers.cards import _schedule_facts
from switchover.answers.engine import AnswerEngine
from switchover.answers.model import AnswerKind, Who
from switchover.answers.schedule import read_only_moments
from switchover.clock import ManualClock
from switchover.directory.roster import RosterDirectory
from switchover.plan.current import CurrentPlan, WaveMove, with_moves
from switchover.plan.model import LegacyResource, Plan, ReadOnlyFrom, Window

LA = ZoneInfo("America/Los_Angeles")
GRACE = "grace.okafor@fabrikamhealth.com"  # a champion: moves with the pilot (wave-0, Saturday 16 January 2027)


def _with(plan: Plan, *legacy: LegacyResource) -> Plan:
    return plan.model_copy(update={"legacy": legacy})


def test_each_way_of_saying_when_counts_from_the_waves_cutover(fabrikam_plan: Plan) -> None:
    plan = _with(
        fabrikam_plan,
        LegacyResource(name="K: drive", read_only=ReadOnlyFrom(days=-1, at=dt.time(17, 30))),
        LegacyResource(name="M: drive", read_only=ReadOnlyFrom(days=-1, at=dt.time(17, 30))),
        LegacyResource(name="N: drive", read_only=ReadOnlyFrom(at=dt.time(12, 0))),
        LegacyResource(name="Old intranet", kind="site", read_only=ReadOnlyFrom(cutover="start")),
        LegacyResource(
            name="Fixed", kind="system", read_only=ReadOnlyFrom(on=dt.datetime(2027, 3, 19, 17, 30, tzinfo=LA))
        ),
        LegacyResource(name="Y: drive"),  # never read-only
    )
    moments = read_only_moments(plan, plan.wave("wave-0"))  # cutover Saturday 16 January 2027 08:00 Pacific
    assert [(m.label, m.verb, m.drives, m.at) for m in moments] == [
        ("K: and M:", "become", True, dt.datetime(2027, 1, 15, 17, 30, tzinfo=LA)),
        ("Old intranet", "becomes", False, dt.datetime(2027, 1, 16, 8, 0, tzinfo=LA)),
        ("N:", "becomes", True, dt.datetime(2027, 1, 16, 12, 0, tzinfo=LA)),
        ("Fixed", "becomes", False, dt.datetime(2027, 3, 19, 17, 30, tzinfo=LA)),
    ]


def test_a_plan_without_legacy_says_nothing_of_drives(fabrikam_plan: Plan) -> None:
    assert read_only_moments(_with(fabrikam_plan), fabrikam_plan.wave("wave-0")) == ()


def test_the_demo_plan_keeps_its_wording(fabrikam_plan: Plan) -> None:
    (moment,) = read_only_moments(fabrikam_plan, fabrikam_plan.wave("wave-1"))
    assert (moment.label, moment.at) == ("H: and S:", dt.datetime(2027, 1, 29, 18, 0, tzinfo=LA))


async def test_a_rescheduled_wave_moves_its_read_only_moment(
    fabrikam_plan: Plan, fabrikam_roster: RosterDirectory, clock: ManualClock
) -> None:
    # The pilot moves a week later, to Saturday 23 January; H: and S: follow it to Friday 22 January 18:00.
    moved = {
        "wave-0": WaveMove(
            "wave-0", dt.datetime(2027, 1, 23, 8, 0, tzinfo=LA), dt.datetime(2027, 1, 23, 14, 0, tzinfo=LA)
        )
    }
    engine = AnswerEngine(CurrentPlan(with_moves(fabrikam_plan, moved)), fabrikam_roster, clock)
    answer = await engine.answer("when do my files go read only", Who(upn=GRACE, time_zone="America/Denver"))
    assert answer.kind is AnswerKind.PERSONAL and answer.schedule is not None
    assert "H: and S: become read-only on Friday 22 January 2027 at 19:00 MST" in answer.headline
    (moment,) = answer.schedule.read_only
    assert moment.at == dt.datetime(2027, 1, 22, 19, 0, tzinfo=ZoneInfo("America/Denver"))
    facts = {f["title"]: f["value"] for f in _schedule_facts(answer.schedule)}
    assert facts["H: and S: read-only"] == "Friday 22 January 2027, 19:00 MST"
    plan = await engine.plan_as_it_stands()
    assert plan.wave("wave-0").cutover == Window(start=moved["wave-0"].start, end=moved["wave-0"].end)
