"""The tenant gate: an activity from a tenant this instance does not serve is refused, politely.

Run after the token check and instead of the bot, so a refused activity gets nothing
from the plan and leaves nothing behind: no conversation reference, no dialog state,
no report. A message is answered with a short refusal (the asker learns nothing of
the customer), a card action with the same words as its invoke response; the
transport answers the Bot Connector 403 (200 for a card action, which Teams shows).
"""

from __future__ import annotations

import logging
from http import HTTPStatus

from botbuilder.core import TurnContext
from botbuilder.core.invoke_response import InvokeResponse
from botbuilder.schema import Activity, ActivityTypes

from switchover import i18n
from switchover.i18n import N_
from switchover.i18n import gettext as _

log = logging.getLogger(__name__)

REFUSAL = N_(
    "Sorry, I am not set up for your organisation, so I cannot help you here. "
    "If you expected to use me, please ask your IT support."
)
MESSAGE_CONTENT_TYPE = "application/vnd.microsoft.activity.message"


def tenants_of(activity: Activity) -> set[str]:
    """Every tenant id the activity names (``channelData.tenant.id``, ``conversation.tenantId``), lower-cased."""
    found: set[str] = set()
    channel_data = activity.channel_data if isinstance(activity.channel_data, dict) else {}
    tenant = channel_data.get("tenant")
    if isinstance(tenant, dict) and isinstance(tenant.get("id"), str) and tenant["id"].strip():
        found.add(tenant["id"].strip().lower())
    conversation = activity.conversation
    # Teams writes ``tenantId``; botbuilder's schema reads ``tenantID``, so Teams' lands among the extras.
    extras = getattr(conversation, "additional_properties", None) or {}
    for value in (getattr(conversation, "tenant_id", None), extras.get("tenantId")):
        if isinstance(value, str) and value.strip():
            found.add(value.strip().lower())
    return found


def refusal(activity: Activity, served: frozenset[str]) -> str | None:
    """Why ``activity`` is refused (for the log and the HTTP answer), or None when it may go on.

    ``served`` empty means any tenant. Otherwise every tenant the activity names must be
    served, and it must name one.
    """
    if not served:
        return None
    tenants = tenants_of(activity)
    if not tenants:
        return "the activity names no tenant; this bot serves only its own"
    others = sorted(tenants - served)
    if others:
        return f"tenant {', '.join(others)} is not served by this bot"
    return None


async def refuse(context: TurnContext) -> None:
    """The turn a refused activity gets instead of the bot's: the refusal where a reply is possible."""
    activity = context.activity
    with i18n.use(activity.locale):  # no plan to read: the asker's Teams language, else English
        said = _(REFUSAL)
    if activity.type == ActivityTypes.message:
        await context.send_activity(said)
    elif activity.type == ActivityTypes.invoke:
        if activity.name == "adaptiveCard/action":
            body = {"statusCode": int(HTTPStatus.OK), "type": MESSAGE_CONTENT_TYPE, "value": said}
            response = InvokeResponse(status=int(HTTPStatus.OK), body=body)
        else:
            response = InvokeResponse(status=int(HTTPStatus.FORBIDDEN), body={"error": "tenant not served"})
        await context.send_activity(Activity(type=ActivityTypes.invoke_response, value=response))
