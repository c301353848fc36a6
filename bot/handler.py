"""The Teams activity handler: stores conversation references, then dispatches through the routing table."""

from __future__ import annotations

import dataclasses
import logging
from http import HTTPStatus
from typing import Any
from urllib.parse import quote

from botbuilder.core import BotAdapter, TurnContext
from botbuilder.core.invoke_response import InvokeResponse
from botbuilder.core.teams import TeamsActivityHandler
from botbuilder.schema import ChannelAccount
from botbuilder.schema.teams import ReadReceiptInfo

from bot.actions import BadActionData, read_action_data
from bot.routing import ActionHandler, NeedsLead, Router
from bot.turn import Turn, asker_from
from switchover import i18n
from switchover.i18n import gettext as _
from switchover.services import Services
from switchover.storage.conversations import THREAD_MARK, ConversationRecord, conversation_kind

log = logging.getLogger(__name__)

GENERAL_CHANNEL = "General"
CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
MESSAGE_CONTENT_TYPE = "application/vnd.microsoft.activity.message"
ERROR_CONTENT_TYPE = "application/vnd.microsoft.error"


def _invoke(status: int, content_type: str, value: Any) -> InvokeResponse:
    """The HTTP answer to an ``adaptiveCard/action`` invoke (Universal Actions response).

    The HTTP status is 200 whenever the bot processed the invoke; how it went is
    the body's ``statusCode`` (the Universal Action Model's response format).
    """
    return InvokeResponse(status=HTTPStatus.OK, body={"statusCode": int(status), "type": content_type, "value": value})


def card_action_error(status: int, code: str, message: str) -> InvokeResponse:
    """The documented error answer to an ``adaptiveCard/action``: ``application/vnd.microsoft.error``."""
    return _invoke(status, ERROR_CONTENT_TYPE, {"code": code, "message": message})


def conversation_record(context: TurnContext, *, installed: bool = True) -> ConversationRecord | None:
    """What to store about the conversation an activity came from (None if there is nothing to reach)."""
    activity = context.activity
    conv = activity.conversation
    if conv is None or not activity.service_url:
        return None
    asker = asker_from(activity)
    kind = conversation_kind(conv.conversation_type, conv.is_group, conv.id)
    team, channel = _teams_data(activity, "team"), _teams_data(activity, "channel")
    personal = kind == "personal"
    conversation_id = conv.id
    channel_name = channel.get("name")
    if kind == "channel":
        # Store the channel, not the thread: a channel message's conversation id names the
        # thread it was posted in (";messageid=..."), and a channel event (channelCreated,
        # channelRenamed) arrives in one conversation about another channel, named in channelData.
        conversation_id = channel.get("id") or _without_thread(conv.id)
        if not channel_name and conversation_id == team.get("id"):
            channel_name = GENERAL_CHANNEL  # the General channel's id is the team's; Teams sends it no name
    return ConversationRecord(
        tenant_id=asker.tenant_id or "",
        kind=kind,
        conversation_id=conversation_id,
        service_url=activity.service_url,
        channel_id=activity.channel_id or "msteams",
        bot_id=activity.recipient.id if activity.recipient else None,
        user_id=asker.teams_id if personal else None,
        aad_object_id=asker.aad_object_id if personal else None,
        upn=asker.upn if personal else None,
        user_name=asker.name if personal else None,
        team_id=team.get("id"),
        team_name=team.get("name"),
        channel_name=channel_name,
        time_zone=asker.time_zone if personal else None,
        locale=asker.locale if personal else None,
        installed=installed,
    )


def _teams_data(activity: Any, key: str) -> dict[str, Any]:
    """``channelData[key]`` ("team", "channel") as Teams sent it, or {} when absent or malformed."""
    channel_data = activity.channel_data if isinstance(activity.channel_data, dict) else {}
    value = channel_data.get(key)
    return value if isinstance(value, dict) else {}


def _without_thread(conversation_id: str) -> str:
    """A channel conversation id without the thread a message was posted in (``;messageid=...``)."""
    return conversation_id.split(THREAD_MARK)[0]


def _bot_joined(activity: Any) -> bool:
    """The bot was just added (to a team: membersAdded names the bot; or an installation)."""
    if activity.type == "installationUpdate":
        return (activity.action or "").startswith("add")
    return _bot_in(activity, activity.members_added)


def _bot_in(activity: Any, members: list[Any] | None) -> bool:
    bot_id = activity.recipient.id if activity.recipient else None
    return bool(bot_id) and any(getattr(m, "id", None) == bot_id for m in members or [])


class SwitchoverBot(TeamsActivityHandler):
    """Turns Teams activities into calls on the routing table; knows nothing of any feature."""

    def __init__(self, services: Services, router: Router) -> None:
        self.services = services
        self.router = router

    async def on_turn(self, turn_context: TurnContext) -> None:
        await self._remember_conversation(turn_context)
        # The plan as it stands: another instance (or `switchover plan apply`) may have changed it.
        await self.services.current_plan.refresh()
        # Everything written this turn is in the asker's Teams language (switchover.i18n), else the plan's.
        with i18n.use(i18n.language(turn_context.activity.locale, self.services.plan.organisation.language)):
            await super().on_turn(turn_context)

    async def _remember_conversation(self, context: TurnContext) -> None:
        store = self.services.conversations
        activity = context.activity
        removed = activity.type == "installationUpdate" and (activity.action or "").startswith("remove")
        if removed or _bot_in(activity, activity.members_removed):
            tenant_id, now = asker_from(activity).tenant_id or "", self.services.clock.now()
            team_id = _teams_data(activity, "team").get("id")
            if team_id:  # removed from a team: from all of its channels
                await store.mark_team_uninstalled(tenant_id, team_id, now)
            elif activity.conversation:
                await store.mark_uninstalled(tenant_id, _without_thread(activity.conversation.id), now)
            return
        if activity.type not in ("message", "conversationUpdate", "installationUpdate", "invoke"):
            return
        record = conversation_record(context)
        if record is None:
            return
        event = activity.channel_data.get("eventType") if isinstance(activity.channel_data, dict) else None
        if record.kind == "channel" and event == "channelDeleted":
            await store.mark_uninstalled(record.tenant_id, record.conversation_id, self.services.clock.now())
            return
        await store.upsert(record, self.services.clock.now())
        if record.kind == "channel" and record.team_id and _bot_joined(activity):
            await self._learn_channels(context, record)

    async def _learn_channels(self, context: TurnContext, joined: ConversationRecord) -> None:
        """Store every channel of a team the bot was just added to, with its name.

        Teams installs a bot in a whole team and tells it so in the General channel;
        activities from other channels carry their id but not their name. The plan
        names channels ("Contoso IT / Service Desk"), so the names come from the
        Bot Connector's channel list (``GET /v3/teams/{teamId}/conversations``).
        A failure is logged: channel events and messages fill the names in later.
        """
        client = context.turn_state.get(BotAdapter.BOT_CONNECTOR_CLIENT_KEY)
        request = getattr(client, "request", None)
        if request is None:  # botbuilder's stock connector (benchmarks only)
            return
        try:
            listing = await request("GET", f"v3/teams/{quote(joined.team_id or '', safe='')}/conversations", None)
        except Exception:
            log.warning("could not list the team's channels", exc_info=True, extra={"team_id": joined.team_id})
            return
        now = self.services.clock.now()
        for channel in (listing or {}).get("conversations") or []:
            if not isinstance(channel, dict) or not channel.get("id"):
                continue
            name = channel.get("name") or (GENERAL_CHANNEL if channel["id"] == joined.team_id else None)
            await self.services.conversations.upsert(
                dataclasses.replace(joined, conversation_id=channel["id"], channel_name=name), now, force=True
            )

    # -- messages ----------------------------------------------------------

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        activity = turn_context.activity
        value = activity.value if isinstance(activity.value, dict) else None
        if value and isinstance(value.get("verb"), str) and not (activity.text or "").strip():
            # Action.Submit / messageBack from an older client: route like a universal action.
            turn = Turn(turn_context, self.services)
            on_action = await self._match_action(turn, value["verb"])
            if on_action is not None:
                try:
                    data = read_action_data(self.router.action_data(value["verb"]), value)
                except BadActionData as exc:
                    log.warning("card action %r with data that does not fit: %s", value["verb"][:100], exc)
                    await turn.reply_text(_("Sorry, I could not use that button: {problem}").format(problem=exc))
                    return
                await on_action(turn, data)
                return
        text = TurnContext.remove_recipient_mention(activity) if activity.entities else activity.text
        text = (text or "").strip()
        if not text:
            if activity.attachments:
                text = ""  # an attachment alone (e.g. a screenshot) goes to the fallback with empty text
            else:
                return
        turn = Turn(turn_context, self.services, text)
        try:
            match = self.router.match_command(text)
        except NeedsLead:
            match = self.router.match_command(text, is_lead=await turn.is_lead())
        if match is None:
            await turn.reply_text(_("I didn't catch that. Type **help** to see what I can do."))
            return
        handler, rest = match
        await handler(turn, rest)

    async def _match_action(self, turn: Turn, verb: str) -> ActionHandler | None:
        try:
            return self.router.match_action(verb)
        except NeedsLead:
            return self.router.match_action(verb, is_lead=await turn.is_lead())

    # -- universal actions -------------------------------------------------

    async def on_invoke_activity(self, turn_context: TurnContext) -> InvokeResponse | None:
        if turn_context.activity.name == "adaptiveCard/action":
            return await self._on_card_action(turn_context)
        # Nothing else is used by this bot (no file consent, sign-in, message extensions,
        # task modules or tabs): say "received" with an empty 200 rather than botbuilder's
        # 501 or its errors on a value it cannot read.
        log.info("invoke %r is not used by this bot: answered with an empty 200", str(turn_context.activity.name)[:100])
        return InvokeResponse(status=HTTPStatus.OK)

    async def _on_card_action(self, turn_context: TurnContext) -> InvokeResponse:
        """An ``Action.Execute``: route by verb, answer with the card that replaces it or a message.

        The response is built as plain JSON: botbuilder's AdaptiveCardInvokeResponse
        types ``value`` as an object, so the message form (``value`` a string) would
        fail to serialise there.
        """
        value = turn_context.activity.value
        action = value.get("action") if isinstance(value, dict) else None
        verb = action.get("verb") if isinstance(action, dict) else None
        if not isinstance(verb, str) or not verb:
            log.warning("card action without a verb")
            return card_action_error(HTTPStatus.BAD_REQUEST, "BadRequest", _("This card action names no verb."))
        turn = Turn(turn_context, self.services)
        handler = await self._match_action(turn, verb)
        if handler is None:
            log.warning("card action with unknown verb %r", verb[:100])
            return card_action_error(
                HTTPStatus.BAD_REQUEST, "BadRequest", _("Unknown action {verb}.").format(verb=repr(verb[:100]))
            )
        try:
            data = read_action_data(self.router.action_data(verb), action.get("data"))  # type: ignore[union-attr]
        except BadActionData as exc:
            log.warning("card action %r with data that does not fit: %s", verb, exc)
            return card_action_error(
                HTTPStatus.BAD_REQUEST, "BadRequest", _("This card's data is not valid: {problem}").format(problem=exc)
            )
        result = await handler(turn, data)
        if result is None:
            return _invoke(HTTPStatus.OK, MESSAGE_CONTENT_TYPE, _("Done"))
        return _invoke(HTTPStatus.OK, CARD_CONTENT_TYPE, result)

    # -- installation and membership ----------------------------------------

    async def on_members_added_activity(self, members_added: list[ChannelAccount], turn_context: TurnContext) -> None:
        bot_id = turn_context.activity.recipient.id if turn_context.activity.recipient else None
        if any(m.id == bot_id for m in members_added):
            await self._dispatch_event(turn_context, "bot_added", None)

    async def on_members_removed_activity(
        self, members_removed: list[ChannelAccount], turn_context: TurnContext
    ) -> None:
        activity = turn_context.activity
        bot_id = activity.recipient.id if activity.recipient else None
        if activity.conversation and any(m.id == bot_id for m in members_removed):
            await self.services.conversations.mark_uninstalled(
                asker_from(activity).tenant_id or "", activity.conversation.id, self.services.clock.now()
            )

    async def on_teams_members_added(  # type: ignore[override]
        self, teams_members_added: list[Any], team_info: Any, turn_context: TurnContext
    ) -> None:
        await self.on_members_added_activity(teams_members_added, turn_context)

    async def on_teams_members_removed(  # type: ignore[override]
        self, teams_members_removed: list[Any], team_info: Any, turn_context: TurnContext
    ) -> None:
        await self.on_members_removed_activity(teams_members_removed, turn_context)

    # -- events ---------------------------------------------------------------

    async def on_teams_read_receipt_event(self, read_receipt_info: ReadReceiptInfo, turn_context: TurnContext) -> None:
        # botbuilder 4.17 passes the raw activity value (a dict), not a ReadReceiptInfo.
        info: Any = read_receipt_info
        last_read = info.get("lastReadMessageId") if isinstance(info, dict) else info.last_read_message_id
        await self._dispatch_event(turn_context, "read_receipt", last_read)

    async def _dispatch_event(self, context: TurnContext, name: str, value: Any) -> None:
        turn = Turn(context, self.services)
        for handler in self.router.event_handlers(name):
            await handler(turn, value)
