"""Acknowledgements: a recipient pressed "Got it", or "I've set up Authenticator", which is checked
against Microsoft Graph before it is recorded. Only a person who was sent the card can press."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from switchover.announcements.model import ACK_VERBS, REMINDER_PURPOSE, AnnouncementError
from switchover.announcements.sending import Sending
from switchover.announcements.store import AnnouncementStore
from switchover.announcements.views import RecipientCards
from switchover.delivery import DeliveryStatus
from switchover.directory.base import Directory

if TYPE_CHECKING:
    from switchover.readiness.service import ReadinessService

log = logging.getLogger(__name__)


class NotARecipient(PermissionError):
    """A card action for an announcement the invoking user was never sent."""


@dataclass(frozen=True, slots=True)
class MfaConfirmation:
    """What came of "I've set up Authenticator" (``AnnouncementService.confirm_mfa``).

    Attributes:
        registered: True when Graph shows MFA registered, False when it does not (nothing
            recorded: the person can press again), None when nobody can tell (taken at its word).
        message: what the person is told.
        recorded: whether the acknowledgement was recorded.
        card: the card to show the person instead.
    """

    registered: bool | None
    message: str
    recorded: bool
    card: dict[str, Any]


class Acknowledgements:
    """Records recipients' acknowledgements for one tenant.

    Args:
        store: The tenant's announcements (and acknowledgements).
        sending: Who was sent what.
        cards: The card each recipient sees afterwards.
        directory: Who the person is (for the Graph check).
        readiness: Checks MFA registration against Graph; None: "I've set up Authenticator"
            is taken at its word.
        emailed: Whether a person was sent the announcement by email (``(ann_id, user_id)``):
            they may acknowledge it too (through the email's signed link).
    """

    def __init__(
        self,
        store: AnnouncementStore,
        sending: Sending,
        cards: RecipientCards,
        directory: Directory,
        readiness: ReadinessService | None,
        *,
        emailed: Callable[[str, str], Awaitable[bool]] | None = None,
    ) -> None:
        self.emailed = emailed
        self.store = store
        self.sending = sending
        self.cards = cards
        self.directory = directory
        self.readiness = readiness

    async def acknowledge(
        self, ann_id: str, user_id: str, verb: str, *, time_zone: str | None = None
    ) -> dict[str, Any]:
        """Record that a recipient pressed "Got it" (or "I've set up Authenticator", see :meth:`confirm_mfa`).

        Returns:
            The card to show that user instead (acknowledged, buttons gone).

        Raises:
            NotARecipient: the user was never sent this announcement (a forged action).
            AnnouncementError: unknown announcement or verb.
        """
        if verb not in ACK_VERBS:
            raise AnnouncementError(f"unknown acknowledgement {verb!r}")
        if verb == "mfa_done":
            return (await self.confirm_mfa(ann_id, user_id, time_zone=time_zone)).card
        announcement = await self.store.get(ann_id)
        await self._check_recipient(ann_id, user_id)
        first = await self.store.record_acknowledgement(ann_id, user_id, verb)
        await self._chasers_stop(ann_id, user_id)
        return await self.cards.for_user(announcement, user_id, acknowledged_at=first, time_zone=time_zone)

    async def confirm_mfa(self, ann_id: str, user_id: str, *, time_zone: str | None = None) -> MfaConfirmation:
        """Check "I've set up Authenticator" against Microsoft Graph now.

        Registered: recorded, and the card thanks them. Not registered: nothing is recorded and
        the card says what to do, so they can press again later. Unknown (CSV roster, no
        readiness service, Graph cannot say): recorded at its word.

        Raises:
            NotARecipient: the user was never sent this announcement (a forged action).
            AnnouncementError: unknown announcement.
        """
        announcement = await self.store.get(ann_id)
        await self._check_recipient(ann_id, user_id)  # before asking Graph anything
        registered, message = await self._mfa_registered(user_id)
        if registered is False:
            log.info("MFA not registered yet; acknowledgement not recorded", extra={"announcement": ann_id})
            card = await self.cards.for_user(announcement, user_id, time_zone=time_zone, notice=message)
            return MfaConfirmation(False, message, False, card)
        first = await self.store.record_acknowledgement(ann_id, user_id, "mfa_done")
        await self._chasers_stop(ann_id, user_id)
        notice = message if registered else None
        card = await self.cards.for_user(
            announcement, user_id, acknowledged_at=first, time_zone=time_zone, notice=notice, notice_good=True
        )
        return MfaConfirmation(registered, message, True, card)

    async def _mfa_registered(self, user_id: str) -> tuple[bool | None, str]:
        if self.readiness is None:
            return None, ""
        try:
            user = await self.directory.get(user_id)
            if user is None:
                return None, ""
            return await self.readiness.confirm_mfa(user)
        except Exception:
            # Graph failing beyond what the directory absorbs: take the person at their word.
            log.exception("MFA registration could not be checked; recorded as told", extra={"user": user_id})
            return None, ""

    async def _chasers_stop(self, ann_id: str, user_id: str) -> None:
        """A reminder still queued for this person does not go (later steps leave them out anyway)."""
        await self.sending.engine.cancel(self.store.tenant_id, REMINDER_PURPOSE, ann_id, recipient_key=user_id)

    async def _check_recipient(self, ann_id: str, user_id: str) -> None:
        delivery = await self.sending.delivery_for(ann_id, user_id)
        if delivery is not None and delivery.status is DeliveryStatus.SENT:
            return
        # A person the first card did not reach may have been sent a reminder since, or an email.
        for reminder in await self.sending.engine.outcomes(self.store.tenant_id, REMINDER_PURPOSE, ann_id):
            if reminder.recipient.key == user_id and reminder.status is DeliveryStatus.SENT:
                return
        if self.emailed is None or not await self.emailed(ann_id, user_id):
            raise NotARecipient(f"user {user_id} was not sent announcement {ann_id}")
