"""Cards and messages about problem reports: sent through the one delivery engine, kept up to date.

A card to a person or channel is remembered (``problem_cards``) so it can be
updated in place when the report changes, or retired (shown without actions)
when the report moves to someone else. The reporter hears about their report
through status cards. Nothing here decides *who* gets a card (see
:mod:`switchover.problems.chain`).

Each card and message is written in its reader's language: the Teams language
stored with their 1:1 chat (``conversation_refs.locale``), else the plan's. A
reporter's notice is written in theirs even when a staff member's action (in
another language) caused it, so what to say comes as words (``Words``): a
callable that writes them in the language in force.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from switchover import i18n
from switchover.clock import Clock
from switchover.delivery import DeliveryEngine, DeliveryRequest, DeliveryStatus, Recipient
from switchover.directory.base import Directory
from switchover.messaging import OutgoingMessage
from switchover.plan.current import CurrentPlan
from switchover.plan.model import Contact, Plan
from switchover.problems import views
from switchover.problems.model import ProblemReport
from switchover.problems.store import ReportStore
from switchover.storage.conversations import ConversationStore

log = logging.getLogger(__name__)

PURPOSE = "problem"  # cards to owners, backups, leads (failures move along the chain)
STATUS_PURPOSE = "problem-status"  # messages to reporters
INCIDENT_PURPOSE = "problem-incident"  # major-incident cards
ALERT_PURPOSE = "problem-alert"  # plain chat alerts (a report nobody could be reached for)
# A card in one of these states is not on anyone's screen.
_NOT_DELIVERED = (DeliveryStatus.FAILED, DeliveryStatus.UNREACHABLE, DeliveryStatus.CANCELLED)

Words = str | Callable[[], str]
"""What to tell someone: text as it is, or a callable writing it in the language in force."""


def _written(words: Words) -> str:
    return words() if callable(words) else words


class Notifier:
    """Sends report cards and reporter messages, and updates the cards already sent.

    Args:
        plan: The migration plan (people, areas).
        directory: Finds the Entra object id of plan people (cards go to object ids).
        delivery: The delivery engine every card and message goes through.
        store: Where sent cards are remembered.
        clock: The one source of "now".
        conversations: Where each person's Teams language is kept (None: everyone reads the plan's).
    """

    def __init__(
        self,
        plan: Plan | CurrentPlan,
        directory: Directory,
        delivery: DeliveryEngine,
        store: ReportStore,
        clock: Clock,
        conversations: ConversationStore | None = None,
    ) -> None:
        self.current = CurrentPlan.of(plan)
        self.directory = directory
        self.delivery = delivery
        self.store = store
        self.clock = clock
        self.conversations = conversations

    async def language_of(self, recipient: Recipient) -> i18n.Language:
        """The language ``recipient`` reads: a person's Teams language as last seen in their 1:1 chat
        with the bot, else (a channel, someone never seen, a language without a catalog) the plan's."""
        locale = None
        if recipient.kind == "user" and self.conversations is not None:
            try:
                record = await self.conversations.personal_for_user(recipient.tenant_id, recipient.key)
            except Exception:  # the plan's language is a fine answer; the notice must still go
                log.exception("could not read a recipient's language", extra={"tenant_id": recipient.tenant_id})
                record = None
            locale = record.locale if record is not None else None
        return i18n.language(locale, self.plan.organisation.language)

    @property
    def plan(self) -> Plan:
        """The plan as it stands (read through the shared :class:`CurrentPlan`)."""
        return self.current.plan

    async def recipient(self, tenant_id: str, contact: Contact) -> Recipient | None:
        """Where a plan contact's card goes, or None when the bot cannot reach them."""
        if contact.channel is not None:
            return Recipient(tenant_id, "channel", str(contact.channel), str(contact.channel))
        if contact.person is None:
            return None
        try:
            person = self.plan.person(contact.person)
        except KeyError:
            return None
        user = await self.directory.get(person.upn)
        if user is None and person.email:
            user = await self.directory.get(person.email)
        if user is None:
            log.warning("plan person not in the directory", extra={"person": person.key})
            return None
        return Recipient(tenant_id, "user", user.id, person.name)

    async def send_card(
        self,
        report: ProblemReport,
        role: str,
        contact: Contact,
        *,
        chain_index: int,
        actionable: bool,
        suffix: str,
        not_before: dt.datetime | None = None,
    ) -> bool:
        """Send the owner's card for ``report`` to ``contact`` and remember it.

        Args:
            role: Why they get it (``owner``, ``backup``, ``project_lead``, ``sponsor``, ``assignee``...).
            chain_index: Their place in the owner chain, -1 when outside it.
            actionable: A card to work from (with actions), or for information only.
            suffix: Makes the delivery's dedupe key; the same suffix in the same cycle never sends twice.
            not_before: Hold the card until then (the Service Desk's next opening).

        Returns:
            False when the contact cannot be reached; True when the card is queued, or an
            actionable one is already with them.
        """
        recipient = await self.recipient(report.tenant_id, contact)
        if recipient is None:
            return False
        if actionable and await self._holds_card(report, recipient):
            return True
        linked = await self.store.linked(report)
        with i18n.use(await self.language_of(recipient)):
            card = views.owner_card(self.plan, report, actions=actionable, linked=linked)
            summary = views.owner_summary(self.plan, report)
        request = DeliveryRequest(
            recipient=recipient,
            message=OutgoingMessage(card=card, summary=summary),
            purpose=PURPOSE,
            subject_id=str(report.id),
            dedupe_key=f"problem:{report.id}:c{report.cycle}:{suffix}",
            not_before=not_before,
        )
        [delivery_id] = await self.delivery.enqueue([request])
        await self.store.remember_card(
            report.tenant_id,
            delivery_id,
            report_id=report.id,
            role=role,
            chain_index=chain_index,
            recipient_kind=recipient.kind,
            recipient_key=recipient.key,
            actionable=actionable,
            at=self.clock.now(),
        )
        return True

    async def _holds_card(self, report: ProblemReport, recipient: Recipient) -> bool:
        """Whether this recipient already has a working card for this report (this cycle)."""
        for delivery_id in await self.store.working_cards(report, recipient_key=recipient.key):
            outcome = await self.delivery.get(delivery_id)
            if outcome.status not in _NOT_DELIVERED:
                return True
        return False

    async def send_incident_card(
        self,
        tenant_id: str,
        incident_id: int,
        role: str,
        contact: Contact,
        index: int,
        message: OutgoingMessage | Callable[[], OutgoingMessage],
    ) -> None:
        """Send an incident's card to ``contact`` (when reachable) and remember it (``message``: the
        card, or a callable writing it in the language in force)."""
        recipient = await self.recipient(tenant_id, contact)
        if recipient is None:
            return
        with i18n.use(await self.language_of(recipient)):
            written = message() if callable(message) else message
        request = DeliveryRequest(
            recipient=recipient,
            message=written,
            purpose=INCIDENT_PURPOSE,
            subject_id=f"incident-{incident_id}",
            dedupe_key=f"incident:{incident_id}:{role}:{index}",
        )
        [delivery_id] = await self.delivery.enqueue([request])
        await self.store.remember_card(
            tenant_id,
            delivery_id,
            incident_id=incident_id,
            role=f"incident_{role}",
            chain_index=index,
            recipient_kind=recipient.kind,
            recipient_key=recipient.key,
            actionable=True,
            at=self.clock.now(),
        )

    async def refresh_cards(self, tenant_id: str, report_id: int) -> None:
        """Update every working card about a report in place (those already sent)."""
        report = await self.store.get(tenant_id, report_id)
        linked = await self.store.linked(report)
        delivery_ids = await self.store.working_cards(report)

        def message() -> OutgoingMessage:
            card = views.owner_card(self.plan, report, actions=True, linked=linked)
            return OutgoingMessage(card=card, summary=f"{report.reference}: {views.status_title(report.status)}")

        await self.update_each(delivery_ids, message)

    async def retire_cards(self, report: ProblemReport) -> None:
        """Cards of a previous owner: show the report without actions."""
        delivery_ids = await self.store.retire_cards(report)
        await self.update_each(
            delivery_ids, lambda: OutgoingMessage(card=views.owner_card(self.plan, report, actions=False))
        )

    async def update_each(self, delivery_ids: list[int], message: Callable[[], OutgoingMessage]) -> None:
        """Replace each sent card with ``message`` written in its reader's language (each language once)."""
        written: dict[str, OutgoingMessage] = {}
        for delivery_id in delivery_ids:
            await self.update(delivery_id, message, written)

    async def update(
        self,
        delivery_id: int,
        message: OutgoingMessage | Callable[[], OutgoingMessage],
        written: dict[str, OutgoingMessage] | None = None,
    ) -> None:
        """Replace a sent card; one not delivered (yet) is left alone, a failure only logged.

        ``message`` may be a callable writing the card in the language in force: it is written in
        the language of the card's reader (``written`` keeps what was already written, by language).
        """
        outcome = await self.delivery.get(delivery_id)
        if outcome.status is not DeliveryStatus.SENT:
            return  # not delivered (yet): nothing on screen to update
        if callable(message):
            language = await self.language_of(outcome.recipient)
            written = {} if written is None else written
            if language.tag not in written:
                with i18n.use(language):
                    written[language.tag] = message()
            message = written[language.tag]
        try:
            await self.delivery.update_sent(delivery_id, message)
        except Exception:
            # The stored report is the truth; a stale card is a cosmetic loss.
            log.exception("could not update a problem card in place", extra={"delivery": delivery_id})

    async def send_text(self, report: ProblemReport, contact: Contact, text: Words, key: str) -> bool:
        """Send ``contact`` a plain chat message about ``report`` (once per ``key`` and cycle), in their
        language; False when the bot cannot reach them."""
        recipient = await self.recipient(report.tenant_id, contact)
        if recipient is None:
            return False
        with i18n.use(await self.language_of(recipient)):
            written = _written(text)
        request = DeliveryRequest(
            recipient=recipient,
            message=OutgoingMessage(text=written),
            purpose=ALERT_PURPOSE,
            subject_id=str(report.id),
            dedupe_key=f"problem:{report.id}:c{report.cycle}:{key}",
        )
        await self.delivery.enqueue([request])
        return True

    async def tell_reporter(self, report: ProblemReport, message: Words, event: str) -> None:
        """Send the reporter a status card saying ``message`` (once per ``event``), in their language."""
        recipient = Recipient(report.tenant_id, "user", report.reporter.id, report.reporter.name)
        with i18n.use(await self.language_of(recipient)):
            said = _written(message)
            card = views.status_card(self.plan, report, said)
        request = DeliveryRequest(
            recipient=recipient,
            message=OutgoingMessage(card=card, summary=said[:120]),
            purpose=STATUS_PURPOSE,
            subject_id=str(report.id),
            dedupe_key=f"problem:{report.id}:reporter:{event}",
        )
        await self.delivery.enqueue([request])
