"""The status card and its drill-downs stay under Teams' size limit and valid Adaptive Cards 1.5,
however big the waves and however many areas, reports and incidents there are."""

from __future__ import annotations

import datetime as dt

from bot.features.status import list_card, status_card
from cards.render import MAX_CARD_BYTES, card_bytes
from switchover.plan.loader import load_plan
from switchover.status.model import (
    AnnouncementFigures,
    CountByArea,
    OpenIncident,
    OverdueAcknowledgement,
    Problems,
    Reach,
    StatusPicture,
    WaveReadiness,
    WaveState,
    WaveStatus,
)
from tests.cards.schema import schema_errors
from tests.support.app import FABRIKAM

AT = dt.datetime(2027, 2, 13, 18, 0, tzinfo=dt.UTC)


def _picture(areas: int, overdue: int, waves: int = 4) -> StatusPicture:
    start = dt.datetime(2027, 2, 27, 15, 0, tzinfo=dt.UTC)
    wave = WaveStatus(
        key="wave-3",
        number=3,
        title="Wave 3 - " + "Very long wave name " * 10,
        state=WaveState.POSTPONED,
        time_zone="America/Los_Angeles",
        cutover_start=start,
        cutover_end=start + dt.timedelta(hours=9),
        planned_start=start - dt.timedelta(days=7),
        hypercare_until=dt.date(2027, 3, 12),
        postponed_from=start - dt.timedelta(days=7),
        days_to_cutover=14,
        reach=Reach(reachable=1200, members=2000, percent=60.0),
        readiness=WaveReadiness(
            known=True,
            members=2000,
            mfa_asked=True,
            mfa_registered=1400,
            mfa_unknown=100,
            mfa_percent=73.7,
            not_ready=500,
        ),
        announcement=AnnouncementFigures(
            id="wave-3/one-week",
            title="One week to go " * 20,
            sent_at=AT,
            recipients=2000,
            delivered=1200,
            read=900,
            acknowledged=700,
            delivered_percent=60.0,
            read_percent=45.0,
            acknowledged_percent=35.0,
        ),
        open_reports=800,
        open_by_priority={"P1": 10, "P2": 90, "P3": 300, "P4": 400},
    )
    return StatusPicture(
        tenant_id="t",
        at=AT,
        organisation="Contoso",
        time_zone="America/Los_Angeles",
        readiness_known=True,
        waves=[wave.model_copy(update={"key": f"wave-{i}"}) for i in range(waves)],
        problems=Problems(
            open=800,
            by_priority={"P1": 10, "P2": 90, "P3": 300, "P4": 400},
            by_area=[
                CountByArea(area=f"area-{i}", name=f"Area number {i} " * 5, count=areas - i) for i in range(areas)
            ],
            overdue=[
                OverdueAcknowledgement(
                    report_id=i + 1,
                    reference=f"PR-{i + 1:05d}",
                    priority="P2",
                    area="email",
                    area_name="Email " * 10,
                    wave="wave-3",
                    owner="someone",
                    owner_name="Someone With A Long Name " * 4,
                    due_at=AT,
                    overdue_minutes=90 + i,
                )
                for i in range(overdue)
            ],
            incidents=[
                OpenIncident(id=i, area="email", area_name="Email", wave="wave-3", reports=6, since=AT)
                for i in range(overdue)
            ],
        ),
    )


def test_a_picture_with_many_areas_reports_and_big_waves_fits_with_and_without_buttons() -> None:
    plan = load_plan(FABRIKAM / "plan.yaml")
    for areas, overdue, waves in ((3, 2, 4), (60, 500, 4), (300, 2000, 30)):
        picture = _picture(areas, overdue, waves)
        for buttons in (True, False):
            card = status_card(picture, plan, buttons=buttons)
            assert card_bytes(card) <= MAX_CARD_BYTES, (areas, overdue, waves)
            assert schema_errors(card) == []
            text = str(card)
            if areas > 12:
                assert "more areas" in text
            if overdue > 10:
                assert "more overdue reports" in text
            assert ("Action.Execute" in text) == buttons
    # The numbers are the picture's, word for word.
    card = status_card(_picture(3, 2), plan, buttons=True)
    text = str(card)
    assert "1200 of 2000 can be messaged (60%)" in text
    assert "MFA 1400 of 1900 registered (73.7%), 100 unknown" in text
    assert "Not reachable (800)" in text and "Not ready (500)" in text


def test_a_drill_down_page_of_a_2000_person_wave_fits() -> None:
    rows = [
        {"title": f"Person {i} " + "Lastname" * 12, "value": "Clinical Operations · has not installed the app"}
        for i in range(25)
    ]
    pager = [
        {"title": "Previous", "verb": "status_people", "data": {"wave": "wave-3", "kind": "unreachable", "page": 40}}
    ]
    card = list_card("Wave 3: cannot be messaged", "2000 people · page 41 of 80", rows, pager, "Nobody.")
    assert card_bytes(card) <= MAX_CARD_BYTES
    assert schema_errors(card) == []
