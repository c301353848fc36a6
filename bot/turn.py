"""One incoming activity as features see it: who asked, in which conversation, and how to reply."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from botbuilder.core import CardFactory, TurnContext
from botbuilder.schema import Activity, ActivityTypes, Attachment

from switchover import access
from switchover.storage.conversations import conversation_kind

if TYPE_CHECKING:
    from switchover.directory.base import DirectoryUser
    from switchover.services import Services


@dataclass(frozen=True, slots=True)
class Asker:
    """The person behind an activity, as Teams describes them."""

    teams_id: str  # 29:... (bot-specific)
    aad_object_id: str | None
    name: str | None
    upn: str | None  # Teams gives it on some clients (from.userPrincipalName / email)
    tenant_id: str
    time_zone: str | None  # IANA name from activity.localTimezone
    locale: str | None = None  # BCP 47 tag from activity.locale (the person's Teams language)

    @property
    def zone(self) -> ZoneInfo | None:
        if not self.time_zone:
            return None
        try:
            return ZoneInfo(self.time_zone)
        except (ZoneInfoNotFoundError, ValueError):
            return None


def asker_from(activity: Activity) -> Asker:
    frm = activity.from_property
    props = getattr(frm, "properties", None) or {}
    upn = getattr(frm, "user_principal_name", None) or props.get("userPrincipalName") or props.get("email")
    channel_data = activity.channel_data or {}
    tenant = (
        ((channel_data.get("tenant") or {}).get("id") if isinstance(channel_data, dict) else None)
        or (activity.conversation.tenant_id if activity.conversation else None)
        or ""
    )
    return Asker(
        teams_id=frm.id if frm else "",
        aad_object_id=getattr(frm, "aad_object_id", None),
        name=getattr(frm, "name", None),
        upn=upn,
        tenant_id=tenant,
        time_zone=activity.local_timezone,
        locale=activity.locale or None,
    )


class ReplyActivity(Activity):
    """An outgoing activity that botbuilder may copy shallowly.

    ``TurnContext.send_activities`` deep-copies every outgoing activity before
    stamping the conversation reference on the copy (``apply_conversation_reference``
    only reassigns top-level attributes). Ours are built fresh for each reply and
    never shared, so a shallow copy is equivalent and spares a deep copy of the
    whole card on every turn.
    """

    def __deepcopy__(self, memo: dict[int, Any]) -> ReplyActivity:
        return copy.copy(self)


def text_reply(text: str) -> ReplyActivity:
    return ReplyActivity(type=ActivityTypes.message, text=text, text_format="markdown")


def card_reply(card: dict[str, Any], summary: str | None = None) -> ReplyActivity:
    return ReplyActivity(
        type=ActivityTypes.message,
        attachments=[Attachment(content_type=CardFactory.content_types.adaptive_card, content=card)],
        summary=summary,
    )


class Turn:
    """What a feature handler gets: the activity, the asker, the running services, reply helpers."""

    def __init__(self, context: TurnContext, services: Services, text: str = "") -> None:
        self.context = context
        self.services = services
        self.text = text
        self.asker = asker_from(context.activity)
        self._user: DirectoryUser | None | bool = False  # False: not looked up yet

    @property
    def activity(self) -> Activity:
        return self.context.activity

    @property
    def is_personal(self) -> bool:
        """A 1:1 chat with the asker, as Teams says (a meeting chat with no type is not one)."""
        conv = self.activity.conversation
        return conv is None or conversation_kind(conv.conversation_type, conv.is_group, conv.id or "") == "personal"

    async def user(self) -> DirectoryUser | None:
        """The asker in the directory (by object id, then UPN), looked up once per turn."""
        if self._user is False:
            found = None
            directory = self.services.directory
            if self.asker.aad_object_id:
                found = await directory.get(self.asker.aad_object_id)
            if found is None and self.asker.upn:
                found = await directory.get(self.asker.upn)
            self._user = found
        return self._user  # type: ignore[return-value]

    async def is_lead(self) -> bool:
        """Whether the asker is one of the plan's project leads (by directory UPN or mail, else the UPN Teams gave).

        The router asks this for lead-only routes (:class:`bot.routing.NeedsLead`); features do not.
        """
        plan = self.services.plan
        user = await self.user()
        upns = (user.upn if user else None, user.mail if user else None, self.asker.upn)
        return access.is_lead(plan, access.plan_person(plan, upns))

    async def reply_text(self, text: str) -> str | None:
        resp = await self.context.send_activity(text_reply(text))
        return resp.id if resp else None

    async def reply_card(self, card: dict[str, Any], *, summary: str | None = None) -> str | None:
        resp = await self.context.send_activity(card_reply(card, summary))
        return resp.id if resp else None
