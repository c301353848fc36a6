"""The shape of an incoming activity: the fields the bot and botbuilder read, each of the type Teams sends.

botbuilder's schema classes keep whatever JSON type arrives in a field (a list for
``from.name``, a number for ``conversation.conversationType``), and the trouble shows
later, deep in a turn: a database that cannot store a list, msrest failing on
``channelData``, a conversation kind no table knows. :func:`check_shape` refuses such an
activity at the door, naming the field (``activity.conversation.conversationType: ...``),
so :mod:`bot.transport` answers 400 before anything runs. Fields not named here, and
values of the right type, pass as they are; ``value`` is each feature's to read
(card actions through :mod:`bot.actions`).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictBool, StrictStr, ValidationError


def _no_nul(value: str) -> str:
    if "\x00" in value:  # PostgreSQL refuses it in text columns; no Teams client sends it
        raise ValueError("must not contain NUL (U+0000) characters")
    return value


# A string field as stored: of string type, and storable in any database's text column.
Text = Annotated[StrictStr, AfterValidator(_no_nul)]


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class _Named(_Open):
    """A team, a channel, a tenant: an id and a name."""

    id: Text | None = None
    name: Text | None = None


class _Account(_Named):
    aadObjectId: Text | None = None  # noqa: N815 - the Bot Framework's names
    userPrincipalName: Text | None = None  # noqa: N815
    email: Text | None = None
    role: Text | None = None


class _Conversation(_Named):
    conversationType: Literal["personal", "groupChat", "channel"] | None = None  # noqa: N815
    tenantId: Text | None = None  # noqa: N815
    isGroup: StrictBool | None = None  # noqa: N815


class _ChannelData(_Open):
    tenant: _Named | None = None
    team: _Named | None = None
    channel: _Named | None = None
    eventType: Text | None = None  # noqa: N815
    settings: dict[str, Any] | None = None


class _Attachment(_Open):
    contentType: Text | None = None  # noqa: N815
    contentUrl: Text | None = None  # noqa: N815
    name: Text | None = None


class _Activity(_Open):
    type: Text
    id: Text | None = None
    name: Text | None = None
    action: Text | None = None
    text: Text | None = None
    textFormat: Text | None = None  # noqa: N815
    locale: Text | None = None
    localTimezone: Text | None = None  # noqa: N815
    timestamp: Text | None = None
    localTimestamp: Text | None = None  # noqa: N815
    channelId: Text | None = None  # noqa: N815
    replyToId: Text | None = None  # noqa: N815
    summary: Text | None = None
    sender: _Account = Field(alias="from")
    recipient: _Account | None = None
    conversation: _Conversation
    channelData: _ChannelData | None = None  # noqa: N815
    entities: list[dict[str, Any]] | None = None
    attachments: list[_Attachment] | None = None
    membersAdded: list[_Account] | None = None  # noqa: N815
    membersRemoved: list[_Account] | None = None  # noqa: N815


def check_shape(payload: dict[str, Any]) -> str | None:
    """What is wrong with the activity's shape (every field named, at most five), or None."""
    try:
        _Activity.model_validate(payload)
    except ValidationError as exc:
        problems = [f"activity.{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors(include_url=False)]
        return "; ".join(problems[:5]) + (f"; and {len(problems) - 5} more" if len(problems) > 5 else "")
    return None
