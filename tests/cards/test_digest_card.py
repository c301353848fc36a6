"""The digest card stays under Teams' size limit and valid Adaptive Cards 1.5 however big the
picture, and says what changed since the previous digest in the words leads read."""

from __future__ import annotations

import datetime as dt

from cards.render import MAX_CARD_BYTES, card_bytes
from switchover.digest import Change, compare
from switchover.digest.card import ChartView, digest_card
from switchover.digest.chart import alt_text, figures
from switchover.plan.loader import load_plan
from switchover.status.model import AnnouncementFigures, WaveReadiness
from tests.cards.schema import schema_errors
from tests.cards.test_status_card import AT, _picture
from tests.support.app import FABRIKAM

CHART_URL = "https://switchover.example.org/charts/" + "T" * 200 + ".png"


def test_a_digest_of_a_big_picture_fits_and_is_valid() -> None:
    plan = load_plan(FABRIKAM / "plan.yaml")
    for areas, overdue, waves in ((3, 2, 4), (60, 500, 4), (300, 2000, 30)):
        picture = _picture(areas, overdue, waves)
        before = _picture(areas, max(0, overdue - 1), waves)
        change = compare(before.model_copy(update={"at": AT - dt.timedelta(days=1)}), picture, {"P1": 0, "P2": 3})
        for kind, wave in (("daily", None), ("cutover-start", "wave-2"), ("cutover-end", "wave-2")):
            days = [(AT.date() - dt.timedelta(days=13 - i), 5000 + i) for i in range(14)]
            chart = ChartView(CHART_URL, alt_text(figures(picture, days)))
            card = digest_card(picture, change, plan, kind, wave, chart=chart)
            assert card_bytes(card) <= MAX_CARD_BYTES, (areas, overdue, waves)
            assert schema_errors(card) == []
            # The chart survives any shrinking: its address whole, its figures in words.
            [image] = [e for e in card["body"] if e["type"] == "Image"]
            assert image["url"] == CHART_URL and image["altText"].startswith("Readiness per wave: ")
            assert "Action." not in str(card)  # the sponsor gets it too: no buttons
            if overdue > 10:
                assert "more overdue reports" in str(card)


def _with(picture, registered: int, acknowledged: int, announcement: str = "a1"):  # type: ignore[no-untyped-def]
    waves = []
    for w in picture.waves:
        readiness = WaveReadiness(**{**w.readiness.model_dump(), "mfa_registered": registered})
        assert w.announcement is not None
        figures = AnnouncementFigures(
            **{**w.announcement.model_dump(), "id": announcement, "acknowledged": acknowledged}
        )
        waves.append(w.model_copy(update={"readiness": readiness, "announcement": figures}))
    return picture.model_copy(update={"waves": waves})


def test_the_change_line_says_what_moved_since_the_previous_digest() -> None:
    plan = load_plan(FABRIKAM / "plan.yaml")
    now = _with(_picture(3, 3, waves=2), registered=1407, acknowledged=705)
    yesterday = _with(_picture(3, 2, waves=2), registered=1400, acknowledged=700)
    yesterday = yesterday.model_copy(update={"at": AT - dt.timedelta(days=1)})
    change = compare(yesterday, now, {"P1": 0, "P2": 3, "P3": 1, "P4": 0})
    assert change.mfa_registered == 14 and change.acknowledged == 10 and change.overdue == 1
    card = digest_card(now, change, plan)
    line = card["body"][2]["text"]
    assert line == (
        "Since yesterday 10:00 PST: +14 registered MFA, 3 new P2 reports, 1 new P3 report, +1 overdue, "
        "+1 open major incident, +10 acknowledged."
    )
    # A new latest announcement: all its acknowledgements are new, not a drop.
    newer = _with(_picture(3, 3, waves=2), registered=1407, acknowledged=20, announcement="a2")
    assert compare(yesterday, newer, {}).acknowledged == 40
    # Readiness the directory cannot tell: no MFA figure rather than a made-up one.
    unknown = now.model_copy(update={"readiness_known": False})
    assert compare(yesterday, unknown, {}).mfa_registered is None
    # Nothing moved.
    assert digest_card(yesterday, compare(yesterday, yesterday, {}), plan)["body"][2]["text"].endswith(": no change.")
    # The first digest has nothing to compare with.
    assert "first digest" in digest_card(now, Change(), plan)["body"][2]["text"]
