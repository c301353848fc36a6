"""The digest's chart, over the whole app: the card carries a signed image link and the figures in
words; the link serves a PNG of the picture the digest was sent with (not "now"), and refuses a
tampered, foreign or expired token without saying why; open reports over 14 days follow the
reports' timelines (filed, resolved, reopened)."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import aiohttp
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given
from hypothesis import settings as examples
from hypothesis import strategies as st
from PIL import Image

from switchover.clock import ManualClock
from switchover.digest.card import ChartView, digest_card
from switchover.digest.change import Change
from switchover.digest.chart import (
    HEIGHT,
    WIDTH,
    ChartFigures,
    WaveBars,
    alt_text,
    open_reports_by_day,
    render_png,
)
from switchover.links import LinkSigner
from switchover.plan.loader import load_plan
from switchover.plan.model import Impact, Urgency
from switchover.problems.model import Actor, ReportDraft, Reporter
from switchover.problems.tables import events, reports
from switchover.status.model import StatusPicture
from tests.cards.schema import schema_errors
from tests.cards.test_status_card import _picture
from tests.support.app import FABRIKAM, TENANT_ID, RunningApp, make_settings, person
from tests.support.connector import LoopbackConnector
from tests.support.identity import LoopbackIdentity
from tests.switchover.digest.test_digest import (
    LEAD,
    MONDAY,
    SPONSOR,
    app_for,
    at,
    deliver,
    digests_received,
    install_recipients,
    run_at,
    sql,
)

HOSTILE = [
    "$\\frac{1}{0}$ ^_{ }",
    '"},{"type":"Action.OpenUrl","url":"https://evil.example"}',
    "Wave\n\n# heading\r\n[click](https://evil.example)",
    "\u202eevaw desrever\u200b\u2066",
    "W" * 400,
    "Welle 3 – Köln & Zürich 🚀 東京",
    "",
]


def chart_image(card: dict[str, Any]) -> dict[str, Any]:
    images = [e for e in card["body"] if e.get("type") == "Image"]
    assert len(images) == 1, card["body"]
    return images[0]


async def fetch(app: RunningApp, url: str) -> tuple[int, str, bytes]:
    """GET ``url``'s path from the running app (the card's address names the configured public host)."""
    parts = urlsplit(url)
    async with aiohttp.ClientSession() as session, session.get(app.url + parts.path) as resp:
        return resp.status, resp.headers.get("Content-Type", ""), await resp.read()


def decoded(png: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(png))
    image.load()
    return image


async def file_report(app: RunningApp, text: str) -> tuple[int, str]:
    """File a P3 report as a Wave 3 person: the report's id and the reporter's id."""
    users = {u.upn: u for u in await app.services.directory.all_users()}
    who = users.get(person("omar.reyes").upn) or next(iter(users.values()))
    reporter = Reporter(tenant_id=TENANT_ID, id=who.id, name=who.display_name, upn=who.upn, wave="wave-3")
    draft = ReportDraft(text, reporter, area="email", impact=Impact.ME, urgency=Urgency.DEGRADED)
    return (await app.services.problems.submit(draft)).id, who.id


# -- the card and its link ------------------------------------------------------------------


async def test_the_sent_digest_shows_a_chart_of_its_own_picture(
    tmp_path: Path, clock: ManualClock, identity: LoopbackIdentity | None, connector: LoopbackConnector
) -> None:
    # A report timeline over the fortnight before Monday's digest, kept here to count independently.
    start = at(MONDAY, 8, 0, 30) - dt.timedelta(days=20)
    clock.set(start)
    settings = make_settings(tmp_path, identity=identity, bot_domain="switchover.example.org")
    async with app_for(settings, clock, identity, connector) as (_, app, teams):
        await install_recipients(teams, LEAD, SPONSOR)
        desk = app.services.problems
        clock.set(start)
        old = await file_report(app, "Outlook cannot open the shared mailbox")  # open the whole fortnight
        clock.set(at(MONDAY, 9) - dt.timedelta(days=10))
        fixed, reporter_id = await file_report(app, "Teams calls drop")
        clock.set(at(MONDAY, 9) - dt.timedelta(days=6))
        reporter = Actor(id=reporter_id, name="Omar")
        await desk.reporter_fixed(TENANT_ID, fixed, reporter)  # resolved 6 days before ...
        clock.set(at(MONDAY, 9) - dt.timedelta(days=3))
        await desk.actions.reopen(TENANT_ID, fixed, reporter, "it is back")  # ... and reopened 3 days before
        assert old and fixed

        assert await run_at(app, clock, at(MONDAY, 8, 0, 30)) == ["2027-02-15T08:00/daily"]
        await deliver(app, clock)
        card = digests_received(connector, LEAD)[0]
        assert schema_errors(card) == []
        image = chart_image(card)
        assert card["body"].index(image) == 3  # under the change line, above the waves
        assert image["url"].startswith("https://switchover.example.org/charts/") and image["url"].endswith(".png")
        # The figures in words, for people who cannot see the picture.
        alt = image["altText"]
        stored = StatusPicture.model_validate_json(
            sql(settings, "SELECT picture FROM digest_occurrences WHERE key = '2027-02-15T08:00/daily'")[0][0]
        )
        for wave in stored.waves:
            assert f"{wave.title}: " in alt
            if wave.readiness.known and wave.readiness.mfa_percent is not None:
                assert f"{wave.title}: MFA {wave.readiness.mfa_percent:g}% registered" in alt
        # At 08:00 on each of the 14 days to Monday: only the old report on 2 Feb, two from 6 Feb, one
        # while the other was resolved (10 to 12 Feb), two again once reopened: the card's own count.
        open_now = sql(settings, "SELECT count(*) FROM problem_reports WHERE status != 'resolved'")[0][0]
        assert open_now == 2 == stored.problems.open
        assert "Open problem reports over the last 14 days: 1 on 2 Feb, 2 on 15 Feb." in alt
        assert f"Open problem reports: {open_now}" in str(card)

        status, content_type, png = await fetch(app, image["url"])
        assert (status, content_type) == (200, "image/png")
        assert decoded(png).size == (WIDTH, HEIGHT)
        # The sponsor's card names the same digest: the same picture.
        sponsor_image = chart_image(digests_received(connector, SPONSOR)[0])
        assert (await fetch(app, sponsor_image["url"]))[2] == png

        # Later that day a new report, and the cache has long expired: the chart still shows 08:00.
        clock.set(at(MONDAY, 14))
        await file_report(app, "Printer on floor 2 is offline")
        assert (await fetch(app, image["url"]))[2] == png


async def test_a_tampered_foreign_or_expired_link_is_refused_without_detail(
    tmp_path: Path, clock: ManualClock, identity: LoopbackIdentity | None, connector: LoopbackConnector
) -> None:
    clock.set(at(MONDAY, 7, 0))
    settings = make_settings(tmp_path, identity=identity, link_secret="a shared secret for every instance")
    async with app_for(settings, clock, identity, connector) as (_, app, teams):
        await install_recipients(teams, LEAD)
        assert await run_at(app, clock, at(MONDAY, 8, 0, 30)) == ["2027-02-15T08:00/daily"]
        await deliver(app, clock)
        url = chart_image(digests_received(connector, LEAD)[0])["url"]
        token = urlsplit(url).path.removeprefix("/charts/").removesuffix(".png")
        assert (await fetch(app, url))[0] == 200

        def refused(body: bytes, code: int) -> None:
            # The status and nothing else: not why, not what the token named.
            assert body.decode() == {404: "404: Not Found", 410: "410: Gone"}[code]

        tampered = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
        email = LinkSigner("a shared secret for every instance", "email-ack")
        chart = LinkSigner("a shared secret for every instance", "chart")
        forged = LinkSigner("another secret", "chart")
        expires = int((clock.now() + dt.timedelta(days=1)).timestamp())
        cases = {
            tampered: 404,
            email.sign({"t": TENANT_ID, "d": "2027-02-15T08:00/daily", "x": expires}): 404,  # another purpose
            forged.sign({"t": TENANT_ID, "d": "2027-02-15T08:00/daily", "x": expires}): 404,  # not our secret
            chart.sign({"t": TENANT_ID, "d": "2027-02-16T08:00/daily", "x": expires}): 404,  # no such digest
            chart.sign({"t": "other-tenant", "d": "2027-02-15T08:00/daily", "x": expires}): 404,
            chart.sign(["not", "a", "chart"]): 404,
            "x" * 30: 404,
        }
        for bad, code in cases.items():
            status, _, body = await fetch(app, f"/charts/{bad}.png")
            assert status == code, bad
            refused(body, code)
        # Another instance with the same secret honours the link (it names the stored digest).
        assert chart.load(token, max_age=dt.timedelta(hours=1))["d"] == "2027-02-15T08:00/daily"
        # Two weeks on, the link has expired: 410, still without detail.
        clock.set(at(MONDAY, 8, 1) + dt.timedelta(days=14))
        status, _, body = await fetch(app, url)
        assert status == 410
        refused(body, 410)
        # A stored picture this version cannot read (an older one's): no chart, and no error page either.
        sql(settings, "UPDATE digest_occurrences SET picture = '{\"version\": 0}'")
        fresh = chart.sign({"t": TENANT_ID, "d": "2027-02-15T08:00/daily", "x": int(clock.now().timestamp()) + 60})
        status, _, body = await fetch(app, f"/charts/{fresh}.png")
        assert status == 404
        refused(body, 404)


async def test_digest_now_previews_with_its_chart_and_sends_nothing(
    tmp_path: Path, clock: ManualClock, identity: LoopbackIdentity | None, connector: LoopbackConnector
) -> None:
    clock.set(at(MONDAY, 7, 0))
    settings = make_settings(tmp_path, identity=identity)
    async with app_for(settings, clock, identity, connector) as (_, app, teams):
        await install_recipients(teams, LEAD, SPONSOR)
        replies = await teams.say(person(LEAD), "digest now")
        [card] = [r.card for r in replies if r.card]
        assert schema_errors(card) == []
        image = chart_image(card)
        assert image["url"].startswith(f"http://localhost:{settings.port}/charts/")  # local mode: this machine
        status, content_type, png = await fetch(app, image["url"])
        assert (status, content_type) == (200, "image/png") and decoded(png).size == (WIDTH, HEIGHT)
        # The preview is no digest: the 08:00 one still goes, as the first, and history knows no preview.
        assert await run_at(app, clock, at(MONDAY, 8, 0, 30)) == ["2027-02-15T08:00/daily"]
        await deliver(app, clock)
        assert "first digest" in str(digests_received(connector, LEAD)[0])
        assert [d.key for d in await app.services.digest.history(TENANT_ID)] == ["2027-02-15T08:00/daily"]  # type: ignore[union-attr]


# -- the picture itself ---------------------------------------------------------------------

DAYS = [dt.date(2027, 2, 2) + dt.timedelta(days=i) for i in range(14)]


def test_the_png_is_the_same_every_time_and_says_its_figures_in_words() -> None:
    figures = ChartFigures(
        readiness_known=True,
        waves=[WaveBars(title="Wave 1", mfa=100.0, devices=97.5), WaveBars(title="Wave 2", mfa=70.2)],
        days=DAYS,
        open_reports=[0, 1, 2, 5, 7, 7, 6, 4, 3, 3, 2, 5, 6, 4],
    )
    png = render_png(figures)
    assert decoded(png).size == (WIDTH, HEIGHT) and decoded(png).format == "PNG"
    assert render_png(figures) == png  # deterministic: bundled font, no version stamp
    assert alt_text(figures) == (
        "Readiness per wave: Wave 1: MFA 100% registered, devices 97.5% compliant; Wave 2: MFA 70.2% registered. "
        "Open problem reports over the last 14 days: 0 on 2 Feb, 4 on 15 Feb, at most 7 on 6 Feb."
    )
    unknown = figures.model_copy(update={"readiness_known": False, "open_reports": [3] * 14})
    assert alt_text(unknown) == (
        "Readiness per wave: unknown (the directory cannot tell). "
        "Open problem reports over the last 14 days: 3 on 2 Feb, 3 on 15 Feb."
    )
    assert decoded(render_png(unknown)).size == (WIDTH, HEIGHT)


@pytest.mark.parametrize("title", HOSTILE)
def test_hostile_wave_names_draw_and_stay_text_in_the_card(title: str) -> None:
    figures = ChartFigures(
        readiness_known=True,
        waves=[WaveBars(title=title, mfa=50.0, devices=None), WaveBars(title=title * 2, mfa=None, devices=10.0)],
        days=DAYS,
        open_reports=list(range(14)),
    )
    assert decoded(render_png(figures)).size == (WIDTH, HEIGHT)
    picture = _picture(3, 3, waves=3)
    picture = picture.model_copy(update={"waves": [w.model_copy(update={"title": title}) for w in picture.waves]})
    chart = ChartView("https://bot.example/c.png", alt_text(figures))
    card = digest_card(picture, Change(), load_plan(FABRIKAM / "plan.yaml"), chart=chart)
    assert schema_errors(card) == []
    # The names stay text: no element, button or link of theirs, and the one image is ours.
    assert "actions" not in card
    assert {e["type"] for e in card["body"]} <= {"TextBlock", "FactSet", "Image"}
    assert chart_image(card)["url"] == "https://bot.example/c.png"


@examples(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    titles=st.lists(st.text(max_size=60), min_size=0, max_size=14),
    counts=st.lists(st.integers(0, 5000), min_size=14, max_size=14),
    percent=st.none() | st.floats(0, 100),
)
def test_any_figures_draw(titles: list[str], counts: list[int], percent: float | None) -> None:
    figures = ChartFigures(
        readiness_known=True,
        waves=[WaveBars(title=t, mfa=percent, devices=percent) for t in titles[:12]],
        days=DAYS,
        open_reports=counts,
    )
    assert decoded(render_png(figures)).size == (WIDTH, HEIGHT)


# -- the open-report line, from the reports' timelines, on both databases ---------------------


async def test_open_reports_by_day_follow_filing_resolving_and_reopening(database: Any) -> None:
    at = dt.datetime(2027, 2, 15, 16, 0, tzinfo=dt.UTC)  # 08:00 in Pacific time
    day = dt.timedelta(days=1)

    def report(tenant: str, created: dt.datetime) -> dict[str, Any]:
        return {
            "tenant_id": tenant, "reporter_id": "r", "text": "t", "area": "email", "area_confidence": 1.0,
            "impact": "me", "urgency": "degraded", "priority": "P3", "status": "open", "created_at": created,
            "clock_started_at": created, "updated_at": created,
        }  # fmt: skip

    async with database.begin() as conn:
        ids = []
        for tenant, created in (
            (TENANT_ID, at - 20 * day),  # open all along
            (TENANT_ID, at - 10 * day + dt.timedelta(hours=1)),  # filed 10 days back, an hour after the digest time
            (TENANT_ID, at + dt.timedelta(minutes=1)),  # after the picture: not counted
            ("another-tenant", at - 5 * day),
        ):
            ids.append((await conn.execute(sa.insert(reports).values(report(tenant, created)))).inserted_primary_key[0])
        for kind, when in (("resolved", at - 6 * day), ("reopened", at - 2 * day), ("commented", at - 1 * day)):
            await conn.execute(sa.insert(events).values(tenant_id=TENANT_ID, report_id=ids[1], at=when, kind=kind))
    line = await open_reports_by_day(database, TENANT_ID, at, ZoneInfo("America/Los_Angeles"))
    assert [d for d, _ in line] == [dt.date(2027, 2, 2) + k * day for k in range(14)]
    # 2..5 Feb: one; 6..8 Feb: two; 9..12 Feb (resolved): one; 13..15 Feb (reopened): two.
    assert [n for _, n in line] == [1] * 4 + [2] * 3 + [1] * 4 + [2] * 3
