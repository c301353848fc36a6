"""The plan as it stands (CurrentPlan) on SQLite and PostgreSQL: which plan wins at start, wave moves
with hypercare, revisions clearing the moves they overrule, and a second instance seeing a change."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from switchover.plan.current import CurrentPlan, text_hash
from switchover.plan.loader import parse_plan
from switchover.plan.reader import PlanError

FABRIKAM = Path(__file__).resolve().parents[3] / "examples" / "fabrikam" / "plan.yaml"
TEXT = FABRIKAM.read_text(encoding="utf-8")
PACIFIC = dt.timezone(dt.timedelta(hours=-8))


@pytest.fixture(scope="module")
def base():
    return parse_plan(TEXT, "plan.yaml")


def two(base, database, clock) -> tuple[CurrentPlan, CurrentPlan]:
    """Two instances' plans on one database."""
    return CurrentPlan(base, db=database, clock=clock), CurrentPlan(base, db=database, clock=clock)


async def test_the_first_start_records_the_file_and_an_unchanged_file_keeps_the_newest_revision(base, database, clock):
    one, _ = two(base, database, clock)
    first = await one.start(TEXT, name="plan.yaml")
    assert (first.number, first.source, first.sha256) == (1, "file", text_hash(TEXT))
    edited = TEXT.replace("hypercare_until: 2027-03-12", "hypercare_until: 2027-03-26")
    applied = await one.apply(edited, source="api", by="dana")
    assert applied.revision is not None and applied.revision.number == 2
    # A restart with the same file: the revision applied since stays in force.
    again = CurrentPlan(base, db=database, clock=clock)
    kept = await again.start(TEXT, name="plan.yaml")
    assert kept.number == 2 and again.plan.wave("wave-3").hypercare_until == dt.date(2027, 3, 26)
    # A restart with an edited file: the file wins, recorded as a revision.
    other = TEXT.replace("hypercare_until: 2027-03-12", "hypercare_until: 2027-03-19")
    third = CurrentPlan(base, db=database, clock=clock)
    won = await third.start(other, name="plan.yaml")
    assert (won.number, won.source) == (3, "file")
    assert third.plan.wave("wave-3").hypercare_until == dt.date(2027, 3, 19)


async def test_a_move_shifts_hypercare_and_a_second_instance_sees_it_after_its_version_check(base, database, clock):
    one, other = two(base, database, clock)
    await one.start(TEXT)
    await other.refresh()
    start = dt.datetime(2027, 3, 6, 7, 0, tzinfo=PACIFIC)
    await one.move_wave("wave-3", start=start, end=start.replace(hour=16), by="dana")
    wave = one.plan.wave("wave-3")
    assert (wave.cutover.start, wave.cutover.end) == (start, start.replace(hour=16))
    assert wave.hypercare_until == dt.date(2027, 3, 19)  # seven days later, as the cutover
    assert one.base.wave("wave-3").hypercare_until == dt.date(2027, 3, 12)
    # The other instance trusts its last read for a few seconds, then reads the version again.
    assert (await other.refresh()).wave("wave-3").hypercare_until == dt.date(2027, 3, 12)
    clock.advance(dt.timedelta(seconds=6))
    assert (await other.refresh()).wave("wave-3").hypercare_until == dt.date(2027, 3, 19)
    assert other.version == one.version


async def test_a_move_refuses_a_window_backwards_or_hypercare_before_cutover(base, database, clock):
    one, _ = two(base, database, clock)
    await one.start(TEXT)
    start = dt.datetime(2027, 3, 6, 7, 0, tzinfo=PACIFIC)
    with pytest.raises(ValueError, match="end after it starts"):
        await one.move_wave("wave-3", start=start, end=start.replace(hour=6), by="dana")
    with pytest.raises(ValueError, match="before the cutover"):
        await one.move_wave(
            "wave-3", start=start, end=start.replace(hour=16), hypercare_until=dt.date(2027, 3, 1), by="dana"
        )
    assert one.version == 1 and one.moves == {}


async def test_a_revision_that_sets_a_moved_waves_dates_clears_that_move_only(base, database, clock):
    one, _ = two(base, database, clock)
    await one.start(TEXT)
    for key, day in (("wave-2", 20), ("wave-3", 6)):
        month = 2 if key == "wave-2" else 3
        start = dt.datetime(2027, month, day, 7, 0, tzinfo=PACIFIC)
        await one.move_wave(key, start=start, end=start.replace(hour=16), by="dana")
    edited = TEXT.replace(
        'cutover: {start: "2027-02-27 07:00", end: "2027-02-27 16:00"}',
        'cutover: {start: "2027-03-13 07:00", end: "2027-03-13 16:00"}',
    ).replace("hypercare_until: 2027-03-12", "hypercare_until: 2027-03-26")
    applied = await one.apply(edited, source="cli", by="dana")
    assert applied.cleared_moves == ("wave-3",)
    assert set(one.moves) == {"wave-2"}
    assert one.plan.wave("wave-3").cutover.start == dt.datetime(2027, 3, 13, 7, 0, tzinfo=PACIFIC)
    assert one.plan.wave("wave-2").cutover.start == dt.datetime(2027, 2, 20, 7, 0, tzinfo=PACIFIC)


async def test_applying_the_plan_in_force_again_changes_nothing_and_a_broken_one_nothing_either(base, database, clock):
    one, _ = two(base, database, clock)
    await one.start(TEXT)
    same = await one.apply(TEXT, source="cli", by="dana")
    assert same.revision is None and one.version == 1
    with pytest.raises(PlanError) as caught:
        await one.apply(TEXT.replace("  - key: wave-3\n", "  - key: wave-3\n    colour: blue\n"), source="cli", by="x")
    assert any(e.line and "colour" in (e.field + e.message) for e in caught.value.errors), str(caught.value)
    assert one.version == 1 and len(await one.revisions()) == 1
