"""The email fallback: an announcement Teams could not deliver goes by email.

When the delivery engine gives up on a person's card (``unreachable``: no conversation, blocked,
no Teams; ``failed``: still failing after its retries), :meth:`EmailFallback.on_teams_outcome`
queues the same content, rendered as an accessible HTML email (``cards/email/``), in the email
outbox (:mod:`switchover.mail.outbox`), sent from the plan's mailbox (``email: from:``) through
Graph ``sendMail``. :meth:`EmailFallback.sweep` (every 30 s, with the due announcements) queues
what a stop between the Teams outcome and its callback left out; the outbox's unique key makes
the two one email.

Buttons become links. A link the plan gives stays itself; "Got it" (and "I've set up
Authenticator") becomes a signed, expiring link to the bot's own HTTPS endpoint
(:mod:`switchover.links`, purpose ``email-ack``): its GET shows a page with a button, and only
the POST records the acknowledgement (mail scanners open links), exactly as the card's button does.

Nobody gets both: an email is queued only for a Teams outcome that is not ``sent``. The one
exception is a Teams send that was *in doubt* (a worker stopped mid-send, the card resent, and
then it failed): the person may have the first card too; the report says so.

:meth:`EmailFallback.queue` is the reusable piece: one email for ``(announcement, person, kind)``
(``kind`` ``announcement``, or e.g. ``reminder-1`` for an acknowledgement chaser).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from cards.email import render_email
from switchover import i18n
from switchover.announcements.model import ACK_VERBS, GOT_IT, PURPOSE, AnnouncementError, AnnouncementStatus
from switchover.announcements.store import AnnouncementStore
from switchover.announcements.views import RecipientCards
from switchover.delivery import DeliveryOutcome, DeliveryStatus
from switchover.delivery.tables import deliveries
from switchover.directory.base import Directory
from switchover.i18n import gettext as _
from switchover.links import LinkError, LinkSigner
from switchover.mail import EmailOutbox, EmailOutcome, EmailRequest, EmailStatus, OutgoingEmail

log = logging.getLogger(__name__)

LINK_PURPOSE = "email-ack"
# How long an email's "Got it" link works: past a wave's whole calendar (T-14 to hypercare).
ACK_LINK_AGE = dt.timedelta(days=45)
# Teams outcomes that send the card by email instead. ``in_doubt`` (a send a hard stop
# interrupted, held by ``SWITCHOVER_DELIVERY_IN_DOUBT=hold``) goes too: the one case where a
# person may get both, and the email says so.
NOT_DELIVERED = (DeliveryStatus.UNREACHABLE, DeliveryStatus.FAILED, DeliveryStatus.IN_DOUBT)
# How far back the sweep looks for Teams outcomes with no email (a stop between the two).
SWEEP_WINDOW = dt.timedelta(days=2)
ACK_TITLES = {"acknowledge": "Got it", "mfa_done": "I've set up Authenticator"}


@dataclass(frozen=True, slots=True)
class AckLink:
    """What a signed acknowledgement link says: who acknowledges what, with which button."""

    announcement_id: str
    user_id: str
    verb: str


def email_key(ann_id: str, user_id: str, kind: str = "announcement") -> str:
    """The outbox key of one email: one per person per announcement and kind."""
    return f"{PURPOSE}:{ann_id}:{kind}:{user_id}"


class EmailFallback:
    """Announcements by email, for one tenant.

    Args:
        store: The tenant's announcements.
        cards: Each recipient's card view (the email renders the same view).
        directory: People's email addresses.
        outbox: The email outbox (None or without a sender: no emails).
        signer: Signs the acknowledgement links (purpose ``email-ack``); None: no emails.
        public_base: Where people's browsers reach this instance (``https://BOT_DOMAIN``).
    """

    def __init__(
        self,
        store: AnnouncementStore,
        cards: RecipientCards,
        directory: Directory,
        outbox: EmailOutbox | None,
        *,
        signer: LinkSigner | None,
        public_base: str,
    ) -> None:
        self.store = store
        self.cards = cards
        self.directory = directory
        self.outbox = outbox
        self.signer = signer
        self.public_base = public_base.rstrip("/")

    @property
    def mailbox(self) -> str | None:
        """The plan's sending mailbox (``email: from:``), None when the plan names none."""
        settings = self.cards.calendar.plan.email
        return settings.from_ if settings else None

    @property
    def enabled(self) -> bool:
        """Whether announcements can go by email: a mailbox in the plan, a sender and a link signer."""
        return bool(self.mailbox and self.outbox is not None and self.outbox.enabled and self.signer is not None)

    # -- queueing ------------------------------------------------------------------

    async def on_teams_outcome(self, outcome: DeliveryOutcome) -> None:
        """The delivery engine's callback for announcement deliveries: not delivered -> email."""
        if outcome.status not in NOT_DELIVERED or outcome.recipient.kind != "user" or not self.enabled:
            return
        await self.queue(outcome.subject_id, outcome.recipient.key, why=_why(outcome.status.value))

    async def on_reminder_outcome(self, outcome: DeliveryOutcome) -> None:
        """The callback for acknowledgement reminders: a reminder Teams could not deliver goes by email
        (once per step and person), unless the person has acknowledged since."""
        if outcome.status not in NOT_DELIVERED or outcome.recipient.kind != "user" or not self.enabled:
            return
        if outcome.recipient.key in await self.store.acknowledged_by(outcome.subject_id):
            return
        step = outcome.dedupe_key.split(":")[-2]  # reminder:<announcement>:<step>:<person>
        kind = f"reminder-{step}"
        await self.queue(outcome.subject_id, outcome.recipient.key, kind, why=_why(outcome.status.value))

    async def queue(
        self, ann_id: str, user_id: str, kind: str = "announcement", *, why: str | None = None
    ) -> int | None:
        """Queue one email of announcement ``ann_id`` for ``user_id``; its outbox id, None if it cannot go.

        Idempotent per ``(announcement, person, kind)``. Nothing is queued when email is not
        configured, the announcement was recalled or cancelled, or the person has no address.
        """
        if not self.enabled:
            return None
        assert self.outbox is not None  # enabled  # noqa: S101
        mailbox = self.mailbox
        assert mailbox is not None  # noqa: S101
        try:
            announcement = await self.store.get(ann_id)
        except AnnouncementError:
            return None
        if announcement.status in (AnnouncementStatus.RECALLED, AnnouncementStatus.CANCELLED):
            return None
        user = await self.directory.get(user_id)
        address = (user.mail or user.upn) if user is not None else None
        if user is None or not address or "@" not in address:
            log.warning("no email address for a person Teams could not reach", extra={"announcement": ann_id})
            return None
        subject, html = await self.render(announcement.id, user.id, why=why)
        if kind.startswith("reminder"):
            subject = f"Reminder: {subject}"
        [email_id] = await self.outbox.enqueue(
            [
                EmailRequest(
                    tenant_id=self.store.tenant_id,
                    dedupe_key=email_key(ann_id, user.id, kind),
                    purpose=PURPOSE,
                    subject_id=ann_id,
                    kind=kind,
                    person_id=user.id,
                    email=OutgoingEmail(mailbox, address, user.display_name, subject, html),
                    why=why,
                )
            ]
        )
        return email_id

    async def sweep(self) -> int:
        """Queue the emails a stop left out: Teams outcomes not delivered (recently) with no email; how many."""
        if not self.enabled:
            return 0
        c = deliveries.c
        since = self.store.clock.now() - SWEEP_WINDOW
        async with self.store.db.begin(read_only=True) as s:
            rows = (
                await s.execute(
                    sa.select(c.subject_id, c.recipient_key, c.status).where(
                        c.tenant_id == self.store.tenant_id,
                        c.purpose == PURPOSE,
                        c.recipient_kind == "user",
                        c.operation == "send",
                        c.status.in_([st.value for st in NOT_DELIVERED]),
                        c.updated_at >= since,
                    )
                )
            ).all()
        if not rows:
            return 0
        assert self.outbox is not None  # noqa: S101
        queued = await self.outbox.queued_keys(self.store.tenant_id, [email_key(r[0], r[1]) for r in rows])
        count = 0
        for ann_id, user_id, status in rows:
            if email_key(ann_id, user_id) not in queued and await self.queue(ann_id, user_id, why=_why(status)):
                count += 1
        if count:
            log.warning("emails queued by the sweep (a stop came between Teams and email)", extra={"count": count})
        return count

    # -- rendering -----------------------------------------------------------------

    async def render(self, ann_id: str, user_id: str, *, why: str | None = None) -> tuple[str, str]:
        """The subject and HTML of announcement ``ann_id`` as ``user_id``'s email shows it now."""
        announcement = await self.store.get(ann_id)
        template, view = await self.cards.view_for_user(announcement, user_id)
        record = await self.cards.conversations.personal_for_user(self.store.tenant_id, user_id)
        # In the language the card is in: the reader's stored Teams language, else the plan's.
        with i18n.use(self.cards.language_of(record.locale if record is not None else None)):
            return email_subject(template, view), email_html(
                template,
                view,
                links=self.links(ann_id, user_id, view.get("buttons")),
                why=why or _why(None),
                organisation=self.cards.calendar.plan.organisation.name,
            )

    def links(self, ann_id: str, user_id: str, buttons: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
        """The card's buttons as links: the plan's links as they are, acknowledgements signed.

        A reschedule card has no button list but asks for "Got it": it gets that link.
        """
        if buttons is None:
            buttons = [{"title": _(GOT_IT), "verb": "acknowledge", "url": None}]
        out = []
        for button in buttons:
            if button.get("url"):
                out.append({"title": button["title"], "url": button["url"], "primary": False})
            elif button.get("verb") in ACK_VERBS:
                out.append(
                    {"title": button["title"], "url": self.ack_url(ann_id, user_id, button["verb"]), "primary": True}
                )
            # "Report a problem" is a conversation in Teams: the footer says where to go instead.
        return out

    def ack_url(self, ann_id: str, user_id: str, verb: str) -> str:
        """The signed, expiring "Got it" link of one person for one announcement."""
        assert self.signer is not None  # noqa: S101
        expires = int((self.store.clock.now() + ACK_LINK_AGE).timestamp())  # on the app's clock
        token = self.signer.sign({"a": ann_id, "u": user_id, "v": verb, "x": expires})
        return f"{self.public_base}/email/ack/{token}"

    def read_link(self, token: str) -> AckLink:
        """What an acknowledgement link's token says (:class:`LinkError` if not ours, expired or malformed)."""
        if self.signer is None:
            raise LinkError("invalid")
        # The signature's own age is only a backstop (wall-clock time); the expiry is the payload's,
        # on the app's clock.
        payload = self.signer.load(token, max_age=2 * ACK_LINK_AGE)
        if not isinstance(payload, dict) or payload.get("v") not in ACK_VERBS:
            raise LinkError("invalid")
        ann_id, user_id, expires = payload.get("a"), payload.get("u"), payload.get("x")
        if not isinstance(ann_id, str) or not isinstance(user_id, str) or not isinstance(expires, int):
            raise LinkError("invalid")
        if self.store.clock.now().timestamp() > expires:
            raise LinkError("expired")
        return AckLink(ann_id, user_id, payload["v"])

    async def cancel(self, ann_id: str) -> int:
        """An announcement recalled: its emails not sent yet are cancelled (a sent email cannot be taken back)."""
        if self.outbox is None:
            return 0
        return await self.outbox.cancel(self.store.tenant_id, PURPOSE, ann_id)

    # -- figures -------------------------------------------------------------------

    async def emailed(self, ann_id: str, user_id: str) -> bool:
        """Whether the person was sent announcement ``ann_id`` by email."""
        return any(o.person_id == user_id and o.status is EmailStatus.SENT for o in await self.outcomes(ann_id))

    async def outcomes(self, ann_id: str) -> list[EmailOutcome]:
        """Every email of one announcement (any kind)."""
        if self.outbox is None:
            return []
        return await self.outbox.outcomes(self.store.tenant_id, PURPOSE, ann_id)


def email_subject(template: str, view: dict[str, Any]) -> str:
    """An announcement email's subject: the card's heading (in the language in force)."""
    if template == "reschedule":
        return _("{wave}: your move to Microsoft 365 has a new date").format(wave=view["wave_title"])
    return str(view["title"])


def email_html(
    template: str, view: dict[str, Any], *, links: list[dict[str, Any]], why: str, organisation: str, lang: str = "en"
) -> str:
    """The HTML email of a card's view (``cards/email/<template>.html.j2``)."""
    shown = {k: v for k, v in view.items() if k not in ("refresh_user_ids", "buttons")}
    shown.setdefault("title", email_subject(template, view))
    return render_email(template, **shown, links=links, why=why, organisation=organisation, lang=lang)


def _why(teams_status: str | None) -> str:
    """Why this came by email, for the email's footer (and the outbox row's ``why``)."""
    base = "You are getting this by email because Switchover could not reach you in Microsoft Teams"
    if teams_status == DeliveryStatus.IN_DOUBT.value:
        return (
            f"{base} (a first attempt may have reached Teams: if you already have this message there, "
            "it is the same one)."
        )
    return f"{base}."
