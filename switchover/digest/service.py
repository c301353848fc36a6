"""The daily digest: the status picture, and what changed since the previous digest, sent to the
plan's ``digest.to`` (the project leads and the sponsor) through the one delivery engine.

When. On each of the plan's ``digest.days`` at ``digest.at`` in the organisation's time zone,
and on a cutover day also at the window's start and end (the window as it stands: a wave a lead
moved counts at its new dates). Each such moment is an *occurrence* with a key
(``2027-02-15T08:00/daily``, ``wave-2/cutover-start``), claimed once per tenant in
``digest_occurrences``: two instances on one database send it once, and a restart never loses or
doubles it (the claim, the deliveries' dedupe keys and the scheduler's 30 s wake-ups make
:meth:`DigestService.run_due` safe to call any number of times).

Late. An occurrence missed while the app was down is sent late within :data:`GRACE` (2 hours),
showing the picture at the moment it goes; after that it is recorded as ``missed`` and not
sent (a digest from the morning, arriving in the afternoon, would mislead more than help).
Only occurrences of the last :data:`LOOKBACK` are looked at.

A plan without ``digest:`` sends no digest at all, cutover days included.

Chart. With :class:`~switchover.digest.chart.ChartLinks` the card carries a chart (readiness per
wave, open reports over 14 days) by a signed, expiring URL naming the stored digest: the picture is
stored before the cards are queued, and :meth:`DigestService.chart` draws that picture, not "now".
A ``digest now`` preview is stored too (status ``preview``, never counted as a sent digest) so its
chart link has something to name; previews older than the link's lifetime are dropped.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import secrets
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from pydantic import ValidationError

from switchover import i18n
from switchover.announcements import AnnouncementService
from switchover.clock import Clock
from switchover.delivery import DeliveryEngine, DeliveryRequest, Recipient
from switchover.digest.card import ChartView, digest_card, digest_summary
from switchover.digest.change import Change, compare, new_reports
from switchover.digest.chart import ChartLinks, alt_text, figures, open_reports_by_day, render_png
from switchover.digest.tables import digests
from switchover.directory.base import Directory
from switchover.links import LinkError
from switchover.messaging import OutgoingMessage
from switchover.plan.model import Audience, Plan, Priority
from switchover.status import StatusPicture, StatusService
from switchover.storage.conversations import ConversationStore
from switchover.storage.db import Database, insert_for, rowcount

log = logging.getLogger(__name__)

PURPOSE = "digest"
GRACE = dt.timedelta(hours=2)  # a digest missed while the app was down is still sent this late
LOOKBACK = dt.timedelta(days=1)  # occurrences older than this are not looked at
LEASE = dt.timedelta(minutes=5)  # an instance that claimed a digest and stopped: another takes it after this
DAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
PREVIEW = "preview"  # status and kind of a stored ``digest now`` preview
CHART_CACHE_SIZE = 32  # rendered charts kept in memory (a digest's recipients load the same one)
CHART_CACHE_AGE = dt.timedelta(minutes=10)

Kind = Literal["daily", "cutover-start", "cutover-end"]


@dataclass(frozen=True, slots=True)
class Occurrence:
    """One digest to send: its key (unique per tenant), why, and when it is due (UTC)."""

    key: str
    kind: Kind
    due_at: dt.datetime
    wave: str | None = None


@dataclass(frozen=True, slots=True)
class SentDigest:
    """A digest as stored: what it showed, and the change it reported."""

    key: str
    kind: str
    status: str
    due_at: dt.datetime
    sent_at: dt.datetime | None
    recipients: int
    picture: StatusPicture | None
    change: Change | None


class DigestService:
    """Sends the daily and cutover digests that are due, once each.

    Args:
        db: The database (``digest_occurrences``, problem reports).
        clock: The one source of "now".
        status: Builds the picture the digest shows.
        announcements: Its ``current`` plan: the revision in force with the leads' wave moves.
        directory: Finds the recipients' Entra object ids.
        conversations: Who has a stored 1:1 chat with the bot.
        delivery: The one delivery engine.
        plan: The plan as it stands (between refreshes).
        grace: How late a missed digest is still sent (:data:`GRACE`).
        charts: Signs the chart's address (None: digests go without a chart).
    """

    def __init__(
        self,
        db: Database,
        clock: Clock,
        status: StatusService,
        announcements: AnnouncementService,
        directory: Directory,
        conversations: ConversationStore,
        delivery: DeliveryEngine,
        *,
        plan: Callable[[], Plan],
        grace: dt.timedelta = GRACE,
        charts: ChartLinks | None = None,
    ) -> None:
        self.db = db
        self.clock = clock
        self.status = status
        self.announcements = announcements
        self.directory = directory
        self.conversations = conversations
        self.delivery = delivery
        self._plan = plan
        self.grace = grace
        self.charts = charts
        self._rendered: OrderedDict[tuple[str, str, str | None], tuple[dt.datetime, bytes]] = OrderedDict()

    @property
    def plan(self) -> Plan:
        return self._plan()

    # -- when ----------------------------------------------------------------------------

    async def occurrences(self, now: dt.datetime) -> list[Occurrence]:
        """The digests due in the last :data:`LOOKBACK` up to ``now``, oldest first."""
        plan = await self.announcements.current.refresh()  # another instance's move or revision
        digest = plan.digest
        if digest is None:
            return []
        now = now.astimezone(dt.UTC)
        since = now - LOOKBACK
        out: list[Occurrence] = []
        zone = plan.zone
        day = since.astimezone(zone).date()
        while day <= now.astimezone(zone).date():
            due = dt.datetime.combine(day, digest.at, tzinfo=zone).astimezone(dt.UTC)
            if DAY_KEYS[day.weekday()] in digest.days and since < due <= now:
                out.append(Occurrence(f"{day.isoformat()}T{digest.at:%H:%M}/daily", "daily", due))
            day += dt.timedelta(days=1)
        for wave in plan.waves:  # the windows as they stand: a lead's move applied, as the status picture has them
            start = wave.cutover.start.astimezone(dt.UTC)
            end = wave.cutover.end.astimezone(dt.UTC)
            for kind, due in (("cutover-start", start), ("cutover-end", end)):
                if since < due <= now:
                    out.append(Occurrence(f"{wave.key}/{kind}", kind, due, wave.key))  # type: ignore[arg-type]
        return sorted(out, key=lambda o: (o.due_at, o.key))

    # -- sending -------------------------------------------------------------------------

    async def run_due(self, tenant_id: str, now: dt.datetime | None = None) -> list[str]:
        """Send every digest that is due and not yet sent (or record it missed past the grace).

        Returns:
            The keys of the digests this call sent (another instance's are not among them).
        """
        if not tenant_id:
            return []
        now = (now or self.clock.now()).astimezone(dt.UTC)
        sent = []
        for occurrence in await self.occurrences(now):
            if now - occurrence.due_at > self.grace:
                await self._record_missed(tenant_id, occurrence)
                continue
            if not await self._claim(tenant_id, occurrence, now):
                continue
            try:
                await self._send(tenant_id, occurrence, now)
            except Exception:
                log.exception(
                    "could not send the digest; it is tried again when its claim runs out",
                    extra={"digest": occurrence.key},
                )
                continue
            sent.append(occurrence.key)
        if sent:
            self.delivery.wake()
        return sent

    async def _record_missed(self, tenant_id: str, occurrence: Occurrence) -> None:
        ins = insert_for(self.db.dialect)
        async with self.db.begin() as conn:
            result = await conn.execute(
                ins(digests)
                .values(tenant_id=tenant_id, key=occurrence.key, kind=occurrence.kind, due_at=occurrence.due_at,
                        status="missed")
                .on_conflict_do_nothing()
                .returning(digests.c.key)
            )  # fmt: skip
            if result.first() is not None:
                log.warning("digest missed: the app was down past its grace period", extra={"digest": occurrence.key})

    async def _claim(self, tenant_id: str, occurrence: Occurrence, now: dt.datetime) -> bool:
        """Take the occurrence for this instance: a new row, or a claim another instance let run out."""
        ins = insert_for(self.db.dialect)
        async with self.db.begin(immediate=True) as conn:
            result = await conn.execute(
                ins(digests)
                .values(tenant_id=tenant_id, key=occurrence.key, kind=occurrence.kind, due_at=occurrence.due_at,
                        status="claimed", claimed_until=now + LEASE)
                .on_conflict_do_nothing()
                .returning(digests.c.key)
            )  # fmt: skip
            if result.first() is not None:
                return True
            retaken = await conn.execute(
                sa.update(digests)
                .where(
                    digests.c.tenant_id == tenant_id,
                    digests.c.key == occurrence.key,
                    digests.c.status == "claimed",
                    digests.c.claimed_until < now,
                )
                .values(claimed_until=now + LEASE)
            )
            return rowcount(retaken) == 1

    async def picture_and_change(
        self, tenant_id: str, now: dt.datetime, *, before: str | None = None
    ) -> tuple[StatusPicture, Change]:
        """The picture at ``now`` and what changed since the last digest sent (other than ``before``)."""
        picture = await self.status.picture(tenant_id, now)
        previous = await self.previous(tenant_id, before=before)
        if previous is None or previous.picture is None:
            return picture, Change()
        counts = await new_reports(self.db, tenant_id, previous.picture.at, picture.at, [p.value for p in Priority])
        return picture, compare(previous.picture, picture, counts)

    async def preview(self, tenant_id: str) -> dict[str, Any]:
        """The digest card as it would go now (``digest now``): nothing is sent.

        With charts on, the preview's picture is stored (status ``preview``) for its chart link to name.
        """
        now = self.clock.now()
        picture, change = await self.picture_and_change(tenant_id, now)
        chart = None
        if self.charts is not None:
            key = f"{PREVIEW}/{secrets.token_hex(8)}"
            async with self.db.begin() as conn:
                await conn.execute(
                    sa.delete(digests).where(
                        digests.c.tenant_id == tenant_id,
                        digests.c.status == PREVIEW,
                        digests.c.due_at < now - self.charts.age,
                    )
                )
                await conn.execute(
                    sa.insert(digests).values(
                        tenant_id=tenant_id,
                        key=key,
                        kind=PREVIEW,
                        due_at=now,
                        status=PREVIEW,
                        picture=picture.model_dump(mode="json"),
                        change=change.model_dump(mode="json"),
                    )
                )
            chart = await self._chart_view(self.charts, tenant_id, key, picture, now)
        return digest_card(picture, change, self.plan, "daily", chart=chart)

    async def _chart_view(
        self, charts: ChartLinks, tenant_id: str, key: str, picture: StatusPicture, now: dt.datetime
    ) -> ChartView:
        """The chart's link and words in the language in force (the link tells the chart route which)."""
        by_day = await open_reports_by_day(self.db, tenant_id, picture.at, ZoneInfo(picture.time_zone))
        lang = i18n.current()
        tag = lang.tag if lang.code != i18n.DEFAULT else None
        return ChartView(url=charts.url(tenant_id, key, now, tag), alt=alt_text(figures(picture, by_day)))

    async def _send(self, tenant_id: str, occurrence: Occurrence, now: dt.datetime) -> None:
        plan = self.plan
        picture, change = await self.picture_and_change(tenant_id, now, before=occurrence.key)
        addressed = await self._addressed(tenant_id)
        recipients = [r for r, _ in addressed]
        if self.charts is not None:
            # The picture is stored before any card goes: the chart's link names it.
            async with self.db.begin() as conn:
                await conn.execute(
                    sa.update(digests)
                    .where(digests.c.tenant_id == tenant_id, digests.c.key == occurrence.key)
                    .values(picture=picture.model_dump(mode="json"), change=change.model_dump(mode="json"))
                )
        # Each recipient reads the digest in their Teams language (as last seen in their chat with the
        # bot), else the plan's: one card per language, the same picture and figures in each.
        messages: dict[i18n.Language, OutgoingMessage] = {}
        requests = []
        for r, lang in addressed:
            if lang not in messages:
                with i18n.use(lang):
                    chart = None
                    if self.charts is not None:
                        chart = await self._chart_view(self.charts, tenant_id, occurrence.key, picture, now)
                    card = digest_card(picture, change, plan, occurrence.kind, occurrence.wave, chart=chart)
                    summary = digest_summary(picture, change, occurrence.kind)
                messages[lang] = OutgoingMessage(card=card, summary=summary)
            requests.append(
                DeliveryRequest(
                    recipient=r,
                    message=messages[lang],
                    purpose=PURPOSE,
                    subject_id=occurrence.key,
                    dedupe_key=f"digest:{occurrence.key}:{r.key}",
                )
            )
        await self.delivery.enqueue(requests)
        async with self.db.begin() as conn:
            await conn.execute(
                sa.update(digests)
                .where(digests.c.tenant_id == tenant_id, digests.c.key == occurrence.key)
                .values(
                    status="sent",
                    sent_at=now,
                    claimed_until=None,
                    recipients=len(recipients),
                    picture=picture.model_dump(mode="json"),
                    change=change.model_dump(mode="json"),
                )
            )
        log.info("digest sent", extra={"digest": occurrence.key, "recipients": len(recipients)})

    async def recipients(self, tenant_id: str) -> list[Recipient]:
        """The plan's ``digest.to``, as people the bot can message (a stored 1:1 chat), each once."""
        return [r for r, _ in await self._addressed(tenant_id)]

    async def _addressed(self, tenant_id: str) -> list[tuple[Recipient, i18n.Language]]:
        """:meth:`recipients`, each with the language they read: their chat's Teams locale, else the plan's."""
        plan = self.plan
        if plan.digest is None:
            return []
        keys: list[str] = []
        for audience in plan.digest.to:
            if audience is Audience.PROJECT_LEADS:
                keys += plan.project_leads
            elif audience is Audience.SPONSOR:
                keys.append(plan.sponsor)
            elif audience is Audience.SERVICE_DESK:
                keys += plan.service_desk.members
            else:
                log.warning("the digest goes to people the plan names; %s is left out", audience.value)
        found: dict[str, str] = {}
        for key in dict.fromkeys(keys):
            try:
                person = plan.person(key)
            except KeyError:
                log.warning("digest recipient %r is not in the plan's people", key)
                continue
            user = await self.directory.get(person.upn)
            if user is None and person.email:
                user = await self.directory.get(person.email)
            if user is None:
                log.warning("digest recipient not in the directory", extra={"person": key})
                continue
            found.setdefault(user.id, person.name)
        chats = await self.conversations.personal_for_users(tenant_id, found)
        missing = [name for user_id, name in found.items() if user_id not in chats]
        if missing:
            log.warning("digest recipients without a chat with the bot: %s", ", ".join(missing))
        default = plan.organisation.language
        return [
            (Recipient(tenant_id, "user", user_id, name), i18n.language(chats[user_id].locale, default))
            for user_id, name in found.items()
            if user_id in chats
        ]

    # -- the chart -----------------------------------------------------------------------

    async def chart(self, token: str) -> bytes:
        """The PNG chart of the stored digest ``token`` names (from a short cache when drawn lately).

        Raises:
            LinkError: ``invalid`` (not ours, tampered, or charts are off), ``expired``, or
                ``gone`` (the digest it names is not stored, or stored without a picture).
        """
        if self.charts is None:
            raise LinkError("invalid")
        payload = self.charts.signer.load(token, max_age=self.charts.age + dt.timedelta(days=1))
        try:
            tenant_id, key, expires = str(payload["t"]), str(payload["d"]), int(payload["x"])
            lang = str(payload["l"]) if payload.get("l") else None
        except (AttributeError, KeyError, TypeError, ValueError) as exc:
            raise LinkError("invalid") from exc
        now = self.clock.now()
        if now.timestamp() > expires:
            raise LinkError("expired")
        cached = self._rendered.get((tenant_id, key, lang))
        if cached is not None and now - cached[0] < CHART_CACHE_AGE:
            self._rendered.move_to_end((tenant_id, key, lang))
            return cached[1]
        async with self.db.begin(read_only=True) as conn:
            stored = (
                await conn.execute(
                    sa.select(digests.c.picture).where(digests.c.tenant_id == tenant_id, digests.c.key == key)
                )
            ).scalar()
        if not stored:
            raise LinkError("gone")
        try:
            picture = StatusPicture.model_validate(stored)
        except ValidationError as exc:  # a picture stored by an older version this one cannot read
            log.warning("a stored digest's picture cannot be read for its chart", extra={"digest": key})
            raise LinkError("gone") from exc
        by_day = await open_reports_by_day(self.db, tenant_id, picture.at, ZoneInfo(picture.time_zone))
        with i18n.use(lang):  # the thread runs in a copy of this context, so in this language
            png = await asyncio.to_thread(render_png, figures(picture, by_day))
        self._rendered[(tenant_id, key, lang)] = (now, png)
        while len(self._rendered) > CHART_CACHE_SIZE:
            self._rendered.popitem(last=False)
        return png

    # -- what was sent -------------------------------------------------------------------

    async def previous(self, tenant_id: str, *, before: str | None = None) -> SentDigest | None:
        """The last digest sent (other than ``before``), with its picture."""
        query = (
            sa.select(digests)
            .where(digests.c.tenant_id == tenant_id, digests.c.status == "sent")
            .order_by(digests.c.sent_at.desc(), digests.c.due_at.desc())
            .limit(1)
        )
        if before is not None:
            query = query.where(digests.c.key != before)
        async with self.db.begin(read_only=True) as conn:
            row = (await conn.execute(query)).first()
        return _stored(row) if row is not None else None

    async def history(self, tenant_id: str) -> list[SentDigest]:
        """Every digest occurrence stored for the tenant (sent, claimed or missed), oldest first; not previews."""
        async with self.db.begin(read_only=True) as conn:
            rows = (
                await conn.execute(
                    sa.select(digests)
                    .where(digests.c.tenant_id == tenant_id, digests.c.status != PREVIEW)
                    .order_by(digests.c.due_at, digests.c.key)
                )
            ).all()
        return [_stored(r) for r in rows]


def _stored(row: Any) -> SentDigest:
    return SentDigest(
        key=row.key,
        kind=row.kind,
        status=row.status,
        due_at=row.due_at,
        sent_at=row.sent_at,
        recipients=row.recipients,
        picture=StatusPicture.model_validate(row.picture) if row.picture else None,
        change=Change.model_validate(row.change) if row.change else None,
    )
