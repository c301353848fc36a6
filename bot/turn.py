"""One incoming activity as features see it: who asked, in which conversation, and how to reply."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from botbuilder.core import CardFactory, MessageFactory, TurnContext
from botbuilder.schema import Activity

if TYPE_CHECKING:
    from switchover.directory.base import DirectoryUser
    from switchover.runtime import Runtime


@dataclass(frozen=True, slots=True)
class Asker:
    """The person behind an activity, as Teams describes them."""

    teams_id: str  # 29:... (bot-specific)
    aad_object_id: str | None
    name: str | None
    upn: str | None  # Teams gives it on some clients (from.userPrincipalName / email)
    tenant_id: str
    time_zone: str | None  # IANA name from activity.localTimezone

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
    )


class Turn:
    """What a feature handler gets: the activity, the asker, the runtime, reply helpers."""

    def __init__(self, context: TurnContext, runtime: Runtime, text: str = "") -> None:
        self.context = context
        self.runtime = runtime
        self.text = text
        self.asker = asker_from(context.activity)
        self._user: DirectoryUser | None | bool = False  # False: not looked up yet

    @property
    def activity(self) -> Activity:
        return self.context.activity

    @property
    def is_personal(self) -> bool:
        conv = self.activity.conversation
        return conv is None or conv.conversation_type in (None, "personal")

    async def user(self) -> DirectoryUser | None:
        """The asker in the directory (by object id, then UPN), looked up once per turn."""
        if self._user is False:
            found = None
            directory = self.runtime.directory
            if self.asker.aad_object_id:
                found = await directory.get(self.asker.aad_object_id)
            if found is None and self.asker.upn:
                found = await directory.get(self.asker.upn)
            self._user = found
        return self._user  # type: ignore[return-value]

    async def reply_text(self, text: str) -> str | None:
        resp = await self.context.send_activity(MessageFactory.text(text))
        return resp.id if resp else None

    async def reply_card(self, card: dict[str, Any], *, summary: str | None = None) -> str | None:
        msg = MessageFactory.attachment(CardFactory.adaptive_card(card))
        if summary:
            msg.summary = summary
        resp = await self.context.send_activity(msg)
        return resp.id if resp else None
